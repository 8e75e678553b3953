"""The learned chooser: calibration, loading once, reproducible fitting, and the shipped model on drawn receipts."""

from __future__ import annotations

import json
import math
import os
from decimal import Decimal
from pathlib import Path

import pytest

from model.learned.core import MANIFEST, Calibration, Doc, field_specs, learned_field, load_model
from model.learned.fit import Example, train_all
from model.types import Word


def test_calibration_interpolates_and_clips() -> None:
    cal = Calibration([0.1, 0.5, 0.9], [0.0, 0.5, 1.0])
    assert cal(0.0) == 0.0 and cal(1.0) == 1.0
    assert cal(0.3) == pytest.approx(0.25)
    assert [cal(x / 10) for x in range(11)] == sorted(cal(x / 10) for x in range(11))


def test_confidence_sees_how_well_the_chosen_words_were_read() -> None:
    """The same lead over the next value is less likely right when a word of the value was read unsurely: the logistic
    fit on the confidence inputs learns it from out-of-fold outcomes, and the engine applies it without a scaler."""
    import random

    from model.learned.core import CONFIDENCE_INPUTS, Candidate, confidence_inputs
    from model.learned.fit import logistic

    rng = random.Random(0)
    rows, correct = [], []
    for _ in range(400):
        margin, read = rng.uniform(0, 6), rng.uniform(0.7, 1.0)
        rows.append([margin, read, read, 0.0, 1.0, 0.0, 1.0, 0.0])
        correct.append(rng.random() < (0.95 if read > 0.9 else 0.4))  # misreads make values wrong, whatever the lead
    fitted = logistic(rows, correct)
    assert len(fitted["coef"]) == len(CONFIDENCE_INPUTS)
    cal = Calibration(**fitted)
    assert (
        cal.probability([3.0, 0.98, 0.98, 0.0, 1.0, 0.0, 1.0, 0.0])
        > 0.85
        > 0.6
        > cal.probability([3.0, 0.75, 0.75, 0.0, 1.0, 0.0, 1.0, 0.0])
    )
    assert Calibration([0.0, 1.0], [0.2, 0.8]).probability([0.5, 0.1, 0.1, 0.0, 1.0, 0.0, 1.0, 0.0]) == pytest.approx(
        0.5
    )  # margin only
    unsure = [Word("SECT1ON", (0, 0, 0.1, 0.1), 0.71), Word("17", (0.1, 0, 0.2, 0.1), 0.99)]
    candidates = [Candidate("SECT1ON 17", unsure), Candidate("SECTION 17", []), Candidate("SECT1ON 17", unsure[:1])]
    assert confidence_inputs(candidates, 0, 25.0) == pytest.approx([10.0, 0.71, 0.85, math.log(2), 1.0, 0.0, 0.0, 0.0])
    # a reading the fitted lexicon half knows, put right in two words: both are inputs too (not every field has them)
    fixed = Candidate("SECTION 17", unsure, {"known_share": 0.5, "corrected": 2.0, "_near_known": 1.0})
    assert confidence_inputs([fixed], 0, 1.0, 2.5)[4:] == pytest.approx([0.5, 1.0, 2.5, 1.0])


def test_the_shipped_receipt_fields_calibrate_on_every_confidence_input() -> None:
    from model.learned.core import CONFIDENCE_INPUTS

    model = load_model(None)
    assert model is not None
    for name in ("total", "transaction_date", "merchant_name", "merchant_address"):
        assert len(model.get("receipt", name).calibration.coef) == len(CONFIDENCE_INPUTS), name


def test_a_field_registers_once() -> None:
    spec = field_specs("receipt")[0]
    with pytest.raises(ValueError, match="already registered"):
        learned_field(spec.schema, spec.name, spec.kind)(spec.propose)


def _row(y: float, *cells: tuple[float, str]) -> list[Word]:
    words = []
    for x, text in cells:
        for k, token in enumerate(text.split()):
            x0 = x + 0.06 * k
            words.append(Word(token, (x0, y, x0 + 0.05, y + 0.015)))
    return words


def _receipt(name: str, total: str, pre: str, day: int) -> list[Word]:
    """A receipt whose printed total is rounded: the pre-rounding total, a rounding row, the final total, cash."""
    return [
        *_row(0.05, (0.1, f"{name} SDN BHD")),
        *_row(0.08, (0.1, "(123456-A)")),
        *_row(0.11, (0.1, "NO 5, JALAN MAJU, 81200 JOHOR BAHRU")),
        *_row(0.14, (0.1, "TEL: 07-3345678")),
        *_row(0.2, (0.1, f"DATE: {day:02d}/03/2018")),
        *_row(0.3, (0.1, "ITEM ONE"), (0.7, pre)),
        *_row(0.4, (0.1, "TOTAL"), (0.7, pre)),
        *_row(0.43, (0.1, "ROUNDING ADJ"), (0.7, "-0.02")),
        *_row(0.46, (0.1, "ROUNDED TOTAL"), (0.7, total)),
        *_row(0.49, (0.1, "CASH"), (0.7, "50.00")),
        *_row(0.52, (0.1, "CHANGE"), (0.7, str(Decimal("50.00") - Decimal(total)))),
    ]


def _examples() -> list[Example]:
    out = []
    for k, (total, pre) in enumerate(
        [("31.45", "31.47"), ("12.10", "12.12"), ("8.95", "8.97"), ("20.00", "20.02")] * 3
    ):
        name = f"KEDAI NOMBOR {k}"
        truth = {
            "merchant_name": f"{name} SDN BHD",
            "merchant_address": "NO 5, JALAN MAJU, 81200 JOHOR BAHRU",
            "transaction_date": f"{k + 1:02d}/03/2018",
            "total": total,
        }
        out.append(Example(f"r{k}", name, "receipt", [_receipt(name, total, pre, k + 1)], truth))
    return out


def test_fitting_is_reproducible_and_the_model_chooses(tmp_path: Path) -> None:
    examples = _examples()
    first = train_all(examples, tmp_path / "a", seed=3, log=lambda _m: None)
    second = train_all(examples, tmp_path / "b", seed=3, log=lambda _m: None)
    assert first["version"] == second["version"]
    for name in sorted(os.listdir(tmp_path / "a")):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert set(first["fields"]) >= {"receipt.total", "receipt.merchant_name"}
    refit = train_all(examples[:-2], tmp_path / "a", seed=4, log=lambda _m: None)  # over the first: stale files go
    assert sorted(p.name for p in (tmp_path / "a").glob("*.txt")) == sorted(
        e["model"] for e in refit["fields"].values()
    )
    train_all(examples, tmp_path / "a", seed=3, log=lambda _m: None)
    model = load_model(tmp_path / "a")
    assert model is not None and model.version == first["version"]
    doc = Doc.from_pages([_receipt("KEDAI BARU", "44.05", "44.07", 9)])
    spec = next(s for s in field_specs("receipt") if s.name == "total")
    chosen = model.get("receipt", "total").choose(spec.propose(doc))
    assert chosen is not None
    candidate, probability = chosen
    assert candidate.value == Decimal("44.05")  # the rounded final total, not 44.07 nor the cash
    assert 0.0 <= probability <= 1.0


def test_the_model_is_loaded_once_and_again_when_refitted(tmp_path: Path) -> None:
    train_all(_examples(), tmp_path, seed=0, log=lambda _m: None)
    first = load_model(tmp_path)
    assert load_model(tmp_path) is first
    manifest = tmp_path / MANIFEST
    data = json.loads(manifest.read_text())
    data["version"] = "refit"
    manifest.write_text(json.dumps(data))
    os.utime(manifest, (manifest.stat().st_atime, manifest.stat().st_mtime + 5))
    again = load_model(tmp_path)
    assert again is not first and again.version == "refit"


def test_the_shipped_model_is_small_and_names_its_data() -> None:
    from model.learned.core import ARTIFACTS

    size = sum(p.stat().st_size for p in ARTIFACTS.iterdir())
    assert size < 20 * 1024 * 1024
    manifest = json.loads((ARTIFACTS / MANIFEST).read_text())
    assert {"train/sroie", "train/funsd"} <= set(manifest["sources"])
    for entry in manifest["fields"].values():
        assert (ARTIFACTS / entry["model"]).exists() and entry["calibration"]["x"]


def test_eval_reports_the_models_train_cv_figures(docai_home: Path) -> None:
    from docai.eval.runner import train_figures

    figures = train_figures("receipt", "docai-ocr-learned-v1")
    assert figures is not None and 0.5 < figures["total"]["cv_accuracy"] <= 1.0
    assert "pairs" in train_figures("form", "docai-ocr-learned-v1")
    assert train_figures("receipt", "docai-layout-rules-v2") is None


def test_a_digit_read_for_a_letter_in_a_name_is_proposed_respelled_beside_the_reading() -> None:
    from model.learned.receipt import propose_name

    words = [*_row(0.05, (0.1, "URBAN 1DEA SDN BHD")), *_row(0.08, (0.1, "10GRAM CAFE"))]
    by_value = {c.value: c.features["digits_respelled"] for c in propose_name(Doc.from_pages([words]))}
    assert by_value["URBAN 1DEA SDN BHD"] == 0.0  # the page's own reading stays a candidate
    assert by_value["URBAN IDEA SDN BHD"] == 1.0
    assert "10GRAM CAFE" in by_value and "IOGRAM CAFE" not in by_value  # a number's digits are not letters
