"""Scores: per-field exact match after normalization, key-value pair F1 (forms), DePlot-style table F1 (charts)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from docai.eval.normalize import norm_text, same, similarity

KV_THRESHOLD = 0.8  # a form key or value matches when its normalized similarity reaches this
VALUE_TOLERANCE = Decimal("0.05")  # chart values match within 5% relative error
KEY_THRESHOLD = 0.8  # chart row/column names match from this similarity on


@dataclass
class FieldScore:
    field: str
    expected: Any
    got: Any
    correct: bool


def score_fields(expected: dict[str, Any], got: dict[str, Any], kinds: dict[str, str]) -> list[FieldScore]:
    """One score per field that has a ground-truth value."""
    scores = []
    for name, value in expected.items():
        if value is None or value == "":
            continue
        prediction = got.get(name)
        scores.append(FieldScore(name, value, prediction, same(value, prediction, kinds.get(name, "text"))))
    return scores


@dataclass
class PrfCounts:
    matched: float = 0.0
    predicted: int = 0
    expected: int = 0

    def add(self, other: PrfCounts) -> None:
        self.matched += other.matched
        self.predicted += other.predicted
        self.expected += other.expected

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def greedy(scores: list[tuple[float, int, int]]) -> tuple[float, list[tuple[int, int]]]:
    """One-to-one matching, best pairs first; returns the summed score and the pairs."""
    used_a: set[int] = set()
    used_b: set[int] = set()
    total, pairs = 0.0, []
    for score, a, b in sorted(scores, reverse=True):
        if a in used_a or b in used_b or score <= 0:
            continue
        used_a.add(a)
        used_b.add(b)
        total += score
        pairs.append((a, b))
    return total, pairs


CHECK_MARKS = {"x", "✓", "✔", "☒", "☑", "[x]", "true"}


def _mark(value: str) -> str:
    """A ticked box reads 'X' in one annotation and 'true' in the form schema: both mean checked."""
    return "true" if str(value).strip().lower() in CHECK_MARKS else value


def kv_match(expected: list[tuple[str, str]], got: list[tuple[str, str]]) -> tuple[PrfCounts, list[tuple[str, str]]]:
    """Key-value pairs matched one to one when both key and value are similar enough; returns the unmatched truth."""
    scores = []
    for i, (ek, ev) in enumerate(expected):
        for j, (gk, gv) in enumerate(got):
            ks, vs = similarity(ek, gk), similarity(_mark(ev), _mark(gv))
            if ks >= KV_THRESHOLD and vs >= KV_THRESHOLD:
                scores.append((ks + vs, i, j))
    _, pairs = greedy(scores)
    hit = {i for i, _ in pairs}
    missed = [pair for i, pair in enumerate(expected) if i not in hit]
    return PrfCounts(float(len(pairs)), len(got), len(expected)), missed


def _number(text: Any) -> Decimal | None:
    cleaned = re.sub(r"[^\d.\-]", "", str(text).replace(",", ""))
    if not re.search(r"\d", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def table_triples(header: list[Any], rows: list[list[Any]]) -> list[tuple[str, Any]]:
    """A table as (row name + column name, value) entries; the first column names the rows."""
    entries = []
    for row in rows:
        if not row:
            continue
        for col, value in zip(header[1:], row[1:], strict=False):
            entries.append((f"{row[0]} {col}", value))
    return entries


def transpose(header: list[Any], rows: list[list[Any]]) -> tuple[list[Any], list[list[Any]]]:
    grid = [header, *rows]
    width = max(len(r) for r in grid)
    padded = [list(r) + [""] * (width - len(r)) for r in grid]
    flipped = [list(col) for col in zip(*padded, strict=True)]
    return flipped[0], flipped[1:]


def _value_match(expected: Any, got: Any) -> float:
    a, b = _number(expected), _number(got)
    if a is not None and b is not None:
        if a == 0:
            return 1.0 if b == 0 else 0.0
        return 1.0 if abs(a - b) / abs(a) <= VALUE_TOLERANCE else 0.0
    return 1.0 if norm_text(expected) == norm_text(got) else 0.0


def table_match(expected: tuple[list[Any], list[list[Any]]], got: tuple[list[Any], list[list[Any]]]) -> PrfCounts:
    """DePlot-style table F1: entries keyed by row+column names (fuzzy), values within 5%; best of both orientations."""
    truth = table_triples(*expected)
    best = PrfCounts(0.0, 0, len(truth))
    for header, rows in (got, transpose(*got) if got[0] else got):
        pred = table_triples(header, rows)
        scores = []
        for i, (tk, tv) in enumerate(truth):
            for j, (pk, pv) in enumerate(pred):
                ks = similarity(tk, pk)
                if ks >= KEY_THRESHOLD:
                    scores.append((ks * _value_match(tv, pv), i, j))
        total, _ = greedy(scores)
        counts = PrfCounts(total, len(pred), len(truth))
        if counts.f1 > best.f1 or best.predicted == 0:
            best = counts
    return best
