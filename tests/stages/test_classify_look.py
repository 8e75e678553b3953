"""`--schema auto` tells charts and app/web screenshots from forms: cue words plus how the first page looks."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from docai.stages.classify import classify, page_look
from model.types import Word


def _words(*rows: str) -> list[Word]:
    return [
        Word(t, (0.1, 0.05 * r, 0.2, 0.05 * r + 0.03), 1.0, r, 0) for r, row in enumerate(rows) for t in row.split()
    ]


def _bar_chart() -> Image.Image:
    image = Image.new("RGB", (800, 560), "white")
    draw = ImageDraw.Draw(image)
    for i, height in enumerate((120, 260, 340, 200, 410)):
        draw.rectangle((80 + i * 130, 500 - height, 170 + i * 130, 500), fill=(31, 119, 180))
    draw.line((60, 500, 760, 500), fill="black", width=2)
    return image


def _paper() -> Image.Image:
    image = Image.new("RGB", (612, 792), "white")
    draw = ImageDraw.Draw(image)
    for y in range(60, 700, 28):
        draw.text((50, y), "Name: ______________   Date: ________", fill="black")
    return image


def _screen() -> Image.Image:
    image = Image.new("RGB", (1280, 800), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1280, 70), fill=(33, 37, 41))  # navigation bar
    draw.rectangle((100, 150, 600, 450), fill=(200, 80, 60))  # a picture
    draw.rectangle((700, 380, 880, 430), fill=(13, 110, 253))  # a button
    return image


def test_look_of_paper_chart_and_screen() -> None:
    paper, chart, screen = page_look(_paper()), page_look(_bar_chart()), page_look(_screen())
    assert paper["vivid"] < 0.01 and paper["filled"] < 0.02 and paper["aspect"] < 1
    assert chart["vivid"] > 0.05 and chart["filled"] > 0.05
    assert screen["filled"] > 0.1 and screen["aspect"] > 1.05


def test_a_chart_is_not_a_form() -> None:
    words = _words("Share of adults who use the internet", "2015 2017 2019 2021", "64% 71% 78% 85%", "Source: Survey")
    assert classify([words], images=[_bar_chart()])[0] == "chart"
    assert classify([[]], images=[_bar_chart()])[0] == "chart"  # no words read: still not a form to fill in


def test_a_screenshot_is_not_a_form() -> None:
    words = _words("Home About us Blog Contact Log in", "Welcome to our shop", "Subscribe to our newsletter")
    assert classify([words], images=[_screen()])[0] == "ui_code"


def test_paper_documents_keep_their_kind_with_their_image() -> None:
    form = _words("FAX COVER SHEET", "TO: George", "FROM: June", "DATE: 12/10/98", "PHONE: 614 466 5087", "Signature:")
    assert classify([form], images=[_paper()])[0] == "form"
    receipt = _words("KEDAI MAJU SDN BHD", "12/03/2018 10:25", "NASI LEMAK 6.50", "TOTAL 8.80", "CASH 10.00")
    assert classify([receipt], images=[_paper()])[0] == "receipt"


@pytest.mark.parametrize(
    "name, kind",
    [
        ("chartqa/two_col_20869.png", "chart"),
        ("chartqa/multi_col_20009.png", "chart"),
        ("design2code/2293.png", "ui_code"),
        ("design2code/6440.png", "ui_code"),
    ],
)
def test_real_charts_and_screenshots(shared_data, name: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    """The dev sets only check this (nothing was fitted on them): as the pipeline sees them, words from OCR."""
    from docai.eval.runner import rasterized_pages

    pages = rasterized_pages(shared_data / name)
    assert classify([p.words for p in pages], images=[pages[0].image])[0] == kind
