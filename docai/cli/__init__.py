"""Command-line interface: `docai process|eval|api|worker|ui|watch|up|model|db`."""

from __future__ import annotations

import importlib

from docai.cli.app import app

# Each module registers its commands on `app` when imported.
COMMAND_MODULES = [
    "docai.cli.model",
    "docai.cli.process",
    "docai.cli.db",
    "docai.cli.eval",
    "docai.cli.serve",
    "docai.cli.train",
]


def main() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name)
    app()
