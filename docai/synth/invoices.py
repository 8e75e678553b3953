"""Synthetic invoices with exact labels: born-digital PDFs in several layouts and languages, and their scans.

Deterministic from (seed, index). `docai train` fits on them; `docai eval DIR --schema invoice` scores on a
held-out seed. Run `python -m docai.synth.invoices DIR --count 300 --seed 0` to write a folder of
NAME.pdf|jpg + NAME.json (the invoice schema's fields) + NAME.meta.json (layout, language, value boxes).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docai.synth.content import LANGUAGES, make_content
from docai.synth.layouts import TEMPLATES, render_pdf
from docai.synth.scan import render_scan

TEMPLATE_NAMES = tuple(TEMPLATES)


@dataclass
class SynthInvoice:
    name: str
    suffix: str  # ".pdf" or ".jpg"
    data: bytes
    truth: dict[str, Any]
    meta: dict[str, Any]


def make_invoice(seed: int, index: int, scan: bool = False) -> SynthInvoice:
    """Invoice number `index` of the set `seed`: layout and language cycle so every pair is covered."""
    rng = random.Random(seed * 1_000_003 + index)
    template = TEMPLATE_NAMES[index % len(TEMPLATE_NAMES)]
    lang = LANGUAGES[(index // len(TEMPLATE_NAMES)) % len(LANGUAGES)]
    content = make_content(rng, lang)
    pdf, boxes = render_pdf(content, template, rng)
    name = f"synth-s{seed}-{index:04d}"
    meta = {"seed": seed, "index": index, "template": template, "language": lang, "scan": scan}
    meta |= {"gross": content.gross, "shipping": str(content.shipping) if content.shipping else None}
    meta["item_head"] = content.style["item_head"]  # without a header row the table's columns go unnamed
    meta["vendor_kind"] = content.style["vendor_kind"]  # legal name, brand only, brand over its legal name or entity
    meta["brand"], meta["entity"], meta["slogan"] = content.brand, content.entity, content.style["slogan"]
    if scan:
        data, boxes = render_scan(pdf, boxes, rng)
        return SynthInvoice(f"{name}-scan", ".jpg", data, content.truth(), {**meta, "boxes": boxes})
    return SynthInvoice(name, ".pdf", pdf, content.truth(), {**meta, "boxes": boxes})


def synthetic_invoices(count: int, seed: int = 0, start: int = 0, scan_every: int = 0) -> Iterator[SynthInvoice]:
    """count born-digital invoices from index start; with scan_every=k, every k-th one also as a scan."""
    for index in range(start, start + count):
        yield make_invoice(seed, index)
        if scan_every and index % scan_every == scan_every - 1:
            yield make_invoice(seed, index, scan=True)


def write_set(
    folder: Path, count: int, seed: int = 0, start: int = 0, scan_every: int = 0, factur_x: bool = False
) -> list[Path]:
    """Write documents with NAME.json truth and NAME.meta.json beside them; returns the document paths.

    factur_x: the born-digital PDFs carry their labels as embedded CII XML (Factur-X / ZUGFeRD hybrids).
    """
    from docai.synth.einvoice import cii_xml, embed

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for inv in synthetic_invoices(count, seed, start, scan_every):
        if factur_x and inv.suffix == ".pdf":
            inv.data, inv.meta["factur_x"] = embed(inv.data, cii_xml(inv.truth)), True
        path = folder / f"{inv.name}{inv.suffix}"
        path.write_bytes(inv.data)
        (folder / f"{inv.name}.json").write_text(json.dumps(inv.truth, ensure_ascii=False, indent=1), "utf-8")
        (folder / f"{inv.name}.meta.json").write_text(json.dumps(inv.meta, ensure_ascii=False), "utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write synthetic invoices with exact labels.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--scan-every", type=int, default=4, help="also write every k-th invoice as a scan (0: none)")
    parser.add_argument("--factur-x", action="store_true", help="embed each PDF's labels as CII XML (Factur-X)")
    args = parser.parse_args(argv)
    paths = write_set(args.folder, args.count, args.seed, args.start, args.scan_every, args.factur_x)
    print(f"wrote {len(paths)} documents to {args.folder}")


if __name__ == "__main__":
    main()
