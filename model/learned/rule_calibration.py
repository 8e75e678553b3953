"""Calibrated confidence for values the layout rules choose: P(right | rule certainty), isotonic per field.

Fitted by `docai train` on generated invoices and receipts (exact labels; docai.synth), written as JSON beside the
chooser (`invoice.rules_calibration.json`, `receipt.rules_calibration.json`), read once per process (again when the file changes). Fields the learned chooser
decides keep the chooser's own calibration.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from model.learned.compare import same_value
from model.learned.core import ARTIFACTS, Calibration
from model.learned.fit import FOLDS, Example, _folds, ece, oof_probabilities, smoothed_isotonic

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
MIN_VALUES = 20  # fewer scored values than this: the field keeps its rule confidence


def fit_rule_calibration(schema: str, examples: Sequence[Example], rules: Any, build: Any) -> dict[str, Any]:
    """Per field, an isotonic map (each block smoothed toward 1/2 by one right and one wrong value) from the rules'
    confidence to P(right), and its out-of-fold ECE before and after."""
    rows: dict[str, list[tuple[float, bool, str]]] = {}
    for ex in examples:
        if ex.schema != schema:
            continue
        data, confidence = rules(build(ex.pages))
        got = data.model_dump(mode="json")
        for name, truth in ex.truth.items():
            if truth in (None, "") or isinstance(truth, list | dict) or got.get(name) in (None, ""):
                continue
            right = same_value(KINDS.get(name, "text"), got[name], truth)
            rows.setdefault(name, []).append((confidence.get(f"/{name}", 0.5), right, ex.group))
    fields = {}
    for name, values in sorted(rows.items()):
        if len(values) < MIN_VALUES:
            continue
        scores, correct, groups = [v[0] for v in values], [v[1] for v in values], [v[2] for v in values]
        probs = oof_probabilities(scores, correct, _folds(groups, FOLDS), smoothed_isotonic)
        fields[name] = {
            **smoothed_isotonic(scores, correct),
            "figures": {
                "values": len(values),
                "accuracy": round(sum(correct) / len(correct), 4),
                "ece_rule": round(ece(scores, correct), 4),
                "cv_ece": round(ece(probs, correct), 4),
            },
        }
    return {"schema": schema, "fields": fields}


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


def calibrated_fields(schema: str, folder: Path | None) -> set[str]:
    """The fields calibrate() maps for this schema."""
    return set(_maps(schema, folder) or ())


def calibrate(schema: str, confidence: dict[str, float], folder: Path | None, keep: set[str]) -> dict[str, float]:
    """The rules' confidences mapped to calibrated probabilities (a deployment's refit first, else the shipped one)."""
    maps = _maps(schema, folder)
    if maps is None:
        return confidence
    out = dict(confidence)
    for name, cal in maps.items():
        path = f"/{name}"
        if path in out and name not in keep:
            out[path] = round(cal(out[path]), 4)
    return out
