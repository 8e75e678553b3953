"""Batched greedy generation: left padding, KV cache, a JSON grammar per row, per-token log-probabilities."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from model.deepseek.specs import STOP_STRINGS


@dataclass
class GenRow:
    """One prompt to continue: token ids (placeholders expanded), its images, an optional grammar."""

    input_ids: list[int]
    pixel_values: Any  # (n_images, 3, H, W)
    high_res_pixel_values: Any = None  # (n_images, 3, H', W') for the hybrid model
    grammar: str | None = None
    images_spatial_crop: list[tuple[int, int]] | None = None  # DeepSeek-VL2: (tiles wide, high) per image


@dataclass
class GenOut:
    """What one row produced: tokens (stop token excluded), their log-probabilities, and why it ended."""

    token_ids: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    finished: bool = False  # grammar complete, EOS or a stop string; False means the token budget ran out
    error: str | None = None


def _allowed_from_bitmask(bitmask: Any, vocab: int) -> Any:
    """(B, W) int32 bit words -> (B, vocab) bool; columns past the tokenizer's vocabulary are disallowed."""
    import torch

    shifts = torch.arange(32, dtype=torch.int32)
    bits = (bitmask.unsqueeze(-1) >> shifts) & 1  # (B, W, 32)
    allowed = bits.reshape(bitmask.shape[0], -1).bool()
    if allowed.shape[1] >= vocab:
        return allowed[:, :vocab]
    pad = torch.zeros(bitmask.shape[0], vocab - allowed.shape[1], dtype=torch.bool)
    return torch.cat([allowed, pad], dim=1)


def generate(
    lm: Any,
    rows: list[GenRow],
    max_new_tokens: int,
    ll_tokenizer: Any = None,
    ignore_eos: bool = False,
    use_cache: bool = True,
    timings: dict[str, float] | None = None,
) -> list[GenOut]:
    """Greedy-decode every row together; rows are left-padded so each one's output equals its solo output."""
    import torch

    model, device = lm.model, lm.device
    batch = len(rows)
    width = max(len(r.input_ids) for r in rows)
    ids = torch.full((batch, width), lm.pad_token_id, dtype=torch.long)
    mask = torch.zeros((batch, width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, width - len(row.input_ids) :] = torch.tensor(row.input_ids)
        mask[i, width - len(row.input_ids) :] = 1
    ids, mask = ids.to(device), mask.to(device)
    position_ids = (mask.cumsum(-1) - 1).clamp(min=0)  # left padding: positions start at each row's first token
    images = {"pixel_values": torch.cat([r.pixel_values for r in rows]).to(device, lm.dtype)}
    if lm.spec.hybrid:
        images["high_res_pixel_values"] = torch.cat([r.high_res_pixel_values for r in rows]).to(device, lm.dtype)
    if rows[0].images_spatial_crop is not None:  # VL2: pixel_values hold every row's tiles, in row order
        images["images_spatial_crop"] = [crop for r in rows for crop in r.images_spatial_crop]

    matchers: list[Any] = []
    bitmask = None
    if any(r.grammar for r in rows):
        import llguidance
        from llguidance.numpy import allocate_token_bitmask, fill_next_token_bitmask_par

        matchers = [llguidance.LLMatcher(ll_tokenizer, r.grammar) if r.grammar else None for r in rows]
        bitmask = allocate_token_bitmask(batch, ll_tokenizer.vocab_size)
    outs = [GenOut() for _ in rows]
    done = [False] * batch
    tail_text = [""] * batch
    clock = time.perf_counter()
    with torch.inference_mode():
        out = model(
            input_ids=ids,
            attention_mask=mask,
            position_ids=position_ids,
            use_cache=use_cache,
            logits_to_keep=1,
            **images,
        )
        past = out.past_key_values
        seq = ids
        _sync(device)
        prefill_s = time.perf_counter() - clock
        steps = 0
        for step in range(max_new_tokens):
            logits = out.logits[:, -1, :].float()  # (B, V)
            logprobs = torch.log_softmax(logits, dim=-1)
            if matchers:
                active = [(m, i) for i, m in enumerate(matchers) if m is not None and not done[i]]
                bitmask[:] = -1
                if active:  # every row's mask at once, on llguidance's thread pool
                    fill_next_token_bitmask_par(_executor(), active, bitmask)
                allowed = _allowed_from_bitmask(torch.from_numpy(bitmask), logits.shape[-1]).to(logits.device)
                for i, m in enumerate(matchers):
                    if m is None:
                        allowed[i, :] = True
                logits = logits.masked_fill(~allowed, float("-inf"))
            if ignore_eos:
                logits[:, lm.eos_token_id] = float("-inf")
            next_tokens = logits.argmax(dim=-1)
            chosen = logprobs.gather(1, next_tokens[:, None])[:, 0].tolist()
            tokens = next_tokens.tolist()
            for i, token in enumerate(tokens):
                if done[i]:
                    continue
                _advance(lm, outs[i], matchers[i] if matchers else None, token, chosen[i], tail_text, i, ignore_eos)
                done[i] = outs[i].finished or outs[i].error is not None
            steps = step + 1
            if all(done) or step == max_new_tokens - 1:
                break
            # finished rows keep stepping with padding (their outputs are final); it keeps the batch rectangular
            feed = torch.tensor([lm.pad_token_id if done[i] else t for i, t in enumerate(tokens)], device=device)
            mask = torch.cat([mask, torch.ones((batch, 1), dtype=mask.dtype, device=device)], dim=1)
            position_ids = position_ids[:, -1:] + 1
            if use_cache:
                out = model(
                    input_ids=feed[:, None],
                    attention_mask=mask,
                    position_ids=position_ids,
                    past_key_values=past,
                    use_cache=True,
                )
                past = out.past_key_values
            else:  # the official approach: recompute the whole sequence, images included, every step
                seq = torch.cat([seq, feed[:, None]], dim=1)
                out = model(
                    input_ids=seq,
                    attention_mask=mask,
                    position_ids=(mask.cumsum(-1) - 1).clamp(min=0),
                    use_cache=False,
                    logits_to_keep=1,
                    **images,
                )
        _sync(device)
    if timings is not None:
        timings["prefill_s"] = prefill_s
        timings["decode_s"] = time.perf_counter() - clock - prefill_s
        timings["steps"] = float(steps)
    return outs


_EXECUTOR: Any = None


def _executor() -> Any:
    """One llguidance thread pool per process."""
    global _EXECUTOR
    if _EXECUTOR is None:
        import llguidance

        _EXECUTOR = llguidance.LLExecutor()
    return _EXECUTOR


def _sync(device: Any) -> None:
    if device.type == "cuda":
        import torch

        torch.cuda.synchronize(device)


def _advance(
    lm: Any, out: GenOut, matcher: Any, token: int, logprob: float, tails: list[str], i: int, ignore_eos: bool
) -> None:
    """Record one sampled token for a row and decide whether the row is done."""
    if token == lm.eos_token_id and not ignore_eos:
        if matcher is not None:
            matcher.consume_token(token)
        out.finished = True
        return
    if matcher is not None:
        if not matcher.consume_token(token):
            out.error = matcher.get_error() or "the grammar rejected a token"
            return
    out.token_ids.append(token)
    out.logprobs.append(logprob)
    if matcher is not None:
        if matcher.is_stopped():
            out.finished = True
        return
    if ignore_eos:  # benchmarks: a fixed number of tokens, no stop strings
        return
    # unconstrained: stop when the model starts a new user turn
    tails[i] = (tails[i] + lm.tokenizer.decode([token]))[-32:]
    if any(s in tails[i] for s in STOP_STRINGS):
        out.finished = True
