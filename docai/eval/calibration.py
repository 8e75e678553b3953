"""Is a confidence a probability of being right? Coverage and precision at the review threshold, ECE, reliability bins."""

from __future__ import annotations

from dataclasses import dataclass

BINS = 10


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
    confident and right. A field the engine left empty counts as not covered and is not in the ECE.
    """
    covered = [v for v in values if v.confidence is not None and v.confidence >= threshold]
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
    documents: dict[str, bool] = {}
    for v in values:
        ok = v.correct and v.confidence is not None and v.confidence >= threshold
        documents[v.document] = documents.get(v.document, True) and ok
    return {
        "threshold": threshold,
        "fields_scored": len(values),
        "coverage": round(len(covered) / len(values), 4) if values else 0.0,
        "precision": round(sum(v.correct for v in covered) / len(covered), 4) if covered else None,
        "ece": round(ece, 4) if extracted else None,
        "straight_through": round(sum(documents.values()) / len(documents), 4) if documents else 0.0,
        "bins": table,
    }
