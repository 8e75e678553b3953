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


# How a clerk names each kind of document.
KIND_WORDS = {
    "invoice": "invoices",
    "receipt": "receipts",
    "form": "forms",
    "chart": "charts",
    "ui_code": "screenshots of apps or web pages",
}

KIND_ONE = {"chart": "a chart", "ui_code": "a screenshot of an app or web page", "form": "a form"}


def unsupported_message(engine_name: str, supported: list[str], kind: str, guessed: bool = False) -> str:
    """The sentence a clerk reads when the engine running here cannot read this kind of document."""
    what = KIND_WORDS.get(kind, kind)
    names = [word for k, word in KIND_WORDS.items() if k in supported]
    readable = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names) or "nothing"
    looks = f"This document looks like {KIND_ONE.get(kind, kind)}. " if guessed else ""
    return (
        f"{looks}docai cannot read {what} on this server: its engine ({engine_name}) reads {readable} only. "
        f"Reading {what} needs the DeepSeek-VL engine, which an administrator can install (`docai model pull`). "
        "Reject this document, or upload it again as another kind if it is one."
    )


def capabilities(settings: Settings) -> dict[str, object]:
    """The engine DOCAI_ENGINE resolves to here, why, and the kinds it can and cannot read (nothing is loaded)."""
    from schemas.registry import schema_kinds

    concrete, reason = choose_engine(None, settings)
    try:
        engine = create_engine(concrete, engine_options(settings))
        supported = [kind for kind in schema_kinds() if engine.supports(kind)]
    except UnknownEngine as err:
        return {"engine": concrete, "reason": str(err), "supports": [], "unsupported": {}}
    unsupported = {
        kind: unsupported_message(concrete, supported, kind) for kind in schema_kinds() if kind not in supported
    }
    return {"engine": concrete, "reason": reason, "supports": supported, "unsupported": unsupported}
