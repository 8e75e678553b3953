"""One engine request for DeepSeek-VL2: page images tiled, the official chat prompt, its token ids."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from model.deepseek_vl2.processor import encode_prompt
from model.deepseek_vl2.specs import build_prompt


@dataclass
class VL2Prompt:
    input_ids: list[int]
    pixel_values: Any  # every tile of every page, in order
    spatial_crop: list[tuple[int, int]]
    image_tokens: int
    tiled: bool  # False when the pages had to be shown as single tiles to fit the context
    notes: list[str] = field(default_factory=list)


def context_length(lm: Any) -> int:
    return int(lm.model.cfg.language.max_position_embeddings)


def prepare_prompt(lm: Any, question: str, images: Sequence[Any], max_new_tokens: int) -> VL2Prompt:
    """Tile the pages as the official processor does; when the tiles would overflow the context, one tile each."""
    prompt = build_prompt(question, len(images))
    processed = lm.image_processor(images)
    ids = encode_prompt(lm.tokenizer, prompt, processed.num_image_tokens, lm.image_token_id, lm.bos_token_id)
    tiled, notes = len(images) <= 2, []
    if tiled and len(ids) + max_new_tokens > context_length(lm):
        processed = lm.image_processor(images, cropping=False)
        ids = encode_prompt(lm.tokenizer, prompt, processed.num_image_tokens, lm.image_token_id, lm.bos_token_id)
        tiled = False
        notes.append("The pages were shown to the model at 384 px without local tiles, to fit its context.")
    return VL2Prompt(ids, processed.pixel_values, processed.spatial_crop, sum(processed.num_image_tokens), tiled, notes)
