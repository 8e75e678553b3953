"""`docai eval` on small folders the tests draw: each ground-truth format, the scores, the report, the CLI."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from drawn_docs import INVOICE_TEXTS, RECEIPT_TEXTS, draw_pdf
from typer.testing import CliRunner

from docai.errors import DocaiError
from docai.eval.adapters import detect_format, field_kinds, find_samples, read_truth
from docai.eval.metrics import kv_match, table_match
from docai.eval.normalize import normalize, same
from docai.eval.runner import EvalOptions, run_eval


def test_normalization_of_text_dates_amounts_and_codes() -> None:
    assert same("SYL ROASTED DELIGHTS SDN. BHD.", "Syl Roasted Delights Sdn Bhd", "text")
    assert same("25/12/2018", "2018-12-25", "date")
    assert same("05 MAR 2018", "2018-03-05", "date")
    assert same("$8.20", "8.2", "amount")
    assert same("1.234,50", Decimal("1234.5"), "amount")
    assert same("usd", "USD", "code")
    assert not same("9.00", "9.01", "amount")
    assert not same("2018-12-25", "2018-12-26", "date")
    assert normalize(None, "text") is None


def test_field_kinds_come_from_the_schema() -> None:
    kinds = field_kinds("invoice")
    assert kinds["invoice_total"] == "amount"
    assert kinds["invoice_date"] == "date"
    assert kinds["currency"] == "code"
    assert kinds["vendor_name"] == "text"


def test_sroie_folder_scores_receipt_fields(write_sample) -> None:  # type: ignore[no-untyped-def]
    truth = {
        "company": "KEDAI MAJU JAYA SDN BHD",
        "date": "15/03/2019",
        "address": "NO 12, JALAN MERAH 3, 47400 PETALING JAYA",
        "total": "9.99",  # deliberately wrong: the receipt says 8.80
    }
    folder = write_sample("r1", draw_pdf(RECEIPT_TEXTS, 300, 300), ".pdf", truth)
    sample = find_samples(folder)[0]
    assert detect_format(sample) == "sroie"
    report = run_eval(folder, EvalOptions(schema="receipt", engine="ocr"))
    assert report["format"] == "sroie"
    assert report["documents"] == 1
    assert report["fields"]["merchant_name"] == 1.0
    assert report["fields"]["transaction_date"] == 1.0
    assert report["fields"]["merchant_address"] == 1.0
    assert report["fields"]["total"] == 0.0
    assert report["overall"] == 0.75
    assert report["misses"] == [{"document": "r1", "field": "total", "expected": "9.99", "got": "8.80"}]
    assert report["timings"]["mean_extract_s"] is not None


def test_invoice2data_folder_maps_fields_and_skips_absent_truth(write_sample) -> None:  # type: ignore[no-untyped-def]
    truth = {
        "issuer": "Nordlicht Software GmbH",
        "invoice_number": "RE-2023-0815",
        "date": "2023-02-14",
        "amount": 1487.5,
        "amount_untaxed": 1250.0,
        "amount_tax": 237.5,
        "currency": "EUR",
        "lines": [{"name": "Schulung"}],
    }
    folder = write_sample("inv", draw_pdf(INVOICE_TEXTS), ".pdf", truth)
    write_sample("inv2", draw_pdf(INVOICE_TEXTS), ".pdf", {"issuer": "Nordlicht Software GmbH", "amount": None})
    report = run_eval(folder, EvalOptions(schema="invoice", engine="ocr"))
    assert report["format"] == "invoice2data"
    assert report["documents"] == 2
    assert report["fields"] == {
        "vendor_name": 1.0,
        "invoice_id": 1.0,
        "invoice_date": 1.0,
        "invoice_total": 1.0,
        "subtotal": 1.0,
        "total_tax": 1.0,
        "currency": 1.0,
    }
    assert report["overall"] == 1.0


def test_plain_folder_uses_the_schemas_own_names(write_sample) -> None:  # type: ignore[no-untyped-def]
    truth = {"invoice_id": "RE-2023-0815", "due_date": "2023-03-16", "invoice_total": "1487.50", "line_items": []}
    folder = write_sample("mine", draw_pdf(INVOICE_TEXTS), ".pdf", truth)
    report = run_eval(folder, EvalOptions(schema="invoice", engine="ocr"))
    assert report["format"] == "plain"
    assert report["fields"] == {"invoice_id": 1.0, "due_date": 1.0, "invoice_total": 1.0}


def test_plain_folder_with_no_known_field_is_refused(write_sample) -> None:  # type: ignore[no-untyped-def]
    folder = write_sample("bad", draw_pdf(INVOICE_TEXTS), ".pdf", {"nothing": 1})
    sample = find_samples(folder)[0]
    with pytest.raises(DocaiError, match="names none of the invoice fields"):
        read_truth(sample, "plain", "invoice")


def test_funsd_folder_scores_key_value_pairs(write_sample) -> None:  # type: ignore[no-untyped-def]
    texts = [
        (50, 60, "Name:", 11),
        (140, 60, "Jane Doe", 11),
        (50, 90, "Date: 12/10/98", 11),
        (50, 120, "Department:", 11),
        (140, 120, "Research and Development", 11),  # beside its label (what the scoring here is about)
    ]
    truth = {
        "key_value_pairs": [
            {"key": "Name:", "value": "Jane Doe"},
            {"key": "DATE:", "value": "12/10/98"},
            {"key": "Department:", "value": "Research and Development"},
            {"key": "Signature:", "value": "J. Doe"},
        ],
        "entities": [],
    }
    folder = write_sample("form1", draw_pdf(texts), ".pdf", truth)
    report = run_eval(folder, EvalOptions(schema="form", engine="ocr"))
    assert report["format"] == "funsd"
    assert report["recall"] == 0.75
    assert report["precision"] == 1.0
    assert report["overall"] == pytest.approx(2 * 0.75 / 1.75, abs=1e-4)
    assert [m["field"] for m in report["misses"]] == ["Signature:"]


def test_chartqa_folder_needs_the_vision_engine_and_scores_zero(write_sample) -> None:  # type: ignore[no-untyped-def]
    folder = write_sample("c1", draw_pdf([(50, 50, "Sales 2020", 12)]), ".pdf", "Year,Sales\n2020,10\n", ".csv")
    report = run_eval(folder, EvalOptions(schema="chart", engine="ocr"))
    assert report["format"] == "chartqa"
    assert report["overall"] == 0.0
    assert "DeepSeek-VL" in report["errors"][0]["error"]


def test_format_and_schema_must_agree(write_sample) -> None:  # type: ignore[no-untyped-def]
    folder = write_sample("r1", draw_pdf(RECEIPT_TEXTS, 300, 300), ".pdf", {"company": "X", "total": "1.00"})
    with pytest.raises(DocaiError, match="--schema receipt"):
        run_eval(folder, EvalOptions(schema="invoice", engine="ocr"))


def test_folder_without_ground_truth_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(draw_pdf([(50, 50, "hello", 12)]))
    with pytest.raises(DocaiError, match="No documents with ground truth"):
        run_eval(tmp_path, EvalOptions(schema="invoice", engine="ocr"))


def test_table_f1_matches_fuzzy_keys_values_within_five_percent_and_transposed() -> None:
    truth = (["Year", "Sales", "Costs"], [["2019", "100", "80"], ["2020", "120", "90"]])
    exact = table_match(truth, truth)
    assert exact.f1 == 1.0
    close = table_match(truth, (["year", "sales", "costs"], [["2019", "103", "80"], ["2020", "120", "99"]]))
    assert close.matched == 3  # 103 is within 5% of 100; 99 is not within 5% of 90
    flipped = table_match(truth, (["Year", "2019", "2020"], [["Sales", "100", "120"], ["Costs", "80", "90"]]))
    assert flipped.f1 == 1.0
    assert table_match(truth, ([], [])).f1 == 0.0


def test_a_tick_mark_and_true_both_mean_checked() -> None:
    counts, _ = kv_match([("PARTIAL", "X"), ("FULL", "")], [("PARTIAL", "true")])
    assert counts.matched == 1


def test_key_value_f1_is_one_to_one() -> None:
    truth = [("Name", "Jane Doe"), ("Name", "John Roe")]
    counts, missed = kv_match(truth, [("NAME:", "Jane  Doe")])
    assert (counts.matched, counts.predicted, counts.expected) == (1, 1, 2)
    assert missed == [("Name", "John Roe")]


def test_cli_prints_the_json_report(write_sample) -> None:  # type: ignore[no-untyped-def]
    import importlib

    from docai.cli import COMMAND_MODULES
    from docai.cli.app import app

    assert "docai.cli.eval" in COMMAND_MODULES
    for name in COMMAND_MODULES:  # as `docai` itself does, so `eval` is one command among several
        importlib.import_module(name)

    truth = {"company": "KEDAI MAJU JAYA SDN BHD", "date": "15/03/2019", "address": "x", "total": "8.80"}
    folder = write_sample("r1", draw_pdf(RECEIPT_TEXTS, 300, 300), ".pdf", truth)
    result = CliRunner().invoke(app, ["eval", str(folder), "--schema", "receipt", "--engine", "ocr", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) >= {"schema", "engine", "documents", "overall", "fields", "misses"}
    assert report["engine"] == "ocr"
    assert report["overall"] == 0.75
    plain = CliRunner().invoke(app, ["eval", str(folder), "--schema", "receipt", "--engine", "ocr"])
    assert plain.exit_code == 0
    assert "overall: 0.750" in plain.output
    bad = CliRunner().invoke(app, ["eval", str(folder / "nope"), "--schema", "receipt"])
    assert bad.exit_code == 2
