"""Engines: the bundled DeepSeek-VL engine and the CPU 'ocr' engine, behind one protocol."""

from model.base import Engine, EngineOptions, create_engine, engine_names, register_engine, resolve_engine_name
from model.types import ExtractRequest, ExtractResult, PageInput, Word

__all__ = [
    "Engine",
    "EngineOptions",
    "ExtractRequest",
    "ExtractResult",
    "PageInput",
    "Word",
    "create_engine",
    "engine_names",
    "register_engine",
    "resolve_engine_name",
]
