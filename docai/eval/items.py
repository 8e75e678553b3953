"""Line items: ground-truth rows in the schema's names, and row F1 (rows matched on description and amount)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docai.eval.metrics import PrfCounts, greedy
from docai.eval.normalize import norm_amount, similarity

DESCRIPTION_THRESHOLD = 0.6  # a predicted row's description must be this similar to the expected one
COLUMNS = ("quantity", "unit_price", "tax_rate")  # also checked on matched rows, where the truth has them


@dataclass
class ItemScore:
    counts: PrfCounts
    pairs: list[tuple[int, int]]  # (expected index, predicted index)
    columns: dict[str, list[bool]]  # per column, one flag per matched row whose truth has that column


def invoice2data_rows(lines: Any) -> list[dict[str, Any]]:
    """invoice2data `lines`/`line_items` into {description, quantity, unit_price, tax_rate, amount} rows.

    Section headers and notes (no name or description) are not rows. The line's amount is `price_subtotal`, else
    `price`, else `price_unit` where no quantity is given (AWS-style rows list only a charge per service).
    """
    rows = []
    for line in lines if isinstance(lines, list) else []:
        if not isinstance(line, dict):
            continue
        description = line.get("name") or line.get("desc") or line.get("description")
        if not description:
            continue
        amount = line.get("price_subtotal", line.get("price"))
        unit_price = line.get("price_unit")
        if amount is None and line.get("qty") is None:
            amount, unit_price = unit_price, None
        rows.append(
            {
                "description": str(description),
                "alternatives": [str(line[k]) for k in ("item", "code") if line.get(k)],
                "quantity": line.get("qty"),
                "unit_price": unit_price,
                "tax_rate": line.get("line_tax_percent", line.get("taxpercent")),
                "amount": amount,
            }
        )
    return rows


def plain_rows(items: Any) -> list[dict[str, Any]]:
    """Rows given in the schema's own names (`line_items: [{description, quantity, unit_price, amount}]`)."""
    return (
        [dict(item) for item in items if isinstance(item, dict) and item.get("description")]
        if isinstance(items, list)
        else []
    )


def description_similarity(expected: dict[str, Any], got: Any) -> float:
    """Best similarity of a predicted description to the expected one, its first printed row, or a code."""
    text = str(expected.get("description") or "")
    options = [text, text.splitlines()[0] if text else ""] + list(expected.get("alternatives", []))
    options += [f"{alt} {text}" for alt in expected.get("alternatives", [])]
    return max(similarity(option, got) for option in options if option)


def _same_number(a: Any, b: Any) -> bool:
    x, y = norm_amount(a), norm_amount(b)
    return x is not None and x == y


def score_items(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> ItemScore:
    """Row F1: one-to-one matches, each a description similar enough and the same amount (where the truth has one)."""
    scores = []
    for i, row in enumerate(expected):
        for j, pred in enumerate(got):
            desc = description_similarity(row, pred.get("description"))
            if desc < DESCRIPTION_THRESHOLD:
                continue
            if row.get("amount") is not None and not _same_number(row["amount"], pred.get("amount")):
                continue
            scores.append((desc, i, j))
    _, pairs = greedy(scores)
    columns: dict[str, list[bool]] = {}
    for i, j in pairs:
        for column in COLUMNS:
            if expected[i].get(column) is not None:
                columns.setdefault(column, []).append(_same_number(expected[i][column], got[j].get(column)))
    return ItemScore(PrfCounts(float(len(pairs)), len(got), len(expected)), sorted(pairs), columns)
