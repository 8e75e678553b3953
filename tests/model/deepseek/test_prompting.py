"""Prompt format, schema instructions, bounded hints, image placeholder expansion."""

from __future__ import annotations

import pytest
from PIL import Image
from transformers import AutoTokenizer

from model.deepseek.prompting import (
    MAX_HINT_CHARS,
    PlaceholderMismatch,
    build_prompt,
    encode_prompt,
    schema_instructions,
    words_hint,
)
from model.deepseek.specs import IMAGE_TOKEN, NUM_IMAGE_TOKENS, SYSTEM_PROMPT
from model.types import PageInput, Word
from schemas.registry import get_schema, schema_kinds


def _page(index: int, words: list[str]) -> PageInput:
    return PageInput(
        index, Image.new("RGB", (10, 10)), [Word(w, (0, 0, 0.1, 0.1), line=i // 3) for i, w in enumerate(words)]
    )


def test_prompt_follows_the_official_chat_format():
    prompt = build_prompt("receipt", [_page(0, ["TOTAL", "9.90"])])
    assert prompt.startswith(f"{SYSTEM_PROMPT}\n\nUser: {IMAGE_TOKEN}Extract")
    assert prompt.endswith("\n\nAssistant:")
    assert "TOTAL 9.90" in prompt


@pytest.mark.parametrize("kind", schema_kinds())
def test_instructions_name_every_field(kind):
    text = schema_instructions(kind)
    for name in get_schema(kind).model_fields:
        assert f"- {name}:" in text


def test_hint_is_bounded_and_labels_pages():
    pages = [_page(0, ["word"] * 2000), _page(1, ["other"] * 10)]
    hint = words_hint(pages)
    assert len(hint) <= MAX_HINT_CHARS + 4
    assert hint.startswith("[page 1]")
    assert build_prompt("invoice", pages).count(IMAGE_TOKEN) == 2


def test_placeholders_expand_to_image_tokens(tiny_13b):
    tok = AutoTokenizer.from_pretrained(tiny_13b)
    image_id = tok.convert_tokens_to_ids(IMAGE_TOKEN)
    text = build_prompt("invoice", [_page(0, []), _page(1, [])])
    ids = encode_prompt(tok, text, 2, image_id, NUM_IMAGE_TOKENS, tok.bos_token_id)
    assert ids[0] == tok.bos_token_id
    assert ids.count(image_id) == 2 * NUM_IMAGE_TOKENS
    first = ids.index(image_id)
    assert ids[first : first + 2 * NUM_IMAGE_TOKENS] == [image_id] * (2 * NUM_IMAGE_TOKENS)


def test_placeholder_mismatch_is_an_error(tiny_13b):
    tok = AutoTokenizer.from_pretrained(tiny_13b)
    image_id = tok.convert_tokens_to_ids(IMAGE_TOKEN)
    with pytest.raises(PlaceholderMismatch, match="1 <image_placeholder> placeholders but 2 images"):
        encode_prompt(tok, build_prompt("invoice", [_page(0, [])]), 2, image_id, NUM_IMAGE_TOKENS, None)
