"""A born-digital page made to look scanned: lower resolution, skew, blur, noise, uneven contrast, JPEG artefacts."""

from __future__ import annotations

import io
import math
import random

import numpy as np
import pymupdf
from PIL import Image, ImageFilter

Box = list[float]


def render_scan(pdf: bytes, boxes: dict[str, Box], rng: random.Random) -> tuple[bytes, dict[str, Box]]:
    """JPEG bytes of page 1 as a noisy, skewed scan, and the value boxes moved with the skew."""
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        pix = doc[0].get_pixmap(dpi=rng.randint(110, 170), colorspace=pymupdf.csGRAY)
        image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    angle = rng.uniform(-2.0, 2.0)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if rng.random() < 0.7:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9)))
    pixels = np.asarray(image, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(2**32))
    pixels = pixels * rng.uniform(0.85, 1.0) + rng.uniform(0, 25)  # toner and paper tone
    shade = np.linspace(rng.uniform(-12, 0), rng.uniform(0, 12), pixels.shape[1], dtype=np.float32)
    pixels = pixels + shade[None, :] + noise.normal(0, rng.uniform(3, 10), pixels.shape).astype(np.float32)
    speckle = noise.random(pixels.shape) < rng.uniform(0.0, 0.002)
    pixels[speckle] = 0
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=rng.randint(45, 85))
    return out.getvalue(), {k: _rotate_box(b, angle, image.width / image.height) for k, b in boxes.items()}


def _rotate_box(box: Box, angle: float, aspect: float) -> Box:
    """The box after PIL's rotation by angle degrees (counter-clockwise) about the page centre."""
    page, x0, y0, x1, y1 = box
    rad = math.radians(angle)
    xs, ys = [], []
    for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
        dx, dy = (x - 0.5) * aspect, y - 0.5  # in units of page height, so the rotation is not sheared
        rx = dx * math.cos(rad) + dy * math.sin(rad)
        ry = -dx * math.sin(rad) + dy * math.cos(rad)
        xs.append(rx / aspect + 0.5)
        ys.append(ry + 0.5)
    return [page, *(round(min(max(v, 0.0), 1.0), 5) for v in (min(xs), min(ys), max(xs), max(ys)))]
