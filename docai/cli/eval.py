"""`docai eval DIR --schema S`: score an engine on a folder of documents with ground truth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from docai.cli.app import app


@app.command("eval")
def eval_command(
    folder: Annotated[Path, typer.Argument(help="Folder of NAME.<pdf|png|jpg> with NAME.json (or NAME.csv) truth.")],
    schema: Annotated[str, typer.Option("--schema", "-s", help="invoice, receipt, form or chart.")],
    engine: Annotated[
        str | None, typer.Option("--engine", "-e", help="auto, ocr or deepseek-vl (default DOCAI_ENGINE).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="auto, plain, sroie, invoice2data, funsd or chartqa (auto: from the keys).")
    ] = "auto",
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Score only the first N documents.")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Processes to run documents in.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as one JSON object.")] = False,
    details: Annotated[
        bool, typer.Option("--details", help="Add every document's scored fields (expected, got, confidence).")
    ] = False,
) -> None:
    """Extract every document in FOLDER and print per-field accuracy, overall score, misses and timings."""
    from docai.errors import DocaiError
    from docai.eval.runner import EvalOptions, run_eval
    from schemas.registry import schema_kinds

    if schema not in schema_kinds():
        raise typer.BadParameter(f"choose one of {', '.join(schema_kinds())}", param_hint="--schema")
    options = EvalOptions(schema=schema, engine=engine, fmt=fmt, limit=limit, workers=workers, details=details)

    def progress(result: Any) -> None:
        if not as_json:
            state = f"error {result.error}" if result.error else f"{len(result.misses)} misses"
            typer.echo(f"  {result.name}: {state}", err=True)

    try:
        report = run_eval(folder, options, progress=progress)
    except DocaiError as err:
        typer.echo(f"error: {err.message}", err=True)
        raise typer.Exit(2) from err
    if as_json:
        typer.echo(json.dumps(report, default=str, ensure_ascii=False, indent=1))
        return
    _print_report(report)


def _figure(value: float | None, digits: int) -> str:
    """A share or error as the report prints it; '-' where there was nothing to count."""
    return "-" if value is None else f"{value:.{digits}f}"


def _print_report(report: dict[str, Any]) -> None:
    typer.echo(
        f"\n{report['documents']} documents, schema {report['schema']}, engine {report['engine']} ({report['model']})"
    )
    typer.echo(f"format: {report['format']}")
    for name, value in report["fields"].items():
        typer.echo(f"  {name:<20} {value:.3f}")
    if "precision" in report:
        typer.echo(f"  precision {report['precision']:.3f}  recall {report['recall']:.3f}")
    micro = f" (all scored values: {report['overall_micro']:.3f})" if "overall_micro" in report else ""
    typer.echo(f"overall: {report['overall']:.3f}{micro}")
    items = report.get("line_items")
    if items:
        columns = ", ".join(f"{k} {v:.3f}" for k, v in items["columns"].items())
        typer.echo(
            f"line items: row F1 {items['f1']:.3f} (precision {items['precision']:.3f}, recall {items['recall']:.3f};"
            f" {items['rows_expected']} rows expected in {items['documents']} documents)"
            + (f"; on matched rows: {columns}" if columns else "")
        )
    cal = report.get("calibration")
    if cal:
        precision = _figure(cal["precision"], 3)
        ece = _figure(cal["ece"], 3)
        typer.echo(
            f"at review threshold {cal['threshold']}: coverage {cal['coverage']:.3f}, precision {precision},"
            f" ECE {ece}, straight-through documents {cal['straight_through']:.3f}"
        )
        fields = ", ".join(
            f"{name} {f['coverage']:.2f}/{_figure(f['precision'], 2)}" for name, f in cal.get("fields", {}).items()
        )
        if fields:
            typer.echo(f"  per field (coverage/precision): {fields}")
        sweep = "; ".join(
            f"{row['threshold']}: {row['coverage']:.2f}/{_figure(row['precision'], 3)}/{row['straight_through']:.2f}"
            for row in cal.get("by_threshold", [])
        )
        if sweep:
            typer.echo(f"  other thresholds (coverage/precision/straight-through): {sweep}")
    for entry in report.get("details", []):
        typer.echo(f"\n{entry['document']}" + (f" (error {entry['error']})" if entry.get("error") else ""))
        for name, f in entry["fields"].items():
            conf = _figure(f["confidence"], 2)
            mark = "ok " if f["correct"] else "MISS"
            typer.echo(f"  {mark} {name:<18} conf {conf}  expected {f['expected']!r}, got {f['got']!r}")
    if report["misses"]:
        typer.echo(f"\nmisses ({len(report['misses'])}):")
        for miss in report["misses"][:60]:
            typer.echo(f"  {miss['document']} {miss['field']}: expected {miss['expected']!r}, got {miss['got']!r}")
    for error in report["errors"]:
        typer.echo(f"  error {error['document']}: {error['error']}")
    t = report["timings"]
    typer.echo(f"\ntime: {t['total_s']} s (mean rasterize {t['mean_rasterize_s']} s, extract {t['mean_extract_s']} s)")
