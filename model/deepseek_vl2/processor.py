"""DeepSeek-VL2 preprocessing as the official DeepseekVLV2Processor does it: tiling, pixels, prompt token ids."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageOps

from model.deepseek_vl2.specs import (
    CANDIDATE_RESOLUTIONS,
    IMAGE_MEAN,
    IMAGE_STD,
    IMAGE_TOKEN,
    MAX_CROPPING_IMAGES,
)


def select_best_resolution(
    image_size: tuple[int, int], candidates: Sequence[Sequence[int]] = CANDIDATE_RESOLUTIONS
) -> tuple[int, int]:
    """The (width, height) tile layout that keeps the most of the image, then wastes the least; first wins ties."""
    width, height = image_size
    best: tuple[int, int] = (int(candidates[0][0]), int(candidates[0][1]))
    best_effective, best_waste = 0, float("inf")
    for cand_w, cand_h in candidates:
        scale = min(cand_w / width, cand_h / height)
        effective = min(int(width * scale) * int(height * scale), width * height)  # truncating downscale
        waste = cand_w * cand_h - effective
        if effective > best_effective or (effective == best_effective and waste < best_waste):
            best, best_effective, best_waste = (int(cand_w), int(cand_h)), effective, waste
    return best


def image_token_count(tiles_w: int, tiles_h: int, image_size: int = 384, patch_size: int = 14, ratio: int = 2) -> int:
    """Global view rows with a newline each, one view separator, then the local grid with a newline per row."""
    side = math.ceil((image_size // patch_size) / ratio)
    return side * (side + 1) + 1 + (tiles_h * side) * (tiles_w * side + 1)


@dataclass
class VL2Images:
    """What the model needs for a prompt's images: every tile in order, and each image's tile grid."""

    pixel_values: Any  # (n_tiles, 3, S, S) float32: per image, the global view then its local tiles row by row
    spatial_crop: list[tuple[int, int]] = field(default_factory=list)  # (tiles wide, tiles high) per image
    num_image_tokens: list[int] = field(default_factory=list)


class VL2ImageProcessor:
    """Global 384 view padded with the mean colour, plus local 384 tiles of the best candidate layout."""

    def __init__(
        self,
        candidate_resolutions: Sequence[Sequence[int]] = CANDIDATE_RESOLUTIONS,
        patch_size: int = 14,
        downsample_ratio: int = 2,
        image_mean: Sequence[float] = IMAGE_MEAN,
        image_std: Sequence[float] = IMAGE_STD,
    ):
        self.candidate_resolutions = [tuple(int(v) for v in c) for c in candidate_resolutions]
        self.image_size = self.candidate_resolutions[0][0]
        self.patch_size = patch_size
        self.downsample_ratio = downsample_ratio
        self.image_mean = tuple(image_mean)
        self.image_std = tuple(image_std)
        self.pad_color = tuple(int(x * 255) for x in self.image_mean)

    def to_tensor(self, image: Image.Image) -> Any:
        """torchvision's ToTensor then Normalize, op for op: (x / 255 - mean) / std."""
        import numpy as np
        import torch

        x = torch.from_numpy(np.array(image, dtype=np.uint8, copy=True)).permute(2, 0, 1).contiguous()
        x = x.to(dtype=torch.get_default_dtype()).div(255)
        mean = torch.as_tensor(self.image_mean, dtype=x.dtype)[:, None, None]
        std = torch.as_tensor(self.image_std, dtype=x.dtype)[:, None, None]
        return x.sub_(mean).div_(std)

    def tiles(self, image: Image.Image, cropping: bool = True) -> tuple[list[Any], tuple[int, int]]:
        """One image's global view and local tiles, and its (tiles wide, tiles high)."""
        size = self.image_size
        image = image.convert("RGB")
        best_w, best_h = select_best_resolution(image.size, self.candidate_resolutions) if cropping else (size, size)
        out = [self.to_tensor(ImageOps.pad(image, (size, size), color=self.pad_color))]  # bicubic, centred
        local = ImageOps.pad(image, (best_w, best_h), color=self.pad_color)
        for top in range(0, best_h, size):
            for left in range(0, best_w, size):
                out.append(self.to_tensor(local.crop((left, top, left + size, top + size))))
        return out, (best_w // size, best_h // size)

    def __call__(self, images: Sequence[Image.Image], cropping: bool | None = None) -> VL2Images:
        """cropping None: the official rule, local tiles only for prompts with at most two images."""
        import torch

        if cropping is None:
            cropping = len(images) <= MAX_CROPPING_IMAGES
        tiles: list[Any] = []
        result = VL2Images(pixel_values=None)
        for image in images:
            views, (tiles_w, tiles_h) = self.tiles(image, cropping)
            tiles.extend(views)
            result.spatial_crop.append((tiles_w, tiles_h))
            result.num_image_tokens.append(
                image_token_count(tiles_w, tiles_h, self.image_size, self.patch_size, self.downsample_ratio)
            )
        result.pixel_values = torch.stack(tiles) if tiles else torch.zeros(0, 3, self.image_size, self.image_size)
        return result


class PlaceholderMismatch(ValueError):
    """The prompt's image tags and the images given do not pair up."""


def encode_prompt(tokenizer: Any, prompt: str, num_image_tokens: Sequence[int], image_token_id: int, bos: int) -> list:
    """BOS, then each text piece encoded on its own and each image tag expanded to its image tokens."""
    pieces = prompt.split(IMAGE_TOKEN)
    if len(pieces) - 1 != len(num_image_tokens):
        raise PlaceholderMismatch(
            f"the prompt has {len(pieces) - 1} {IMAGE_TOKEN} tags but {len(num_image_tokens)} images were given"
        )
    ids: list[int] = [bos]
    for piece, count in zip(pieces, [*num_image_tokens, 0], strict=True):
        if piece:
            ids.extend(tokenizer.encode(piece, add_special_tokens=False))
        ids.extend([image_token_id] * count)
    return ids
