"""Training examples for the learned chooser: the training split's documents read as the pipeline reads them."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from docai.eval.adapters import SROIE, find_samples
from model.learned.core import ARTIFACTS
from model.learned.fit import Example
from model.types import Word

# folders under the training root and the schema their truth fills
TRAIN_SETS = {"sroie": "receipt", "funsd": "form"}


ROUNDING = re.compile(r"round|rndg|rounding|adj", re.I)


def final_total(total: Any, pages: list[list[Word]]) -> Any:
    """The total the product reads: the rounding-adjusted one. Some SROIE labels give the total before cash rounding
    (26.82 where the receipt goes on 'ROUNDING -0.02' and 'TOTAL 26.80'); where the page prints a rounding row and
    the amount rounded to 5 sen, that amount is the truth the chooser is fitted on."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    from model.layout.values import find_amounts

    try:
        value = Decimal(re.sub(r"[^\d.]", "", str(total)))
    except InvalidOperation:
        return total
    rounded = (value * 20).quantize(Decimal(1), ROUND_HALF_UP) / 20
    text = " ".join(w.text for page in pages for w in page)
    if rounded == value or not ROUNDING.search(text):
        return total
    printed = {amount for amount, _, _ in find_amounts(text)}
    return f"{rounded:.2f}" if rounded in printed else total


def _read_cache(path: Path, sha: str) -> list[list[Word]] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if data.get("sha256") != sha:
        return None
    return [[Word.from_json(row) for row in page["words"]] for page in data["pages"]]


# The words docai's own pipeline read from ../shared/data/train (389 documents, 386 distinct files), shipped so that a first
# `docai train` fits in minutes instead of OCRing the split for a quarter of an hour; used only where this
# deployment reads pages the same way (`reader_key`), else the files are OCR'd as before.
PACK = ARTIFACTS.parent / "train_words.json.gz"


def reader_key() -> str:
    """What the words of a page depend on: the OCR backend and its version, the page size and the OCR options."""
    from importlib.metadata import PackageNotFoundError, version

    from docai.settings import get_settings
    from docai.stages.pipeline import PipelineOptions
    from model.ocr import _rapidocr_available

    raster = PipelineOptions.from_settings(get_settings()).raster
    ocr = raster.ocr
    if ocr is None:
        return f"no-ocr/{raster.page_size}"
    backend = ocr.backend if ocr.backend != "auto" else ("rapidocr" if _rapidocr_available() else "tesseract")
    packages = ("rapidocr-onnxruntime", "onnxruntime") if backend == "rapidocr" else ("pytesseract",)
    versions = []
    for name in packages:
        try:
            versions.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            versions.append(f"{name}=?")
    languages = ocr.languages if backend == "tesseract" else ""
    return (
        f"{backend}/{','.join(versions)}/page {raster.page_size}/dpi {raster.ocr_dpi}/max {raster.ocr_max_side}/"
        f"upscale {ocr.upscale_to}/min {ocr.min_confidence}/{languages}"
    )


@lru_cache(maxsize=2)
def _packed(path: Path, reader: str) -> dict[str, list[list[Word]]]:
    """sha256 -> pages of words from a words pack, or nothing where it was read by another reader."""
    try:
        data = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, ValueError):
        return {}
    if data.get("reader") != reader:
        return {}
    return {sha: [[Word.from_json(w) for w in page] for page in item["pages"]] for sha, item in data["files"].items()}


def page_words(
    document: Path, cache_key: str, caches: Sequence[Path], own_cache: Path | None, pack: Path | None = PACK
) -> list[list[Word]]:
    """The words of each page as `docai process` reads them: from a cache when it holds this file (own_cache, where
    an earlier run kept its OCR, included), from the shipped words pack when it holds the file as this deployment
    reads it, else OCR, kept in own_cache."""
    sha = hashlib.sha256(document.read_bytes()).hexdigest()
    for folder in [*caches, *([own_cache] if own_cache is not None else [])]:
        for name in (f"{cache_key}.json", f"{sha}.json"):
            words = _read_cache(folder / name, sha)
            if words is not None:
                return words
    packed = _packed(pack, reader_key()).get(sha) if pack is not None else None
    if packed is not None:
        return [list(page) for page in packed]
    from docai.eval.runner import rasterized_pages

    pages = rasterized_pages(document)
    if own_cache is not None:
        own_cache.mkdir(parents=True, exist_ok=True)
        data = {
            "file": str(document),
            "sha256": sha,
            "pages": [
                {
                    "index": p.index,
                    "width": p.image.width,
                    "height": p.image.height,
                    "words": [w.to_json() for w in p.words],
                }
                for p in pages
            ],
        }
        tmp = own_cache / f"{sha}.tmp"
        tmp.write_text(json.dumps(data))
        tmp.replace(own_cache / f"{sha}.json")
    return [list(p.words) for p in pages]


def write_pack(
    root: Path, out: Path, caches: Sequence[Path] = (), own_cache: Path | None = None, pack: Path | None = PACK
) -> int:
    """Write the words of every labelled document under root/sroie and root/funsd as a words pack (what PACK ships),
    read as `page_words` reads them (a pack made by this reader included: its words are what OCR gives here); returns
    how many files it holds."""
    files: dict[str, Any] = {}
    for folder in TRAIN_SETS:
        for sample in find_samples(root / folder) if (root / folder).is_dir() else []:
            if not sample.document.with_suffix(".json").exists():
                continue
            pages = page_words(sample.document, f"{root.name}_{folder}__{sample.name}", caches, own_cache, pack)
            sha = hashlib.sha256(sample.document.read_bytes()).hexdigest()
            files[sha] = {
                "name": f"{folder}/{sample.document.name}",
                "pages": [[w.to_json() for w in p] for p in pages],
            }
    data = {"reader": reader_key(), "files": dict(sorted(files.items()))}
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(gzip.compress(json.dumps(data, separators=(",", ":")).encode(), 9, mtime=0))
    tmp.replace(out)
    return len(files)


def _group(text: str) -> str:
    return re.sub(r"\W+", "", text.lower()) or "?"


def train_examples(
    root: Path,
    caches: Sequence[Path] = (),
    own_cache: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Example]:
    """Every labelled document under root/sroie and root/funsd, as fitting examples."""
    if not root.is_dir():
        raise FileNotFoundError(f"The training folder {root} does not exist.")
    examples: list[Example] = []
    for folder, schema in TRAIN_SETS.items():
        path = root / folder
        if not path.is_dir():
            continue
        set_key = f"{root.name}_{folder}"
        for sample in find_samples(path):
            truth_path = sample.document.with_suffix(".json")
            if not truth_path.exists():
                continue
            truth: dict[str, Any] = json.loads(truth_path.read_text())
            words = page_words(sample.document, f"{set_key}__{sample.name}", caches, own_cache)
            if schema == "receipt":
                fields = {SROIE[k]: v for k, v in truth.items() if k in SROIE}
                fields["total"] = final_total(fields.get("total"), words)
                group = _group(fields.get("merchant_name") or sample.name)
            else:
                fields = {"entities": truth.get("entities", []), "links": truth.get("links", [])}
                fields["key_value_pairs"] = truth.get("key_value_pairs", [])
                fields["size"] = (truth.get("width"), truth.get("height"))
                group = sample.name
            examples.append(Example(f"{folder}/{sample.name}", group, schema, words, fields, source=f"train/{folder}"))
            if progress:
                progress(examples[-1].name)
    return examples


def approved_examples(database_url: str | None = None) -> list[Example]:
    """Documents reviewers approved in this deployment, their corrected values as the truth (SQLite or PostgreSQL)."""
    from sqlalchemy import select

    from docai.store.db.models import Document, DocumentStatus
    from docai.store.db.session import session_scope

    examples: list[Example] = []
    with session_scope(database_url) as session:
        documents = session.scalars(
            select(Document).where(Document.status == DocumentStatus.APPROVED).order_by(Document.reviewed_at)
        )
        for document in documents:
            if not document.extractions or document.schema not in ("receipt", "invoice"):
                continue
            truth = dict(document.extractions[-1].current)
            pages = [
                [Word.from_json(row) for row in page.words] for page in sorted(document.pages, key=lambda p: p.index)
            ]
            group = _group(truth.get("merchant_name") or truth.get("vendor_name") or document.id)
            examples.append(Example(f"approved/{document.id}", group, document.schema, pages, truth, source="approved"))
    return examples
