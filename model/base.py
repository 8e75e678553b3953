"""The engine protocol, engine options, and a registry of engines keyed by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from model.types import ExtractRequest, ExtractResult


@dataclass(frozen=True)
class EngineOptions:
    model_path: Path | None = None  # DeepSeek-VL weights folder
    device: str = "auto"  # auto, cpu, cuda, cuda:N
    dtype: str | None = None  # bfloat16, float32; None: bf16 on GPU, fp32 on CPU
    max_new_tokens: int = 512
    max_batch_pages: int = 8
    ocr_languages: str = "eng"
    learned_path: Path | None = None  # a deployment's refitted chooser (docai train); None: the shipped one


@runtime_checkable
class Engine(Protocol):
    """Turns batches of pages into schema instances; knows nothing of the database, HTTP or Celery."""

    name: str

    def load(self) -> None: ...

    def extract_batch(self, requests: Sequence[ExtractRequest]) -> list[ExtractResult]: ...

    def close(self) -> None: ...

    @property
    def model_id(self) -> str: ...

    def supports(self, schema: str) -> bool: ...


EngineFactory = Callable[[EngineOptions], Engine]
_ENGINES: dict[str, EngineFactory] = {}


class UnknownEngine(KeyError):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"unknown engine {self.name!r}; known: auto, {', '.join(sorted(_ENGINES))}"


def register_engine(name: str) -> Callable[[EngineFactory], EngineFactory]:
    def decorate(factory: EngineFactory) -> EngineFactory:
        if name in _ENGINES:
            raise ValueError(f"engine {name!r} is already registered")
        _ENGINES[name] = factory
        return factory

    return decorate


def engine_names() -> list[str]:
    _load_builtin()
    return sorted(_ENGINES)


def create_engine(name: str, options: EngineOptions) -> Engine:
    """Build (not load) the engine registered under name."""
    _load_builtin()
    try:
        factory = _ENGINES[name]
    except KeyError:
        raise UnknownEngine(name) from None
    return factory(options)


def resolve_engine_name(name: str, options: EngineOptions) -> tuple[str, str]:
    """Turn 'auto' into a concrete engine name, with the reason for the choice."""
    if name != "auto":
        return name, f"engine {name!r} was asked for"
    from model.weights import weights_status

    status = weights_status(options.model_path)
    if status.complete:
        name = "DeepSeek-VL2" if status.family == "deepseek-vl2" else "DeepSeek-VL"
        return "deepseek-vl", f"{name} weights found at {status.path}"
    return "ocr", f"no DeepSeek-VL weights at {status.path} ({status.problem}); using the CPU 'ocr' engine"


def _load_builtin() -> None:
    # Engines register on import; the DeepSeek-VL module imports torch only when loaded.
    import model.deepseek  # noqa: F401
    import model.ocr_engine  # noqa: F401
