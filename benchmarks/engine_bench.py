"""DeepSeek-VL 1.3B / DeepSeek-VL2-Tiny engine throughput: docai's batched KV-cache generation vs one page, no cache.

Builds the full-size architecture with random weights (nothing is downloaded) and decodes a fixed number of tokens
(EOS ignored). 1.3B: each page is one 384x384 image (576 image tokens) plus text. VL2-Tiny: each page is a tall
page's global view and 2 x 3 local tiles (1429 image tokens) plus text.

  python benchmarks/engine_bench.py --device cpu --dtype bfloat16 --max-new-tokens 128 --batch 1,4,8
  python benchmarks/engine_bench.py --device cuda --max-new-tokens 256 --batch 1,8,32,64
  python benchmarks/engine_bench.py --model vl2-tiny --device cuda --max-new-tokens 256 --batch 1,8,32,64
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def build_model(device: str, dtype_name: str, layers: int | None) -> Any:
    """The 1.3B architecture (optionally fewer layers) with random weights, wrapped like a loaded checkpoint."""
    import torch
    from transformers import DeepseekVLConfig, DeepseekVLForConditionalGeneration

    from model.deepseek.loading import resolve_device, resolve_dtype
    from model.deepseek.specs import get_spec

    spec = get_spec("1.3b")
    cfg = spec.config_dict()
    if layers:
        cfg["text_config"]["num_hidden_layers"] = layers
    torch_device = resolve_device(device)
    dtype = resolve_dtype(dtype_name, torch_device)
    config = DeepseekVLConfig(**cfg)
    config._attn_implementation = "sdpa"
    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)  # initialise straight in the target dtype: half the memory and time
    try:
        with torch.device(torch_device):
            model = DeepseekVLForConditionalGeneration(config).eval()
    finally:
        torch.set_default_dtype(previous)
    vision = config.vision_config
    return SimpleNamespace(
        model=model,
        spec=spec,
        device=torch_device,
        dtype=dtype,
        tokenizer=None,
        pad_token_id=100001,
        eos_token_id=100001,
        image_token_id=config.image_token_id,
        num_image_tokens=(vision.image_size // vision.patch_size) ** 2,
        image_size=vision.image_size,
    )


VL2_TILES = (2, 3)  # a tall page: 2 tiles wide, 3 high


def build_vl2_model(device: str, dtype_name: str, layers: int | None) -> Any:
    """DeepSeek-VL2-Tiny's architecture (optionally fewer LLM and vision layers) with random weights."""
    import copy

    import torch

    from model.deepseek.loading import resolve_device, resolve_dtype
    from model.deepseek_vl2.loading import model_config
    from model.deepseek_vl2.modeling import DeepseekVLV2ForCausalLM
    from model.deepseek_vl2.processor import image_token_count
    from model.deepseek_vl2.specs import SPECS, TINY_CONFIG

    raw = copy.deepcopy(TINY_CONFIG)
    if layers:
        raw["language_config"]["num_hidden_layers"] = layers
        raw["vision_config"]["layers"] = layers
    image_token_id = raw["language_config"]["vocab_size"] - 1
    torch_device = resolve_device(device)
    dtype = resolve_dtype(dtype_name, torch_device)
    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(torch_device):
            model = DeepseekVLV2ForCausalLM(model_config(raw, image_token_id)).eval()
            with torch.no_grad():
                for name, param in model.named_parameters():  # gates start uninitialised; keep activations tame
                    if "norm" not in name:
                        param.normal_(0, 0.02)
    finally:
        torch.set_default_dtype(previous)
    return SimpleNamespace(
        model=model,
        spec=SPECS["vl2-tiny"],
        device=torch_device,
        dtype=dtype,
        tokenizer=None,
        pad_token_id=1,
        eos_token_id=1,
        image_token_id=image_token_id,
        num_image_tokens=image_token_count(*VL2_TILES),
        image_size=384,
        tiles=VL2_TILES,
    )


def make_rows(lm: Any, pages: int, prompt_tokens: int) -> list[Any]:
    """One row per page: BOS, 576 image tokens, then text tokens (lengths vary a little, as real prompts do)."""
    import torch

    from model.deepseek.generation import GenRow

    gen = torch.Generator().manual_seed(1)
    rows = []
    for i in range(pages):
        n_text = max(8, prompt_tokens - lm.num_image_tokens - 1 - 4 * (i % 4))
        text = torch.randint(100, 90000, (n_text,), generator=gen).tolist()
        tiles = getattr(lm, "tiles", None)
        if tiles is None:
            ids = [100000, *[lm.image_token_id] * lm.num_image_tokens, *text]
            rows.append(GenRow(ids, torch.randn(1, 3, lm.image_size, lm.image_size, generator=gen)))
            continue
        ids = [0, *[lm.image_token_id] * lm.num_image_tokens, *text]
        pixels = torch.randn(1 + tiles[0] * tiles[1], 3, lm.image_size, lm.image_size, generator=gen)
        rows.append(GenRow(ids, pixels, images_spatial_crop=[tiles]))
    return rows


class GpuSampler:
    """Samples GPU utilisation with nvidia-smi while a run is going (when nvidia-smi exists)."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> GpuSampler:
        if shutil.which("nvidia-smi"):
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            out = subprocess.run(
                ["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits", "-i", "0"],
                capture_output=True,
                text=True,
                check=False,
            )
            try:
                self.samples.append(float(out.stdout.strip().splitlines()[0]))
            except (ValueError, IndexError):
                pass
            self._stop.wait(0.2)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def mean(self) -> float | None:
        return round(sum(self.samples) / len(self.samples), 1) if self.samples else None


def run(lm: Any, rows: list[Any], tokens: int, use_cache: bool) -> dict[str, Any]:
    """Generate for rows as one batch; timings and throughput."""
    import torch

    from model.deepseek.generation import generate

    if lm.device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(lm.device)
    timings: dict[str, float] = {}
    start, cpu_start = time.perf_counter(), time.process_time()
    with GpuSampler() as sampler:
        outs = generate(lm, rows, tokens, ignore_eos=True, use_cache=use_cache, timings=timings)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu_start  # on a shared machine, CPU seconds / threads ~ the uncontended wall time
    produced = min(len(o.token_ids) for o in outs)
    steps = max(1.0, timings["steps"] - 1)  # the first token comes from the prefill
    result = {
        "pages": len(rows),
        "new_tokens": produced,
        "wall_s": round(wall, 3),
        "prefill_s": round(timings["prefill_s"], 3),
        "decode_s_per_step": round(timings["decode_s"] / steps, 4),
        "pages_per_s": round(len(rows) / wall, 4),
        "s_per_page": round(wall / len(rows), 3),
        "cpu_s": round(cpu, 2),
    }
    if lm.device.type == "cuda":
        result["max_memory_gib"] = round(torch.cuda.max_memory_allocated(lm.device) / 2**30, 2)
        result["gpu_util_pct"] = sampler.mean
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="1.3b", choices=("1.3b", "vl2-tiny"), help="architecture to build")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N")
    parser.add_argument("--dtype", default="bfloat16", help="bfloat16 or float32")
    parser.add_argument("--max-new-tokens", type=int, default=128, help="tokens per answer for docai's runs")
    parser.add_argument("--batch", default="1,4,8", help="comma-separated batch sizes (pages per batch)")
    parser.add_argument(
        "--baseline-tokens",
        type=int,
        default=4,
        help="tokens for the one-page no-cache baseline (0 skips it; it recomputes every step)",
    )
    parser.add_argument(
        "--prompt-tokens", type=int, default=None, help="prompt length per page, image tokens included (671; VL2 1729)"
    )
    parser.add_argument("--layers", type=int, default=None, help="fewer layers (LLM; VL2 vision too) for a smoke run")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    import torch

    t0 = time.perf_counter()
    if args.prompt_tokens is None:
        args.prompt_tokens = 1729 if args.model == "vl2-tiny" else 671
    build = build_vl2_model if args.model == "vl2-tiny" else build_model
    lm = build(args.device, args.dtype, args.layers)
    report: dict[str, Any] = {
        "model": args.model,
        "device": str(lm.device),
        "dtype": str(lm.dtype).removeprefix("torch."),
        "gpu": torch.cuda.get_device_name(lm.device) if lm.device.type == "cuda" else None,
        "threads": torch.get_num_threads(),
        "build_s": round(time.perf_counter() - t0, 1),
        "params_b": round(sum(p.numel() for p in lm.model.parameters()) / 1e9, 3),
        "prompt_tokens": args.prompt_tokens,
        "runs": [],
    }
    run(lm, make_rows(lm, 1, args.prompt_tokens), 2, True)  # warm-up: kernels, allocator
    batches = [int(b) for b in args.batch.split(",") if b]
    for batch in batches:
        res = run(lm, make_rows(lm, batch, args.prompt_tokens), args.max_new_tokens, True)
        report["runs"].append({"mode": "docai batched, KV cache", "batch": batch, **res})
        _print(report["runs"][-1], args.json)
    if args.baseline_tokens:
        res = run(lm, make_rows(lm, 1, args.prompt_tokens), args.baseline_tokens, False)
        # extrapolated: every step re-runs vision and the whole prefix, so a full answer costs about tokens x step
        res["extrapolated_s_per_page_at_max_new_tokens"] = round(
            res["prefill_s"] + res["decode_s_per_step"] * (args.max_new_tokens - 1), 1
        )
        report["runs"].append({"mode": "official approach: one page, no cache", "batch": 1, **res})
        _print(report["runs"][-1], args.json)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(json.dumps({k: v for k, v in report.items() if k != "runs"}))
    return 0


def _print(row: dict[str, Any], quiet: bool) -> None:
    if not quiet:
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
