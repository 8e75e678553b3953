"""Seeded weights for parity checkpoints: each tensor drawn from its own name, so a test can rebuild,
without the official code, the exact checkpoint the official code saved (imports torch; no project imports,
so the side-venv fixture script can load this file on its own)."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

SCALE = 0.02  # std of every drawn value; norm weights are drawn around 1, everything else around 0
DTYPES = ("float32", "bfloat16", "float16")


def seeded_tensor(name: str, shape: Sequence[int], base: float, dtype: str = "float32") -> Any:
    """base + SCALE * N(0, 1), from a generator seeded by the tensor's name, drawn in float32 then cast."""
    import torch

    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; known: {', '.join(DTYPES)}")
    generator = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    values = torch.randn(tuple(shape), generator=generator, dtype=torch.float32) * SCALE + base
    return values.to(getattr(torch, dtype))


def seeded_state(manifest: Mapping[str, Sequence[Any]]) -> dict[str, Any]:
    """Every tensor of a manifest {name: [shape, base, dtype, digest]}, checked against its digest."""
    out = {}
    for name, (shape, base, dtype, digest) in manifest.items():
        tensor = seeded_tensor(name, shape, base, dtype)
        if digest is not None and tensor_digest(tensor) != digest:
            raise ValueError(f"seeded tensor {name!r} does not reproduce the recorded one (digest {digest})")
        out[name] = tensor
    return out


def tensor_digest(tensor: Any) -> str:
    """sha256 (first 16 hex digits) of a tensor's raw bytes: equal digests mean bit-identical tensors."""
    import torch

    raw = tensor.detach().contiguous().reshape(-1).view(torch.uint8)
    return hashlib.sha256(raw.numpy().tobytes()).hexdigest()[:16]


def pixel_summary(tensor: Any) -> dict[str, Any]:
    """What a pixel tensor is, small enough for a fixture: shape, digest, sums and the middle of its middle row."""
    import torch

    t = tensor.detach().to(torch.float32).contiguous()
    row = t.reshape(-1, t.shape[-1])[t.numel() // t.shape[-1] // 2]  # the middle row of the last image plane
    return {
        "shape": list(t.shape),
        "digest": tensor_digest(t),
        "sum": float(t.double().sum()),
        "abs_sum": float(t.double().abs().sum()),
        "middle_values": [float(v) for v in row[row.numel() // 2 - 4 : row.numel() // 2 + 4]],
    }
