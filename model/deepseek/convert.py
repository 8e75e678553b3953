"""Original deepseek-ai checkpoint layout -> transformers layout: key mapping, qkv split, config inference."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from model.deepseek.specs import ModelSpec

SIGLIP = "model.vision_model"  # transformers 5 keeps SiglipVisionModel weights without the inner prefix
SAM = "model.high_res_vision_model.vision_encoder"
_LOW = r"vision_model(?:\.vision_tower_low)?\.vision_tower"
_HIGH = r"vision_model\.vision_tower_high\.vision_tower"

# Follows transformers' convert_deepseek_vl(_hybrid)_weights_to_hf.py; None drops a key the official forward never
# uses (the SigLIP attention-pool head: vision_use_head=False; the hybrid tower's two spare layer norms).
KEY_MAP: tuple[tuple[str, str | None], ...] = (
    (rf"^{_HIGH}\.pos_embed$", f"{SAM}.pos_embed"),
    (rf"^{_HIGH}\.patch_embed\.proj\.(weight|bias)$", rf"{SAM}.patch_embed.projection.\1"),
    (rf"^{_HIGH}\.blocks\.(\d+)\.norm(\d+)\.(weight|bias)$", rf"{SAM}.layers.\1.layer_norm\2.\3"),
    (rf"^{_HIGH}\.blocks\.(\d+)\.attn\.rel_pos_(h|w)$", rf"{SAM}.layers.\1.attn.rel_pos_\2"),
    (rf"^{_HIGH}\.blocks\.(\d+)\.attn\.qkv\.(weight|bias)$", rf"{SAM}.layers.\1.attn.qkv.\2"),
    (rf"^{_HIGH}\.blocks\.(\d+)\.attn\.proj\.(weight|bias)$", rf"{SAM}.layers.\1.attn.proj.\2"),
    (rf"^{_HIGH}\.blocks\.(\d+)\.mlp\.lin(\d+)\.(weight|bias)$", rf"{SAM}.layers.\1.mlp.lin\2.\3"),
    (rf"^{_HIGH}\.neck\.0\.weight$", f"{SAM}.neck.conv1.weight"),
    (rf"^{_HIGH}\.neck\.1\.(weight|bias)$", rf"{SAM}.neck.layer_norm1.\1"),
    (rf"^{_HIGH}\.neck\.2\.weight$", f"{SAM}.neck.conv2.weight"),
    (rf"^{_HIGH}\.neck\.3\.(weight|bias)$", rf"{SAM}.neck.layer_norm2.\1"),
    (rf"^{_HIGH}\.neck_hd\.0\.weight$", "model.high_res_vision_neck.conv1.weight"),
    (rf"^{_HIGH}\.neck_hd\.1\.(weight|bias)$", r"model.high_res_vision_neck.layer_norm1.\1"),
    (rf"^{_HIGH}\.neck_hd\.2\.weight$", "model.high_res_vision_neck.conv2.weight"),
    (rf"^{_HIGH}\.neck_hd\.3\.(weight|bias)$", r"model.high_res_vision_neck.layer_norm2.\1"),
    (rf"^{_HIGH}\.downsamples\.0\.weight$", "model.high_res_vision_proj.conv1.weight"),
    (rf"^{_HIGH}\.downsamples\.1\.weight$", "model.high_res_vision_proj.conv2.weight"),
    (rf"^{_HIGH}\.hd_alpha_downsamples$", "model.high_res_vision_alpha"),
    (rf"^{_LOW}\.pos_embed$", f"{SIGLIP}.embeddings.position_embedding.weight"),
    (rf"^{_LOW}\.patch_embed\.proj\.(weight|bias)$", rf"{SIGLIP}.embeddings.patch_embedding.\1"),
    (rf"^{_LOW}\.blocks\.(\d+)\.attn\.qkv\.(weight|bias)$", rf"{SIGLIP}.encoder.layers.\1.self_attn.(q|k|v)_proj.\2"),
    (rf"^{_LOW}\.blocks\.(\d+)\.attn\.proj\.(weight|bias)$", rf"{SIGLIP}.encoder.layers.\1.self_attn.out_proj.\2"),
    (rf"^{_LOW}\.blocks\.(\d+)\.norm(\d+)\.(weight|bias)$", rf"{SIGLIP}.encoder.layers.\1.layer_norm\2.\3"),
    (rf"^{_LOW}\.blocks\.(\d+)\.mlp\.fc(\d+)\.(weight|bias)$", rf"{SIGLIP}.encoder.layers.\1.mlp.fc\2.\3"),
    (rf"^{_LOW}\.norm\.(weight|bias)$", rf"{SIGLIP}.post_layernorm.\1"),
    (rf"^{_LOW}\.attn_pool\..*$", None),
    # the 7B HybridVisionTower builds these two norms but its forward never uses them; save_pretrained writes them
    (r"^vision_model\.(?:high|low)_layer_norm\.(?:weight|bias)$", None),
    # aligner: 1.3B is an MLP (layers.0, GELU, layers.2); 7B projects both towers then layers.1
    (r"^aligner\.layers\.0\.(weight|bias)$", r"model.aligner.linear1.\1"),
    (r"^aligner\.layers\.2\.(weight|bias)$", r"model.aligner.linear2.\1"),
    (r"^aligner\.layers\.1\.(weight|bias)$", r"model.aligner.proj.\1"),
    (r"^aligner\.low_up_proj\.(weight|bias)$", r"model.aligner.vision_proj.\1"),
    (r"^aligner\.high_up_proj\.(weight|bias)$", r"model.aligner.high_res_vision_proj.\1"),
    (r"^language_model\.model\.(.+)$", r"model.language_model.\1"),
    (r"^language_model\.lm_head\.(weight|bias)$", r"lm_head.\1"),
)
_COMPILED = tuple((re.compile(p), r) for p, r in KEY_MAP)


class ConversionError(ValueError):
    """An original-layout checkpoint holds a key this converter does not know."""


def is_original_config(config: Mapping[str, Any]) -> bool:
    """Whether config.json is the deepseek-ai 'multi_modality' layout rather than transformers'."""
    return config.get("model_type") == "multi_modality" or "language_config" in config


def is_hybrid_original(config: Mapping[str, Any], keys: list[str]) -> bool:
    """Whether an original-layout checkpoint is the 7B hybrid (SigLIP + SAM) kind."""
    vision_cls = str((config.get("vision_config") or {}).get("cls", ""))
    return vision_cls == "HybridVisionTower" or any(".vision_tower_high." in k for k in keys)


def convert_key(key: str) -> str | None:
    """The transformers key for one original key; None when the key is dropped."""
    for pattern, replacement in _COMPILED:
        if pattern.match(key):
            return None if replacement is None else pattern.sub(replacement, key)
    raise ConversionError(f"unexpected weight {key!r} in an original-layout DeepSeek-VL checkpoint")


def convert_state_dict(state: Mapping[str, Any]) -> dict[str, Any]:
    """Rename every key, split fused SigLIP qkv into q/k/v, squeeze timm's (1, N, C) pos_embed to (N, C)."""
    out: dict[str, Any] = {}
    for key, tensor in state.items():
        new = convert_key(key)
        if new is None:
            continue
        if "(q|k|v)" in new:
            for name, part in zip("qkv", tensor.chunk(3, dim=0), strict=True):
                out[new.replace("(q|k|v)", name)] = part.contiguous()
        elif key.endswith("pos_embed") and "vision_tower_high" not in key:
            out[new] = tensor.squeeze(0)
        else:
            out[new] = tensor
    return out


def _count_blocks(shapes: Mapping[str, tuple[int, ...]], prefix: str) -> int:
    pattern = re.compile(rf"^{prefix}\.blocks\.(\d+)\.")
    return 1 + max((int(m.group(1)) for k in shapes if (m := pattern.match(k))), default=-1)


def infer_config(original: Mapping[str, Any], shapes: Mapping[str, tuple[int, ...]], spec: ModelSpec) -> dict[str, Any]:
    """A full transformers config for an original checkpoint: sizes read off the weights, the rest from the spec."""
    cfg = spec.config_dict()
    text = cfg["text_config"]
    lang = dict(original.get("language_config") or {})
    embed = shapes["language_model.model.embed_tokens.weight"]
    text["vocab_size"], text["hidden_size"] = embed
    text["intermediate_size"] = shapes["language_model.model.layers.0.mlp.gate_proj.weight"][0]
    text["num_hidden_layers"] = 1 + max(
        int(k.split(".")[3]) for k in shapes if k.startswith("language_model.model.layers.")
    )
    for name in ("num_attention_heads", "max_position_embeddings", "rms_norm_eps", "rope_theta"):
        if name in lang:
            text[name] = lang[name]
    for name in ("bos_token_id", "eos_token_id", "pad_token_id"):
        text[name] = lang.get(name, text.get(name))
        if text[name] is not None and text[name] >= text["vocab_size"]:
            text[name] = None  # a smaller vocabulary than the official one (tests' tiny models)
    head_dim = text["hidden_size"] // text["num_attention_heads"]
    text["num_key_value_heads"] = shapes["language_model.model.layers.0.self_attn.k_proj.weight"][0] // head_dim

    low = "vision_model.vision_tower_low.vision_tower" if spec.hybrid else "vision_model.vision_tower"
    vision = cfg["vision_config"]
    patch = shapes[f"{low}.patch_embed.proj.weight"]
    vision["hidden_size"], vision["patch_size"] = patch[0], patch[2]
    vision["intermediate_size"] = shapes[f"{low}.blocks.0.mlp.fc1.weight"][0]
    vision["num_hidden_layers"] = _count_blocks(shapes, low)
    vision["num_attention_heads"] = max(1, patch[0] // 64)  # timm ViTs use 64-wide heads
    n_patches = shapes[f"{low}.pos_embed"][-2]
    vision["image_size"] = int(round(n_patches**0.5)) * patch[2]
    if spec.hybrid:
        high = "vision_model.vision_tower_high.vision_tower"
        sam = cfg["high_res_vision_config"]
        sam_patch = shapes[f"{high}.patch_embed.proj.weight"]
        sam["hidden_size"], sam["patch_size"] = sam_patch[0], sam_patch[2]
        sam["num_attention_heads"] = max(1, sam_patch[0] // 64)
        sam["num_hidden_layers"] = _count_blocks(shapes, high)
        sam["mlp_dim"] = sam["intermediate_size"] = shapes[f"{high}.blocks.0.mlp.lin1.weight"][0]
        sam["output_channels"] = shapes[f"{high}.neck.0.weight"][0]
        grid = shapes[f"{high}.pos_embed"][1]
        sam["image_size"] = grid * sam_patch[2]
        # global-attention blocks carry relative positions over the whole grid, windowed ones over the window
        rel = {i: shapes[f"{high}.blocks.{i}.attn.rel_pos_h"][0] for i in range(sam["num_hidden_layers"])}
        sam["global_attn_indexes"] = [i for i, n in rel.items() if n == 2 * grid - 1]
        windowed = [n for n in rel.values() if n != 2 * grid - 1]
        sam["window_size"] = (windowed[0] + 1) // 2 if windowed else 0
    return cfg
