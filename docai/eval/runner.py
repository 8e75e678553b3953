"""Run documents through rasterize and an engine, score them against ground truth, sum up a report."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docai.errors import DocaiError, ErrorCode
from docai.eval.adapters import (
    FORMAT_SCHEMA,
    FORMATS,
    Sample,
    Truth,
    detect_format,
    field_kinds,
    find_samples,
    read_truth,
)
from docai.eval.calibration import Scored, calibration_report
from docai.eval.items import COLUMNS, ItemScore, score_items
from docai.eval.metrics import PrfCounts, kv_match, score_fields, table_match
from model.types import ExtractRequest, PageInput

MAX_MISSES_PER_DOC = 10


@dataclass(frozen=True)
class EvalOptions:
    schema: str
    engine: str | None = None  # None: DOCAI_ENGINE
    fmt: str = "auto"
    limit: int | None = None
    workers: int = 1
    details: bool = False  # one entry per document with every scored field
    review_threshold: float | None = None  # None: DOCAI_REVIEW_THRESHOLD


@dataclass
class DocResult:
    name: str
    # (field, expected, got, correct, confidence); confidence None when the engine gave the field no value
    fields: list[tuple[str, Any, Any, bool, float | None]] = field(default_factory=list)
    counts: PrfCounts | None = None  # forms and charts
    items: ItemScore | None = None  # invoice line items, where the truth lists them
    item_rows: tuple[list[dict[str, Any]], list[dict[str, Any]]] | None = None  # (expected, got), for --details
    misses: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    engine: str = ""
    model: str = ""


PageLoader = Callable[[Path], list[PageInput]]


def rasterized_pages(path: Path) -> list[PageInput]:
    """The pages a user's upload becomes: sniffed, rasterized at 1024 px, words from the text layer or OCR."""
    from PIL import Image

    from docai.settings import get_settings
    from docai.stages.ingest import sniff
    from docai.stages.pipeline import PipelineOptions
    from docai.stages.rasterize import rasterize

    options = PipelineOptions.from_settings(get_settings())
    data = path.read_bytes()
    media = sniff(data, path.name, options.limits)
    return [
        PageInput(index=p.index, image=Image.open(io.BytesIO(p.png)), words=list(p.words))
        for p in rasterize(data, media, options.raster)
    ]


def _extract(
    sample: Sample, options: EvalOptions, loader: PageLoader
) -> tuple[Any, dict[str, float], str, str, dict[str, float]]:
    from docai.settings import get_settings
    from docai.stages.engines import get_engine

    engine, _reason = get_engine(options.engine, get_settings())
    started = time.perf_counter()
    pages = loader(sample.document)
    einvoice = _einvoice(sample, pages)
    if einvoice is not None:
        engine = einvoice
    raster_s = time.perf_counter() - started
    started = time.perf_counter()
    result = engine.extract_batch([ExtractRequest(request_id=sample.name, schema=options.schema, pages=pages)])[0]
    timings = {"rasterize_s": round(raster_s, 3), "extract_s": round(time.perf_counter() - started, 3)}
    if result.data is None:
        try:
            code = ErrorCode(result.error_code)
        except ValueError:
            code = ErrorCode.EXTRACTION_FAILED
        raise DocaiError(code, result.error_message or "The engine returned no data.")
    return result.data, timings, result.engine, result.model, dict(result.confidence)


class _Read:
    """An e-invoice's XML as an engine: its result is already there."""

    def __init__(self, result: Any):
        self.result = result

    def extract_batch(self, requests: list[ExtractRequest]) -> list[Any]:
        return [self.result]


def _einvoice(sample: Sample, pages: list[PageInput]) -> _Read | None:
    """An e-invoice (XML in a PDF, or the XML itself) is read as the pipeline reads it, not by the engine."""
    if sample.document.suffix.lower() not in (".pdf", ".xml"):
        return None
    from docai.stages.einvoice import einvoice_result, embedded_xml, looks_like_einvoice

    data = sample.document.read_bytes()
    xml = data if looks_like_einvoice(data) else embedded_xml(data) if data.startswith(b"%PDF") else None
    if xml is None:
        return None
    return _Read(einvoice_result(sample.name, xml, [p.words for p in pages], page_less=data is xml))


def evaluate_one(sample: Sample, fmt: str, options: EvalOptions, loader: PageLoader = rasterized_pages) -> DocResult:
    """Extract and score one document; a failure scores as all fields missed."""
    truth = read_truth(sample, fmt, options.schema)
    out = DocResult(sample.name)
    data, confidence = None, {}
    try:
        data, out.timings, out.engine, out.model, confidence = _extract(sample, options, loader)
    except DocaiError as err:
        out.error = f"{err.code}: {err.message}"
    got = data.model_dump(mode="json") if data is not None else {}
    _score(out, truth, got, options.schema, confidence)
    return out


def _score(out: DocResult, truth: Truth, got: dict[str, Any], schema: str, confidence: dict[str, float]) -> None:
    if truth.fields is not None:
        kinds = field_kinds(schema)
        for score in score_fields(truth.fields, got, kinds):
            empty = score.got is None or score.got == ""
            conf = None if empty else confidence.get(f"/{score.field}", 0.0)
            out.fields.append((score.field, score.expected, score.got, score.correct, conf))
            if not score.correct:
                out.misses.append(
                    {"document": out.name, "field": score.field, "expected": score.expected, "got": score.got}
                )
        if truth.items is not None:
            rows = [r for r in got.get("line_items") or [] if isinstance(r, dict)]
            out.items, out.item_rows = score_items(truth.items, rows), (truth.items, rows)
            if out.items.counts.f1 < 1.0:
                out.misses.append(
                    {
                        "document": out.name,
                        "field": "line_items",
                        "expected": f"{len(truth.items)} rows",
                        "got": f"{len(rows)} rows, {int(out.items.counts.matched)} matched",
                    }
                )
    elif truth.pairs is not None:
        pairs = [(f.get("key") or "", f.get("value") or "") for f in got.get("fields", [])]
        out.counts, missed = kv_match(truth.pairs, pairs)
        for key, value in missed[:MAX_MISSES_PER_DOC]:
            out.misses.append({"document": out.name, "field": key, "expected": value, "got": None})
    elif truth.table is not None:
        table = (list(got.get("columns") or []), [list(r) for r in got.get("rows") or []])
        out.counts = table_match(truth.table, table)
        if out.counts.f1 < 1.0:
            out.misses.append(
                {
                    "document": out.name,
                    "field": "table",
                    "expected": f"{len(truth.table[1])} rows",
                    "got": f"F1 {out.counts.f1:.2f}",
                }
            )


def run_eval(
    folder: Path, options: EvalOptions, loader: PageLoader = rasterized_pages, progress=None
) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Evaluate a folder and return the report `docai eval --json` prints."""
    if options.fmt not in FORMATS:
        raise DocaiError(
            ErrorCode.UNSUPPORTED_TYPE, f"Unknown format {options.fmt!r}; choose one of {', '.join(FORMATS)}."
        )
    samples = find_samples(folder)[: options.limit] if options.limit else find_samples(folder)
    fmt = detect_format(samples[0]) if options.fmt == "auto" else options.fmt
    expected_schema = FORMAT_SCHEMA.get(fmt)
    if expected_schema and expected_schema != options.schema:
        raise DocaiError(
            ErrorCode.SCHEMA_UNSUPPORTED,
            f"The ground truth in {folder} is {fmt} ({expected_schema} fields); run with --schema {expected_schema}.",
        )
    started = time.perf_counter()
    results: list[DocResult] = []
    if options.workers > 1:
        with ProcessPoolExecutor(max_workers=options.workers) as pool:
            futures = [pool.submit(evaluate_one, s, fmt, options, loader) for s in samples]
            for future in futures:
                results.append(future.result())
                if progress:
                    progress(results[-1])
    else:
        for sample in samples:
            results.append(evaluate_one(sample, fmt, options, loader))
            if progress:
                progress(results[-1])
    report = summarize(results, options, fmt, time.perf_counter() - started)
    if options.details:
        report["details"] = [document_details(r) for r in results]
    return report


def summarize(results: list[DocResult], options: EvalOptions, fmt: str, seconds: float) -> dict[str, Any]:
    """Aggregate per-document scores: mean per-field accuracy, or micro precision/recall/F1 for pairs and tables."""
    report: dict[str, Any] = {
        "schema": options.schema,
        "engine": next((r.engine for r in results if r.engine), options.engine or "auto"),
        "model": next((r.model for r in results if r.model), None),
        "format": fmt,
        "documents": len(results),
    }
    if any(r.counts is not None for r in results):
        total = PrfCounts()
        for r in results:
            if r.counts is not None:
                total.add(r.counts)
        name = "key_value_pairs" if options.schema == "form" else "table"
        report["overall"] = round(total.f1, 4)
        report["fields"] = {name: round(total.f1, 4)}
        report["precision"], report["recall"] = round(total.precision, 4), round(total.recall, 4)
    else:
        per_field: dict[str, list[bool]] = {}
        for r in results:
            for name, _exp, _got, correct, _conf in r.fields:
                per_field.setdefault(name, []).append(correct)
        scored = [c for values in per_field.values() for c in values]
        report["fields"] = {k: round(sum(v) / len(v), 4) for k, v in per_field.items()}
        # DESIGN: overall is the mean of the per-field accuracies; the share of all scored values beside it
        fields = list(report["fields"].values())
        report["overall"] = round(sum(fields) / len(fields), 4) if fields else 0.0
        report["overall_micro"] = round(sum(scored) / len(scored), 4) if scored else 0.0
        report["calibration"] = calibration_report(
            [Scored(r.name, name, conf, ok) for r in results for name, _e, _g, ok, conf in r.fields],
            _threshold(options),
        )
        if any(r.items is not None for r in results):
            report["line_items"] = _items_summary([r.items for r in results if r.items is not None])
    train_cv = train_figures(options.schema, report["model"])
    if train_cv:
        report["train_cv"] = train_cv  # the same fields by cross-validation on the training split, from the model
    report["misses"] = [m for r in results for m in r.misses]
    report["errors"] = [{"document": r.name, "error": r.error} for r in results if r.error]
    extract = [r.timings.get("extract_s", 0.0) for r in results if r.timings]
    raster = [r.timings.get("rasterize_s", 0.0) for r in results if r.timings]
    report["timings"] = {
        "total_s": round(seconds, 2),
        "mean_rasterize_s": round(sum(raster) / len(raster), 3) if raster else None,
        "mean_extract_s": round(sum(extract) / len(extract), 3) if extract else None,
    }
    return report


def train_figures(schema: str, model_id: str | None) -> dict[str, Any] | None:
    """The learned model's out-of-fold figures for the schema's fields (what `docai train` measured), if it has any."""
    if not model_id or not model_id.startswith("docai-ocr-learned"):
        return None
    from docai.settings import get_settings
    from model.learned.core import load_model

    model = load_model((get_settings().home / "models" / "learned").resolve())
    if model is None:
        return None
    return {
        key.split(".", 1)[1]: entry.get("figures")
        for key, entry in model.manifest["fields"].items()
        if key.startswith(f"{schema}.") and not key.startswith(f"{schema}.rules.")
    }


def _threshold(options: EvalOptions) -> float:
    if options.review_threshold is not None:
        return options.review_threshold
    from docai.settings import get_settings

    return get_settings().review_threshold


def _items_summary(scores: list[ItemScore]) -> dict[str, Any]:
    """Micro row precision/recall/F1 over the documents whose truth lists rows; column accuracy on matched rows."""
    total = PrfCounts()
    columns: dict[str, list[bool]] = {}
    for score in scores:
        total.add(score.counts)
        for name, flags in score.columns.items():
            columns.setdefault(name, []).extend(flags)
    return {
        "documents": len(scores),
        "rows_expected": total.expected,
        "rows_predicted": total.predicted,
        "precision": round(total.precision, 4),
        "recall": round(total.recall, 4),
        "f1": round(total.f1, 4),
        "columns": {name: round(sum(columns[name]) / len(columns[name]), 4) for name in COLUMNS if columns.get(name)},
    }


def document_details(result: DocResult) -> dict[str, Any]:
    """Every scored field of one document: expected, got, correct and the engine's confidence."""
    entry: dict[str, Any] = {
        "document": result.name,
        "fields": {
            name: {"expected": exp, "got": got, "correct": ok, "confidence": conf}
            for name, exp, got, ok, conf in result.fields
        },
    }
    if result.items is not None and result.item_rows is not None:
        expected, got = result.item_rows
        entry["line_items"] = {
            "expected": expected,
            "got": got,
            "matched": [[i, j] for i, j in result.items.pairs],
            "f1": round(result.items.counts.f1, 4),
        }
    if result.counts is not None:
        entry["counts"] = {
            "precision": round(result.counts.precision, 4),
            "recall": round(result.counts.recall, 4),
            "f1": round(result.counts.f1, 4),
        }
    if result.error:
        entry["error"] = result.error
    return entry
