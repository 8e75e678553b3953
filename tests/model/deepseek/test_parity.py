"""Parity with the official deepseek-ai DeepSeek-VL code, on checkpoints the official code saved.

The fixtures in parity/ were recorded once by parity/make_fixtures.py in a side venv with the official code:
random-weight 1.3b-chat and 7b-chat layouts (full SigLIP-L / SAM-B towers, language model cut to 2 layers), saved
with the official save_pretrained, run by the official VLChatProcessor on a real receipt with the engine's receipt
question, in float32. Here the same checkpoint is rebuilt bit for bit without the official code and loaded through
the engine's normal path. Tolerances (issue 11): pixels exact, logits <= 1e-4, greedy tokens equal.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from PIL import Image

from model.check import greedy
from model.deepseek.check import prepare_check
from model.deepseek.loading import load_checkpoint, unload
from model.deepseek.prompting import chat_prompt
from model.deepseek.seeded import pixel_summary
from model.deepseek.testing import build_parity_checkpoint

FIXTURES = Path(__file__).parent / "parity"
LOGIT_TOLERANCE = 1e-4


def _fixture(variant: str) -> dict:
    return json.loads((FIXTURES / f"vl-{variant}.json").read_text())


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["1.3b", "7b"])
def test_engine_matches_the_official_code(variant, shared_data, tmp_path):
    fixture = _fixture(variant)
    path = build_parity_checkpoint(fixture, tmp_path / variant)  # raises if any tensor differs from the official one
    image = Image.open(shared_data / fixture["image"])
    assert image.size == (463, 1013)
    prepared = prepare_check(path, image, fixture["question"], "cpu", "float32")
    try:
        assert (prepared.variant, prepared.layout, prepared.dtype) == (variant, "original", "float32")
        # prompt: the official chat template and tokenization, placeholders expanded to 576 image tokens
        assert chat_prompt(fixture["question"]) == fixture["prompt_text"]
        assert prepared.inputs["input_ids"][0].tolist() == fixture["prompt_ids"]
        # pixels: bit-identical to what each official tower was fed
        official = fixture["pixels"]
        assert pixel_summary(prepared.inputs["pixel_values"]) == official["siglip"]
        if variant == "7b":
            assert pixel_summary(prepared.inputs["high_res_pixel_values"]) == official["sam"]
        # logits at the last prompt position, then greedy decoding
        tokens, top = greedy(prepared, len(fixture["greedy"]))
        assert [t for t, _ in top] == [t for t, _ in fixture["top_logits"]]
        diff = max(abs(a - b) for (_, a), (_, b) in zip(top, fixture["top_logits"], strict=True))
        assert diff <= LOGIT_TOLERANCE, f"top logits differ by {diff}"
        eos = prepared.eos_token_id
        assert tokens == [t for t in fixture["greedy"] if t != eos]
    finally:
        unload(load_checkpoint(path, "cpu", "float32"))
        shutil.rmtree(path)  # ~0.9 GB of weights; pytest keeps its last three runs' folders


def test_fixtures_hold_what_the_official_checkpoints_save():
    """The 7B layout carries the hybrid tower's unused norms and SigLIP's attention pool; both must load."""
    small, hybrid = _fixture("1.3b"), _fixture("7b")
    assert any("attn_pool" in k for k in small["weights"])
    assert {"vision_model.high_layer_norm.weight", "vision_model.low_layer_norm.bias"} <= set(hybrid["weights"])
    assert small["files"]["preprocessor_config.json"]["do_normalize"] is True
    assert hybrid["files"]["preprocessor_config.json"]["do_normalize"] is False
    towers = hybrid["files"]["config.json"]["vision_config"]["params"]
    assert towers["high_res_cfg"]["pixel_mean"][0] == pytest.approx(0.48145466)
    for fixture in (small, hybrid):
        assert fixture["pixels"]["processor"]["shape"][-1] in (384, 1024)
        assert len(fixture["top_logits"]) == 10 and fixture["greedy"]


def test_truncating_resize_and_background_padding(shared_data):
    """The 463x1013 receipt becomes 175 px wide on the 384 canvas (rounding would give 176), centred on grey."""
    from model.deepseek.preprocess import OriginalImageProcessor, Tower

    processor = OriginalImageProcessor(
        image_size=384, low=Tower(384), image_mean=(0.5, 0.5, 0.5), image_std=(0.5, 0.5, 0.5)
    )
    receipt = Image.open(shared_data / "sroie" / "X00016469612.jpg")
    canvas = processor.canvas(receipt)
    background = (127 / 255 - 0.5) / 0.5
    columns = ~torch.isclose(torch.from_numpy(canvas[0]), torch.tensor(background)).all(dim=0)
    left = (384 - 175) // 2
    assert not columns[:left].any() and not columns[left + 175 :].any()
    assert columns[left] and columns[left + 174]


@pytest.mark.parametrize("kind", ["1.3b", "7b"])
def test_engine_generation_follows_the_checked_greedy_path(tiny_pairs, shared_data, kind):
    """The engine's batched generation (left padding, explicit positions) picks the tokens of the greedy loop above."""
    from model.deepseek.generation import GenRow, generate

    original = tiny_pairs[kind][1]
    receipt = Image.open(shared_data / "sroie" / "X00016469612.jpg")
    rows, expected = [], []
    for question in ("What is the total amount on this receipt?", "Total?"):  # different lengths: one row is padded
        prepared = prepare_check(original, receipt, question, "cpu", "float32")
        expected.append(greedy(prepared, 8)[0])
        rows.append(
            GenRow(
                prepared.inputs["input_ids"][0].tolist(),
                prepared.inputs["pixel_values"],
                prepared.inputs.get("high_res_pixel_values"),
            )
        )
    outs = generate(load_checkpoint(original, "cpu", "float32"), rows, 8)
    for out, tokens in zip(outs, expected, strict=True):
        assert out.token_ids and out.token_ids == tokens[: len(out.token_ids)]  # the engine may stop early on "User:"


@pytest.mark.parametrize("variant", ["1.3b", "7b"])
def test_preprocessing_is_bit_identical_to_the_official_processor(variant, shared_data, tmp_path):
    """Fast twin of the pixel check above: the canvas and each tower's input, from the official files alone."""
    from model.deepseek.preprocess import original_image_processor

    fixture = _fixture(variant)
    for name, content in fixture["files"].items():
        (tmp_path / name).write_text(json.dumps(content))
    processor = original_image_processor(
        tmp_path, fixture["files"]["config.json"], 384, 1024 if variant == "7b" else None
    )
    receipt = Image.open(shared_data / fixture["image"])
    official = fixture["pixels"]
    assert pixel_summary(torch.from_numpy(processor.canvas(receipt))[None]) == official["processor"]
    out = processor(images=[receipt])
    assert pixel_summary(out["pixel_values"]) == official["siglip"]
    if variant == "7b":
        assert pixel_summary(out["high_res_pixel_values"]) == official["sam"]
