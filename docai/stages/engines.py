"""Pick, build and load the engine a process uses (once per process)."""

from __future__ import annotations

import logging
import threading

from docai.errors import DocaiError, ErrorCode
from docai.settings import Settings
from model.base import Engine, EngineOptions, UnknownEngine, create_engine, resolve_engine_name

log = logging.getLogger(__name__)
_LOADED: dict[tuple[str, EngineOptions], Engine] = {}
_LOCK = threading.Lock()


def engine_options(settings: Settings) -> EngineOptions:
    return EngineOptions(
        model_path=settings.model_path,
        device=settings.device,
        max_new_tokens=settings.max_new_tokens,
        max_batch_pages=settings.max_batch_pages,
        ocr_languages=settings.ocr_languages,
        learned_path=(settings.home / "models" / "learned").resolve(),  # `docai train` writes a refit here
    )


def choose_engine(name: str | None, settings: Settings) -> tuple[str, str]:
    """The concrete engine name for name (default: DOCAI_ENGINE) and why it was picked."""
    return resolve_engine_name(name or settings.engine, engine_options(settings))


def get_engine(name: str | None, settings: Settings) -> tuple[Engine, str]:
    """A loaded engine, shared within the process, and the reason it was picked."""
    concrete, reason = choose_engine(name, settings)
    options = engine_options(settings)
    key = (concrete, options)
    with _LOCK:
        engine = _LOADED.get(key)
        if engine is None:
            try:
                engine = create_engine(concrete, options)
            except UnknownEngine as err:
                raise DocaiError(ErrorCode.ENGINE_UNAVAILABLE, str(err)) from err
            engine.load()
            _LOADED[key] = engine
            log.info("engine %s loaded: %s", concrete, reason)
    return engine, reason


def close_engines() -> None:
    with _LOCK:
        for engine in _LOADED.values():
            engine.close()
        _LOADED.clear()
