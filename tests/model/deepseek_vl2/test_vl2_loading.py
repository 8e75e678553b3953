"""Loading DeepSeek-VL2 checkpoints: what is tolerated, and the sentence a user gets for what is not."""

from __future__ import annotations

import json
import shutil

import pytest
from safetensors.torch import load_file, save_file

from docai.errors import DocaiError
from model.deepseek.loading import load_checkpoint, unload, weight_files


def _copy(src, dst):
    shutil.copytree(src, dst)
    return dst


def _rewrite_shards(path, change):
    for file in weight_files(path):
        tensors = load_file(str(file))
        change(tensors)
        save_file(tensors, str(file), metadata={"format": "pt"})


def test_a_checkpoint_without_the_unused_attention_pool_loads(tiny_vl2, tmp_path):
    path = _copy(tiny_vl2, tmp_path / "no-pool")
    _rewrite_shards(path, lambda t: [t.pop(k) for k in list(t) if k.startswith("vision.attn_pool.")])
    index = json.loads((path / "model.safetensors.index.json").read_text())
    index["weight_map"] = {k: v for k, v in index["weight_map"].items() if not k.startswith("vision.attn_pool.")}
    (path / "model.safetensors.index.json").write_text(json.dumps(index))
    lm = load_checkpoint(path, device="cpu")
    try:
        assert lm.spec.family == "deepseek-vl2" and lm.layout == "original" and not lm.tied_embeddings
        assert lm.model.vision.attn_pool is None
    finally:
        unload(lm)


def test_missing_weights_and_unsupported_configs_are_named(tiny_vl2, tmp_path):
    path = _copy(tiny_vl2, tmp_path / "damaged")
    _rewrite_shards(path, lambda t: t.pop("language.lm_head.weight", None))
    with pytest.raises(DocaiError, match=r"missing weights \['language.lm_head.weight'\]"):
        load_checkpoint(path, device="cpu")

    path = _copy(tiny_vl2, tmp_path / "linear-projector")
    config = json.loads((path / "config.json").read_text())
    config["projector_config"]["projector_type"] = "linear"
    (path / "config.json").write_text(json.dumps(config))
    with pytest.raises(DocaiError, match="not usable: config.json cannot be used .*downsample_mlp_gelu"):
        load_checkpoint(path, device="cpu")
