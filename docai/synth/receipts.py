"""Synthetic till receipts with exact labels: narrow born-digital PDFs in several printer styles.

Deterministic from (seed, index): the same pair gives the same bytes. `docai train --receipts N` calibrates the
receipt rules' confidences on them (the learned receipt chooser is fitted on real receipts only). Run
`python -m docai.synth.receipts DIR --count 200 --seed 13` to write NAME.pdf + NAME.json (receipt fields) +
NAME.meta.json. Content comes from general knowledge of shop receipts (Malaysian ones mostly, as the product
reads), not from any labelled set.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docai.synth.receipt_content import make_content
from docai.synth.receipt_render import STYLE_NAMES, STYLES, Tape

__all__ = ["STYLE_NAMES", "SynthReceipt", "make_receipt", "synthetic_receipts", "write_set"]


@dataclass
class SynthReceipt:
    name: str
    data: bytes
    truth: dict[str, Any]
    meta: dict[str, Any]
    suffix: str = ".pdf"  # ".jpg" for a scan


def make_receipt(seed: int, index: int, scan: bool = False) -> SynthReceipt:
    """Receipt number `index` of the set `seed`: the style cycles so every style is covered. With scan, the same
    receipt as a noisy, skewed JPEG (docai/synth/scan.py), for OCR."""
    rng = random.Random(seed * 1_000_003 + index)
    style = STYLE_NAMES[index % len(STYLE_NAMES)]
    content = make_content(rng)
    # a tax or service row needs the subtotal above it; otherwise half the tills print none
    content.style["subtotal_printed"] = content.tax_mode == "excl" or content.service is not None or rng.random() < 0.5
    draw, font = STYLES[style]
    tape = Tape(font, rng.choice((7.0, 7.5, 8.0)))
    draw(tape, content, rng)
    meta = {"seed": seed, "index": index, "style": style, "region": content.region, "tax_mode": content.tax_mode}
    meta |= {"date_text": content.date_text, "time_text": content.time_text, "payment": content.payment[0]}
    name, pdf = f"receipt-s{seed}-{index:04d}", tape.render()
    if scan:
        from docai.synth.scan import render_scan

        image, _ = render_scan(pdf, {}, rng)
        return SynthReceipt(f"{name}-scan", image, content.truth(), {**meta, "scan": True}, ".jpg")
    return SynthReceipt(name, pdf, content.truth(), meta)


def synthetic_receipts(count: int, seed: int = 0, start: int = 0, scan_every: int = 0) -> Iterator[SynthReceipt]:
    """count receipts from index start; with scan_every=k, every k-th one also as a scan."""
    for index in range(start, start + count):
        yield make_receipt(seed, index)
        if scan_every and index % scan_every == scan_every - 1:
            yield make_receipt(seed, index, scan=True)


def write_set(folder: Path, count: int, seed: int = 0, start: int = 0) -> list[Path]:
    """Write NAME.pdf with NAME.json truth and NAME.meta.json beside it; returns the PDF paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for rec in synthetic_receipts(count, seed, start):
        path = folder / f"{rec.name}.pdf"
        path.write_bytes(rec.data)
        (folder / f"{rec.name}.json").write_text(json.dumps(rec.truth, ensure_ascii=False, indent=1), "utf-8")
        (folder / f"{rec.name}.meta.json").write_text(json.dumps(rec.meta, ensure_ascii=False), "utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write synthetic receipts with exact labels.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0)
    args = parser.parse_args(argv)
    paths = write_set(args.folder, args.count, args.seed, args.start)
    print(f"wrote {len(paths)} receipts to {args.folder}")


if __name__ == "__main__":
    main()
