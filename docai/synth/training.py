"""Generated invoices and receipts as examples for `docai train`: their words as the pipeline reads a born-digital PDF."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from docai.synth.invoices import synthetic_invoices
from model.learned.fit import Example


def invoice_examples(
    count: int, seed: int = 0, progress: Callable[[str], None] | None = None, scan_every: int = 0
) -> list[Example]:
    """count generated invoices of set seed (born-digital), grouped by layout: CV folds keep a template together, so
    the out-of-fold figures, and the confidence calibrated on them, are those of a layout the fit never saw (grouped
    by vendor, the vendor chooser read 0.997 out of fold and promised 0.99 on real invoices it got wrong)."""
    invoices = synthetic_invoices(count, seed, scan_every=scan_every)  # scans: rendered with noise and skew, OCR'd
    return _read(invoices, "invoice", lambda inv: inv.meta["template"], progress)


def receipt_examples(
    count: int, seed: int = 0, progress: Callable[[str], None] | None = None, scan_every: int = 0
) -> list[Example]:
    """count generated receipts of set seed, grouped by merchant: only for calibrating the receipt rules.

    Not for the learned receipt chooser, which is fitted on real receipts (the generator's layouts are too few
    to teach it which candidate is right, but enough to say how often a rule's pick is).
    """
    from docai.synth.receipts import synthetic_receipts

    receipts = synthetic_receipts(count, seed, scan_every=scan_every)
    return _read(receipts, "receipt", lambda rec: f"{rec.meta['style']}/{rec.truth['merchant_name']}", progress)


def _read(
    documents: Iterable[Any], schema: str, group: Callable[[Any], str], progress: Callable[[str], None] | None
) -> list[Example]:
    """Each generated PDF (or scan) rasterized with the settings' options, as `docai process` reads it."""
    from docai.settings import get_settings
    from docai.stages.ingest import sniff
    from docai.stages.pipeline import PipelineOptions
    from docai.stages.rasterize import rasterize

    options = PipelineOptions.from_settings(get_settings())
    examples = []
    for doc in documents:
        media = sniff(doc.data, f"{doc.name}{doc.suffix}", options.limits)
        pages = [list(p.words) for p in rasterize(doc.data, media, options.raster)]
        source = f"synth/{schema}s"
        examples.append(Example(f"{schema}s/{doc.name}", group(doc), schema, pages, doc.truth, source=source))
        if progress:
            progress(examples[-1].name)
    return examples
