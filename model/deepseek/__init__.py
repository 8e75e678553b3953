"""The bundled DeepSeek-VL engine; importing this registers it (torch is imported only when it loads)."""

from __future__ import annotations

from model.base import EngineOptions, register_engine
from model.deepseek.engine import NAME, DeepseekVLEngine


@register_engine(NAME)
def _create(options: EngineOptions) -> DeepseekVLEngine:
    return DeepseekVLEngine(options)


__all__ = ["DeepseekVLEngine"]
