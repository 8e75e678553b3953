"""Training truth read as the product defines the fields: the receipt total is the rounding-adjusted one."""

from __future__ import annotations

from docai.eval.training import final_total
from model.types import Word


def _page(*texts: str) -> list[list[Word]]:
    return [[Word(t, (0.1, 0.1 * i, 0.2, 0.1 * i + 0.05)) for i, t in enumerate(texts)]]


def test_a_total_labelled_before_cash_rounding_is_fitted_as_the_rounded_one() -> None:
    page = _page("TOTAL", "26.82", "ROUNDING ADJ", "-0.02", "TOTAL", "26.80", "CASH", "50.00")
    assert final_total("26.82", page) == "26.80"


def test_other_totals_stay_as_labelled() -> None:
    assert final_total("26.82", _page("TOTAL", "26.82")) == "26.82"  # no rounding row: nothing was rounded
    assert final_total("26.82", _page("ROUNDING", "0.00", "TOTAL", "26.82")) == "26.82"  # rounded value not printed
    assert final_total("26.80", _page("ROUNDING", "TOTAL", "26.80")) == "26.80"
    assert final_total("not a number", _page("ROUNDING")) == "not a number"
