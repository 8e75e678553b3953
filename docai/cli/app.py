"""The `docai` Typer application; each command module registers itself on `app`."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="docai",
    help="Turn PDFs, receipts and screenshots into reviewed, structured data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
