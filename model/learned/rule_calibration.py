"""Calibrated confidence for values the layout rules choose: P(right | rule certainty), isotonic per field.

Fitted by `docai train` on generated invoices and receipts (exact labels; docai.synth), written as JSON beside the
chooser (`invoice.rules_calibration.json`, `receipt.rules_calibration.json`), read once per process (again when the file changes). Fields the learned chooser
decides keep the chooser's own calibration.

Line items (`/line_items/N/...`, a receipt's `/items/N/...`) are calibrated per row: a row is right when `docai eval`
matches it to a true row (description and amount), a quantity, unit price or tax rate when its matched row has the
same number. The rules give every cell of a row one confidence, nearly constant on born-digital pages, so each map is
fitted twice, for documents whose rows add up to a total they print and for the rest: on generated receipts 95% of
the rows of the first kind are right and 59% of the second.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from model.learned.compare import same_value
from model.learned.core import ARTIFACTS, Calibration
from model.learned.fit import FOLDS, Example, _folds, ece, oof_probabilities, smoothed_isotonic
from schemas.common import parse_amount

FILE = "{schema}.rules_calibration.json"
KINDS = {
    "invoice_date": "date",
    "due_date": "date",
    "subtotal": "amount",
    "total_tax": "amount",
    "total_discount": "amount",
    "invoice_total": "amount",
    "amount_due": "amount",
    # receipts (docai train --receipts): fields named as in schemas/receipt.py
    "transaction_date": "date",
    "tip": "amount",
    "total": "amount",
}
CENT = Decimal("0.015")
MIN_VALUES = 20  # fewer scored values than this: the field keeps its rule confidence
LISTS = ("line_items", "items")  # an invoice's and a receipt's rows
ROW = ("description", "amount")  # the cells that make a row right (docai eval's row match); others are columns
NUMBERS = ("quantity", "unit_price", "tax_rate")  # other columns (a unit) compare as text
SUMS = ("subtotal", "total", "invoice_total", "amount_due")  # totals a document's rows may add up to

RowMatch = Callable[[list[dict[str, Any]], list[dict[str, Any]]], list[tuple[int, int]]]


def _amount(value: Any) -> Decimal | None:
    try:
        return parse_amount(value)
    except (ValueError, ArithmeticError):
        return None


def rows_add_up(data: dict[str, Any], rows: str) -> bool:
    """The rows' amounts add up (to the cent) to a subtotal or total the document reads."""
    amounts = [_amount(r.get("amount")) for r in data.get(rows) or [] if isinstance(r, dict)]
    if not amounts or None in amounts:
        return False
    added = sum(amounts, Decimal(0))  # type: ignore[arg-type]
    return any((total := _amount(data.get(k))) is not None and abs(total - added) < CENT for k in SUMS)


def _sums(data: dict[str, Any] | None) -> dict[str, bool] | None:
    """Per list, whether its rows add up: worked out once per document, not once per cell."""
    return None if data is None else {rows: rows_add_up(data, rows) for rows in LISTS if data.get(rows)}


def _map_name(path: str, sums: dict[str, bool] | None) -> str | None:
    """The map a confidence path goes through: its field, or for a row's cell the list's row or column map, for
    rows that add up or not (sums, from _sums; None when that cannot be told)."""
    parts = path.strip("/").split("/")
    if len(parts) == 1:
        return parts[0]
    if len(parts) != 3 or parts[0] not in LISTS or not parts[1].isdigit() or sums is None:
        return None
    column = "row" if parts[2] in ROW else parts[2]
    return f"{parts[0]}.{column}.{'adds_up' if sums.get(parts[0]) else 'apart'}"


def _row_values(
    data: dict[str, Any], confidence: dict[str, float], truth: dict[str, Any], match: RowMatch
) -> Iterator[tuple[str, float, bool]]:
    """(map name, rule confidence, right) for each cell of each row the rules read."""
    for rows in LISTS:
        got = [r for r in data.get(rows) or [] if isinstance(r, dict)]
        if not got or not isinstance(truth.get(rows), list):
            continue
        expected = [r for r in truth[rows] if isinstance(r, dict) and r.get("description")]
        matched = {j: expected[i] for i, j in match(expected, got)}
        sums = _sums(data)
        for j, row in enumerate(got):
            for cell, value in row.items():
                path = f"/{rows}/{j}/{cell}"
                name = _map_name(path, sums)
                if (
                    value in (None, "")
                    or path not in confidence
                    or name is None
                    or ".row." in name
                    and cell != "amount"
                ):
                    continue
                truth_row = matched.get(j)
                kind = "amount" if cell in NUMBERS else "text"
                right = truth_row is not None and (cell in ROW or same_value(kind, value, truth_row.get(cell)))
                yield name, confidence[path], right


def fit_rule_calibration(
    schema: str,
    examples: Sequence[Example],
    rules: Any,
    build: Any,
    match_rows: RowMatch | None = None,
    row_examples: Sequence[Example] | None = None,
) -> dict[str, Any]:
    """Per field, an isotonic map (each block smoothed toward 1/2 by one right and one wrong value) from the rules'
    confidence to P(right), and its out-of-fold ECE before and after. With match_rows (expected rows, read rows ->
    matched (i, j) pairs, as `docai eval` matches them), line items too: on row_examples where given (receipts: their
    scans as well, whose rows OCR gets wrong where a born-digital page's never are)."""
    rows: dict[str, list[tuple[float, bool, str]]] = {}
    fields = {id(ex) for ex in examples}
    lists = {id(ex) for ex in row_examples} if row_examples is not None else fields
    for ex in {id(ex): ex for ex in [*examples, *(row_examples or ())]}.values():
        if ex.schema != schema:
            continue
        data, confidence = rules(build(ex.pages))
        got = data.model_dump(mode="json")
        for name, truth in ex.truth.items() if id(ex) in fields else ():
            if truth in (None, "") or isinstance(truth, list | dict) or got.get(name) in (None, ""):
                continue
            right = same_value(KINDS.get(name, "text"), got[name], truth)
            rows.setdefault(name, []).append((confidence.get(f"/{name}", 0.5), right, ex.group))
        if match_rows is not None and id(ex) in lists:
            for name, score, right in _row_values(got, confidence, ex.truth, match_rows):
                rows.setdefault(name, []).append((score, right, ex.group))
    fitted = {}
    for name, values in sorted(rows.items()):
        if len(values) < MIN_VALUES:
            continue
        scores, correct, groups = [v[0] for v in values], [v[1] for v in values], [v[2] for v in values]
        probs = oof_probabilities(scores, correct, _folds(groups, FOLDS), smoothed_isotonic)
        fitted[name] = {
            **smoothed_isotonic(scores, correct),
            "figures": {
                "values": len(values),
                "accuracy": round(sum(correct) / len(correct), 4),
                "ece_rule": round(ece(scores, correct), 4),
                "cv_ece": round(ece(probs, correct), 4),
            },
        }
    return {"schema": schema, "fields": fitted}


def write(folder: Path, fitted: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE.format(schema=fitted["schema"])
    path.write_text(json.dumps(fitted, indent=1, sort_keys=True) + "\n")
    return path


_LOCK = threading.Lock()
_CACHE: dict[Path, tuple[float, dict[str, Calibration]]] = {}


def _load(path: Path) -> dict[str, Calibration] | None:
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    with _LOCK:
        cached = _CACHE.get(path)
        if cached is None or cached[0] != mtime:
            data = json.loads(path.read_text())
            _CACHE[path] = (mtime, {k: Calibration(v["x"], v["y"]) for k, v in data["fields"].items()})
        return _CACHE[path][1]


def _maps(schema: str, folder: Path | None) -> dict[str, Calibration] | None:
    """The schema's fitted maps: a deployment's refit first, else the shipped one; None when neither exists."""
    for base in (folder, ARTIFACTS):
        maps = _load(base / FILE.format(schema=schema)) if base is not None else None
        if maps is not None:
            return maps
    return None


def calibrated_paths(
    schema: str, confidence: dict[str, float], folder: Path | None, data: dict[str, Any] | None = None
) -> set[str]:
    """The confidence paths calibrate() maps for this schema (a row's cells only when data is given)."""
    maps = _maps(schema, folder) or {}
    sums = _sums(data)
    return {p for p in confidence if _map_name(p, sums) in maps}


def calibrate(
    schema: str,
    confidence: dict[str, float],
    folder: Path | None,
    keep: set[str],
    data: dict[str, Any] | None = None,
) -> dict[str, float]:
    """The rules' confidences mapped to calibrated probabilities (a deployment's refit first, else the shipped one).
    Line items only when data (the extracted values, as JSON) is given: their map depends on whether they add up."""
    maps = _maps(schema, folder)
    if maps is None:
        return confidence
    out, sums = dict(confidence), _sums(data)
    for path, value in confidence.items():
        name = _map_name(path, sums)
        if name in maps and name not in keep:
            out[path] = round(maps[name](value), 4)
    return out
