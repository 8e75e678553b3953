"""`docai process FILE...`: run the whole pipeline in this process and print what was extracted."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from docai.cli.app import app

SchemaOption = Annotated[str, typer.Option("--schema", "-s", help="auto, invoice, receipt, form, chart or ui_code.")]
EngineOption = Annotated[
    str | None, typer.Option("--engine", "-e", help="auto, ocr or deepseek-vl (default DOCAI_ENGINE).")
]


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the files directly inside it (hidden files skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        else:
            files.append(path)
    return files


def _not_a_file(path: Path) -> str | None:
    """Why a path is not read (a FIFO would block the batch forever), or None for a regular file."""
    import stat

    try:
        mode = path.stat().st_mode  # follows a link: a link to a document is that document
    except OSError as err:  # a link to nothing, or to itself
        return f"it cannot be opened ({err.strerror or err})"
    if stat.S_ISREG(mode):
        return None
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
    return f"it is {kind}, not a document"


@app.command("process")
def process(
    files: Annotated[list[Path], typer.Argument(help="Files (or folders of files) to process.")],
    schema: SchemaOption = "auto",
    engine: EngineOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per document (a list for several).")
    ] = False,
) -> None:
    """Ingest, rasterize and extract FILES here, store everything, and print a summary (or JSON)."""
    run_process(expand_paths(files), schema, engine, as_json)


@app.command("demo")
def demo(engine: EngineOption = None) -> None:
    """Process the bundled sample documents (an invoice PDF, a receipt photo) and show what was extracted."""
    from docai.samples import write_samples
    from docai.settings import get_settings

    run_process(write_samples(get_settings().home / "samples"), "auto", engine, False)


def run_process(paths: list[Path], schema: str, engine: str | None, as_json: bool) -> None:
    """The body of `docai process`: exits 1 when any document failed, 2 on a usage error."""
    from docai.errors import DocaiError, ErrorCode
    from docai.settings import get_settings
    from docai.stages.engines import get_engine
    from docai.stages.ingest import sha256_file
    from docai.stages.pipeline import SCHEMA_CHOICES, PipelineOptions, process_files, record_rejected
    from docai.store.db.migrate import ensure_database
    from docai.store.db.session import session_factory
    from docai.store.results import document_summary
    from docai.store.storage import store_from_settings

    settings = get_settings()
    if schema not in SCHEMA_CHOICES:
        raise typer.BadParameter(f"choose one of {', '.join(SCHEMA_CHOICES)}", param_hint="--schema")
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        typer.echo(f"error: no such file: {', '.join(missing)}", err=True)
        raise typer.Exit(2)
    # FIFOs, sockets, devices and broken or looping links are reported and skipped; the other files go on
    skipped = [(p, why) for p in paths if (why := _not_a_file(p))]
    for path, why in skipped:
        typer.echo(f"error: {path} skipped: {why}", err=True)
    paths = [p for p in paths if p not in {s for s, _ in skipped}]
    ensure_database(settings.resolved_database_url)
    store = store_from_settings(settings)
    options = PipelineOptions.from_settings(settings)
    try:
        loaded, reason = get_engine(engine, settings)
    except DocaiError as err:
        typer.echo(f"error: {err.message}", err=True)
        raise typer.Exit(2) from err
    if not as_json:
        typer.echo(f"engine: {loaded.name} ({reason})", err=True)

    summaries: list[dict[str, Any]] = []
    with session_factory(settings.resolved_database_url)() as session, _progress(len(paths), as_json) as advance:
        readable: list[Path] = []
        for path in paths:
            size = path.stat().st_size
            if size > options.limits.max_file_bytes:
                outcome = record_rejected(
                    session,
                    path.name,
                    size,
                    sha256_file(path),
                    DocaiError(
                        ErrorCode.TOO_LARGE,
                        f"The file is {size / 1e6:.1f} MB; the limit is "
                        f"{options.limits.max_file_bytes / 1e6:.0f} MB (DOCAI_MAX_FILE_BYTES).",
                    ),
                )
                summaries.append(document_summary(outcome.document))
                advance(path.name)
            else:
                readable.append(path)
        outcomes = process_files(
            session,
            store,
            ((path.name, path.read_bytes()) for path in readable),  # one file in memory at a time
            loaded,
            options,
            schema=schema,
            on_progress=lambda _event, doc: advance(doc.filename),
        )
        for outcome in outcomes:
            session.refresh(outcome.document)
            summary = document_summary(outcome.document)
            summary["duplicate"] = outcome.duplicate
            summaries.append(summary)

    if as_json:
        payload: Any = summaries[0] if len(summaries) == 1 else summaries
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    else:
        for summary in summaries:
            _print_summary(summary)
    if skipped or any(s["status"] == "failed" for s in summaries):
        raise typer.Exit(1)


class _progress:
    """A rich progress bar on a terminal; silent otherwise (pipes, --json, CI logs)."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.enabled = total, not quiet and sys.stderr.isatty()
        self.bar: Any = None

    def __enter__(self):  # type: ignore[no-untyped-def]
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=_console(stderr=True),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("processing", total=self.total)
        return self.advance

    def advance(self, name: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=name[:40])

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _console(stderr: bool = False):  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _print_summary(summary: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = _console()
    colour = {"done": "green", "needs_review": "yellow", "failed": "red"}.get(summary["status"], "white")
    dup = " (already stored)" if summary.get("duplicate") else ""
    console.print(
        f"[bold]{escape(summary['filename'])}[/]{dup}  [{colour}]{summary['status']}[/]  "
        f"schema={summary['schema']} engine={summary['engine']} pages={summary['pages']} id={summary['id']}"
    )
    if summary["error"]:
        console.print(f"  [red]{summary['error']['code']}[/]: {escape(summary['error']['message'])}")
        return
    data = summary["data"] or {}
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
    table.add_column("field")
    table.add_column("value")
    table.add_column("confidence", justify="right")
    for key, value in data.items():
        if value in (None, [], ""):
            continue
        evidence = summary["evidence"].get(f"/{key}", {})
        shown = f"{len(value)} rows" if isinstance(value, list) else str(value)
        conf = evidence.get("confidence")
        table.add_row(key, escape(shown[:80]), "" if conf is None else f"{conf:.2f}")
    console.print(table)
    for issue in summary["issues"]:
        console.print(
            f"  [yellow]{issue['severity']}[/] {issue['code']} {issue.get('field') or ''}: {escape(issue['message'])}"
        )
    for reason in summary.get("reasons") or []:
        if reason["reason"] != "validation_issue":  # those were printed as issues just above
            console.print(f"  [yellow]review[/] {escape(reason['label'])}: {escape(reason['message'])}")
