"""Cut-down DeepSeek-VL2 checkpoints with deterministic weights: configs, per-tensor values, checksums.

Only numpy, torch and the standard library are imported, so the parity generator can load this file in the
side environment of the official code and write the very same weights the project's builder writes.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

# Full vision geometry (384 tiles, 14 px patches, 27x27 grid), narrow widths, a 2-layer LM: layer 0 dense, 1 MoE.
_VISION = {"model_name": "siglip_so400m_patch14_384", "image_size": 384, "patch_size": 14, "width": 64,
           "layers": 2, "heads": 2, "mlp_ratio": 3.7362, "global_pool": "map", "ignore_head": True,
           "class_token": False, "num_classes": 0, "use_checkpoint": False}  # fmt: skip
_LANGUAGE_COMMON = {"hidden_size": 256, "intermediate_size": 512, "moe_intermediate_size": 64,
                    "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 2,
                    "n_routed_experts": 16, "n_shared_experts": 2, "num_experts_per_tok": 6,
                    "first_k_dense_replace": 1, "moe_layer_freq": 1, "routed_scaling_factor": 1.0,
                    "norm_topk_prob": False, "scoring_func": "softmax", "topk_method": "greedy",
                    "n_group": 1, "topk_group": 1, "max_position_embeddings": 4096, "rms_norm_eps": 1e-6,
                    "rope_theta": 10000.0, "hidden_act": "silu", "tie_word_embeddings": False}  # fmt: skip
VARIANTS: dict[str, dict[str, Any]] = {
    # VL2-Tiny-like: plain multi-head attention, head_dim 128
    "tiny-mha": {"use_mla": False, "q_lora_rank": None, "kv_lora_rank": None, "qk_nope_head_dim": 0,
                 "qk_rope_head_dim": 0, "v_head_dim": 0},
    # VL2-Small-like: MLA without a query low-rank, 128 + 64 query/key dims, 128 value dims
    "small-mla": {"q_lora_rank": None, "kv_lora_rank": 64, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64,
                  "v_head_dim": 128},
}  # fmt: skip
CANDIDATES = [[384, 384], [384, 768], [768, 384], [384, 1152], [1152, 384], [384, 1536], [1536, 384], [768, 768],
              [384, 1920], [1920, 384], [384, 2304], [2304, 384], [768, 1152], [1152, 768], [384, 2688], [2688, 384],
              [384, 3072], [3072, 384], [768, 1536], [1536, 768], [384, 3456], [3456, 384], [1152, 1152]]  # fmt: skip


def tiny_config(variant: str, vocab_size: int, bos: int, eos: int, pad: int | None) -> dict[str, Any]:
    """An original-layout config.json for a cut-down VL2 checkpoint (what the official config class takes)."""
    language = {**_LANGUAGE_COMMON, **VARIANTS[variant], "vocab_size": vocab_size, "bos_token_id": bos,
                "eos_token_id": eos, "pad_token_id": pad}  # fmt: skip
    return {
        "model_type": "deepseek_vl_v2",
        "tile_tag": "2D",
        "global_view_pos": "head",
        "candidate_resolutions": CANDIDATES,
        "vision_config": dict(_VISION),
        "projector_config": {"projector_type": "downsample_mlp_gelu", "input_dim": _VISION["width"],
                             "n_embed": language["hidden_size"], "depth": 2, "mlp_ratio": 1, "downsample_ratio": 2},
        "language_config": language,
    }  # fmt: skip


def to_bf16_exact(x: np.ndarray) -> np.ndarray:
    """Round float32 to the nearest bfloat16 (ties to even), kept as float32: the values survive a bf16 save."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).astype(np.uint32)
    return rounded.view(np.float32)


def synthetic_value(name: str, shape: Iterable[int], seed: int = 0) -> np.ndarray:
    """The value of one weight, from its name only: scaled so activations stay O(1) and routing is decisive."""
    shape = tuple(int(s) for s in shape)
    rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
    noise = rng.standard_normal(shape, dtype=np.float32)
    leaf = name.rsplit(".", 1)[-1]
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else max(shape[0], 1)
    if "norm" in name and leaf == "weight":
        value = 1.0 + 0.1 * noise
    elif leaf == "bias" or leaf == "e_score_correction_bias":
        value = 0.05 * noise
    elif leaf in ("pos_embed", "latent"):
        value = 0.5 * noise
    elif leaf in ("image_newline", "view_seperator") or name.endswith("embed_tokens.weight"):
        value = noise
    elif name.endswith("mlp.gate.weight"):  # router: well separated expert scores
        value = 4.0 * noise / np.sqrt(fan_in)
    else:
        value = noise / np.sqrt(fan_in)
    return to_bf16_exact(value.astype(np.float32))


def synthetic_state(shapes: Mapping[str, Iterable[int]], seed: int = 0) -> dict[str, np.ndarray]:
    return {name: synthetic_value(name, shape, seed) for name, shape in shapes.items()}


def checksum(tensors: Mapping[str, Any]) -> str:
    """sha256 over every tensor's name, shape and float32 value, in name order (shard layout does not matter)."""
    digest = hashlib.sha256()
    for name in sorted(tensors):
        value = tensors[name]
        array = value.float().numpy() if hasattr(value, "float") else np.asarray(value, dtype=np.float32)
        digest.update(f"{name}:{tuple(array.shape)}:".encode())
        digest.update(np.ascontiguousarray(array, dtype="<f4").tobytes())
    return digest.hexdigest()


def pixel_checksum(pixels: Any) -> str:
    """sha256 of a float32 pixel tensor's bytes, with its shape."""
    array = pixels.float().numpy() if hasattr(pixels, "float") else np.asarray(pixels, dtype=np.float32)
    return hashlib.sha256(f"{tuple(array.shape)}:".encode() + np.ascontiguousarray(array, "<f4").tobytes()).hexdigest()
