"""Model specs for DeepSeek-VL 1.3B and 7B chat: full sub-configs, repos, image and prompt constants (no torch)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

IMAGE_TOKEN = "<image_placeholder>"
BOS_TOKEN = "<｜begin▁of▁sentence｜>"
EOS_TOKEN = "<｜end▁of▁sentence｜>"
# The special tokens the official tokenizer adds on top of its byte-level BPE vocabulary.
SPECIAL_TOKENS = (
    BOS_TOKEN,
    EOS_TOKEN,
    "<pad>",
    IMAGE_TOKEN,
    "<|ref|>",
    "<|/ref|>",
    "<|det|>",
    "<|/det|>",
    "<|grounding|>",
)
NUM_IMAGE_TOKENS = 576  # (384 / 16) ** 2 SigLIP patches per image
SYSTEM_PROMPT = (
    "You are a helpful language and vision assistant. You are able to understand the visual content that the user "
    "provides, and assist the user with a variety of tasks using natural language."
)
STOP_STRINGS = ("User:",)

# Image normalisation used by the official SigLIP (1.3B low-res) and SAM/CLIP (7B high-res) towers.
SIGLIP_MEAN = (0.5, 0.5, 0.5)
SIGLIP_STD = (0.5, 0.5, 0.5)
IMAGENET_STANDARD_MEAN = (0.5, 0.5, 0.5)
IMAGENET_STANDARD_STD = (0.5, 0.5, 0.5)
OPENAI_CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class ModelSpec:
    """What one DeepSeek-VL size is: its class, full config, where its weights live."""

    key: str  # '1.3b' or '7b'
    model_type: str  # transformers model_type in config.json
    hybrid: bool  # SigLIP + SAM (7B) or SigLIP only (1.3B)
    repo_id: str  # transformers-format weights
    original_repo_id: str  # deepseek-ai original layout
    text_config: dict[str, Any] = field(default_factory=dict)
    vision_config: dict[str, Any] = field(default_factory=dict)
    high_res_vision_config: dict[str, Any] | None = None
    image_token_id: int = 100015
    family: str = "deepseek-vl"  # DeepSeek-VL2 checkpoints carry model.deepseek_vl2.specs.VL2Spec instead

    def config_dict(self) -> dict[str, Any]:
        """Keyword arguments for DeepseekVL(Hybrid)Config: every sub-config given in full."""
        out: dict[str, Any] = {
            "text_config": dict(self.text_config),
            "vision_config": dict(self.vision_config),
            "image_token_id": self.image_token_id,
            "tie_word_embeddings": False,
        }
        if self.hybrid:
            out["high_res_vision_config"] = dict(self.high_res_vision_config or {})
        return out

    @property
    def default_dir_name(self) -> str:
        return f"deepseek-vl-{self.key}-chat"


_LLAMA_COMMON = {
    "model_type": "llama",
    "vocab_size": 102400,
    "max_position_embeddings": 16384,
    "rms_norm_eps": 1e-6,
    "rope_theta": 10000.0,
    "hidden_act": "silu",
    "bos_token_id": 100000,
    "eos_token_id": 100001,
    "pad_token_id": 100001,
    "tie_word_embeddings": False,
}
_SIGLIP_L_384 = {
    "model_type": "siglip_vision_model",
    "hidden_size": 1024,
    "intermediate_size": 4096,
    "num_hidden_layers": 24,
    "num_attention_heads": 16,
    "image_size": 384,
    "patch_size": 16,
    "hidden_act": "gelu",  # timm SigLIP uses exact GELU (the 7B conversion script says so too)
    "layer_norm_eps": 1e-6,
    "vision_use_head": False,
}

SPECS: dict[str, ModelSpec] = {
    "1.3b": ModelSpec(
        key="1.3b",
        model_type="deepseek_vl",
        hybrid=False,
        repo_id="deepseek-community/deepseek-vl-1.3b-chat",
        original_repo_id="deepseek-ai/deepseek-vl-1.3b-chat",
        text_config={
            **_LLAMA_COMMON,
            "hidden_size": 2048,
            "intermediate_size": 5632,
            "num_hidden_layers": 24,
            "num_attention_heads": 16,
            "num_key_value_heads": 16,
        },
        vision_config=dict(_SIGLIP_L_384),
    ),
    "7b": ModelSpec(
        key="7b",
        model_type="deepseek_vl_hybrid",
        hybrid=True,
        repo_id="deepseek-community/deepseek-vl-7b-chat",
        original_repo_id="deepseek-ai/deepseek-vl-7b-chat",
        text_config={
            **_LLAMA_COMMON,
            "hidden_size": 4096,
            "intermediate_size": 11008,
            "num_hidden_layers": 30,
            "num_attention_heads": 32,
            "num_key_value_heads": 32,
        },
        vision_config=dict(_SIGLIP_L_384),
        high_res_vision_config={
            "model_type": "sam_vision_model",
            "hidden_size": 768,
            "intermediate_size": 3072,
            "mlp_dim": 3072,
            "num_hidden_layers": 12,
            "num_attention_heads": 12,
            "image_size": 1024,
            "patch_size": 16,
            "output_channels": 256,
            "window_size": 14,
            "global_attn_indexes": [2, 5, 8, 11],
        },
    ),
}


def get_spec(key: str) -> ModelSpec:
    """The spec for '1.3b' or '7b'."""
    try:
        return SPECS[key]
    except KeyError:
        raise KeyError(f"unknown DeepSeek-VL size {key!r}; known: {', '.join(SPECS)}") from None


def spec_for_model_type(model_type: str) -> ModelSpec:
    """The spec whose transformers model_type matches (hybrid means 7B-style)."""
    return SPECS["7b"] if model_type == "deepseek_vl_hybrid" else SPECS["1.3b"]
