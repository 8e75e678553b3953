"""The training split's OCR is done once: a second `docai train` reads the words the first one kept."""

import json
from pathlib import Path

from docai.eval.training import train_examples
from tests.cli.test_train_cli import draw_receipt


def test_a_second_read_of_the_training_split_takes_the_words_the_first_kept(tmp_path: Path) -> None:
    folder = tmp_path / "train" / "sroie"
    folder.mkdir(parents=True)
    (folder / "r1.pdf").write_bytes(draw_receipt([(30, "KEDAI MAJU SDN BHD", 10), (60, "TOTAL|9.90", 9)], 260, 120))
    (folder / "r1.json").write_text(json.dumps({"company": "KEDAI MAJU SDN BHD", "total": "9.90"}))
    cache = tmp_path / "cache"

    [first] = train_examples(tmp_path / "train", [], cache)
    assert first.pages[0][0].text == "KEDAI"
    [kept] = list(cache.glob("*.json"))
    data = json.loads(kept.read_text())
    data["pages"][0]["words"][0][0] = "KEPT"  # what the first run wrote is what the second one reads
    kept.write_text(json.dumps(data))

    [second] = train_examples(tmp_path / "train", [], cache)
    assert second.pages[0][0].text == "KEPT"
    assert second.truth["merchant_name"] == "KEDAI MAJU SDN BHD"
