"""The training split's words shipped with the package (model/learned/train_words.json.gz): every labelled file of
../shared/data/train is in it, as this machine's pipeline reads it, and a refit reads it instead of OCRing."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

from docai.eval.adapters import find_samples
from docai.eval.training import PACK, TRAIN_SETS, _packed, page_words, reader_key, write_pack


def _labelled(train: Path) -> list[Path]:
    return [
        s.document
        for folder in TRAIN_SETS
        for s in find_samples(train / folder)
        if s.document.with_suffix(".json").exists()
    ]


def test_the_pack_holds_every_training_file_as_the_pipeline_reads_it(shared_data: Path, tmp_path: Path) -> None:
    data = json.loads(gzip.decompress(PACK.read_bytes()))
    assert data["reader"] == reader_key()  # else a refit here would OCR the split again (regenerate: --pack-words)
    files = _labelled(shared_data / "train")
    assert {hashlib.sha256(f.read_bytes()).hexdigest() for f in files} == set(data["files"])
    # the words of one receipt OCR'd now equal the packed ones, word for word
    receipt = min((f for f in files if f.suffix == ".jpg"), key=lambda f: f.stat().st_size)
    read_now = page_words(receipt, "x", [], tmp_path / "ocr", pack=None)
    packed = page_words(receipt, "x", [], None)
    assert [[w.to_json() for w in p] for p in read_now] == [[w.to_json() for w in p] for p in packed]
    assert sum(len(p) for p in packed) > 20


def test_a_refit_reads_the_pack_and_ocrs_only_what_it_lacks(shared_data: Path, tmp_path: Path) -> None:
    train = tmp_path / "train"
    (train / "sroie").mkdir(parents=True)
    sources = sorted((shared_data / "train" / "sroie").glob("*.jpg"), key=lambda f: f.stat().st_size)[:2]
    for src in sources:
        (train / "sroie" / src.name).write_bytes(src.read_bytes())
        (train / "sroie" / src.with_suffix(".json").name).write_bytes(src.with_suffix(".json").read_bytes())
    pack = tmp_path / "words.json.gz"
    own = tmp_path / "first"
    assert write_pack(train, pack, own_cache=own, pack=None) == 2
    assert len(list(own.glob("*.json"))) == 2  # OCR'd once, kept
    again = tmp_path / "again"
    for src in sources:
        page_words(train / "sroie" / src.name, "x", [], again, pack=pack)
    assert not again.exists()  # read from the pack: nothing was OCR'd
    # a pack read by another reader (another OCR version, page size) is not used
    other = json.loads(gzip.decompress(pack.read_bytes()))
    other["reader"] = "tesseract/pytesseract=0.0/page 512"
    stale = tmp_path / "stale.json.gz"
    stale.write_bytes(gzip.compress(json.dumps(other).encode()))
    assert _packed(stale, reader_key()) == {}
    page_words(train / "sroie" / sources[0].name, "x", [], again, pack=stale)
    assert len(list(again.glob("*.json"))) == 1
