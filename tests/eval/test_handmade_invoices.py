"""Invoices written by hand in HTML (de/fr/en, layouts the generator does not draw), printed to PDF by Debian's
chromium and read through `docai eval` as a user runs it: rate tables with a total row, taxes of two rates with no
tax total, a seller's label over its block, horizontal totals tables, logos over legal names. Their truth is in the
JSON beside each page; nothing was fitted on them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "handmade"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not CHROMIUM.exists():
        pytest.fail(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium, or `make test`)")
    folder = tmp_path_factory.mktemp("handmade")
    for page in sorted(HERE.glob("*.html")):
        pdf = folder / f"{page.stem}.pdf"
        subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
             f"--print-to-pdf={pdf}", page.as_uri()],
            capture_output=True, timeout=120, check=True,
        )  # fmt: skip
        shutil.copy(page.with_suffix(".json"), folder / f"{page.stem}.json")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCAI_")}
    env |= {"DOCAI_HOME": str(folder / "home"), "DOCAI_ENGINE": "ocr"}
    out = subprocess.run(
        [sys.executable, "-m", "docai", "eval", str(folder), "--schema", "invoice", "--format", "plain", "--json"],
        env=env, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def test_handmade_invoices_read_their_numbers_dates_and_totals(report: dict) -> None:
    fields = report["fields"]
    assert report["errors"] == []
    assert fields["invoice_id"] == fields["invoice_date"] == fields["invoice_total"] == fields["currency"] == 1.0
    # before the rate tables' total rows and 'Gesamtbetrag netto': subtotal 12 and tax 13 of 15; the one subtotal
    # still missed is printed only in a 'Netto | MwSt. 19 % | Brutto' table, under a bare 'Netto'
    assert fields["subtotal"] >= round(14 / 15, 4)  # the report rounds to 4 places
    assert fields["total_tax"] == 1.0


def test_handmade_invoices_name_the_seller_not_a_label(report: dict) -> None:
    # ten pages print one company name; on the other five a logo ('technikwerk', 'Greenleaf') stands over the legal
    # name the truth gives, or the name wraps between two party columns: 'Émetteur' was read as the vendor before
    assert report["fields"]["vendor_name"] >= round(10 / 15, 4)
