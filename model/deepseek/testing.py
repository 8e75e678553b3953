"""Tiny random DeepSeek-VL checkpoints and tokenizer, built offline, for tests and demos (imports torch)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from model.deepseek.specs import (
    BOS_TOKEN,
    EOS_TOKEN,
    IMAGE_TOKEN,
    OPENAI_CLIP_MEAN,
    OPENAI_CLIP_STD,
    SPECIAL_TOKENS,
    get_spec,
)

# Enough text for a byte-level BPE to learn JSON punctuation, digits, dates and schema words.
_CORPUS = """
{"vendor_name": "ACME GmbH", "invoice_id": "INV-2024-001", "invoice_date": "2024-03-15", "currency": "EUR",
"line_items": [{"description": "Consulting", "quantity": "10", "unit_price": "120.00", "amount": "1200.00"}],
"subtotal": "1200.00", "total_tax": "228.00", "invoice_total": "1428.00", "amount_due": null, "notes": null}
{"merchant_name": "KEDAI RUNCIT", "transaction_date": "2018-01-12", "total": "9.90", "items": [], "tip": null}
{"fields": [{"key": "Name", "value": "Jane Doe", "kind": "text"}, {"key": "Agree", "value": "true", "kind": "checkbox"}]}
{"title": "Sales", "x_label": "Year", "y_label": "Units", "columns": ["Year", "A"], "rows": [["2020", "3.5"]]}
{"html": "<html><body><h1>Hello</h1></body></html>", "framework": "html"}
User: Extract the invoice. Assistant: Total 0123456789 true false null , : [ ] { } . - / $ € # @ % & * + =
You are a helpful language and vision assistant. Page words: Invoice Date Due Total Tax Subtotal Amount Qty
"""


def make_tiny_tokenizer(path: Path) -> Any:
    """Train a small byte-level BPE with the DeepSeek special tokens appended after the vocabulary; save it."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tok.train_from_iterator([_CORPUS] * 4, trainer=trainer)
    # special tokens sit after the BPE vocabulary, in the real tokenizer's order (ids 100000+ there)
    tok.add_special_tokens(list(SPECIAL_TOKENS))
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=BOS_TOKEN,
        eos_token=EOS_TOKEN,
        pad_token=EOS_TOKEN,
        extra_special_tokens={"image_token": IMAGE_TOKEN},
    )
    fast.save_pretrained(path)
    return fast


def tiny_config_dict(kind: str, vocab_size: int, image_token_id: int) -> dict[str, Any]:
    """A full config for a tiny model of the given kind: same classes, small sizes."""
    spec = get_spec(kind)
    cfg = spec.config_dict()
    cfg["image_token_id"] = image_token_id
    cfg["text_config"].update(
        vocab_size=vocab_size,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        bos_token_id=None,
        eos_token_id=None,
        pad_token_id=None,
    )
    cfg["vision_config"].update(
        hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=1, image_size=64, patch_size=16
    )
    if spec.hybrid:
        cfg["high_res_vision_config"].update(
            hidden_size=64,
            intermediate_size=128,
            mlp_dim=128,
            num_hidden_layers=2,
            num_attention_heads=1,
            image_size=128,
            patch_size=16,
            output_channels=16,
            window_size=4,
            global_attn_indexes=[1],
        )
    return cfg


def make_tiny_model(path: Path | str, kind: str = "1.3b", layout: str = "transformers", seed: int = 0) -> Path:
    """Write a tiny random DeepSeek-VL checkpoint (transformers or original deepseek-ai layout) to path."""
    import torch
    from transformers import (
        DeepseekVLConfig,
        DeepseekVLForConditionalGeneration,
        DeepseekVLHybridConfig,
        DeepseekVLHybridForConditionalGeneration,
    )

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    tokenizer = make_tiny_tokenizer(path)
    vocab = (len(tokenizer) + 63) // 64 * 64  # padded like the real 102400-row embedding
    image_token_id = tokenizer.convert_tokens_to_ids(IMAGE_TOKEN)
    cfg = tiny_config_dict(kind, vocab, image_token_id)
    spec = get_spec(kind)
    config_cls, model_cls = (
        (DeepseekVLHybridConfig, DeepseekVLHybridForConditionalGeneration)
        if spec.hybrid
        else (DeepseekVLConfig, DeepseekVLForConditionalGeneration)
    )
    torch.manual_seed(seed)
    model = model_cls(config_cls(**cfg)).eval()
    with torch.no_grad():  # random init leaves some parameters (layer scales, alpha) at zero; make every weight count
        for param in model.parameters():
            if param.abs().sum() == 0:
                param.normal_(0, 0.02)
    if layout == "transformers":
        model.save_pretrained(path)
    elif layout == "original":
        _save_original(model, cfg, path, spec.hybrid)
    else:
        raise ValueError(f"unknown layout {layout!r}; known: transformers, original")
    return path


# Inverse of convert.KEY_MAP for the keys the transformers model has, used only to fake original checkpoints.
def _to_original_key(key: str, hybrid: bool) -> str:
    low = "vision_model.vision_tower_low.vision_tower" if hybrid else "vision_model.vision_tower"
    high = "vision_model.vision_tower_high.vision_tower"
    rules = [
        (r"^model\.vision_model\.embeddings\.position_embedding\.weight$", f"{low}.pos_embed"),
        (r"^model\.vision_model\.embeddings\.patch_embedding\.", f"{low}.patch_embed.proj."),
        (r"^model\.vision_model\.encoder\.layers\.(\d+)\.self_attn\.out_proj\.", rf"{low}.blocks.\1.attn.proj."),
        (r"^model\.vision_model\.encoder\.layers\.(\d+)\.layer_norm(\d)\.", rf"{low}.blocks.\1.norm\2."),
        (r"^model\.vision_model\.encoder\.layers\.(\d+)\.mlp\.fc(\d)\.", rf"{low}.blocks.\1.mlp.fc\2."),
        (r"^model\.vision_model\.post_layernorm\.", f"{low}.norm."),
        (r"^model\.high_res_vision_model\.vision_encoder\.pos_embed$", f"{high}.pos_embed"),
        (r"^model\.high_res_vision_model\.vision_encoder\.patch_embed\.projection\.", f"{high}.patch_embed.proj."),
        (
            r"^model\.high_res_vision_model\.vision_encoder\.layers\.(\d+)\.layer_norm(\d)\.",
            rf"{high}.blocks.\1.norm\2.",
        ),
        (r"^model\.high_res_vision_model\.vision_encoder\.layers\.(\d+)\.attn\.", rf"{high}.blocks.\1.attn."),
        (r"^model\.high_res_vision_model\.vision_encoder\.layers\.(\d+)\.mlp\.", rf"{high}.blocks.\1.mlp."),
        (r"^model\.high_res_vision_model\.vision_encoder\.neck\.conv1\.", f"{high}.neck.0."),
        (r"^model\.high_res_vision_model\.vision_encoder\.neck\.layer_norm1\.", f"{high}.neck.1."),
        (r"^model\.high_res_vision_model\.vision_encoder\.neck\.conv2\.", f"{high}.neck.2."),
        (r"^model\.high_res_vision_model\.vision_encoder\.neck\.layer_norm2\.", f"{high}.neck.3."),
        (r"^model\.high_res_vision_neck\.conv1\.", f"{high}.neck_hd.0."),
        (r"^model\.high_res_vision_neck\.layer_norm1\.", f"{high}.neck_hd.1."),
        (r"^model\.high_res_vision_neck\.conv2\.", f"{high}.neck_hd.2."),
        (r"^model\.high_res_vision_neck\.layer_norm2\.", f"{high}.neck_hd.3."),
        (r"^model\.high_res_vision_proj\.conv(\d)\.", lambda m: f"{high}.downsamples.{int(m.group(1)) - 1}."),
        (r"^model\.high_res_vision_alpha$", f"{high}.hd_alpha_downsamples"),
        (r"^model\.aligner\.linear1\.", "aligner.layers.0."),
        (r"^model\.aligner\.linear2\.", "aligner.layers.2."),
        (r"^model\.aligner\.proj\.", "aligner.layers.1."),
        (r"^model\.aligner\.vision_proj\.", "aligner.low_up_proj."),
        (r"^model\.aligner\.high_res_vision_proj\.", "aligner.high_up_proj."),
        (r"^model\.language_model\.", "language_model.model."),
        (r"^lm_head\.", "language_model.lm_head."),
    ]
    for pattern, repl in rules:
        new, n = re.subn(pattern, repl, key)
        if n:
            return new
    raise KeyError(key)


def _save_original(model: Any, cfg: dict[str, Any], path: Path, hybrid: bool) -> None:
    import torch
    from safetensors.torch import save_file

    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    out: dict[str, torch.Tensor] = {}
    qkv = re.compile(r"^model\.vision_model\.encoder\.layers\.(\d+)\.self_attn\.([qkv])_proj\.(weight|bias)$")
    fused: dict[tuple[str, str], dict[str, torch.Tensor]] = {}
    for key, tensor in state.items():
        if m := qkv.match(key):
            fused.setdefault((m.group(1), m.group(3)), {})[m.group(2)] = tensor
            continue
        new = _to_original_key(key, hybrid)
        out[new] = tensor.unsqueeze(0) if new.endswith("pos_embed") and "vision_tower_high" not in new else tensor
    low = "vision_model.vision_tower_low.vision_tower" if hybrid else "vision_model.vision_tower"
    for (layer, kind), parts in fused.items():
        out[f"{low}.blocks.{layer}.attn.qkv.{kind}"] = torch.cat([parts["q"], parts["k"], parts["v"]], dim=0)
    # the official checkpoints carry SigLIP's attention-pool head, which docai drops on load
    width = cfg["vision_config"]["hidden_size"]
    out[f"{low}.attn_pool.latent"] = torch.zeros(1, 1, width)
    out[f"{low}.attn_pool.proj.weight"] = torch.zeros(width, width)
    if hybrid:  # the official hybrid tower saves two layer norms its forward never uses
        for name in ("high_layer_norm", "low_layer_norm"):
            out[f"vision_model.{name}.weight"] = torch.ones(width)
            out[f"vision_model.{name}.bias"] = torch.zeros(width)
    save_file({k: v.contiguous() for k, v in out.items()}, str(path / "model.safetensors"), metadata={"format": "pt"})
    text = cfg["text_config"]
    original = {
        "model_type": "multi_modality",
        "architectures": ["MultiModalityCausalLM"],
        "language_config": {
            "model_type": "llama",
            "num_attention_heads": text["num_attention_heads"],
            "max_position_embeddings": text["max_position_embeddings"],
            "vocab_size": text["vocab_size"],
        },
        "vision_config": _original_vision_config(cfg, hybrid),
        "aligner_config": {"cls": "MlpProjector"},
    }
    (path / "config.json").write_text(json.dumps(original, indent=2))


def _original_vision_config(cfg: dict[str, Any], hybrid: bool) -> dict[str, Any]:
    """vision_config as the official config.json writes it: the 7B names each tower's size and normalisation."""
    low = {"image_size": cfg["vision_config"]["image_size"], "model_name": "siglip_large_patch16_384"}
    if not hybrid:
        return {"cls": "CLIPVisionTower", "params": low}
    high = {
        "image_size": cfg["high_res_vision_config"]["image_size"],
        "model_name": "sam_b_downsample",
        "pixel_mean": list(OPENAI_CLIP_MEAN),
        "pixel_std": list(OPENAI_CLIP_STD),
    }
    low.update(pixel_mean=[0.5] * 3, pixel_std=[0.5] * 3)
    return {"cls": "HybridVisionTower", "params": {"high_res_cfg": high, "low_res_cfg": low}}


def copy_checkpoint(src: Path, dst: Path) -> Path:
    """A copy of a checkpoint folder, to damage in a test."""
    shutil.copytree(src, dst)
    return dst


def shard_checkpoint(src: Path, dst: Path) -> Path:
    """A copy of src with its weights split over two safetensors shards and an index."""
    from safetensors.torch import load_file, save_file

    copy_checkpoint(src, dst)
    state = load_file(str(dst / "model.safetensors"))
    (dst / "model.safetensors").unlink()
    keys = sorted(state)
    halves = {
        "model-00001-of-00002.safetensors": keys[: len(keys) // 2],
        "model-00002-of-00002.safetensors": keys[len(keys) // 2 :],
    }
    weight_map = {}
    for name, part in halves.items():
        save_file({k: state[k] for k in part}, str(dst / name), metadata={"format": "pt"})
        weight_map.update(dict.fromkeys(part, name))
    (dst / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    return dst


def build_parity_checkpoint(fixture: dict[str, Any], path: Path) -> Path:
    """Rebuild, without the official code, the checkpoint a parity fixture was recorded on (tests/.../parity).

    The official config, preprocessor and processor files verbatim, this module's offline tokenizer, and every tensor
    regenerated from its name (model/deepseek/seeded.py), each checked against the official tensor's sha256.
    """
    from safetensors.torch import save_file

    from model.deepseek.seeded import seeded_state

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for name, content in fixture["files"].items():
        (path / name).write_text(json.dumps(content, indent=2))
    make_tiny_tokenizer(path)
    save_file(seeded_state(fixture["weights"]), str(path / "model.safetensors"), metadata={"format": "pt"})
    return path
