"""Generated invoices and receipts as examples for `docai train`: their words as the pipeline reads a born-digital PDF."""

from __future__ import annotations

from collections.abc import Callable

from docai.synth.invoices import synthetic_invoices
from model.learned.fit import Example


def invoice_examples(count: int, seed: int = 0, progress: Callable[[str], None] | None = None) -> list[Example]:
    """count generated invoices of set seed (born-digital), grouped by vendor so CV folds keep a vendor together."""
    from docai.settings import get_settings
    from docai.stages.ingest import MediaType
    from docai.stages.pipeline import PipelineOptions
    from docai.stages.rasterize import rasterize

    options = PipelineOptions.from_settings(get_settings()).raster
    examples = []
    for inv in synthetic_invoices(count, seed):
        pages = [list(p.words) for p in rasterize(inv.data, MediaType.PDF, options)]
        group = f"{inv.meta['template']}/{inv.truth['vendor_name']}"
        examples.append(Example(f"invoices/{inv.name}", group, "invoice", pages, inv.truth, source="synth/invoices"))
        if progress:
            progress(examples[-1].name)
    return examples


def receipt_examples(count: int, seed: int = 0, progress: Callable[[str], None] | None = None) -> list[Example]:
    """count generated receipts of set seed, grouped by merchant: only for calibrating the receipt rules.

    Not for the learned receipt chooser, which is fitted on real receipts (the generator's layouts are too few
    to teach it which candidate is right, but enough to say how often a rule's pick is).
    """
    from docai.settings import get_settings
    from docai.stages.ingest import MediaType
    from docai.stages.pipeline import PipelineOptions
    from docai.stages.rasterize import rasterize
    from docai.synth.receipts import synthetic_receipts

    options = PipelineOptions.from_settings(get_settings()).raster
    examples = []
    for rec in synthetic_receipts(count, seed):
        pages = [list(p.words) for p in rasterize(rec.data, MediaType.PDF, options)]
        group = f"{rec.meta['style']}/{rec.truth['merchant_name']}"
        examples.append(Example(f"receipts/{rec.name}", group, "receipt", pages, rec.truth, source="synth/receipts"))
        if progress:
            progress(examples[-1].name)
    return examples
