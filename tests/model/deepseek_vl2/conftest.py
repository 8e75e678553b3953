"""A tiny DeepSeek-VL2 checkpoint (original layout, bf16 shards), built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.deepseek_vl2.testing import make_tiny_vl2


@pytest.fixture(scope="session")
def tiny_vl2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_vl2(tmp_path_factory.mktemp("vl2") / "deepseek-vl2-tiny", "tiny-mha", seed=5)
