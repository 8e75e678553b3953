"""The CPU engine on a few real documents of the dev sets, through rasterize and OCR, above a floor."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from docai.eval.runner import EvalOptions, run_eval


def _subset(source: Path, names: list[str], target: Path) -> Path:
    """Links (not copies) of a few samples with their truth, so the eval reads them in place."""
    target.mkdir()
    for name in names:
        for path in source.glob(f"{name}.*"):
            if path.suffix in (".jpg", ".png", ".pdf", ".json"):
                (target / path.name).symlink_to(path)
    return target


@pytest.mark.slow
def test_invoice2data_core_fields(shared_data: Path) -> None:
    report = run_eval(shared_data / "invoice2data", EvalOptions(schema="invoice", engine="ocr"))
    assert report["format"] == "invoice2data"
    assert report["documents"] == 11
    assert report["overall"] >= 0.85, report["misses"]
    for field in ("invoice_id", "invoice_date", "invoice_total", "currency"):
        assert report["fields"][field] >= 0.9, (field, report["misses"])
    assert report["line_items"]["f1"] >= 0.85, report["line_items"]  # issue 10: row F1 on the dev invoices


@pytest.mark.slow
def test_sroie_receipts(shared_data: Path, tmp_path: Path) -> None:
    if shutil.which("tesseract") is None:
        pytest.importorskip("rapidocr_onnxruntime", reason="no OCR backend installed")
    names = ["X51005337872", "X51006008074", "X51006414599"]
    folder = _subset(shared_data / "sroie", names, tmp_path / "sroie")
    report = run_eval(folder, EvalOptions(schema="receipt", engine="ocr"))
    assert report["format"] == "sroie"
    assert report["documents"] == 3
    assert report["fields"]["total"] == 1.0, report["misses"]
    assert report["fields"]["transaction_date"] == 1.0, report["misses"]
    assert report["overall"] >= 0.75, report["misses"]
