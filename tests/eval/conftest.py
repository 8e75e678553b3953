"""Fixtures for the eval tests: a folder to write documents and their ground truth into."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def write_sample(tmp_path: Path) -> Callable[..., Path]:
    """Write NAME.<suffix> and its NAME.json (or NAME.csv) truth into one folder; returns the folder."""
    folder = tmp_path / "set"
    folder.mkdir()

    def write(name: str, document: bytes, suffix: str, truth: Any, truth_suffix: str = ".json") -> Path:
        (folder / f"{name}{suffix}").write_bytes(document)
        text = truth if isinstance(truth, str) else json.dumps(truth)
        (folder / f"{name}{truth_suffix}").write_text(text, encoding="utf-8")
        return folder

    return write
