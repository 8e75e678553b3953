"""Synthetic invoices: deterministic, self-consistent labels, values printed where their boxes say."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pymupdf
import pytest
from PIL import Image

from docai.eval.normalize import norm_amount, norm_text
from docai.synth.invoices import TEMPLATE_NAMES, make_invoice, write_set
from docai.synth.vocabulary import NO_TAX
from schemas.invoice import Invoice


def test_same_seed_same_bytes_other_seed_other_invoice() -> None:
    a, b, c = make_invoice(7, 3), make_invoice(7, 3), make_invoice(8, 3)
    assert a.data == b.data and a.truth == b.truth
    assert c.truth != a.truth
    scan_a, scan_b = make_invoice(7, 3, scan=True), make_invoice(7, 3, scan=True)
    assert scan_a.data == scan_b.data and scan_a.truth == a.truth


@pytest.mark.parametrize("index", range(48))  # every template in every language
def test_labels_add_up_and_fit_the_schema(index: int) -> None:
    inv = make_invoice(0, index)
    truth = inv.truth
    invoice = Invoice.model_validate(truth)  # exact labels are valid schema values
    lines = sum((line.amount for line in invoice.line_items), Decimal(0)) + Decimal(inv.meta["shipping"] or 0)
    if inv.meta["gross"]:  # prices include tax: the lines add up to the total, the net amount may go unprinted
        assert lines == invoice.invoice_total and invoice.total_discount is None
    else:
        assert lines == invoice.subtotal
    if invoice.subtotal is not None:
        discount = invoice.total_discount or Decimal(0)
        assert invoice.subtotal - discount + (invoice.total_tax or 0) == invoice.invoice_total
    for line in invoice.line_items:
        assert abs(line.quantity * line.unit_price - line.amount) <= Decimal("0.005")
    assert inv.meta["template"] == TEMPLATE_NAMES[index % len(TEMPLATE_NAMES)]


def _text_in(page: pymupdf.Page, box: list[float]) -> str:
    rect = pymupdf.Rect(
        box[1] * page.rect.width, box[2] * page.rect.height, box[3] * page.rect.width, box[4] * page.rect.height
    )
    words = [w for w in page.get_text("words") if pymupdf.Rect(w[:4]).intersects(rect)]
    return " ".join(w[4] for w in words)


def _digits(text: str) -> str:
    """The number in a printed amount ('6 765,26 €' -> '6 765,26'): French groups thousands with spaces."""
    return " ".join(t for t in text.split() if any(ch.isdigit() for ch in t))


@pytest.mark.parametrize("index", range(48))  # every template in every language
def test_every_labelled_value_is_printed_in_its_box(index: int) -> None:
    inv = make_invoice(0, index)
    boxes = inv.meta["boxes"]
    with pymupdf.open(stream=inv.data, filetype="pdf") as doc:
        page = doc[0]
        for key in ("vendor_name", "customer_name", "invoice_id", "vendor_tax_id"):
            assert norm_text(inv.truth[key]) in norm_text(_text_in(page, boxes[f"/{key}"])), key
        assert norm_amount(_digits(_text_in(page, boxes["/invoice_total"]))) == norm_amount(inv.truth["invoice_total"])
        for i, line in enumerate(inv.truth["line_items"]):
            assert norm_text(line["description"]) in norm_text(_text_in(page, boxes[f"/line_items/{i}/description"]))
            printed = _digits(_text_in(page, boxes[f"/line_items/{i}/amount"]))
            assert norm_amount(printed) == norm_amount(line["amount"])


def test_write_set_writes_documents_truth_and_scans(tmp_path) -> None:
    paths = write_set(tmp_path, count=4, seed=3, scan_every=4)
    assert [p.suffix for p in paths] == [".pdf", ".pdf", ".pdf", ".pdf", ".jpg"]
    for path in paths:
        assert path.with_suffix(".json").is_file() and path.with_suffix(".meta.json").is_file()
    scan = Image.open(io.BytesIO(paths[-1].read_bytes()))
    assert scan.mode == "L" and scan.height > 1000


def test_factur_x_sets_carry_their_labels_as_embedded_cii(tmp_path) -> None:
    from docai.stages.einvoice import embedded_xml, parse

    [path] = write_set(tmp_path, count=1, seed=4, factur_x=True)
    truth = json.loads(path.with_suffix(".json").read_text())
    invoice = parse(embedded_xml(path.read_bytes()))
    assert (invoice.invoice_id, str(invoice.invoice_total)) == (truth["invoice_id"], truth["invoice_total"])


def test_wider_layouts_and_furniture_occur() -> None:
    """Gross prices, delivery charges, tax tables, share capital and vendors named only at the foot all occur, so
    a chooser fitted on the set meets what real invoices print besides their totals."""
    invoices = [make_invoice(0, i) for i in range(64)]
    assert any(inv.meta["gross"] for inv in invoices) and any(inv.meta["shipping"] for inv in invoices)
    texts, vendor_tops = [], {}
    for inv in invoices:
        with pymupdf.open(stream=inv.data, filetype="pdf") as doc:
            texts.append(doc[0].get_text())
            hits = doc[0].search_for(inv.truth["vendor_name"])
            vendor_tops[inv.name] = min(r.y0 / doc[0].rect.height for r in hits) if hits else None
    assert any("Stammkapital" in t or "Share capital" in t for t in texts)
    assert any("Brutto" in t or "Gross" in t for t in texts)  # the rate | net | tax | gross breakdown
    for inv in invoices:
        # a logo without words on top: the vendor is named in the lower part only (a brand's logo may be its name)
        if inv.meta["template"] == "bottom" and inv.meta["vendor_kind"] in ("legal", "brand_image"):
            assert vendor_tops[inv.name] is not None and vendor_tops[inv.name] > 0.8, inv.name


def _content(seed: int, index: int):  # type: ignore[no-untyped-def]
    """The content behind make_invoice(seed, index), drawn from the same random stream."""
    import random

    from docai.synth.content import make_content
    from docai.synth.invoices import LANGUAGES

    lang = LANGUAGES[(index // len(TEMPLATE_NAMES)) % len(LANGUAGES)]
    return make_content(random.Random(seed * 1_000_003 + index), lang)


def _size(page: pymupdf.Page, value: str) -> float:
    """The largest font size an amount is printed in."""
    spans = [s for b in page.get_text("dict")["blocks"] for line in b.get("lines", []) for s in line["spans"]]
    return max((s["size"] for s in spans if _digits(value) in _digits(s["text"])), default=0.0)


def test_totals_restated_set_larger_and_tables_without_a_header() -> None:
    """What real invoices do and the chooser must not be surprised by: the amount due again among the header
    fields, the total set larger than the other totals, a short table whose columns go unnamed."""
    seen = {"summary_row": 0, "total_size": 0, "no_head": 0}
    for index in range(48):
        inv, content = make_invoice(0, index), _content(0, index)
        page = pymupdf.open(stream=inv.data, filetype="pdf")[0]
        text = page.get_text()
        due = _digits(content.money(content.amount_due, True))
        if content.style["summary_row"] and inv.meta["template"] != "service":  # 'service' prints number and date only
            seen["summary_row"] += 1
            assert text.count(due) >= 2, inv.name
        # the net amount's print size (an untaxed invoice's net amount is its total: nothing to compare)
        net = _size(page, content.money(content.subtotal)) if content.subtotal != content.total else None
        if content.style["total_size"] and inv.meta["template"] != "sidebar" and net:  # sidebar: totals as cells
            seen["total_size"] += 1
            assert _size(page, content.money(content.total, True)) > net, inv.name
        if not content.style["item_head"]:
            seen["no_head"] += 1
            assert content.label("desc") not in text, inv.name
    assert all(seen.values()), seen


NEW_TEMPLATES = ("din", "facture", "service", "banner")


@pytest.mark.parametrize("template", NEW_TEMPLATES)
def test_new_layouts_print_id_vendor_and_total_in_their_text_layer(template: str) -> None:
    """The DIN letter, the French facture, the US service invoice and the banner layout, in every language: the
    text the pipeline reads holds the invoice number, the vendor's name and the total as printed."""
    from docai.stages.ingest import MediaType
    from docai.stages.rasterize import RasterizeOptions, rasterize

    assert TEMPLATE_NAMES[-len(NEW_TEMPLATES) :] == NEW_TEMPLATES
    first = TEMPLATE_NAMES.index(template)
    for index in range(first, first + 4 * len(TEMPLATE_NAMES), len(TEMPLATE_NAMES)):
        inv, content = make_invoice(0, index), _content(0, index)
        assert inv.meta["template"] == template
        words = [w.text for page in rasterize(inv.data, MediaType.PDF, RasterizeOptions()) for w in page.words]
        text = " ".join(words)
        assert inv.truth["invoice_id"] in words, (inv.name, inv.truth["invoice_id"])
        assert inv.truth["vendor_name"] in text, (inv.name, inv.truth["vendor_name"])
        assert content.money(content.total, True) in text, (inv.name, content.money(content.total, True))


def test_brands_slogans_and_their_truth() -> None:
    """Vendors that go by a brand occur beside legal names, and the truth is the name as printed: a brand without a
    legal form is the vendor; a legal name that extends the brand printed as the logo is the vendor; a brand printed
    over another company's name in the small print, or only in its domain and a sentence, is the vendor. Taglines
    printed over the page's head never are."""
    from docai.synth.content import SUFFIXES

    invoices = [make_invoice(0, i) for i in range(96)]
    kinds = {inv.meta["vendor_kind"] for inv in invoices}
    assert kinds == {"legal", "brand_only", "brand_legal", "brand_entity", "brand_image"}
    suffixes = {s for forms in SUFFIXES.values() for s in forms}
    slogans = 0
    for inv in invoices:
        meta, vendor = inv.meta, inv.truth["vendor_name"]
        with pymupdf.open(stream=inv.data, filetype="pdf") as doc:
            page = doc[0]
            text = page.get_text()
            if meta["vendor_kind"] == "brand_only":
                assert vendor == meta["brand"] and not any(vendor.endswith(f" {s}") for s in suffixes), inv.name
            elif meta["vendor_kind"] == "brand_legal":
                assert vendor.startswith(f"{meta['brand']} ") and vendor in text, inv.name
            elif meta["vendor_kind"] == "brand_entity":
                assert vendor == meta["brand"] and meta["entity"] in text, inv.name
                assert norm_text(meta["entity"]) not in norm_text(_text_in(page, meta["boxes"]["/vendor_name"]))
            elif meta["vendor_kind"] == "brand_image":  # named in its domain and one sentence at the page foot
                assert vendor == meta["brand"] and meta["boxes"]["/vendor_name"][2] > 0.9, inv.name
                assert f"www.{norm_text(vendor)}." in text, inv.name
            if meta["slogan"]:
                slogans += 1
                hits = page.search_for(meta["slogan"])
                assert hits and min(r.y0 for r in hits) / page.rect.height < 0.05, inv.name
                assert norm_text(meta["slogan"]) != norm_text(vendor)
    assert slogans >= 5


def test_some_invoices_charge_no_tax_and_print_why() -> None:
    """A reverse-charge or exempt invoice prints a sentence where the tax row would stand and no tax amount: its
    truth has no tax, and its net amount is its total (invoice2data's amount_untaxed), printed or not."""
    untaxed = [inv for inv in (make_invoice(0, i) for i in range(120)) if inv.truth["total_tax"] is None]
    assert 4 <= len(untaxed) <= 20
    for inv in untaxed:
        text = " ".join(page.get_text() for page in pymupdf.open(stream=inv.data, filetype="pdf"))
        assert any(sentence in " ".join(text.split()) for sentence in NO_TAX[inv.meta["language"]]), inv.name
        invoice = Invoice.model_validate(inv.truth)
        assert invoice.subtotal - (invoice.total_discount or 0) == invoice.invoice_total
        assert all(line.tax_rate in (None, 0) for line in invoice.line_items)
