"""How the engine tiles and prompts DeepSeek-VL2: the official rules, and untiled pages when the context is short."""

from __future__ import annotations

import pytest
from PIL import Image

from model.deepseek.loading import load_checkpoint
from model.deepseek_vl2.processor import PlaceholderMismatch, encode_prompt, image_token_count
from model.deepseek_vl2.prompting import prepare_prompt
from model.deepseek_vl2.specs import build_prompt


@pytest.fixture(scope="module")
def lm(tiny_vl2):
    return load_checkpoint(tiny_vl2, device="cpu")


def test_the_prompt_is_the_official_deepseek_template():
    assert build_prompt("What is the total?", 1) == "<|User|>: <image>\nWhat is the total?\n\n<|Assistant|>:"
    assert build_prompt("Q ", 2) == "<|User|>: <image>\n<image>\nQ\n\n<|Assistant|>:"  # content stripped


def test_one_or_two_pages_are_tiled_more_are_shown_whole(lm):
    tall = Image.new("RGB", (463, 1013), "white")
    one = prepare_prompt(lm, "Read it.", [tall], max_new_tokens=64)
    assert one.tiled and one.spatial_crop == [(2, 3)] and one.pixel_values.shape[0] == 7
    assert one.image_tokens == image_token_count(2, 3) == 1429
    assert one.input_ids.count(lm.image_token_id) == 1429 and one.input_ids[0] == lm.bos_token_id
    three = prepare_prompt(lm, "Read them.", [tall] * 3, max_new_tokens=64)
    assert not three.tiled and three.spatial_crop == [(1, 1)] * 3 and three.image_tokens == 3 * 421
    assert three.pixel_values.shape[0] == 6 and not three.notes  # the official rule, not a fallback


def test_pages_that_would_overflow_the_context_are_shown_untiled_with_a_note(lm):
    big = Image.new("RGB", (1024, 1024), "white")  # 3 x 3 tiles: 2017 image tokens a page
    prompt = prepare_prompt(lm, "Read them.", [big, big], max_new_tokens=512)
    assert not prompt.tiled and prompt.spatial_crop == [(1, 1), (1, 1)]
    assert len(prompt.input_ids) + 512 <= 4096 and "fit its context" in prompt.notes[0]


def test_image_tags_and_images_must_pair_up(lm):
    with pytest.raises(PlaceholderMismatch, match="1 <image> tags but 2 images"):
        encode_prompt(lm.tokenizer, build_prompt("Q", 1), [421, 421], lm.image_token_id, lm.bos_token_id)
