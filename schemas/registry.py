"""Schemas register under their kind; lookups of an unknown kind list the known ones."""

from __future__ import annotations

from typing import Any, TypeVar

from schemas.common import DocSchema

T = TypeVar("T", bound=type[DocSchema])
_SCHEMAS: dict[str, type[DocSchema]] = {}


class UnknownSchema(KeyError):
    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind

    def __str__(self) -> str:
        return f"unknown schema {self.kind!r}; known: {', '.join(sorted(_SCHEMAS))}"


def register_schema(cls: T) -> T:
    kind = cls.kind
    if not kind:
        raise ValueError(f"{cls.__name__} has no kind")
    if kind in _SCHEMAS:
        raise ValueError(f"schema {kind!r} is already registered by {_SCHEMAS[kind].__name__}")
    _SCHEMAS[kind] = cls
    return cls


def get_schema(kind: str) -> type[DocSchema]:
    _load_builtin()
    try:
        return _SCHEMAS[kind]
    except KeyError:
        raise UnknownSchema(kind) from None


def schema_kinds() -> list[str]:
    _load_builtin()
    return sorted(_SCHEMAS)


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON schema the model must fill (serialization mode: amounts are strings, dates ISO strings)."""
    return get_schema(kind).model_json_schema(mode="serialization")


def _load_builtin() -> None:
    # Import side effect: each module registers its schema once.
    import schemas.chart  # noqa: F401
    import schemas.form  # noqa: F401
    import schemas.invoice  # noqa: F401
    import schemas.receipt  # noqa: F401
    import schemas.ui_code  # noqa: F401
