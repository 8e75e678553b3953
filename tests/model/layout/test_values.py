from __future__ import annotations

import datetime as dt

import pytest

from model.layout.values import find_dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Date:2016/05/0114:11:20", dt.date(2016, 5, 1)),  # ISO date with the time glued to the day
        ("04/03/201815:41:52", dt.date(2018, 3, 4)),
        ("05May1818:06:40", dt.date(2018, 5, 5)),  # two-digit year with the time glued on
        ("15Jun1808:34:31PM", dt.date(2018, 6, 15)),
        ("12 May 201810:30", dt.date(2018, 5, 12)),
        ("20180428/191204", dt.date(2018, 4, 28)),  # compact, year first
        ("25032018", dt.date(2018, 3, 25)),  # compact, year last
        ("3 Oct 18", dt.date(2018, 10, 3)),
    ],
)
def test_find_dates_glued_and_compact(text, expected):
    assert [day for day, _, _ in find_dates(text)] == [expected]


@pytest.mark.parametrize("text", ["INV 000947339264", "12345678", "Tel 03-77100302", "RM 20180101.50", "2016/05/0123"])
def test_find_dates_leaves_other_numbers(text):
    assert find_dates(text) == []


def test_a_legal_form_is_put_right_only_when_misread() -> None:
    from model.layout.receipt import _snap_form

    assert _snap_form("OLIVE9 PHARMACY SAN BHD") == "OLIVE9 PHARMACY SDN BHD"
    assert _snap_form("Marina Coffee LLC") == "Marina Coffee LLC"  # one letter from 'PLC', and right as it is
    assert _snap_form("Acme PLC") == "Acme PLC"
