"""DeepSeek-VL2's MoE language model as the official modeling_deepseek.py computes it: MHA or MLA, DeepSeekMoE.

Written here rather than taken from transformers: its deepseek_v2 (5.23) is MLA-only, reads `num_experts`, fuses
the expert weights, and its router never renormalises and has no sigmoid or bias (noaux_tc) routing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class LanguageConfig:
    """The official DeepseekV2Config fields the forward pass reads (defaults applied by the loader)."""

    vocab_size: int
    hidden_size: int
    intermediate_size: int
    moe_intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    n_shared_experts: int | None
    n_routed_experts: int | None
    routed_scaling_factor: float
    kv_lora_rank: int | None
    q_lora_rank: int | None
    qk_rope_head_dim: int
    v_head_dim: int
    qk_nope_head_dim: int
    topk_method: str
    n_group: int | None
    topk_group: int | None
    num_experts_per_tok: int | None
    moe_layer_freq: int
    first_k_dense_replace: int
    norm_topk_prob: bool
    scoring_func: str
    hidden_act: str
    max_position_embeddings: int
    rms_norm_eps: float
    rope_theta: float
    attention_bias: bool
    use_mla: bool
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def head_dim(self) -> int:
        """Per-head width of what the KV cache holds (MLA keeps its compressed latent instead)."""
        if self.use_mla:
            return self.qk_nope_head_dim + self.qk_rope_head_dim
        return self.hidden_size // self.num_attention_heads

    def is_moe_layer(self, index: int) -> bool:
        return (
            self.n_routed_experts is not None
            and index >= self.first_k_dense_replace
            and index % self.moe_layer_freq == 0
        )


_ACT = {"silu": F.silu, "gelu": F.gelu, "relu": F.relu}


class RMSNorm(nn.Module):
    def __init__(self, size: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def rotary(dim: int, base: float, position_ids: torch.Tensor, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin (B, 1, T, dim) for the positions, in the half-split layout."""
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float().to(position_ids.device) / dim))
    freqs = position_ids[..., None].float() * inv_freq  # (B, T, dim/2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().to(dtype)[:, None], emb.sin().to(dtype)[:, None]


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def deinterleave(x: torch.Tensor) -> torch.Tensor:
    """MLA's RoPE part comes as (x0, y0, x1, y1, ...): regroup it to (x..., y...) before the half-split rotation."""
    b, h, s, d = x.shape
    return x.view(b, h, s, d // 2, 2).transpose(4, 3).reshape(b, h, s, d)


class Cache:
    """Per layer, what attention keeps of earlier tokens: (keys, values) for MHA, (k_pe, latent) for MLA."""

    def __init__(self, layers: int):
        self.layers: list[tuple[torch.Tensor, torch.Tensor] | None] = [None] * layers

    def length(self) -> int:
        first = self.layers[0]
        return 0 if first is None else first[0].shape[-2]

    def update(self, index: int, a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        past = self.layers[index]
        if past is not None:
            a = torch.cat([past[0], a], dim=-2)
            b = torch.cat([past[1], b], dim=-2)
        self.layers[index] = (a, b)
        return a, b


class MHAttention(nn.Module):
    """Llama attention (VL2-Tiny, use_mla false): half-split RoPE over the whole head."""

    def __init__(self, cfg: LanguageConfig, index: int):
        super().__init__()
        self.index, self.cfg = index, cfg
        self.heads, self.kv_heads, self.head_dim = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
        bias = cfg.attention_bias
        self.q_proj = nn.Linear(cfg.hidden_size, self.heads * self.head_dim, bias=bias)
        self.k_proj = nn.Linear(cfg.hidden_size, self.kv_heads * self.head_dim, bias=bias)
        self.v_proj = nn.Linear(cfg.hidden_size, self.kv_heads * self.head_dim, bias=bias)
        self.o_proj = nn.Linear(self.heads * self.head_dim, cfg.hidden_size, bias=bias)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, position_ids: torch.Tensor, cache: Cache | None):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        cos, sin = rotary(self.head_dim, self.cfg.rope_theta, position_ids, x.dtype)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        if cache is not None:
            k, v = cache.update(self.index, k, v)
        if self.kv_heads != self.heads:
            k = k.repeat_interleave(self.heads // self.kv_heads, dim=1)
            v = v.repeat_interleave(self.heads // self.kv_heads, dim=1)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.o_proj(out.transpose(1, 2).reshape(b, s, self.heads * self.head_dim))


class MLAttention(nn.Module):
    """Multi-head latent attention (VL2-Small and base), weight-absorbed as the official code runs it."""

    def __init__(self, cfg: LanguageConfig, index: int):
        super().__init__()
        if cfg.kv_lora_rank is None:
            raise ValueError("an MLA language model needs kv_lora_rank")
        self.index, self.cfg = index, cfg
        self.heads = cfg.num_attention_heads
        self.nope, self.rope, self.v_dim = cfg.qk_nope_head_dim, cfg.qk_rope_head_dim, cfg.v_head_dim
        self.q_head_dim = self.nope + self.rope
        self.rank = cfg.kv_lora_rank
        if cfg.q_lora_rank is None:
            self.q_proj = nn.Linear(cfg.hidden_size, self.heads * self.q_head_dim, bias=False)
        else:
            self.q_a_proj = nn.Linear(cfg.hidden_size, cfg.q_lora_rank, bias=cfg.attention_bias)
            self.q_a_layernorm = RMSNorm(cfg.q_lora_rank)
            self.q_b_proj = nn.Linear(cfg.q_lora_rank, self.heads * self.q_head_dim, bias=False)
        self.kv_a_proj_with_mqa = nn.Linear(cfg.hidden_size, self.rank + self.rope, bias=cfg.attention_bias)
        self.kv_a_layernorm = RMSNorm(self.rank)  # eps 1e-6 whatever rms_norm_eps says
        self.kv_b_proj = nn.Linear(self.rank, self.heads * (self.nope + self.v_dim), bias=False)
        self.o_proj = nn.Linear(self.heads * self.v_dim, cfg.hidden_size, bias=cfg.attention_bias)
        self.scale = self.q_head_dim**-0.5

    def forward(self, x: torch.Tensor, mask: torch.Tensor, position_ids: torch.Tensor, cache: Cache | None):
        b, s, _ = x.shape
        q = self.q_proj(x) if self.cfg.q_lora_rank is None else self.q_b_proj(self.q_a_layernorm(self.q_a_proj(x)))
        q_nope, q_pe = q.view(b, s, self.heads, self.q_head_dim).transpose(1, 2).split([self.nope, self.rope], -1)
        latent, k_pe = self.kv_a_proj_with_mqa(x).split([self.rank, self.rope], dim=-1)
        latent = self.kv_a_layernorm(latent)
        k_pe = k_pe.view(b, s, 1, self.rope).transpose(1, 2)  # one RoPE key shared by every head
        cos, sin = rotary(self.rope, self.cfg.rope_theta, position_ids, x.dtype)
        q_pe, k_pe = deinterleave(q_pe), deinterleave(k_pe)
        q_pe, k_pe = q_pe * cos + rotate_half(q_pe) * sin, k_pe * cos + rotate_half(k_pe) * sin
        if cache is not None:
            k_pe, latent = cache.update(self.index, k_pe, latent.unsqueeze(1))
            latent = latent.squeeze(1)
        kv_b = self.kv_b_proj.weight.view(self.heads, -1, self.rank)
        q_absorb, out_absorb = kv_b[:, : self.nope], kv_b[:, self.nope :]
        q_nope = torch.matmul(q_nope, q_absorb)  # (B, H, S, rank)
        # the official q_pe.k_pe + q_nope.latent scores as one attention over [latent, k_pe] keys and latent values,
        # so the fused kernel never materialises (B, H, S, L) scores
        query = torch.cat([q_nope, q_pe], dim=-1)
        key = torch.cat([latent.unsqueeze(1), k_pe], dim=-1).expand(b, self.heads, -1, -1)
        value = latent.unsqueeze(1).expand(b, self.heads, -1, -1)
        out = F.scaled_dot_product_attention(query, key, value, attn_mask=mask, scale=self.scale)  # (B, H, S, rank)
        out = torch.matmul(out, out_absorb.mT)
        return self.o_proj(out.transpose(1, 2).reshape(b, s, self.heads * self.v_dim))


class MLP(nn.Module):
    def __init__(self, cfg: LanguageConfig, intermediate: int):
        super().__init__()
        self.gate_proj = nn.Linear(cfg.hidden_size, intermediate, bias=False)
        self.up_proj = nn.Linear(cfg.hidden_size, intermediate, bias=False)
        self.down_proj = nn.Linear(intermediate, cfg.hidden_size, bias=False)
        self.act = _ACT[cfg.hidden_act]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(self.act(self.gate_proj(x)) * self.up_proj(x))


class MoEGate(nn.Module):
    """Float32 router: softmax or sigmoid scores, greedy / group-limited / noaux_tc top-k."""

    def __init__(self, cfg: LanguageConfig):
        super().__init__()
        if cfg.topk_method not in ("greedy", "group_limited_greedy", "noaux_tc"):
            raise ValueError(f"unsupported MoE topk_method {cfg.topk_method!r}")
        if cfg.scoring_func not in ("softmax", "sigmoid"):
            raise ValueError(f"unsupported MoE scoring_func {cfg.scoring_func!r}")
        self.cfg = cfg
        self.weight = nn.Parameter(torch.empty(cfg.n_routed_experts, cfg.hidden_size))
        if cfg.topk_method == "noaux_tc":
            self.e_score_correction_bias = nn.Parameter(torch.empty(cfg.n_routed_experts))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        cfg, k = self.cfg, self.cfg.num_experts_per_tok
        logits = F.linear(x.float(), self.weight.float())
        scores = logits.softmax(dim=-1, dtype=torch.float32) if cfg.scoring_func == "softmax" else logits.sigmoid()
        if cfg.topk_method == "greedy":
            weight, index = torch.topk(scores, k=k, dim=-1, sorted=False)
        else:
            n = scores.shape[0]
            choice = scores + self.e_score_correction_bias[None] if cfg.topk_method == "noaux_tc" else scores
            grouped = choice.view(n, cfg.n_group, -1)
            if cfg.topk_method == "noaux_tc":
                group_scores = grouped.topk(2, dim=-1)[0].sum(dim=-1)
            else:
                group_scores = grouped.max(dim=-1).values
            group_idx = torch.topk(group_scores, k=cfg.topk_group, dim=-1, sorted=False)[1]
            group_mask = torch.zeros_like(group_scores).scatter_(1, group_idx, 1)
            score_mask = group_mask.unsqueeze(-1).expand_as(grouped).reshape(n, -1)
            masked = choice.masked_fill(~score_mask.bool(), 0.0)
            weight, index = torch.topk(masked, k=k, dim=-1, sorted=False)
            if cfg.topk_method == "noaux_tc":
                weight = scores.gather(1, index)
        if k > 1 and cfg.norm_topk_prob:
            weight = weight / (weight.sum(dim=-1, keepdim=True) + 1e-20) * cfg.routed_scaling_factor
        else:
            weight = weight * cfg.routed_scaling_factor
        return index, weight


class MoE(nn.Module):
    """Routed experts weighted by the gate, plus the shared experts."""

    def __init__(self, cfg: LanguageConfig):
        super().__init__()
        self.experts = nn.ModuleList([MLP(cfg, cfg.moe_intermediate_size) for _ in range(cfg.n_routed_experts)])
        self.gate = MoEGate(cfg)
        if cfg.n_shared_experts is not None:
            self.shared_experts = MLP(cfg, cfg.moe_intermediate_size * cfg.n_shared_experts)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        flat = x.reshape(-1, shape[-1])
        index, weight = self.gate(flat)  # (T, k) each
        picked = flat.new_zeros(index.shape[0], index.shape[1], shape[-1])  # each token's k expert outputs
        for e in torch.unique(index).tolist():
            rows, slots = (index == e).nonzero(as_tuple=True)
            picked[rows, slots] = self.experts[e](flat[rows])
        y = (picked.to(weight.dtype) * weight.unsqueeze(-1)).sum(dim=1).to(x.dtype).view(shape)
        if hasattr(self, "shared_experts"):
            y = y + self.shared_experts(x)
        return y


class DecoderLayer(nn.Module):
    def __init__(self, cfg: LanguageConfig, index: int):
        super().__init__()
        self.self_attn = MLAttention(cfg, index) if cfg.use_mla else MHAttention(cfg, index)
        self.mlp = MoE(cfg) if cfg.is_moe_layer(index) else MLP(cfg, cfg.intermediate_size)
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)

    def forward(self, x, mask, position_ids, cache):
        x = x + self.self_attn(self.input_layernorm(x), mask, position_ids, cache)
        return x + self.mlp(self.post_attention_layernorm(x))


class DeepseekV2Model(nn.Module):
    def __init__(self, cfg: LanguageConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList([DecoderLayer(cfg, i) for i in range(cfg.num_hidden_layers)])
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)


class DeepseekV2ForCausalLM(nn.Module):
    """Embeddings in, logits out; the key names match the official `language.*` weights."""

    def __init__(self, cfg: LanguageConfig):
        super().__init__()
        self.cfg = cfg
        self.model = DeepseekV2Model(cfg)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)

    def forward(
        self,
        embeds: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        cache: Cache | None,
        logits_to_keep: int = 0,
    ) -> torch.Tensor:
        """(B, T, D) embeddings, (B, past + T) 0/1 mask -> float32 logits of the last logits_to_keep positions."""
        b, t, _ = embeds.shape
        past = cache.length() if cache is not None else 0
        mask = _attention_bias(attention_mask, past, t, embeds.dtype)
        x = embeds
        for layer in self.model.layers:
            x = layer(x, mask, position_ids, cache)
        x = self.model.norm(x)
        if logits_to_keep:
            x = x[:, -logits_to_keep:]
        return self.lm_head(x).float()


def _attention_bias(attention_mask: torch.Tensor, past: int, t: int, dtype: torch.dtype) -> torch.Tensor:
    """(B, 1, T, past + T) additive mask: causal, padded keys hidden; finite so padded rows never turn NaN."""
    total = past + t
    keys = torch.arange(total, device=attention_mask.device)
    queries = torch.arange(past, total, device=attention_mask.device)
    allowed = (keys[None, :] <= queries[:, None])[None] & attention_mask[:, None, :total].bool()
    bias = torch.zeros(allowed.shape, dtype=dtype, device=attention_mask.device)
    return bias.masked_fill_(~allowed, torch.finfo(dtype).min)[:, None]
