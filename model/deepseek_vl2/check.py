"""`docai model check` for DeepSeek-VL2: the engine's loader, the official tiling and chat prompt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.check import Prepared


def prepare_check(path: Path, image: Any, question: str, device: str, dtype: str | None) -> Prepared:
    """The checkpoint loaded as the engine loads it, and one image + question prompt ready for its forward."""
    import torch

    from model.deepseek.loading import load_checkpoint
    from model.deepseek_vl2.processor import encode_prompt
    from model.deepseek_vl2.specs import build_prompt

    lm = load_checkpoint(path, device, dtype)
    images = lm.image_processor([image.convert("RGB")])
    ids = encode_prompt(
        lm.tokenizer, build_prompt(question, 1), images.num_image_tokens, lm.image_token_id, lm.bos_token_id
    )
    inputs: dict[str, Any] = {
        "input_ids": torch.tensor([ids], device=lm.device),
        "attention_mask": torch.ones((1, len(ids)), dtype=torch.long, device=lm.device),
        "pixel_values": images.pixel_values.to(lm.device, lm.dtype),
        "images_spatial_crop": images.spatial_crop,
        "logits_to_keep": 1,
    }
    return Prepared(
        model=lm.model,
        inputs=inputs,
        tokenizer=lm.tokenizer,
        eos_token_id=lm.eos_token_id,
        family="deepseek-vl2",
        variant=lm.spec.key,
        layout=lm.layout,
        dtype=str(lm.dtype).removeprefix("torch."),
        device=str(lm.device),
        image_tokens=sum(images.num_image_tokens),
    )
