"""DeepSeek-VL2 (Tiny, Small, base): repos, prompt format, tiling constants and config defaults (no torch)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FAMILY = "deepseek-vl2"
MODEL_TYPE = "deepseek_vl_v2"  # config.json of the original deepseek-ai checkpoints; no `architectures` key

IMAGE_TOKEN = "<image>"
USER_TOKEN = "<|User|>"
ASSISTANT_TOKEN = "<|Assistant|>"
PAD_TOKEN = "<｜▁pad▁｜>"
BOS_TOKEN = "<｜begin▁of▁sentence｜>"
EOS_TOKEN = "<｜end▁of▁sentence｜>"
GROUNDING_TOKENS = ("<|ref|>", "<|/ref|>", "<|det|>", "<|/det|>", "<|grounding|>")
# What the official DeepseekVLV2Processor adds to the tokenizer when missing, in its order.
ADDED_TOKENS = (IMAGE_TOKEN, *GROUNDING_TOKENS, USER_TOKEN, ASSISTANT_TOKEN)
STOP_STRINGS = ("<|User|>", "User:")

# The 23 tile layouts (width, height) of the released checkpoints, in their config's order.
CANDIDATE_RESOLUTIONS: tuple[tuple[int, int], ...] = (
    (384, 384), (384, 768), (768, 384), (384, 1152), (1152, 384), (384, 1536), (1536, 384), (768, 768),
    (384, 1920), (1920, 384), (384, 2304), (2304, 384), (768, 1152), (1152, 768), (384, 2688), (2688, 384),
    (384, 3072), (3072, 384), (768, 1536), (1536, 768), (384, 3456), (3456, 384), (1152, 1152),
)  # fmt: skip
IMAGE_MEAN = (0.5, 0.5, 0.5)
IMAGE_STD = (0.5, 0.5, 0.5)
MAX_CROPPING_IMAGES = 2  # with more images per prompt the official processor shows each one as a single tile

# Defaults of the official configuration classes, for keys a config.json leaves out.
LANGUAGE_DEFAULTS: dict[str, Any] = {
    "vocab_size": 102400,
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "moe_intermediate_size": 1407,
    "num_hidden_layers": 30,
    "num_attention_heads": 32,
    "num_key_value_heads": None,
    "n_shared_experts": None,
    "n_routed_experts": None,
    "routed_scaling_factor": 1.0,
    "kv_lora_rank": 512,
    "q_lora_rank": 1536,
    "qk_rope_head_dim": 64,
    "v_head_dim": 128,
    "qk_nope_head_dim": 128,
    "topk_method": "gready",  # sic: the official default, which no released checkpoint relies on
    "n_group": None,
    "topk_group": None,
    "num_experts_per_tok": None,
    "moe_layer_freq": 1,
    "first_k_dense_replace": 0,
    "norm_topk_prob": False,
    "scoring_func": "softmax",
    "hidden_act": "silu",
    "max_position_embeddings": 2048,
    "rms_norm_eps": 1e-6,
    "bos_token_id": 100000,
    "eos_token_id": 100001,
    "pad_token_id": None,
    "rope_theta": 10000.0,
    "rope_scaling": None,
    "attention_bias": False,
    "use_mla": True,
}
VISION_DEFAULTS: dict[str, Any] = {
    "image_size": 384,
    "patch_size": 16,
    "width": 1024,
    "layers": 24,
    "heads": 16,
    "mlp_ratio": 4,
    "class_token": False,
}
PROJECTOR_DEFAULTS: dict[str, Any] = {
    "projector_type": "downsample_mlp_gelu",
    "input_dim": 1152,
    "n_embed": 2048,
    "depth": 2,
    "mlp_ratio": 1,
    "downsample_ratio": 2,
    "token_pooling": False,
}


# deepseek-ai/deepseek-vl2-tiny's config.json as far as the engine reads it (for benchmarks with random weights).
TINY_CONFIG: dict[str, Any] = {
    "model_type": MODEL_TYPE,
    "tile_tag": "2D",
    "global_view_pos": "head",
    "candidate_resolutions": [list(c) for c in CANDIDATE_RESOLUTIONS],
    "vision_config": {"model_name": "siglip_so400m_patch14_384", "image_size": 384, "patch_size": 14,
                      "width": 1152, "layers": 27, "heads": 16, "mlp_ratio": 3.7362},
    "projector_config": {"projector_type": "downsample_mlp_gelu", "input_dim": 1152, "n_embed": 1280, "depth": 2,
                         "mlp_ratio": 1, "downsample_ratio": 2},
    "language_config": {"vocab_size": 129280, "hidden_size": 1280, "intermediate_size": 6848,
                        "moe_intermediate_size": 896, "num_hidden_layers": 12, "num_attention_heads": 10,
                        "num_key_value_heads": 10, "n_routed_experts": 64, "n_shared_experts": 2,
                        "num_experts_per_tok": 6, "first_k_dense_replace": 1, "topk_method": "greedy",
                        "n_group": 1, "topk_group": 1, "use_mla": False, "q_lora_rank": None, "kv_lora_rank": None,
                        "max_position_embeddings": 4096, "bos_token_id": 0, "eos_token_id": 1},
}  # fmt: skip


@dataclass(frozen=True)
class VL2Spec:
    """One released DeepSeek-VL2 size: where it lives and what it needs."""

    key: str  # 'vl2-tiny', 'vl2-small', 'vl2'
    repo_id: str
    total_params: str
    activated_params: str
    attention: str  # 'MHA' or 'MLA'
    family: str = FAMILY
    hybrid: bool = False  # one SigLIP tower; the engine's generation loop reads this

    @property
    def default_dir_name(self) -> str:
        return self.repo_id.rsplit("/", 1)[-1]


SPECS: dict[str, VL2Spec] = {
    "vl2-tiny": VL2Spec("vl2-tiny", "deepseek-ai/deepseek-vl2-tiny", "3.37B", "1.0B", "MHA"),
    "vl2-small": VL2Spec("vl2-small", "deepseek-ai/deepseek-vl2-small", "16.1B", "2.8B", "MLA"),
    "vl2": VL2Spec("vl2", "deepseek-ai/deepseek-vl2", "27.5B", "4.5B", "MLA"),
}


def spec_for_config(config: dict[str, Any]) -> VL2Spec:
    """The released size a config.json looks like (by width and routing); base when unsure."""
    lang = config.get("language_config") or {}
    if lang.get("use_mla") is False:
        return SPECS["vl2-tiny"]
    if lang.get("topk_method") == "noaux_tc":
        return SPECS["vl2"]
    return SPECS["vl2-small"]


def is_vl2_config(config: dict[str, Any]) -> bool:
    """Whether config.json is an original DeepSeek-VL2 checkpoint."""
    return config.get("model_type") == MODEL_TYPE


def build_prompt(question: str, n_images: int) -> str:
    """The official 'deepseek' template, no system prompt: one image tag per image, then the question."""
    content = (f"{IMAGE_TOKEN}\n" * n_images + question).strip()
    return f"{USER_TOKEN}: {content}\n\n{ASSISTANT_TOKEN}:"
