"""What DeepSeek-VL / DeepSeek-VL2 weights are on disk (no torch import)."""

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
    family: str | None = None  # 'deepseek-vl' or 'deepseek-vl2', from config.json's model_type


# Where `docai model pull` puts each size under DOCAI_HOME/models, in the order a default model is looked for.
DEFAULT_DIR_NAMES = (
    "deepseek-vl-1.3b-chat",
    "deepseek-vl-7b-chat",
    "deepseek-vl2-tiny",
    "deepseek-vl2-small",
    "deepseek-vl2",
)


def default_model_path(models: Path) -> Path:
    """The first pulled checkpoint under models (DeepSeek-VL 1.3B first), else where the 1.3B would go."""
    for name in DEFAULT_DIR_NAMES:
        if (models / name / "config.json").is_file():
            return models / name
    return models / DEFAULT_DIR_NAMES[0]


def family_of(config: dict) -> str:
    """Which DeepSeek-VL generation a config.json describes."""
    return "deepseek-vl2" if config.get("model_type") == "deepseek_vl_v2" else "deepseek-vl"


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
        raw = json.loads(config.read_text())
        family = family_of(raw) if isinstance(raw, dict) else None
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
            return WeightsStatus(path, False, f"missing weight shards: {', '.join(missing)}", family=family)
        return WeightsStatus(path, True, family=family)
    if any(path.glob("*.safetensors")) or any(path.glob("pytorch_model*.bin")):
        return WeightsStatus(path, True, family=family)
    return WeightsStatus(path, False, "no *.safetensors or pytorch_model*.bin weight files")
