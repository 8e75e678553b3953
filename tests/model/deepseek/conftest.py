"""Tiny random DeepSeek-VL checkpoints (both classes, both layouts), built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.base import EngineOptions
from model.deepseek.testing import make_tiny_model


@pytest.fixture(scope="session")
def tiny_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deepseek-tiny")


@pytest.fixture(scope="session")
def tiny_13b(tiny_root: Path) -> Path:
    return make_tiny_model(tiny_root / "1.3b", "1.3b", seed=1)


@pytest.fixture(scope="session")
def tiny_7b(tiny_root: Path) -> Path:
    return make_tiny_model(tiny_root / "7b", "7b", seed=2)


@pytest.fixture(scope="session")
def tiny_pairs(tiny_root: Path) -> dict[str, tuple[Path, Path]]:
    """Per kind: a transformers-layout checkpoint and its original-layout twin with the same weights."""
    return {
        kind: (
            make_tiny_model(tiny_root / f"{kind}-pair-t", kind, "transformers", seed=3),
            make_tiny_model(tiny_root / f"{kind}-pair-o", kind, "original", seed=3),
        )
        for kind in ("1.3b", "7b")
    }


@pytest.fixture(scope="session")
def engine_13b(tiny_13b: Path):
    from model.deepseek.engine import DeepseekVLEngine

    engine = DeepseekVLEngine(EngineOptions(model_path=tiny_13b, device="cpu", max_new_tokens=96, max_batch_pages=8))
    engine.load()
    yield engine
    engine.close()
