"""What reviewers care about: line-item row F1, calibration at the review threshold, per-document details."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from docai.eval.calibration import Scored, calibration_report
from docai.eval.items import invoice2data_rows, score_items
from docai.eval.runner import EvalOptions, run_eval
from docai.synth.invoices import write_set


def test_invoice2data_rows_skip_headers_and_notes_and_read_aws_charges() -> None:
    rows = invoice2data_rows(
        [
            {"sectionheader": "--- Food ---"},
            {"name": "Olive Oil", "qty": 1.0, "price_unit": 1.0, "price_subtotal": 0.9, "line_tax_percent": 15.0},
            {"line_note": "delivered in glass"},
            {"name": "AWS Data Transfer", "price_unit": "0.01"},
            {"pos": "1", "qty": 1.0, "desc": "Small Business\nGrundgebühr", "price": 3.89},
        ]
    )
    assert [(r["description"], r["amount"], r["unit_price"]) for r in rows] == [
        ("Olive Oil", 0.9, 1.0),
        ("AWS Data Transfer", "0.01", None),
        ("Small Business\nGrundgebühr", 3.89, None),
    ]
    assert rows[0]["tax_rate"] == 15.0


def test_rows_match_on_description_and_amount_one_to_one() -> None:
    expected = [
        {
            "description": "Small Business StandardExchange 2010\nGrundgebühr pro Einheit",
            "amount": "3.89",
            "quantity": 1,
        },
        {"description": "Small Business QualityExchange 2010\nGrundgebühr", "amount": "5.39", "quantity": 1},
        {"description": "Small Business QualityExchange 2010\nGrundgebühr", "amount": "5.39"},
    ]
    got = [
        {"description": "Small Business StandardExchange 2010", "amount": "3.89", "quantity": "2"},
        {"description": "Small Business QualityExchange 2010", "amount": "5.39"},
        {"description": "Small Business QualityExchange 2010", "amount": "5.40"},  # wrong amount: no match
        {"description": "Shipping", "amount": "5.39"},  # wrong description: no match
    ]
    score = score_items(expected, got)
    assert score.counts.matched == 2 and score.counts.predicted == 4 and score.counts.expected == 3
    assert [j for _, j in score.pairs] == [0, 1]  # the two same-looking rows may pair either way
    assert score.columns["quantity"][0] is False  # row 0's truth has quantity 1, the engine read 2


def test_calibration_coverage_precision_ece_and_straight_through() -> None:
    values = [
        Scored("a", "total", 0.9, True),
        Scored("a", "date", 0.9, True),
        Scored("b", "total", 0.9, False),
        Scored("b", "date", 0.3, True),
        Scored("c", "total", None, False),  # nothing extracted: not covered, not in the ECE
    ]
    report = calibration_report(values, threshold=0.6)
    assert report["coverage"] == pytest.approx(3 / 5)
    assert report["precision"] == pytest.approx(2 / 3, abs=1e-4)
    # bin 0.9: confidence 0.9, accuracy 2/3 (3 values); bin 0.3: confidence 0.3, accuracy 1 (1 value)
    assert report["ece"] == pytest.approx(0.75 * abs(2 / 3 - 0.9) + 0.25 * 0.7, abs=1e-4)
    assert report["straight_through"] == pytest.approx(1 / 3, abs=1e-4)
    assert sum(b["count"] for b in report["bins"]) == 4 and len(report["bins"]) == 10
    # per field: the dates a reviewer may leave alone are right, half the confident totals are not
    assert report["fields"] == {
        "date": {"coverage": 0.5, "precision": 1.0},
        "total": {"coverage": pytest.approx(2 / 3, abs=1e-4), "precision": 0.5},
    }
    sweep = {row["threshold"]: row for row in report["by_threshold"]}
    assert sweep[0.6] == {k: report[k] for k in ("coverage", "precision", "straight_through")} | {"threshold": 0.6}
    assert sweep[0.95] == {"threshold": 0.95, "coverage": 0.0, "precision": None, "straight_through": 0.0}
    assert [row["threshold"] for row in report["by_threshold"]] == sorted(sweep)


@pytest.fixture(scope="module")
def synth_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth")
    write_set(folder, count=3, seed=11)
    return folder


def test_eval_scores_line_items_customer_subtotal_and_details(synth_folder: Path) -> None:
    report = run_eval(synth_folder, EvalOptions(schema="invoice", engine="ocr", details=True, review_threshold=0.5))
    assert report["format"] == "plain" and report["documents"] == 3
    assert {"customer_name", "subtotal", "total_tax", "currency", "invoice_total"} <= set(report["fields"])
    items = report["line_items"]
    truth_rows = sum(len(json.loads(p.read_text())["line_items"]) for p in synth_folder.glob("synth-s11-000?.json"))
    assert items["documents"] == 3 and items["rows_expected"] == truth_rows
    assert 0.0 <= items["f1"] <= 1.0
    cal = report["calibration"]
    assert cal["threshold"] == 0.5 and cal["fields_scored"] == sum(len(d["fields"]) for d in report["details"])
    first = report["details"][0]
    assert first["document"] == "synth-s11-0000"
    total = first["fields"]["invoice_total"]
    assert set(total) == {"expected", "got", "correct", "confidence"}
    assert total["confidence"] is None or 0.0 <= total["confidence"] <= 1.0
    assert len(first["line_items"]["expected"]) == len(
        json.loads((synth_folder / "synth-s11-0000.json").read_text())["line_items"]
    )


def test_cli_details_and_calibration(synth_folder: Path) -> None:
    from docai.cli import COMMAND_MODULES
    from docai.cli.app import app

    for name in COMMAND_MODULES:
        __import__(name)
    args = ["eval", str(synth_folder), "--schema", "invoice", "--engine", "ocr", "--limit", "1"]
    result = CliRunner().invoke(app, [*args, "--json", "--details"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report["calibration"]) >= {"threshold", "coverage", "precision", "ece", "bins"}
    assert report["calibration"]["threshold"] == 0.6  # DOCAI_REVIEW_THRESHOLD's default
    assert [d["document"] for d in report["details"]] == ["synth-s11-0000"]
    text = CliRunner().invoke(app, [*args, "--details"])
    assert "line items: row F1" in text.output and "at review threshold 0.6" in text.output
    assert "invoice_total" in text.output
