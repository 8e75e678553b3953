"""What DeepSeek-VL weights are on disk (no torch import)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WeightsStatus:
    path: Path
    complete: bool
    problem: str | None = None
    layout: str | None = None  # 'transformers' or 'original'


def weights_status(path: Path | None) -> WeightsStatus:
    """Whether a usable checkpoint sits at path: a config and every weight file it names."""
    if path is None:
        return WeightsStatus(Path("<unset>"), False, "no model path configured")
    if not path.is_dir():
        return WeightsStatus(path, False, "folder does not exist")
    config = path / "config.json"
    if not config.is_file():
        return WeightsStatus(path, False, "no config.json")
    try:
        json.loads(config.read_text())
    except (OSError, ValueError) as err:
        return WeightsStatus(path, False, f"config.json unreadable: {err}")
    index = path / "model.safetensors.index.json"
    if index.is_file():
        try:
            shards = set(json.loads(index.read_text())["weight_map"].values())
        except (OSError, ValueError, KeyError) as err:
            return WeightsStatus(path, False, f"weight index unreadable: {err}")
        missing = sorted(s for s in shards if not (path / s).is_file())
        if missing:
            return WeightsStatus(path, False, f"missing weight shards: {', '.join(missing)}")
        return WeightsStatus(path, True)
    if any(path.glob("*.safetensors")) or any(path.glob("pytorch_model*.bin")):
        return WeightsStatus(path, True)
    return WeightsStatus(path, False, "no *.safetensors or pytorch_model*.bin weight files")
