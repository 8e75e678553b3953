"""Vendor memory: for merchants a reviewer approved, what their name and address read and where they stood.

A new document is matched to a remembered merchant by its header rows; the remembered values then become
candidates of their own and every candidate gets features saying how close it is to them. The chooser learns how
far to trust that (fitted with each training receipt's memory made of the *other* receipts), so memory proposes and
the model still decides. Kept as JSON beside the model (`memory.json`), rebuilt by `docai train`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from model.learned.compare import norm_text

FILE = "memory.json"
MATCH_AT = 0.9  # header similarity from which a document is taken to be from a remembered merchant
HEADER_ROWS = 12
MIN_PREFIX = 8  # a remembered name this long may match the start of a row; shorter ones would match by chance


@dataclass(frozen=True)
class Vendor:
    """One approved merchant: its name and address as approved, and the header row its name started on."""

    key: str  # normalized name
    name: str
    address: str | None = None
    name_row: int | None = None


class VendorMemory:
    def __init__(self, vendors: list[Vendor]):
        self.vendors = vendors

    @classmethod
    def from_examples(cls, truths: list[dict[str, Any]]) -> VendorMemory:
        """One entry per merchant, the latest approval winning."""
        by_key: dict[str, Vendor] = {}
        for truth in truths:
            name = truth.get("merchant_name")
            if name:
                by_key[norm_text(name)] = Vendor(norm_text(name), name, truth.get("merchant_address"))
        return cls(sorted(by_key.values(), key=lambda v: v.key))

    def without(self, name: str | None) -> VendorMemory:
        key = norm_text(name)
        return VendorMemory([v for v in self.vendors if v.key != key])

    def save(self, folder: Path) -> None:
        (folder / FILE).write_text(json.dumps([asdict(v) for v in self.vendors], indent=1, sort_keys=True) + "\n")

    @classmethod
    def load(cls, folder: Path) -> VendorMemory:
        path = folder / FILE
        if not path.exists():
            return cls([])
        return cls([Vendor(**row) for row in json.loads(path.read_text())])

    def match(self, header: list[str]) -> tuple[Vendor, float, int] | None:
        """The remembered merchant whose name reads best in the header rows (one row or two joined, or the start of
        one: OCR glues a registration number or the address to the name), its similarity and the row; None under
        MATCH_AT."""
        if not self.vendors:
            return None
        from rapidfuzz.fuzz import ratio
        from rapidfuzz.process import extractOne

        best: tuple[Vendor, float, int] | None = None
        texts = [norm_text(t) for t in header[:HEADER_ROWS]]
        spans = [(i, t) for i, t in enumerate(texts) if len(t) >= 3]
        spans += [(i, texts[i] + texts[i + 1]) for i in range(len(texts) - 1) if texts[i] and texts[i + 1]]
        by_length: dict[int, list[int]] = {}
        for k, v in enumerate(self.vendors):
            by_length.setdefault(len(v.key), []).append(k)
        for row, text in spans:
            tries = [(text, list(range(len(self.vendors))))]
            tries += [(text[:n], ks) for n, ks in by_length.items() if n >= MIN_PREFIX and len(text) > n]
            for piece, ks in tries:
                found = extractOne(piece, [self.vendors[k].key for k in ks], scorer=ratio, score_cutoff=MATCH_AT * 100)
                if found and (best is None or found[1] / 100 > best[1]):
                    best = (self.vendors[ks[found[2]]], found[1] / 100, row)
        return best
