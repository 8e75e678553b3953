"""DeepSeek-VL2's SigLIP-SO400M/14 tower (timm layout) and its 2x2 downsampling MLP projector."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class VisionConfig:
    image_size: int = 384
    patch_size: int = 14
    width: int = 1152
    layers: int = 27
    heads: int = 16
    mlp_ratio: float = 3.7362


@dataclass(frozen=True)
class ProjectorConfig:
    input_dim: int = 1152
    n_embed: int = 2048
    depth: int = 2
    mlp_ratio: int = 1
    downsample_ratio: int = 2


class PatchEmbed(nn.Module):
    def __init__(self, cfg: VisionConfig):
        super().__init__()
        self.proj = nn.Conv2d(3, cfg.width, kernel_size=cfg.patch_size, stride=cfg.patch_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)  # (B, 27*27, C): a 384 input drops its last 6 px


class Attention(nn.Module):
    def __init__(self, cfg: VisionConfig):
        super().__init__()
        self.heads = cfg.heads
        self.head_dim = cfg.width // cfg.heads
        self.qkv = nn.Linear(cfg.width, 3 * cfg.width)
        self.proj = nn.Linear(cfg.width, cfg.width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4).unbind(0)
        out = F.scaled_dot_product_attention(q, k, v)  # (B, H, N, D)
        return self.proj(out.transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, width: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, cfg: VisionConfig):
        super().__init__()
        self.norm1 = nn.LayerNorm(cfg.width, eps=1e-6)
        self.attn = Attention(cfg)
        self.norm2 = nn.LayerNorm(cfg.width, eps=1e-6)
        self.mlp = Mlp(cfg.width, int(cfg.width * cfg.mlp_ratio))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class AttentionPoolLatent(nn.Module):
    """SigLIP's attention-pool head: saved in every checkpoint, never used by DeepSeek-VL2 (ignore_head)."""

    def __init__(self, cfg: VisionConfig):
        super().__init__()
        self.latent = nn.Parameter(torch.zeros(1, 1, cfg.width))
        self.q = nn.Linear(cfg.width, cfg.width)
        self.kv = nn.Linear(cfg.width, 2 * cfg.width)
        self.proj = nn.Linear(cfg.width, cfg.width)
        self.norm = nn.LayerNorm(cfg.width, eps=1e-6)
        self.mlp = Mlp(cfg.width, int(cfg.width * cfg.mlp_ratio))


class VisionTransformer(nn.Module):
    """SigLIP ViT without class token; the output is the final-normed patch sequence."""

    def __init__(self, cfg: VisionConfig):
        super().__init__()
        self.cfg = cfg
        grid = cfg.image_size // cfg.patch_size
        self.patch_embed = PatchEmbed(cfg)
        self.pos_embed = nn.Parameter(torch.zeros(1, grid * grid, cfg.width))
        self.blocks = nn.Sequential(*[Block(cfg) for _ in range(cfg.layers)])
        self.norm = nn.LayerNorm(cfg.width, eps=1e-6)
        self.attn_pool = AttentionPoolLatent(cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(x) + self.pos_embed
        return self.norm(self.blocks(x))


class MlpProjector(nn.Module):
    """Zero-pad the patch grid to even, concatenate each 2x2 block channel-major, then Linear-GELU-Linear."""

    def __init__(self, cfg: ProjectorConfig):
        super().__init__()
        self.ratio = cfg.downsample_ratio
        wide = cfg.n_embed * cfg.mlp_ratio
        layers: list[nn.Module] = [nn.Linear(cfg.input_dim * self.ratio * self.ratio, wide)]
        for _ in range(1, cfg.depth - 1):
            layers += [nn.GELU(), nn.Linear(wide, wide)]
        layers += [nn.GELU(), nn.Linear(wide, cfg.n_embed)]
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, hw, c = x.shape
        side = int(hw**0.5)
        pad = -side % self.ratio
        x = x.reshape(b, side, side, c)
        if pad:
            x = F.pad(x, (0, 0, 0, pad, 0, pad))  # bottom and right
        x = F.unfold(x.permute(0, 3, 1, 2), kernel_size=self.ratio, stride=self.ratio)  # (B, C*4, HW/4)
        return self.layers(x.permute(0, 2, 1))
