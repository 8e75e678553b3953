"""`docai model check` for DeepSeek-VL 1.3B/7B: the engine's loader, image processor and chat prompt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.check import Prepared
from model.deepseek.prompting import chat_prompt, encode_prompt


def prepare_check(path: Path, image: Any, question: str, device: str, dtype: str | None) -> Prepared:
    """The checkpoint loaded as the engine loads it, and one image + question prompt ready for its forward."""
    import torch

    from model.deepseek.loading import load_checkpoint

    lm = load_checkpoint(path, device, dtype)
    ids = encode_prompt(lm.tokenizer, chat_prompt(question), 1, lm.image_token_id, lm.num_image_tokens, lm.bos_token_id)
    processed = lm.image_processor(images=[image.convert("RGB")], return_tensors="pt")
    inputs: dict[str, Any] = {
        "input_ids": torch.tensor([ids], device=lm.device),
        "attention_mask": torch.ones((1, len(ids)), dtype=torch.long, device=lm.device),
        "pixel_values": processed["pixel_values"].to(lm.device, lm.dtype),
        "logits_to_keep": 1,
    }
    if lm.spec.hybrid:
        inputs["high_res_pixel_values"] = processed["high_res_pixel_values"].to(lm.device, lm.dtype)
    return Prepared(
        model=lm.model,
        inputs=inputs,
        tokenizer=lm.tokenizer,
        eos_token_id=lm.eos_token_id,
        family="deepseek-vl",
        variant=lm.spec.key,
        layout=lm.layout,
        dtype=str(lm.dtype).removeprefix("torch."),
        device=str(lm.device),
        image_tokens=lm.num_image_tokens,
    )
