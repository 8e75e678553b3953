"""DeepSeek-VL2 against the official deepseek-ai code: fixtures from make_parity_fixtures.py, checkpoints rebuilt here.

The official code built, saved and ran a Tiny-like (MHA) and a Small-like (MLA) cut-down checkpoint on a tall
receipt and a wide chart. Here the project's own builder writes the same weights (verified by checksum, the config
is the one the official save_pretrained wrote), the engine loads them through its normal path, and everything it
computes must match: token ids and pixels exactly, logits within 1e-4 in float32, greedy tokens equal.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from PIL import Image

from model.deepseek.generation import GenRow, generate
from model.deepseek.loading import load_checkpoint, read_tensors, weight_files
from model.deepseek_vl2.processor import encode_prompt, select_best_resolution
from model.deepseek_vl2.specs import build_prompt
from model.deepseek_vl2.synthetic import checksum, pixel_checksum, synthetic_state
from model.deepseek_vl2.testing import vl2_shapes, write_checkpoint

FIXTURES = Path(__file__).parent / "fixtures"
VARIANTS = ("tiny-mha", "small-mla")
CASES = ("receipt", "chart")
LOGIT_TOLERANCE = 1e-4


def _fixture(variant: str) -> dict:
    return json.loads((FIXTURES / f"{variant}.json").read_text())


@pytest.fixture(scope="module", params=VARIANTS)
def rebuilt(request, tmp_path_factory):
    """(fixture record, loaded model) for one variant, the checkpoint written by the project's builder."""
    record = _fixture(request.param)
    path = tmp_path_factory.mktemp(request.param)
    for file in (FIXTURES / "tokenizer").iterdir():
        shutil.copy(file, path / file.name)
    config = record["config"]
    write_checkpoint(path, config, synthetic_state(vl2_shapes(config), record["seed"]), shard_bytes=2 << 20)
    lm = load_checkpoint(path, device="cpu", dtype="float32")
    return record, lm, path


def test_the_builder_writes_exactly_the_official_checkpoint(rebuilt):
    record, _, path = rebuilt
    assert {k: list(v) for k, v in vl2_shapes(record["config"]).items()} == record["weight_shapes"]
    assert checksum(read_tensors(weight_files(path))) == record["weights_sha256"]
    assert len(weight_files(path)) > 1  # bf16 shards with an index, like the released checkpoints


@pytest.mark.parametrize("case", CASES)
def test_tokens_pixels_logits_and_greedy_tokens_match_the_official_code(rebuilt, case, shared_data):
    record, lm, _ = rebuilt
    expected = record["cases"][case]
    image = Image.open(shared_data / expected["image"]).convert("RGB")
    assert list(image.size) == expected["image_size"]

    images = lm.image_processor([image])
    assert [list(c) for c in images.spatial_crop] == expected["images_spatial_crop"]
    assert list(images.pixel_values.shape) == expected["pixels_shape"]
    assert pixel_checksum(images.pixel_values) == expected["pixels_sha256"]

    question = (FIXTURES / "question.txt").read_text()
    prompt = build_prompt(question, 1)
    assert prompt == expected["sft_format"]
    ids = encode_prompt(lm.tokenizer, prompt, images.num_image_tokens, lm.image_token_id, lm.bos_token_id)
    assert ids == expected["input_ids"]
    assert images.num_image_tokens == [expected["num_image_tokens"]]

    with torch.inference_mode():
        out = lm.model(torch.tensor([ids]), pixel_values=images.pixel_values, images_spatial_crop=images.spatial_crop)
    logits = out.logits[0]
    last = torch.tensor(expected["last_logits"])
    assert (logits[-1] - last).abs().max().item() <= LOGIT_TOLERANCE
    for position, row in zip(expected["probe_positions"], expected["probe_logits"], strict=True):
        assert (logits[position, : len(row)] - torch.tensor(row)).abs().max().item() <= LOGIT_TOLERANCE
    top = torch.topk(logits[-1], len(expected["top_logits"])).indices.tolist()
    assert top[:3] == [i for i, _ in expected["top_logits"][:3]]

    row = GenRow(ids, images.pixel_values, images_spatial_crop=images.spatial_crop)
    (gen,) = generate(lm, [row], max_new_tokens=len(expected["greedy_tokens"]) or 1)
    assert gen.token_ids[: len(expected["greedy_tokens"])] == expected["greedy_tokens"]


def test_tiling_follows_the_aspect_ratio():
    assert select_best_resolution((463, 1013)) == (768, 1152)  # the tall receipt: 2 wide x 3 high
    assert select_best_resolution((1013, 463)) == (1152, 768)
    assert select_best_resolution((300, 300)) == (384, 384)


def test_model_check_reproduces_the_official_first_step_and_greedy_tokens(rebuilt, shared_data):
    from model.check import run_check

    record, _, path = rebuilt
    expected = record["cases"]["receipt"]
    question = (FIXTURES / "question.txt").read_text()
    result = run_check(path, shared_data / expected["image"], question, len(expected["greedy_tokens"]), "cpu")
    assert result.family == "deepseek-vl2" and result.layout == "original" and result.dtype == "float32"
    assert result.prompt_tokens == len(expected["input_ids"])
    assert result.image_tokens == expected["num_image_tokens"]
    assert result.token_ids == expected["greedy_tokens"]
    assert [t for t, _ in result.top_logits[:3]] == [t for t, _ in expected["top_logits"][:3]]
    for (_, got), (_, want) in zip(result.top_logits, expected["top_logits"], strict=True):
        assert abs(got - want) <= LOGIT_TOLERANCE


def test_a_left_padded_batch_of_both_images_decodes_like_the_official_code(rebuilt, shared_data):
    record, lm, _ = rebuilt
    question = (FIXTURES / "question.txt").read_text()
    rows = []
    for case in ("chart", "receipt"):  # different lengths: the chart's prompt gets left padding
        images = lm.image_processor([Image.open(shared_data / record["cases"][case]["image"]).convert("RGB")])
        ids = encode_prompt(
            lm.tokenizer, build_prompt(question, 1), images.num_image_tokens, lm.image_token_id, lm.bos_token_id
        )
        rows.append(GenRow(ids, images.pixel_values, images_spatial_crop=images.spatial_crop))
    assert len(rows[0].input_ids) != len(rows[1].input_ids)
    outs = generate(lm, rows, max_new_tokens=len(record["cases"]["receipt"]["greedy_tokens"]))
    for case, out in zip(("chart", "receipt"), outs, strict=True):
        expected = record["cases"][case]["greedy_tokens"]
        assert out.token_ids[: len(expected)] == expected
