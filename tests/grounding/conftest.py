"""Fixtures for the grounding tests: pages of words laid out in rows."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from model.types import Word


@pytest.fixture
def page() -> Callable[[list[str]], list[Word]]:
    """Words for rows of text: one row per string, words spread left to right, 0.05 of the page apart vertically."""

    def build(rows: list[str], confidence: float = 0.95) -> list[Word]:
        words = []
        for r, row in enumerate(rows):
            x = 0.05
            for token in row.split():
                width = 0.015 * len(token)
                words.append(Word(token, (x, 0.05 * r + 0.01, x + width, 0.05 * r + 0.04), confidence, r, 0))
                x += width + 0.01
        return words

    return build
