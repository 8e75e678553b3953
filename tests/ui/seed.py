"""Fill a DOCAI_HOME with documents run through the real pipeline (`python -m tests.ui.seed OUT.json [tiny]`).

Run in a child process by the UI tests' fixture: the ocr engine reads a receipt, an invoice and a chart
(which it cannot extract: that one ends failed); with `tiny`, a tiny random DeepSeek-VL checkpoint (built here)
extracts a chart and a UI screenshot, so the Chart and UI-code pages have real stored results to show.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from docai.settings import get_settings
from docai.stages.engines import get_engine
from docai.stages.pipeline import PipelineOptions, process_files
from docai.store.db.migrate import ensure_database
from docai.store.db.session import session_factory
from docai.store.storage import store_from_settings

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
OCR_DOCS = {
    "receipt": (DATA / "sroie" / "X00016469612.jpg", "receipt"),
    "invoice": (DATA / "invoice2data" / "AzureInterior.pdf", "invoice"),
    "chart_failed": (DATA / "chartqa" / "1839.png", "chart"),
}
TINY_DOCS = {
    "chart": (DATA / "chartqa" / "1270.png", "chart"),
    "ui_code": (DATA / "design2code" / "12142.png", "ui_code"),
}
# A random model rambles until the token cap; a low cap keeps the run short and the output still parses.
TINY_MAX_NEW_TOKENS = 48


def tiny_engine(folder: Path):  # type: ignore[no-untyped-def]
    from model.base import EngineOptions, create_engine
    from model.deepseek.testing import make_tiny_model

    make_tiny_model(folder)
    options = EngineOptions(model_path=folder, device="cpu", max_new_tokens=TINY_MAX_NEW_TOKENS)
    engine = create_engine("deepseek-vl", options)
    engine.load()
    return engine


def seed(tiny: bool) -> dict[str, dict]:
    settings = get_settings()
    ensure_database(settings.resolved_database_url)
    store = store_from_settings(settings)
    options = PipelineOptions.from_settings(settings)
    if tiny:
        engine, docs = tiny_engine(settings.home / "tiny-deepseek-vl"), TINY_DOCS
    else:
        engine, docs = get_engine("ocr", settings)[0], OCR_DOCS
    seeded = {}
    with session_factory(settings.resolved_database_url)() as session:
        for name, (path, schema) in docs.items():
            (outcome,) = process_files(session, store, [(path.name, path.read_bytes())], engine, options, schema=schema)
            seeded[name] = {"id": outcome.document.id, "status": outcome.document.status}
    return seeded


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.write_text(json.dumps(seed(tiny=len(sys.argv) > 2 and sys.argv[2] == "tiny")))
