"""Tiny DeepSeek-VL2 checkpoints in the original deepseek-ai layout, built offline for tests and demos."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from model.deepseek.testing import _CORPUS as VL_CORPUS
from model.deepseek_vl2.specs import ADDED_TOKENS, BOS_TOKEN, EOS_TOKEN, PAD_TOKEN
from model.deepseek_vl2.synthetic import synthetic_state, tiny_config

# The DeepSeek-VL test corpus plus the words of the engine's questions.
_CORPUS = (
    VL_CORPUS
    + """
Extract the data of the receipt in this image as one JSON object with these fields: Use null for a field that is
not shown. Amounts are plain numbers without currency symbols; dates are YYYY-MM-DD. Text read from the page.
"""
)
VOCAB_MULTIPLE = 64


def make_vl2_tokenizer(path: Path) -> Any:
    """A byte-level BPE like the real one: BOS 0, EOS 1, pad 2, then the processor's tokens after the vocabulary."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=480,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[BOS_TOKEN, EOS_TOKEN, PAD_TOKEN],
        show_progress=False,
    )
    tok.train_from_iterator([_CORPUS] * 4, trainer=trainer)
    tok.add_special_tokens(list(ADDED_TOKENS))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=BOS_TOKEN, eos_token=EOS_TOKEN, pad_token=PAD_TOKEN)
    fast.save_pretrained(path)
    config_file = Path(path) / "tokenizer_config.json"
    config = json.loads(config_file.read_text())
    config["tokenizer_class"] = "LlamaTokenizerFast"  # what the released checkpoints name
    config_file.write_text(json.dumps(config, indent=2, ensure_ascii=False))
    return fast


def vl2_shapes(config: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """Every tensor the official save_pretrained writes for config, with its shape (from the project's model)."""
    import torch

    from model.deepseek_vl2.loading import model_config
    from model.deepseek_vl2.modeling import DeepseekVLV2ForCausalLM

    with torch.device("meta"):
        model = DeepseekVLV2ForCausalLM(model_config(config, image_token_id=0))
    return {name: tuple(t.shape) for name, t in model.state_dict().items()}


def write_checkpoint(path: Path, config: dict[str, Any], tensors: dict[str, Any], shard_bytes: int = 4 << 20) -> None:
    """bf16 safetensors shards with an index, and config.json, as the released checkpoints come."""
    import torch
    from safetensors.torch import save_file

    path.mkdir(parents=True, exist_ok=True)
    shards: list[dict[str, Any]] = [{}]
    size = 0
    for name in sorted(tensors):
        tensor = torch.as_tensor(tensors[name]).to(torch.bfloat16).contiguous()
        if size and size + tensor.numel() * 2 > shard_bytes:
            shards.append({})
            size = 0
        shards[-1][name] = tensor
        size += tensor.numel() * 2
    weight_map = {}
    for i, shard in enumerate(shards, start=1):
        file = f"model-{i:05d}-of-{len(shards):05d}.safetensors"
        save_file(shard, str(path / file), metadata={"format": "pt"})
        weight_map.update(dict.fromkeys(shard, file))
    index = {
        "metadata": {"total_size": sum(t.numel() * 2 for s in shards for t in s.values())},
        "weight_map": weight_map,
    }
    (path / "model.safetensors.index.json").write_text(json.dumps(index, indent=2))
    (path / "config.json").write_text(json.dumps(config, indent=2))


def make_tiny_vl2(
    path: Path | str, variant: str = "tiny-mha", seed: int = 0, tokenizer_dir: Path | None = None
) -> Path:
    """A cut-down VL2 checkpoint (variant 'tiny-mha' or 'small-mla') with deterministic per-name weights."""
    import shutil

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    if tokenizer_dir is not None:
        for file in Path(tokenizer_dir).glob("tokenizer*.json"):
            shutil.copy(file, path / file.name)
        from transformers import PreTrainedTokenizerFast

        tokenizer = PreTrainedTokenizerFast.from_pretrained(path)
    else:
        tokenizer = make_vl2_tokenizer(path)
    vocab = (len(tokenizer) + VOCAB_MULTIPLE - 1) // VOCAB_MULTIPLE * VOCAB_MULTIPLE
    config = tiny_config(variant, vocab, tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id)
    write_checkpoint(path, config, synthetic_state(vl2_shapes(config), seed))
    return path
