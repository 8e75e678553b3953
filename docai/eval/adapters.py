"""Ground truth of the dev sets and of users' own folders, turned into the schema's field names."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docai.errors import DocaiError, ErrorCode
from docai.eval.items import invoice2data_rows, plain_rows
from schemas.registry import get_schema

FORMATS = ("auto", "plain", "sroie", "invoice2data", "funsd", "chartqa")
DOC_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp", ".xml")

SROIE = {"company": "merchant_name", "date": "transaction_date", "address": "merchant_address", "total": "total"}
INVOICE2DATA = {
    "issuer": "vendor_name",
    "invoice_number": "invoice_id",
    "date": "invoice_date",
    "amount": "invoice_total",
    "amount_untaxed": "subtotal",
    "amount_tax": "total_tax",
    "currency": "currency",
}
# The fields a format's truth names, so a document with a missing key still scores that field as absent.
FORMAT_SCHEMA = {"sroie": "receipt", "invoice2data": "invoice", "funsd": "form", "chartqa": "chart"}


@dataclass
class Truth:
    """One document's expected values: fields (invoice, receipt), pairs (form) or a table (chart)."""

    fields: dict[str, Any] | None = None
    items: list[dict[str, Any]] | None = None  # invoice line items, where the truth lists them
    pairs: list[tuple[str, str]] | None = None
    table: tuple[list[Any], list[list[Any]]] | None = None


@dataclass
class Sample:
    name: str
    document: Path
    truth_path: Path


def find_samples(folder: Path) -> list[Sample]:
    """Every NAME.<pdf|png|jpg...> with a NAME.json or NAME.csv beside it, sorted by name."""
    if not folder.is_dir():
        raise DocaiError(
            ErrorCode.UNSUPPORTED_TYPE, f"{folder} is not a folder; give a folder of documents with ground truth."
        )
    samples = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in DOC_SUFFIXES:
            continue
        for suffix in (".json", ".csv"):
            truth = path.with_suffix(suffix)
            if truth.is_file():
                samples.append(Sample(path.stem, path, truth))
                break
    if not samples:
        raise DocaiError(
            ErrorCode.NO_PAGES,
            f"No documents with ground truth in {folder}: expected NAME.pdf|png|jpg beside NAME.json (or NAME.csv for charts).",
        )
    return samples


def detect_format(sample: Sample) -> str:
    """Which adapter reads this ground truth, from its keys."""
    if sample.truth_path.suffix == ".csv":
        return "chartqa"
    data = _load_json(sample.truth_path)
    if isinstance(data, dict):
        if "key_value_pairs" in data:
            return "funsd"
        if {"company", "address"} & data.keys() and "total" in data:
            return "sroie"
        if {"issuer", "invoice_number", "amount"} & data.keys():
            return "invoice2data"
    return "plain"


def read_truth(sample: Sample, fmt: str, schema: str) -> Truth:
    """The expected values of one sample in schema field names."""
    if fmt == "chartqa" or sample.truth_path.suffix == ".csv":
        return Truth(table=_read_csv(sample.truth_path))
    data = _load_json(sample.truth_path)
    if not isinstance(data, dict):
        raise DocaiError(ErrorCode.CORRUPT, f"{sample.truth_path} must hold a JSON object.")
    if fmt == "sroie":
        return Truth(fields={ours: data.get(theirs) for theirs, ours in SROIE.items()})
    if fmt == "invoice2data":
        lines = data.get("lines", data.get("line_items"))
        return Truth(
            fields={ours: data.get(theirs) for theirs, ours in INVOICE2DATA.items()},
            items=invoice2data_rows(lines) if lines is not None else None,
        )
    if fmt == "funsd":
        return Truth(pairs=[(p["key"], p["value"]) for p in data.get("key_value_pairs", [])])
    return _plain(data, schema, sample.truth_path)


def _plain(data: dict[str, Any], schema: str, path: Path) -> Truth:
    if schema == "form":
        fields = data.get("fields", [])
        return Truth(pairs=[(str(f.get("key", "")), str(f.get("value") or "")) for f in fields if isinstance(f, dict)])
    if schema == "chart":
        return Truth(table=(list(data.get("columns", [])), [list(r) for r in data.get("rows", [])]))
    known = get_schema(schema).model_fields
    scalars = {k: v for k, v in data.items() if k in known and not isinstance(v, list | dict)}
    if not scalars:
        raise DocaiError(
            ErrorCode.CORRUPT,
            f"{path} names none of the {schema} fields ({', '.join(sorted(known))}); see the README for the format.",
        )
    items = plain_rows(data["line_items"]) if schema == "invoice" and "line_items" in data else None
    return Truth(fields=scalars, items=items)


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise DocaiError(ErrorCode.CORRUPT, f"Cannot read the ground truth {path}: {err}") from err


def _read_csv(path: Path) -> tuple[list[Any], list[list[Any]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle) if row]
    if not rows:
        return [], []
    return rows[0], rows[1:]


def field_kinds(schema: str) -> dict[str, str]:
    """How each top-level field of a schema is compared: amount, date, code or text."""
    kinds = {}
    for name, info in get_schema(schema).model_fields.items():
        hooks = " ".join(getattr(getattr(m, "func", None), "__name__", "") for m in info.metadata)
        if "_money" in hooks:
            kinds[name] = "amount"
        elif "_date" in hooks:
            kinds[name] = "date"
        elif "_currency" in hooks:
            kinds[name] = "code"
        else:
            kinds[name] = "text"
    return kinds
