"""Loading real checkpoint layouts: transformers format, original deepseek-ai layout, broken folders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from docai.errors import DocaiError, ErrorCode
from model.deepseek.convert import KEY_MAP, convert_key
from model.deepseek.loading import load_checkpoint, read_shapes
from model.deepseek.testing import copy_checkpoint, shard_checkpoint


def _logits(lm, seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    cfg = lm.model.config
    size = cfg.vision_config.image_size
    inputs = {"pixel_values": torch.randn(1, 3, size, size, generator=gen)}
    if lm.spec.hybrid:
        high = cfg.high_res_vision_config.image_size
        inputs["high_res_pixel_values"] = torch.randn(1, 3, high, high, generator=gen)
    ids = torch.tensor([[lm.bos_token_id, *[lm.image_token_id] * lm.num_image_tokens, 5, 6, 7]])
    with torch.inference_mode():
        return lm.model(input_ids=ids, **inputs).logits


@pytest.mark.parametrize("kind", ["1.3b", "7b"])
def test_original_layout_gives_the_same_logits_as_its_converted_twin(tiny_pairs, kind):
    converted, original = tiny_pairs[kind]
    a, b = load_checkpoint(converted, "cpu"), load_checkpoint(original, "cpu")
    assert (a.layout, b.layout) == ("transformers", "original")
    assert a.spec.key == b.spec.key == kind
    assert type(a.model) is type(b.model)
    # the original checkpoint holds fused qkv, (1, N, C) pos_embed and an attention-pool head: all converted/dropped
    shapes = read_shapes([original / "model.safetensors"])
    assert any(".attn.qkv." in k and "vision_tower_high" not in k for k in shapes)
    assert any("attn_pool" in k for k in shapes)
    if kind == "7b":  # the official hybrid tower saves two layer norms it never uses
        assert {"vision_model.high_layer_norm.weight", "vision_model.low_layer_norm.bias"} <= set(shapes)
    torch.testing.assert_close(_logits(a), _logits(b), rtol=0, atol=0)


def test_every_original_key_pattern_maps_to_a_model_weight(tiny_pairs):
    original = tiny_pairs["7b"][1]
    converted = {convert_key(k) for k in read_shapes([original / "model.safetensors"])}
    assert None in converted  # the attention-pool head is dropped
    assert "model.language_model.embed_tokens.weight" in converted
    assert len(KEY_MAP) > 20


def test_tied_embeddings_follow_the_checkpoint_not_the_config(tiny_13b, tmp_path):
    folder = copy_checkpoint(tiny_13b, tmp_path / "tied")
    state = load_file(str(folder / "model.safetensors"))
    del state["lm_head.weight"]  # a checkpoint without its own head ties it to the embedding
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    config = json.loads((folder / "config.json").read_text())
    config["tie_word_embeddings"] = False
    (folder / "config.json").write_text(json.dumps(config))
    lm = load_checkpoint(folder, "cpu")
    assert lm.tied_embeddings
    assert torch.equal(lm.model.lm_head.weight, lm.model.get_input_embeddings().weight)
    untied = load_checkpoint(tiny_13b, "cpu")
    assert not untied.tied_embeddings
    assert not torch.equal(untied.model.lm_head.weight, untied.model.get_input_embeddings().weight)


def test_sharded_checkpoint_loads(tiny_13b, tmp_path):
    lm = load_checkpoint(shard_checkpoint(tiny_13b, tmp_path / "sharded"), "cpu")
    torch.testing.assert_close(_logits(lm), _logits(load_checkpoint(tiny_13b, "cpu")))


def test_original_layout_in_pytorch_bin_shards_loads(tiny_pairs, tmp_path):
    """deepseek-ai's original repos ship pytorch_model-0000N-of-0000M.bin shards with a .bin index."""
    converted, original = tiny_pairs["7b"]
    folder = copy_checkpoint(original, tmp_path / "bin-shards")
    state = load_file(str(folder / "model.safetensors"))
    (folder / "model.safetensors").unlink()
    keys = sorted(state)
    weight_map = {}
    for i, part in enumerate((keys[: len(keys) // 2], keys[len(keys) // 2 :]), start=1):
        name = f"pytorch_model-0000{i}-of-00002.bin"
        torch.save({k: state[k] for k in part}, folder / name)
        weight_map.update(dict.fromkeys(part, name))
    (folder / "pytorch_model.bin.index.json").write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    torch.testing.assert_close(_logits(load_checkpoint(folder, "cpu")), _logits(load_checkpoint(converted, "cpu")))
    (folder / "pytorch_model-00002-of-00002.bin").unlink()
    with pytest.raises(DocaiError, match="pytorch_model-00002-of-00002.bin named in pytorch_model.bin.index.json"):
        load_checkpoint(folder, "cpu", "bfloat16")  # another cache key: loaded afresh


def test_missing_folder_names_the_path(tmp_path):
    with pytest.raises(DocaiError) as err:
        load_checkpoint(tmp_path / "nowhere", "cpu")
    assert err.value.code == ErrorCode.ENGINE_UNAVAILABLE
    assert str(tmp_path / "nowhere") in err.value.message and "docai model pull" in err.value.message


def test_missing_shard_is_reported(tiny_13b, tmp_path):
    folder = shard_checkpoint(tiny_13b, tmp_path / "partial")
    (folder / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(DocaiError) as err:
        load_checkpoint(folder, "cpu")
    assert "model-00002-of-00002.safetensors" in err.value.message


def test_corrupt_weights_are_reported(tiny_13b, tmp_path):
    folder = copy_checkpoint(tiny_13b, tmp_path / "corrupt")
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:5000])
    with pytest.raises(DocaiError) as err:
        load_checkpoint(folder, "cpu")
    assert "corrupt" in err.value.message and "model.safetensors" in err.value.message


def test_missing_tensor_is_reported_not_randomly_initialised(tiny_13b, tmp_path):
    folder = copy_checkpoint(tiny_13b, tmp_path / "incomplete")
    state = load_file(str(folder / "model.safetensors"))
    del state["model.language_model.norm.weight"]
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    with pytest.raises(DocaiError) as err:
        load_checkpoint(folder, "cpu")
    assert "model.language_model.norm.weight" in err.value.message


def test_original_layout_with_a_missing_tensor_is_reported(tiny_pairs, tmp_path):
    folder = copy_checkpoint(tiny_pairs["1.3b"][1], tmp_path / "orig-incomplete")
    state = load_file(str(folder / "model.safetensors"))
    del state["aligner.layers.2.weight"]
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    with pytest.raises(DocaiError) as err:
        load_checkpoint(folder, "cpu")
    assert "model.aligner.linear2.weight" in err.value.message


def test_importing_the_engine_does_not_import_torch():
    code = "import sys, model.deepseek, model.base; model.base.engine_names(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unknown_dtype_is_a_clear_error(tiny_13b):
    with pytest.raises(DocaiError, match="unknown dtype"):
        load_checkpoint(tiny_13b, "cpu", "int3")


def test_checkpoint_is_loaded_once_per_process(tiny_13b):
    assert load_checkpoint(Path(tiny_13b), "cpu") is load_checkpoint(Path(str(tiny_13b)), "cpu")


def test_original_layout_loads_in_bfloat16(tiny_pairs):
    converted, original = tiny_pairs["1.3b"]
    a, b = load_checkpoint(converted, "cpu", "bfloat16"), load_checkpoint(original, "cpu", "bfloat16")
    assert {p.dtype for p in b.model.parameters()} == {torch.bfloat16}
    torch.testing.assert_close(_logits(a), _logits(b), rtol=0, atol=0)
