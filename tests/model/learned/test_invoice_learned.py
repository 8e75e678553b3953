"""Invoices and the learned parts: calibrated rule confidences, the invoice chooser deciding the fields it is switched on for."""

from __future__ import annotations

from pathlib import Path

import pytest

from docai.synth.training import invoice_examples
from model.layout.invoice import OTHER_LABEL, extract_invoice
from model.layout.lines import build_lines
from model.learned.apply import apply_learned, decides
from model.learned.core import Calibration, Doc, LearnedModel, field_specs
from model.learned.fit import train_all
from model.learned.rule_calibration import FILE, calibrate, fit_rule_calibration, write


@pytest.fixture(scope="module")
def examples():  # type: ignore[no-untyped-def]
    return invoice_examples(40, seed=5)


def test_rule_confidences_are_calibrated_on_generated_invoices(examples, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fitted = fit_rule_calibration("invoice", examples, extract_invoice, build_lines)
    fields = fitted["fields"]
    assert {"invoice_total", "customer_name", "invoice_date"} <= set(fields)
    for entry in fields.values():
        assert entry["y"] == sorted(entry["y"]) and all(0 <= y <= 1 for y in entry["y"])  # monotone probabilities
        assert 0 <= entry["figures"]["cv_ece"] <= 1
    write(tmp_path, fitted)
    assert (tmp_path / FILE.format(schema="invoice")).is_file()
    raw = {"/invoice_total": 0.7, "/customer_name": 0.5, "/unknown": 0.3}
    mapped = calibrate("invoice", raw, tmp_path, keep=set())
    total = fields["invoice_total"]
    assert mapped["/invoice_total"] == round(Calibration(total["x"], total["y"])(0.7), 4)
    assert mapped["/unknown"] == 0.3  # a field without a fitted map keeps its confidence
    assert calibrate("invoice", raw, tmp_path, keep={"invoice_total"})["/invoice_total"] == 0.7


def test_the_ocr_engine_reports_calibrated_invoice_confidences() -> None:
    from docai.stages.ingest import MediaType
    from docai.stages.rasterize import RasterizeOptions, rasterize
    from docai.synth.invoices import make_invoice
    from model.base import EngineOptions, create_engine
    from model.types import ExtractRequest, PageInput

    inv = make_invoice(5, 41)
    pages = rasterize(inv.data, MediaType.PDF, RasterizeOptions())
    words = [list(p.words) for p in pages]
    _data, raw = extract_invoice(build_lines(words))
    engine = create_engine("ocr", EngineOptions())
    request = ExtractRequest("doc", "invoice", [PageInput(p.index, p.image(), p.words) for p in pages])
    [result] = engine.extract_batch([request])
    assert result.confidence["/invoice_total"] == calibrate("invoice", raw, None, keep=set())["/invoice_total"]
    assert result.confidence["/invoice_total"] != raw["/invoice_total"]  # the shipped map was applied


def test_vendor_candidates_are_never_labels(examples) -> None:  # type: ignore[no-untyped-def]
    [vendor] = [s for s in field_specs("invoice") if s.name == "vendor_name"]
    for ex in examples[:20]:
        candidates = vendor.propose(Doc.from_pages(ex.pages))
        assert candidates, ex.name
        assert not [c.value for c in candidates if OTHER_LABEL.search(c.value)], ex.name


def test_the_chooser_decides_its_switched_on_fields_and_the_rules_the_others(examples, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manifest = train_all(examples, tmp_path, seed=0, extra_fitters=[], log=lambda _m: None)
    assert {"invoice.invoice_total", "invoice.vendor_name"} <= set(manifest["fields"])
    assert 0 <= manifest["fields"]["invoice.invoice_total"]["figures"]["cv_accuracy"] <= 1
    model = LearnedModel(tmp_path)
    specs = {s.name: s for s in field_specs("invoice")}
    assert not decides(specs["invoice_total"]) and decides(specs["vendor_name"])
    for ex in examples[:5]:
        doc = Doc.from_pages(ex.pages)
        data, confidence = extract_invoice(doc.lines)
        chosen, conf = apply_learned("invoice", doc, data, confidence, model)
        assert (chosen.invoice_total, conf["/invoice_total"]) == (data.invoice_total, confidence["/invoice_total"])
        pick = model.get("invoice", "vendor_name").choose(specs["vendor_name"].propose(doc))
        assert (chosen.vendor_name, conf["/vendor_name"]) == (pick[0].value, pick[1])  # the chooser's, not the rules'
