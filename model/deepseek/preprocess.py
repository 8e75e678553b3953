"""Image preprocessing for original-layout (deepseek-ai) checkpoints, exactly as the official code does it.

The official `VLMImageProcessor` resizes the longer side to `image_size` with a truncating `int()` (bicubic,
Pillow's antialiasing), pads to a square with `image_mean` x 255 as background, rescales by 1/255 in float64 then
float32, and normalises with `image_mean`/`image_std` only when `do_normalize` is set (1.3B). Each vision tower then
normalises its own input with `pixel_mean`/`pixel_std` from config.json (7B: CLIP values for SAM on the 1024 canvas,
0.5 for SigLIP on the canvas resized to 384 with antialiased bilinear interpolation). The transformers processors
round the resize instead and read the fields differently, so they are not used for this layout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)  # VLMImageProcessor's defaults
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class Tower:
    """What one vision tower is fed: a square of `size` px, normalised by its own mean/std when it has them."""

    size: int
    mean: tuple[float, ...] | None = None
    std: tuple[float, ...] | None = None


@dataclass(frozen=True)
class OriginalImageProcessor:
    """`VLMImageProcessor` plus the towers' own normalisation: PIL images in, tower-ready float32 tensors out."""

    image_size: int
    low: Tower  # SigLIP, fed as `pixel_values`
    high: Tower | None = None  # SAM (7B), fed as `high_res_pixel_values`
    min_size: int = 14
    image_mean: tuple[float, ...] | None = CLIP_MEAN
    image_std: tuple[float, ...] | None = CLIP_STD
    rescale_factor: float = 1.0 / 255.0
    do_normalize: bool = True

    @property
    def background(self) -> tuple[int, ...]:
        if self.image_mean is None:
            return (127, 127, 127)
        return tuple(int(x * 255) for x in self.image_mean)

    def canvas(self, image: Image.Image) -> np.ndarray:
        """The padded square as float32 (3, S, S): resized, padded, rescaled, normalised when configured."""
        image = image.convert("RGB")
        width, height = image.size
        longest = max(width, height)
        size = (
            max(int(width / longest * self.image_size), self.min_size),
            max(int(height / longest * self.image_size), self.min_size),
        )
        resized = image.resize(size, Image.Resampling.BICUBIC)
        square = _pad_square(resized, self.background)
        x = np.transpose(np.array(square), (2, 0, 1))
        x = (x * self.rescale_factor).astype(np.float32)
        if self.do_normalize and self.image_mean is not None and self.image_std is not None:
            mean = np.array(self.image_mean, dtype=np.float32)
            std = np.array(self.image_std, dtype=np.float32)
            x = ((x.T - mean) / std).T
        return x

    def __call__(self, images: Sequence[Image.Image], return_tensors: str = "pt") -> dict[str, Any]:
        """{'pixel_values': (n, 3, s, s)} and, for the hybrid 7B, {'high_res_pixel_values': (n, 3, S, S)}."""
        import torch

        canvas = torch.from_numpy(np.stack([self.canvas(image) for image in images]))
        if self.high is None:
            return {"pixel_values": _normalise(_resized(canvas, self.low.size), self.low)}
        return {
            "pixel_values": _normalise(_resized(canvas, self.low.size), self.low),
            "high_res_pixel_values": _normalise(_resized(canvas, self.high.size), self.high),
        }


def _pad_square(image: Image.Image, background: tuple[int, ...]) -> Image.Image:
    """Centre the image on a square of the background colour (the official expand2square)."""
    width, height = image.size
    if width == height:
        return image
    side = max(width, height)
    square = Image.new(image.mode, (side, side), background)
    square.paste(image, ((side - width) // 2, (side - height) // 2))
    return square


def _resized(canvas: Any, size: int) -> Any:
    """The hybrid tower's downscale of the canvas: torchvision's antialiased bilinear tensor resize."""
    import torch.nn.functional as F

    if canvas.shape[-1] == size:
        return canvas
    return F.interpolate(canvas, size=[size, size], mode="bilinear", align_corners=False, antialias=True)


def _normalise(x: Any, tower: Tower) -> Any:
    if tower.mean is None or tower.std is None:
        return x
    import torch

    mean = torch.as_tensor(tower.mean, dtype=x.dtype).view(-1, 1, 1)
    std = torch.as_tensor(tower.std, dtype=x.dtype).view(-1, 1, 1)
    return x.sub(mean).div(std)


def _tower(params: Mapping[str, Any], size: int, mean: Sequence[float] | None, std: Sequence[float] | None) -> Tower:
    """A tower's input from its config.json params; what they leave out, from the model's geometry and defaults."""
    if "pixel_mean" in params or "pixel_std" in params:
        mean, std = params.get("pixel_mean"), params.get("pixel_std")
    return Tower(
        size=int(params.get("image_size", size)),
        mean=tuple(mean) if mean is not None and std is not None else None,
        std=tuple(std) if mean is not None and std is not None else None,
    )


def original_image_processor(
    path: Path, config: Mapping[str, Any], low_size: int, high_size: int | None
) -> OriginalImageProcessor:
    """The processor an original-layout checkpoint describes (preprocessor_config.json + config.json's towers).

    low_size/high_size are the loaded model's tower sizes (high_size None: SigLIP only). Where the files are
    silent, the published checkpoints' values: 1.3B normalises to 0.5/0.5 in the processor on a 384 canvas; 7B's
    towers normalise their own input (SigLIP 0.5/0.5, SAM CLIP) on a 1024 canvas.
    """
    import json

    params = dict((config.get("vision_config") or {}).get("params") or {})
    half = (0.5, 0.5, 0.5)
    high: Tower | None = None
    if high_size is None:
        low = _tower(params, low_size, None, None)
        defaults: dict[str, Any] = {"image_size": low.size, "do_normalize": True}
    else:
        low = _tower(params.get("low_res_cfg") or {}, low_size, half, half)
        high = _tower(params.get("high_res_cfg") or {}, high_size, CLIP_MEAN, CLIP_STD)
        defaults = {"image_size": high.size, "do_normalize": False}
    defaults.update(image_mean=list(half), image_std=list(half))
    file = path / "preprocessor_config.json"
    pre = {**defaults, **json.loads(file.read_text())} if file.is_file() else defaults
    mean, std = pre.get("image_mean", CLIP_MEAN), pre.get("image_std", CLIP_STD)
    return OriginalImageProcessor(
        image_size=int(pre["image_size"]),
        low=low,
        high=high,
        min_size=int(pre.get("min_size", 14)),
        image_mean=tuple(mean) if mean is not None else None,
        image_std=tuple(std) if std is not None else None,
        rescale_factor=float(pre.get("rescale_factor", 1.0 / 255.0)),
        do_normalize=bool(pre.get("do_normalize", True)),
    )
