"""JSON pointers checked against a schema: a correction may only touch a field the schema has."""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

DEFAULT_MAX_CHARS = 10_000  # longest text one field may be set to (a model may allow more: its text_limits)
MAX_INDEX_DIGITS = 6  # a list index over 999,999 names nothing a document holds


class UnknownPath(ValueError):
    """A JSON pointer that names no field of the schema."""


@dataclass(frozen=True)
class SchemaPath:
    """A pointer checked against a schema: its tokens, and the field it ends in (or inside)."""

    tokens: tuple[str, ...]
    annotation: Any  # the type the pointer ends at
    field: FieldInfo | None
    max_chars: int = DEFAULT_MAX_CHARS  # longest text the value may hold


def _unwrap(annotation: Any) -> Any:
    """Annotated[X, ...] -> X and X | None -> X."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _is_index(token: str) -> bool:
    return token.isascii() and token.isdigit() and len(token) <= MAX_INDEX_DIGITS and (token == "0" or token[0] != "0")


def tokens_of(pointer: str) -> tuple[str, ...]:
    """RFC 6901 tokens of a pointer such as '/line_items/0/amount'."""
    if not pointer.startswith("/"):
        raise UnknownPath(
            f"{pointer[:80]!r} is not a JSON pointer; fields look like '/total' or '/line_items/0/amount'."
        )
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/"))


def resolve(model: type[BaseModel], pointer: str, *, append: bool = False) -> SchemaPath:
    """The field of model a pointer names; UnknownPath when the schema has none there.

    '-' (the end of a list, as in RFC 6902) is accepted as the last token when append is True.
    """
    tokens = tokens_of(pointer)
    name = getattr(model, "kind", "") or model.__name__
    annotation: Any = model
    field: FieldInfo | None = None
    max_chars = DEFAULT_MAX_CHARS
    for position, token in enumerate(tokens):
        node = _unwrap(annotation)
        where = "/" + "/".join(tokens[:position])
        if isinstance(node, type) and issubclass(node, BaseModel):
            found = node.model_fields.get(token)
            if found is None:
                raise UnknownPath(f"{pointer[:80]!r}: the {name} schema has no field {token[:40]!r} at {where}.")
            field, annotation = found, found.annotation
            max_chars = getattr(node, "text_limits", {}).get(token, DEFAULT_MAX_CHARS)
        elif get_origin(node) is list:
            if not _is_index(token) and not (token == "-" and append and position == len(tokens) - 1):
                raise UnknownPath(f"{pointer[:80]!r}: {token[:40]!r} is not a list index ({where} is a list).")
            annotation = (get_args(node) or (Any,))[0]
        else:
            raise UnknownPath(f"{pointer[:80]!r}: {where} holds a single value, not fields.")
    return SchemaPath(tokens, annotation, field, max_chars)
