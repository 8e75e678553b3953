"""Model output -> schema instance: JSON leaf spans, truncation repair, pruning of invalid values, confidence."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

_WS = " \t\r\n"


def _pointer(parts: Sequence[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def leaf_spans(text: str) -> list[tuple[str, int, int]]:
    """(JSON pointer, start, end) of every scalar value in a JSON text; stops quietly at the first malformed spot."""
    spans: list[tuple[str, int, int]] = []

    def skip(i: int) -> int:
        while i < len(text) and text[i] in _WS:
            i += 1
        return i

    def string_end(i: int) -> int:  # i at the opening quote
        i += 1
        while i < len(text):
            if text[i] == "\\":
                i += 2
                continue
            if text[i] == '"':
                return i + 1
            i += 1
        raise ValueError("unterminated string")

    def value(i: int, path: list[str | int]) -> int:
        i = skip(i)
        if i >= len(text):
            raise ValueError("truncated")
        ch = text[i]
        if ch == "{":
            i = skip(i + 1)
            if i < len(text) and text[i] == "}":
                return i + 1
            while True:
                i = skip(i)
                end = string_end(i)
                key = json.loads(text[i:end])
                i = skip(end)
                if text[i] != ":":
                    raise ValueError("expected ':'")
                i = skip(value(i + 1, [*path, key]))
                if text[i] == "}":
                    return i + 1
                if text[i] != ",":
                    raise ValueError("expected ','")
                i += 1
        if ch == "[":
            i = skip(i + 1)
            if i < len(text) and text[i] == "]":
                return i + 1
            n = 0
            while True:
                i = skip(value(i, [*path, n]))
                n += 1
                if text[i] == "]":
                    return i + 1
                if text[i] != ",":
                    raise ValueError("expected ','")
                i += 1
        start = i
        if ch == '"':
            end = string_end(i)
        else:
            end = i
            while end < len(text) and text[end] not in ",]}" + _WS:
                end += 1
        spans.append((_pointer(path), start, end))
        return end

    try:
        value(0, [])
    except (ValueError, IndexError):
        pass
    return spans


def repair_truncated(text: str) -> str | None:
    """Close a JSON text cut off mid-way: keep every complete member, drop the partial one, close the brackets."""
    stack: list[str] = []
    in_string = escaped = False
    cut: tuple[int, list[str]] | None = None  # last position after a complete value, with the open brackets
    expecting_key = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
                if not expecting_key:
                    cut = (i + 1, list(stack))
            continue
        if ch == '"':
            in_string = True
            expecting_key = bool(stack) and stack[-1] == "{" and _key_position(text, i)
        elif ch in "{[":
            stack.append(ch)
            cut = (i + 1, list(stack))
        elif ch in "}]":
            if not stack:
                return None
            stack.pop()
            cut = (i + 1, list(stack))
        elif ch in "eltu0123456789" and i + 1 < len(text) and text[i + 1] in ",]}":
            cut = (i + 1, list(stack))  # end of a literal: true, false, null or a number
    if cut is None:
        return None
    end, open_brackets = cut
    body = text[:end].rstrip().rstrip(",")
    if body.endswith(":"):  # a key whose value never came
        body = body[: body.rstrip(":").rfind('"', 0, len(body.rstrip(":")) - 1)].rstrip().rstrip(",")
    closers = "".join("}" if b == "{" else "]" for b in reversed(open_brackets))
    return body + closers


def _key_position(text: str, i: int) -> bool:
    """Whether the quote at i opens an object key (it follows '{' or ',')."""
    j = i - 1
    while j >= 0 and text[j] in _WS:
        j -= 1
    return j >= 0 and text[j] in "{,"


def prune_invalid(model: type[BaseModel], data: Any, max_rounds: int = 50) -> tuple[BaseModel, list[str]]:
    """Validate data, dropping each value (or list item) Pydantic rejects until it validates; paths dropped."""
    dropped: list[str] = []
    if not isinstance(data, dict):
        return model(), ["" if data is None else "/"]
    for _ in range(max_rounds):
        try:
            return model.model_validate(data), dropped
        except ValidationError as err:
            loc = err.errors()[0]["loc"]
            dropped.append(_pointer(_drop(data, list(loc))))
    return model(), [*dropped, "/"]


def _drop(data: Any, loc: list[Any]) -> list[Any]:
    """Delete the innermost list item on loc, else the top-level key; return the path removed."""
    # find the deepest list index in loc, so one bad cell removes its row item, not the whole list
    last_index = max((i for i, p in enumerate(loc) if isinstance(p, int)), default=None)
    target = loc[: last_index + 1] if last_index is not None else loc[:1]
    node = data
    for part in target[:-1]:
        node = node[part]
    try:
        del node[target[-1]]
    except (KeyError, IndexError, TypeError):
        # a missing required key: drop the enclosing element instead
        return _drop(data, target[:-1]) if len(target) > 1 else target
    return target


def value_confidence(
    text: str, token_bytes: Sequence[bytes], logprobs: Sequence[float], valid_paths: set[str] | None = None
) -> dict[str, float]:
    """Per JSON leaf: exp(mean log-probability) of the tokens that wrote it."""
    encoded = text.encode("utf-8")
    ends: list[int] = []
    pos = 0
    for chunk in token_bytes:
        pos += len(chunk)
        ends.append(pos)
    # char offset -> byte offset
    char_to_byte = [0]
    for ch in text:
        char_to_byte.append(char_to_byte[-1] + len(ch.encode("utf-8")))
    out: dict[str, float] = {}
    for path, start, end in leaf_spans(text):
        if valid_paths is not None and path not in valid_paths:
            continue
        b0, b1 = char_to_byte[start], char_to_byte[end]
        picked = [lp for lp, e, s in zip(logprobs, ends, [0, *ends[:-1]], strict=False) if s < b1 and e > b0]
        if picked and b1 <= len(encoded):
            out[path] = round(math.exp(sum(picked) / len(picked)), 4)
    return out


def leaf_paths(value: Any, prefix: tuple[str | int, ...] = ()) -> set[str]:
    """JSON pointers of every scalar in a plain JSON value."""
    if isinstance(value, dict):
        return set().union(*(leaf_paths(v, (*prefix, k)) for k, v in value.items())) if value else set()
    if isinstance(value, list):
        return set().union(*(leaf_paths(v, (*prefix, i)) for i, v in enumerate(value))) if value else set()
    return {_pointer(prefix)}
