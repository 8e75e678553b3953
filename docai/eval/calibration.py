"""Is a confidence a probability of being right? Coverage and precision at the review threshold, ECE, reliability bins."""

from __future__ import annotations

from dataclasses import dataclass

BINS = 10
# the trade a deployment chooses DOCAI_REVIEW_THRESHOLD from: fewer fields skip review, fewer of those are wrong
SWEEP = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


@dataclass(frozen=True)
class Scored:
    """One scored field value: its confidence (None when nothing was extracted) and whether it was right."""

    document: str
    field: str
    confidence: float | None
    correct: bool


def calibration_report(values: list[Scored], threshold: float, bins: int = BINS) -> dict[str, object]:
    """What a reviewer gets at `threshold`.

    coverage: share of the scored fields extracted with confidence >= threshold (what skips review);
    precision: share of those that are right; ece: expected calibration error over the extracted values
    (equal-width bins, weighted by count); straight_through: share of documents whose every scored field is
    confident and right. A field the engine left empty counts as not covered and is not in the ECE. `fields`: coverage
    and precision of each field; `by_threshold`: the same figures at other thresholds, to choose one from.
    """
    extracted = [v for v in values if v.confidence is not None]
    table = []
    ece = 0.0
    for b in range(bins):
        lower, upper = b / bins, (b + 1) / bins
        members = [v for v in extracted if lower <= v.confidence < upper or (b == bins - 1 and v.confidence == 1.0)]
        if not members:
            table.append({"lower": lower, "upper": upper, "count": 0, "confidence": None, "accuracy": None})
            continue
        confidence = sum(v.confidence for v in members) / len(members)  # type: ignore[misc]
        accuracy = sum(v.correct for v in members) / len(members)
        ece += len(members) / len(extracted) * abs(accuracy - confidence)
        table.append(
            {
                "lower": round(lower, 2),
                "upper": round(upper, 2),
                "count": len(members),
                "confidence": round(confidence, 4),
                "accuracy": round(accuracy, 4),
            }
        )
    by_field: dict[str, list[Scored]] = {}
    for v in values:
        by_field.setdefault(v.field, []).append(v)
    return {
        "threshold": threshold,
        "fields_scored": len(values),
        **_at(values, threshold),
        "ece": round(ece, 4) if extracted else None,
        "bins": table,
        # each field at the threshold: which values a reviewer may leave alone, and which to check
        "fields": {name: _at(scored, threshold, documents=False) for name, scored in sorted(by_field.items())},
        "by_threshold": [{"threshold": t, **_at(values, t)} for t in sorted({*SWEEP, threshold})],
    }


def _at(values: list[Scored], threshold: float, documents: bool = True) -> dict[str, float | None]:
    """coverage, precision and (documents) straight_through of the values at one threshold."""
    covered = [v for v in values if v.confidence is not None and v.confidence >= threshold]
    out: dict[str, float | None] = {
        "coverage": round(len(covered) / len(values), 4) if values else 0.0,
        "precision": round(sum(v.correct for v in covered) / len(covered), 4) if covered else None,
    }
    if documents:
        through: dict[str, bool] = {}
        for v in values:
            ok = v.correct and v.confidence is not None and v.confidence >= threshold
            through[v.document] = through.get(v.document, True) and ok
        out["straight_through"] = round(sum(through.values()) / len(through), 4) if through else 0.0
    return out
