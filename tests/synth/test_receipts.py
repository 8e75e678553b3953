"""Generated receipts: deterministic, their truth printed, read by the receipt rules, and calibrating them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from docai.stages.ingest import MediaType
from docai.stages.rasterize import RasterizeOptions, rasterize
from docai.synth.receipts import STYLE_NAMES, make_receipt
from docai.synth.training import receipt_examples
from model.layout.lines import build_lines
from model.layout.receipt import extract_receipt
from model.learned.compare import norm_text, same_value
from model.learned.rule_calibration import FILE, KINDS, calibrate, fit_rule_calibration, write

SCALARS = (
    "merchant_name",
    "merchant_address",
    "merchant_phone",
    "transaction_date",
    "transaction_time",
    "currency",
    "subtotal",
    "total_tax",
    "tip",
    "total",
    "payment_method",
)


def _words(data: bytes) -> list[list]:
    return [list(p.words) for p in rasterize(data, MediaType.PDF, RasterizeOptions())]


@pytest.fixture(scope="module")
def examples():  # type: ignore[no-untyped-def]
    return receipt_examples(40, seed=5)


def test_the_same_seed_gives_the_same_bytes_and_every_style_is_drawn() -> None:
    first = [make_receipt(3, i) for i in range(len(STYLE_NAMES))]
    again = [make_receipt(3, i) for i in range(len(STYLE_NAMES))]
    assert [r.data for r in first] == [r.data for r in again]
    assert [r.truth for r in first] == [r.truth for r in again]
    assert {r.meta["style"] for r in first} == set(STYLE_NAMES)
    assert make_receipt(4, 0).data != first[0].data
    assert all(r.data.startswith(b"%PDF") for r in first)


def test_the_truth_is_what_the_receipt_prints() -> None:
    for index in range(12):
        rec = make_receipt(7, index)
        text = " ".join(w.text for page in _words(rec.data) for w in page)
        squashed = norm_text(text)
        truth = rec.truth
        for name in ("merchant_name", "merchant_address", "merchant_phone"):
            assert norm_text(truth[name]) in squashed, (rec.name, name)
        for name in ("subtotal", "total_tax", "tip", "total"):
            if truth[name] is not None:
                assert re.search(rf"(?<![\d.]){re.escape(truth[name])}(?!\d)", text.replace(",", "")), (rec.name, name)
        assert rec.meta["date_text"] in text and rec.meta["time_text"] in text, rec.name
        assert same_value("date", rec.meta["date_text"], truth["transaction_date"]), rec.name
        assert truth["transaction_time"].replace(":", "")[:4] in re.sub(r"\D", "", rec.meta["time_text"]) or (
            int(truth["transaction_time"][:2]) >= 12  # printed as 'hh:mm PM'
        )
        assert rec.meta["payment"] in text
        for item in truth["items"]:
            assert norm_text(item["description"]) in squashed and item["amount"] in text.replace(",", "")


def test_the_receipt_rules_read_most_fields_of_generated_receipts() -> None:
    right = total = 0
    misses: dict[str, int] = {}
    for index in range(16):
        rec = make_receipt(11, index)
        data, _confidence = extract_receipt(build_lines(_words(rec.data)))
        got = data.model_dump(mode="json")
        for name in SCALARS:
            if rec.truth[name] is None:
                continue
            ok = same_value(KINDS.get(name, "text"), got.get(name), rec.truth[name])
            right, total = right + ok, total + 1
            if not ok:
                misses[name] = misses.get(name, 0) + 1
    assert right / total >= 0.8, misses
    assert misses.get("total", 0) <= 2 and misses.get("transaction_date", 0) <= 2, misses
    # net, tax and service charge as tills print them ('Total (Excluding GST):', 'GST payable(6%):', 'Serv.Charge(10%):')
    assert not {"subtotal", "total_tax", "tip"} & misses.keys(), misses


def test_a_small_fit_writes_the_receipt_rules_calibration(examples, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert all(ex.schema == "receipt" and ex.source == "synth/receipts" for ex in examples)
    fitted = fit_rule_calibration("receipt", examples, extract_receipt, build_lines)
    fields = fitted["fields"]
    assert {"merchant_phone", "transaction_time", "payment_method", "subtotal", "total"} <= set(fields)
    for entry in fields.values():
        assert entry["y"] == sorted(entry["y"]) and all(0 <= y <= 1 for y in entry["y"])
        assert {"values", "accuracy", "ece_rule", "cv_ece"} <= set(entry["figures"])
    path = write(tmp_path, fitted)
    assert path.name == FILE.format(schema="receipt") == "receipt.rules_calibration.json"
    assert json.loads(path.read_text())["schema"] == "receipt"


def test_the_ocr_engine_calibrates_receipt_rules_and_keeps_the_choosers_total(examples, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from model.base import EngineOptions, create_engine
    from model.learned.apply import apply_learned
    from model.learned.core import ARTIFACTS, Doc, load_model
    from model.types import ExtractRequest, PageInput

    shutil.copytree(ARTIFACTS, tmp_path, dirs_exist_ok=True)  # the shipped chooser, and our receipt map beside it
    fitted = fit_rule_calibration("receipt", examples, extract_receipt, build_lines)
    write(tmp_path, fitted)
    rec = make_receipt(5, 41)
    pages = rasterize(rec.data, MediaType.PDF, RasterizeOptions())
    lines = build_lines([list(p.words) for p in pages])
    data, raw = extract_receipt(lines)
    model = load_model(tmp_path)
    assert model is not None
    _chosen, chosen_conf = apply_learned("receipt", Doc(lines), data, raw, model)
    engine = create_engine("ocr", EngineOptions(learned_path=tmp_path))
    request = ExtractRequest("doc", "receipt", [PageInput(p.index, p.image(), p.words) for p in pages])
    [result] = engine.extract_batch([request])
    got = result.confidence
    expected = calibrate("receipt", raw, tmp_path, keep=set())
    changed = [f for f in ("/merchant_phone", "/subtotal", "/transaction_time") if f in raw and got[f] != raw[f]]
    assert changed, (raw, got)
    assert all(got[f] == expected[f] for f in changed)
    assert got["/total"] == chosen_conf["/total"]  # the learned chooser's own calibration, not the rules' map


def test_a_receipt_as_a_scan_keeps_its_truth_and_is_read_by_ocr() -> None:
    digital, scan = make_receipt(13, 3), make_receipt(13, 3, scan=True)
    assert scan.suffix == ".jpg" and scan.data[:3] == b"\xff\xd8\xff" and scan.truth == digital.truth
    [page] = rasterize(scan.data, MediaType.JPEG, RasterizeOptions())
    words = list(page.words)
    assert min(w.confidence for w in words) < 1.0  # OCR'd, not a text layer
    text = norm_text(" ".join(w.text for w in words))
    assert norm_text(scan.truth["merchant_name"]) in text


def test_items_are_read_in_every_till_style() -> None:
    """One row ('2 LATTE  19.80'), a quantity column, or two rows (the name, then '5 x 2.57  12.85'): every item,
    none of the totals block (a bare 'Amount', the rounding)."""
    from docai.eval.items import plain_rows, score_items

    for index in range(len(STYLE_NAMES)):
        rec = make_receipt(11, index)
        data, _ = extract_receipt(build_lines(_words(rec.data)))
        rows = data.model_dump(mode="json")["items"]
        truth = plain_rows(rec.truth["items"])
        assert len(score_items(truth, rows).pairs) == len(truth) == len(rows), (rec.meta["style"], rows)
        quantities = [str(r["quantity"]) for r in rows]
        assert quantities == [str(t["quantity"]) for t in truth], rec.meta["style"]


def test_totals_block_rows_a_total_word_misses_are_not_items() -> None:
    from model.types import Word

    rows = [("KEDAI MAJU SDN BHD", None), ("NASI LEMAK", "5.00"), ("GSTO%", "0.00"), ("Amount", "5.00")]
    rows += [("Rounding Adj", "0.00"), ("Sub-totai:", "5.00"), ("TOTAL", "5.00")]
    words = []
    for i, (text, amount) in enumerate(rows):
        y = 0.05 + 0.04 * i
        words.append(Word(text, (0.05, y, 0.05 + 0.02 * len(text), y + 0.02)))
        if amount:
            words.append(Word(amount, (0.8, y, 0.9, y + 0.02)))
    data, _ = extract_receipt(build_lines([words]))
    assert [(i.description, str(i.amount)) for i in data.items] == [("NASI LEMAK", "5.00")]
