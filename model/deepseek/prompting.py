"""The official DeepSeek-VL chat prompt, per-schema instructions, bounded word hints, placeholder expansion."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from model.deepseek.specs import IMAGE_TOKEN, SYSTEM_PROMPT
from model.types import PageInput, Word
from schemas.registry import json_schema

MAX_HINT_CHARS = 2000  # per request: enough for a receipt, bounded for a dense page
KIND_NAMES = {
    "invoice": "invoice",
    "receipt": "receipt",
    "form": "filled-in form",
    "chart": "chart",
    "ui_code": "UI screenshot",
}


class PlaceholderMismatch(ValueError):
    """The prompt's image placeholders and the images given do not pair up."""


@lru_cache
def schema_instructions(kind: str) -> str:
    """One line per field, from the schema's field descriptions."""
    schema = json_schema(kind)
    defs = schema.get("$defs", {})
    lines: list[str] = []

    def walk(props: dict[str, Any], indent: str) -> None:
        for name, prop in props.items():
            lines.append(f"{indent}- {name}: {prop.get('description', name)}")
            ref = (prop.get("items") or {}).get("$ref")
            if ref:
                walk(defs[ref.rsplit("/", 1)[-1]]["properties"], indent + "  ")

    walk(schema["properties"], "")
    return "\n".join(lines)


def words_text(words: Sequence[Word]) -> str:
    """Words joined into text lines in reading order."""
    lines: list[list[str]] = []
    last: tuple[int, int] | None = None
    for word in words:
        key = (word.block, word.line)
        if key != last or not lines:
            lines.append([])
            last = key
        lines[-1].append(word.text)
    return "\n".join(" ".join(line) for line in lines)


def words_hint(pages: Sequence[PageInput], max_chars: int = MAX_HINT_CHARS) -> str:
    """The pages' text, labelled per page when there are several, cut to max_chars."""
    parts = []
    for page in pages:
        text = words_text(page.words).strip()
        if text:
            parts.append(f"[page {page.index + 1}]\n{text}" if len(pages) > 1 else text)
    hint = "\n".join(parts)
    if len(hint) > max_chars:
        hint = hint[:max_chars].rsplit(" ", 1)[0] + " ..."
    return hint


def build_question(kind: str, pages: Sequence[PageInput]) -> str:
    """What the user turn asks: the schema's fields, the text hint, the output rules."""
    what = KIND_NAMES.get(kind, kind)
    shown = "these pages" if len(pages) > 1 else "this image"
    parts = [
        f"Extract the data of the {what} in {shown} as one JSON object with these fields:",
        schema_instructions(kind),
        "Use null for a field that is not shown. Amounts are plain numbers without currency symbols; "
        "dates are YYYY-MM-DD.",
    ]
    hint = words_hint(pages)
    if hint:
        parts.append(f"Text read from the page (it may contain OCR errors):\n{hint}")
    return "\n".join(parts)


def chat_prompt(question: str, n_images: int = 1, system: str = SYSTEM_PROMPT) -> str:
    """The official single-turn 'deepseek' chat format (the message stripped), image placeholders first."""
    return f"{system}\n\nUser: {IMAGE_TOKEN * n_images}{question.strip()}\n\nAssistant:"


def build_prompt(kind: str, pages: Sequence[PageInput], system: str = SYSTEM_PROMPT) -> str:
    """The chat prompt asking for one schema, with one placeholder per page image."""
    return chat_prompt(build_question(kind, pages), len(pages), system)


def encode_prompt(
    tokenizer: Any, text: str, n_images: int, image_token_id: int, num_image_tokens: int, bos_token_id: int | None
) -> list[int]:
    """Token ids with BOS first and each image placeholder expanded to num_image_tokens image tokens."""
    ids = tokenizer(text, add_special_tokens=False).input_ids
    found = sum(1 for t in ids if t == image_token_id)
    if found != n_images:
        raise PlaceholderMismatch(f"the prompt has {found} {IMAGE_TOKEN} placeholders but {n_images} images were given")
    out: list[int] = [] if bos_token_id is None else [bos_token_id]
    for token in ids:
        out.extend([token] * num_image_tokens if token == image_token_id else [token])
    return out
