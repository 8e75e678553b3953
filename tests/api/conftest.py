"""An API instance on a real database (SQLite, and PostgreSQL via db_url), the embedded broker, the ocr engine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

KEY = "test-key-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}


def receipt_pdf(i: int, total: str = "12.30") -> bytes:
    """A one-page receipt with a text layer; i makes its bytes (and its merchant) unique."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=300, height=420)
    lines = [
        f"CAFE NUMBER {i}",
        f"{i} MAIN STREET, SPRINGFIELD",
        "Date: 2024-03-15  Time: 10:42",
        "COFFEE LATTE          4.50",
        "CROISSANT             3.20",
        f"TOTAL                 {total}",
        "CASH",
    ]
    for n, line in enumerate(lines):
        page.insert_text((20, 40 + 22 * n), line, fontsize=10)
    doc.set_metadata({})  # no creation time: the same i gives the same bytes
    return doc.tobytes(no_new_id=True)


@dataclass
class Api:
    client: TestClient
    settings: object
    db_url: str


@pytest.fixture
def make_settings(docai_home: Path):  # type: ignore[no-untyped-def]
    from docai.settings import Settings

    def make(db_url: str, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "home": docai_home,
            "database_url": db_url,
            "api_keys": [KEY],
            "engine": "ocr",
            "reconcile_interval": 0,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def api(db_url: str, make_settings) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    from docai.api import create_app

    settings = make_settings(db_url)
    with TestClient(create_app(settings, reconcile=False)) as client:
        yield Api(client, settings, db_url)


def run_queued_jobs(settings) -> int:  # type: ignore[no-untyped-def]
    """Run every queued job in this process, as a worker would (rasterize, then extract); returns jobs run."""
    from sqlalchemy import select

    from docai.service.jobs import EXTRACT, run_extract, run_rasterize
    from docai.stages.engines import get_engine
    from docai.stages.pipeline import PipelineOptions
    from docai.store.db.models import Job, JobStatus
    from docai.store.db.session import session_factory
    from docai.store.storage import store_from_settings

    options = PipelineOptions.from_settings(settings)
    store = store_from_settings(settings)
    ran = 0
    with session_factory(settings.resolved_database_url)() as session:
        while True:
            job = session.scalar(select(Job).where(Job.status == JobStatus.QUEUED).order_by(Job.created_at))
            if job is None:
                return ran
            if job.stage == EXTRACT:
                outcome = run_extract(
                    session, store, job.id, job.task_id, "test", options, lambda n: get_engine(n, settings)[0], 8
                )
            else:
                outcome = run_rasterize(session, store, job.id, job.task_id, "test", options)
            ran += len(outcome.ran)
