"""Fixtures for ingest tests: the malformed corpus parametrizes `malformed` and `recoverable`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from corpus import MALFORMED, RECOVERABLE, ingest_and_rasterize, make_image, make_pdf

from docai.stages.rasterize import RasterPage


@pytest.fixture
def process() -> Callable[..., list[RasterPage]]:
    """sniff + rasterize as one call, as the pipeline runs them."""
    return ingest_and_rasterize


@pytest.fixture
def pdf_bytes() -> Callable[..., bytes]:
    return make_pdf


@pytest.fixture
def image_bytes() -> Callable[..., bytes]:
    return make_image


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "malformed" in metafunc.fixturenames:
        metafunc.parametrize("malformed", MALFORMED, ids=[c.filename for c in MALFORMED])
    if "recoverable" in metafunc.fixturenames:
        metafunc.parametrize("recoverable", RECOVERABLE, ids=[c.filename for c in RECOVERABLE])
