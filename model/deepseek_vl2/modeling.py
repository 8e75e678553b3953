"""DeepSeek-VL2: tiles -> SigLIP -> projector -> 2D tile layout with newline/separator embeddings -> MoE LM."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import torch
from torch import nn

from model.deepseek_vl2.language import Cache, DeepseekV2ForCausalLM, LanguageConfig
from model.deepseek_vl2.vision import MlpProjector, ProjectorConfig, VisionConfig, VisionTransformer


@dataclass(frozen=True)
class VL2Config:
    vision: VisionConfig
    projector: ProjectorConfig
    language: LanguageConfig
    candidate_resolutions: tuple[tuple[int, int], ...]
    image_token_id: int


@dataclass
class VL2Output:
    logits: torch.Tensor
    past_key_values: Cache | None


class DeepseekVLV2ForCausalLM(nn.Module):
    """The official module tree (vision, projector, image_newline, view_seperator, language), inference only."""

    def __init__(self, cfg: VL2Config):
        super().__init__()
        self.cfg = cfg
        self.vision = VisionTransformer(cfg.vision)
        self.projector = MlpProjector(cfg.projector)
        self.image_newline = nn.Parameter(torch.zeros(cfg.projector.n_embed))
        self.view_seperator = nn.Parameter(torch.zeros(cfg.projector.n_embed))  # sic, the official name
        self.language = DeepseekV2ForCausalLM(cfg.language)
        lang = cfg.language
        # what the engine's memory budget reads, in transformers' naming
        self.config = SimpleNamespace(
            image_token_id=cfg.image_token_id,
            text_config=SimpleNamespace(
                hidden_size=lang.hidden_size,
                num_hidden_layers=lang.num_hidden_layers,
                num_attention_heads=lang.num_attention_heads,
                num_key_value_heads=lang.num_key_value_heads,
                head_dim=lang.head_dim,
                intermediate_size=max(lang.intermediate_size, lang.moe_intermediate_size * 8),
                vocab_size=lang.vocab_size,
            ),
        )

    def image_embeddings(self, pixel_values: torch.Tensor, spatial_crop: list[tuple[int, int]]) -> torch.Tensor:
        """(n_tiles, 3, S, S) for some images -> (n_image_tokens, D) in prompt order."""
        features = self.projector(self.vision(pixel_values))  # (n_tiles, h*w, D)
        _, hw, dim = features.shape
        side = int(hw**0.5)
        out, tile = [], 0
        for tiles_w, tiles_h in spatial_crop:
            n_local = tiles_w * tiles_h
            global_view = features[tile].view(side, side, dim)
            newline = self.image_newline.to(features.dtype)
            global_view = torch.cat([global_view, newline.expand(side, 1, dim)], dim=1).reshape(-1, dim)
            local = features[tile + 1 : tile + 1 + n_local].view(tiles_h, tiles_w, side, side, dim)
            local = local.permute(0, 2, 1, 3, 4).reshape(tiles_h * side, tiles_w * side, dim)  # tiles side by side
            local = torch.cat([local, newline.expand(tiles_h * side, 1, dim)], dim=1).reshape(-1, dim)
            out += [global_view, self.view_seperator.to(features.dtype)[None], local]
            tile += 1 + n_local
        return torch.cat(out)

    def embed(self, input_ids: torch.Tensor, pixel_values: Any, spatial_crop: Any) -> torch.Tensor:
        embeds = self.language.model.embed_tokens(input_ids)
        if pixel_values is None or not spatial_crop:
            return embeds
        mask = input_ids == self.cfg.image_token_id
        images = self.image_embeddings(pixel_values.to(embeds.dtype), list(spatial_crop))
        if int(mask.sum()) != images.shape[0]:
            raise ValueError(f"{int(mask.sum())} image tokens in the prompt but the images give {images.shape[0]}")
        return embeds.masked_scatter(mask.unsqueeze(-1), images.to(embeds.dtype))

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        past_key_values: Cache | None = None,
        use_cache: bool = False,
        logits_to_keep: int = 0,
        pixel_values: torch.Tensor | None = None,
        images_spatial_crop: list[tuple[int, int]] | None = None,
    ) -> VL2Output:
        """Same call shape as the transformers DeepSeek-VL models, so one generation loop drives both."""
        b, t = input_ids.shape
        cache = past_key_values if past_key_values is not None else (Cache(len(self.language.model.layers)))
        past = cache.length()
        if attention_mask is None:
            attention_mask = torch.ones(b, past + t, dtype=torch.long, device=input_ids.device)
        if position_ids is None:
            position_ids = torch.arange(past, past + t, device=input_ids.device)[None].expand(b, -1)
        embeds = self.embed(input_ids, pixel_values if past == 0 else None, images_spatial_crop)
        logits = self.language(embeds, attention_mask, position_ids, cache if use_cache else None, logits_to_keep)
        return VL2Output(logits=logits, past_key_values=cache if use_cache else None)
