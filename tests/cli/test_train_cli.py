"""`docai train` as a user runs it: a real subprocess refits the chooser, `docai process` in that home uses it."""

import json
from pathlib import Path

import pytest

from tests.cli.test_process_cli import run_docai

SHOPS = [
    "KEDAI RUNCIT MAJU",
    "SYARIKAT BUKU JAYA",
    "RESTORAN MEWAH",
    "PASAR MINI INDAH",
    "FARMASI SIHAT",
    "KEDAI ROTI ENAK",
]


def _receipt_pdf(name: str, total: str, pre: str, day: int) -> bytes:
    rows = [
        (30, f"{name} SDN BHD", 10),
        (44, "(123456-A)", 8),
        (56, "NO 5, JALAN MAJU, 81200 JOHOR BAHRU", 8),
        (80, f"DATE: {day:02d}/03/2018", 8),
        (100, f"ITEM ONE|{pre}", 8),
        (135, f"TOTAL|{pre}", 9),
        (148, "ROUNDING ADJ|-0.02", 8),
        (161, f"ROUNDED TOTAL|{total}", 9),
        (174, "CASH|50.00", 8),
    ]
    return draw_receipt(rows, 260, 240)


def draw_receipt(rows: list[tuple[int, str, int]], width: int, height: int) -> bytes:
    """A one-page PDF: each row's text at the left, the part after '|' at the right (an amount column)."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    for y, text, size in rows:
        left, _, right = text.partition("|")
        page.insert_text((20, y), left, fontsize=size, fontname="helv")
        if right:
            page.insert_text((200, y), right, fontsize=size, fontname="helv")
    return doc.tobytes()


def _training_folder(root: Path) -> Path:
    folder = root / "train" / "sroie"
    folder.mkdir(parents=True)
    for k, name in enumerate(SHOPS * 2):
        total, pre = [("31.45", "31.47"), ("12.10", "12.12"), ("8.95", "8.97")][k % 3]
        (folder / f"r{k:02d}.pdf").write_bytes(_receipt_pdf(f"{name} {k}", total, pre, k + 1))
        truth = {
            "company": f"{name} {k} SDN BHD",
            "date": f"{k + 1:02d}/03/2018",
            "address": "NO 5, JALAN MAJU, 81200 JOHOR BAHRU",
            "total": total,
        }
        (folder / f"r{k:02d}.json").write_text(json.dumps(truth))
    return root / "train"


@pytest.mark.slow
def test_train_then_process_uses_the_refit(tmp_path: Path) -> None:
    home = tmp_path / "home"
    data = _training_folder(tmp_path)
    result = run_docai("train", "--data", str(data), "--json", home=home)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["documents"] == 12
    assert {"receipt.total", "receipt.merchant_name"} <= set(report["figures"])
    model_dir = home / "models" / "learned"
    assert (model_dir / "manifest.json").exists()

    receipt = tmp_path / "new.pdf"
    receipt.write_bytes(_receipt_pdf("TOKO BARU", "44.05", "44.07", 9))
    done = run_docai("process", str(receipt), "--schema", "receipt", "--json", home=home)
    assert done.returncode == 0, done.stderr
    [doc] = json.loads(done.stdout) if done.stdout.strip().startswith("[") else [json.loads(done.stdout)]
    assert doc["model"] == f"docai-ocr-learned-v{report['version']}"
    assert doc["data"]["total"] == "44.05"


def test_train_on_a_missing_folder_says_so(tmp_path: Path) -> None:
    result = run_docai("train", "--data", str(tmp_path / "nowhere"), home=tmp_path / "home")
    assert result.returncode == 2
    assert "does not exist" in result.stderr


@pytest.mark.slow
def test_train_with_receipts_calibrates_the_receipt_rules_apart_from_the_chooser(tmp_path: Path) -> None:
    home = tmp_path / "home"
    data = _training_folder(tmp_path)
    result = run_docai("train", "--data", str(data), "--receipts", "24", "--json", home=home)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["documents"] == 12  # the generated receipts are not among the chooser's examples
    assert report["figures"]["receipt.total"]["documents"] == 12
    assert {"receipt.rules.merchant_phone", "receipt.rules.transaction_time"} <= set(report["figures"])
    fitted = json.loads((home / "models" / "learned" / "receipt.rules_calibration.json").read_text())
    assert fitted["schema"] == "receipt" and "merchant_phone" in fitted["fields"]
