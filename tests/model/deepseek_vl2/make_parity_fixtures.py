"""Regenerate the DeepSeek-VL2 parity fixtures from the official deepseek-ai code (run by hand, not by make test).

Two steps, two environments:

1. project venv:  PYTHONPATH=$PWD .venv/bin/python tests/model/deepseek_vl2/make_parity_fixtures.py prepare
   writes the tiny tokenizer (when missing) and the engine's receipt question into fixtures/.
2. side venv with the official stack (torch 2.13 CPU, transformers 4.38.2, timm, einops, attrdict3):
   PYTHONPATH=$PWD:../shared/reference/DeepSeek-VL2 /work/refvenv/bin/python \
       tests/model/deepseek_vl2/make_parity_fixtures.py official
   builds each cut-down checkpoint with the official classes, writes the deterministic per-name weights into it,
   saves it with the official save_pretrained (bf16 shards), reloads it in float32 and records what the official
   processor and model produce for a tall receipt and a wide chart.
3. same side venv, `... make_parity_fixtures.py gates`: the official MoE router's choices for greedy,
   group-limited and noaux_tc routing (the base model's), on deterministic weights and inputs.

The official SigLIP imports xformers and its processor imports torchvision (whose CUDA ops fail to register on a
CPU torch); both are stood in for here, inside this process only: xformers' memory_efficient_attention by
PyTorch's scaled_dot_product_attention (same maths), torchvision's op registrations by an empty module.
"""

from __future__ import annotations

import json
import sys
import tempfile
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
IMAGES = {"receipt": "sroie/X00016469612.jpg", "chart": "chartqa/07339205003514.png"}
VARIANTS = {"tiny-mha": 1, "small-mla": 0}  # weight seed: one whose greedy tokens vary (seed 0 repeats for MHA)
NEW_TOKENS = 12
TOP = 10


def prepare() -> None:
    from model.deepseek.prompting import build_question
    from model.deepseek_vl2.testing import make_vl2_tokenizer
    from model.types import PageInput

    FIXTURES.mkdir(exist_ok=True)
    if not (FIXTURES / "tokenizer" / "tokenizer.json").is_file():  # kept once made: the fixtures depend on its ids
        make_vl2_tokenizer(FIXTURES / "tokenizer")
    from PIL import Image

    page = PageInput(index=0, image=Image.new("RGB", (8, 8)), words=[])
    (FIXTURES / "question.txt").write_text(build_question("receipt", [page]))


def _shims() -> None:
    import torch
    import torch.nn.functional as F

    sys.modules["torchvision._meta_registrations"] = types.ModuleType("torchvision._meta_registrations")
    xformers, ops = types.ModuleType("xformers"), types.ModuleType("xformers.ops")

    def memory_efficient_attention(q, k, v, p=0.0, attn_bias=None):  # (B, N, H, D) in and out, scale D**-0.5
        return F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)).transpose(1, 2)

    ops.memory_efficient_attention = memory_efficient_attention
    xformers.ops = ops
    sys.modules["xformers"], sys.modules["xformers.ops"] = xformers, ops
    torch.set_grad_enabled(False)


def _load_by_path(name: str, file: Path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def official() -> None:
    _shims()
    import torch
    from deepseek_vl2.models import DeepseekVLV2ForCausalLM, DeepseekVLV2Processor
    from deepseek_vl2.models.modeling_deepseek_vl_v2 import DeepseekVLV2Config
    from deepseek_vl2.utils.io import load_pil_images
    from safetensors.torch import load_file
    from transformers import LlamaTokenizerFast

    root = Path(__file__).resolve().parents[3]
    synthetic = _load_by_path("vl2_synthetic", root / "model" / "deepseek_vl2" / "synthetic.py")
    tokenizer = LlamaTokenizerFast.from_pretrained(FIXTURES / "tokenizer")
    question = (FIXTURES / "question.txt").read_text()
    vocab = (len(tokenizer) + 63) // 64 * 64
    for variant, seed in VARIANTS.items():
        torch.manual_seed(0)
        cfg = synthetic.tiny_config(
            variant, vocab, tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id
        )
        model = DeepseekVLV2ForCausalLM(DeepseekVLV2Config(**cfg)).eval()
        shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
        values = {k: torch.from_numpy(v) for k, v in synthetic.synthetic_state(shapes, seed).items()}
        model.load_state_dict(values, strict=True)
        with tempfile.TemporaryDirectory() as tmp:
            model.to(torch.bfloat16).save_pretrained(tmp, max_shard_size="2MB", safe_serialization=True)
            saved = {}
            for file in sorted(Path(tmp).glob("*.safetensors")):
                saved.update(load_file(str(file)))
            saved_config = json.loads((Path(tmp) / "config.json").read_text())
            shard_files = sorted(p.name for p in Path(tmp).glob("*.safetensors"))
            model = DeepseekVLV2ForCausalLM.from_pretrained(tmp, torch_dtype=torch.float32).eval()
        processor = DeepseekVLV2Processor(
            tokenizer=tokenizer, candidate_resolutions=cfg["candidate_resolutions"], patch_size=14, downsample_ratio=2
        )
        record = {
            "variant": variant,
            "seed": seed,
            "config": saved_config,
            "weights_sha256": synthetic.checksum(saved),
            "weight_shapes": {k: list(v) for k, v in sorted(shapes.items())},
            "shards": shard_files,
            "cases": {},
        }
        for case, rel in IMAGES.items():
            conversation = [
                {"role": "<|User|>", "content": f"<image>\n{question}", "images": [str(DATA / rel)]},
                {"role": "<|Assistant|>", "content": ""},
            ]
            inputs = processor(conversations=conversation, images=load_pil_images(conversation), system_prompt="")
            n_tiles = int(sum(1 + w * h for w, h in inputs.images_spatial_crop[0].tolist() if w))
            pixels = inputs.images[0, :n_tiles]
            embeds = model.prepare_inputs_embeds(**inputs)
            logits = model.language(inputs_embeds=embeds, attention_mask=inputs.attention_mask).logits[0].float()
            top = torch.topk(logits[-1], TOP)
            ids = inputs.input_ids[0].tolist()
            image_positions = [i for i, t in enumerate(ids) if t == processor.image_token_id]
            probe = sorted({0, image_positions[0], image_positions[-1], len(ids) // 2, len(ids) - 1})
            generated = model.language.generate(
                inputs_embeds=embeds,
                attention_mask=inputs.attention_mask,
                pad_token_id=tokenizer.pad_token_id,
                bos_token_id=tokenizer.bos_token_id,
                eos_token_id=tokenizer.eos_token_id,
                max_new_tokens=NEW_TOKENS,
                do_sample=False,
                use_cache=True,
            )
            record["cases"][case] = {
                "image": rel,
                "image_size": list(load_pil_images(conversation)[0].size),
                "sft_format": inputs.sft_format[0],
                "input_ids": ids,
                "images_spatial_crop": inputs.images_spatial_crop[0].tolist()[:1],
                "num_image_tokens": len(image_positions),
                "pixels_shape": list(pixels.shape),
                "pixels_sha256": synthetic.pixel_checksum(pixels),
                "pixels_sum": float(pixels.double().sum()),
                "last_logits": [round(float(v), 6) for v in logits[-1]],
                "top_logits": [[int(i), round(float(v), 6)] for v, i in zip(top.values, top.indices, strict=True)],
                "probe_positions": probe,
                "probe_logits": [[round(float(v), 6) for v in logits[p, :64]] for p in probe],
                "greedy_tokens": _until_eos(generated[0].tolist(), tokenizer.eos_token_id),
            }
            print(
                variant,
                case,
                inputs.images_spatial_crop[0].tolist()[:1],
                len(ids),
                record["cases"][case]["greedy_tokens"],
            )
        (FIXTURES / f"{variant}.json").write_text(json.dumps(record, separators=(",", ":")))


GATES = {  # the three routings of the released checkpoints: Tiny/Small (greedy softmax), base (noaux_tc)
    "greedy": {"topk_method": "greedy", "scoring_func": "softmax", "norm_topk_prob": False,
               "routed_scaling_factor": 1.0, "n_group": 1, "topk_group": 1},
    "group_limited_greedy": {"topk_method": "group_limited_greedy", "scoring_func": "softmax",
                             "norm_topk_prob": False, "routed_scaling_factor": 1.0, "n_group": 4, "topk_group": 2},
    "noaux_tc": {"topk_method": "noaux_tc", "scoring_func": "sigmoid", "norm_topk_prob": True,
                 "routed_scaling_factor": 2.0, "n_group": 4, "topk_group": 2},
}  # fmt: skip
GATE_SHAPE = {"hidden_size": 64, "n_routed_experts": 16, "num_experts_per_tok": 6, "tokens": 40}


def gates() -> None:
    """The official MoEGate's picks and weights for each routing, on deterministic weights and inputs."""
    _shims()
    import torch
    from deepseek_vl2.models.configuration_deepseek import DeepseekV2Config
    from deepseek_vl2.models.modeling_deepseek import MoEGate

    root = Path(__file__).resolve().parents[3]
    synthetic = _load_by_path("vl2_synthetic", root / "model" / "deepseek_vl2" / "synthetic.py")
    hidden, experts = GATE_SHAPE["hidden_size"], GATE_SHAPE["n_routed_experts"]
    x = torch.from_numpy(synthetic.synthetic_value("gate_input", (1, GATE_SHAPE["tokens"], hidden)))
    out = {"shape": GATE_SHAPE, "cases": {}}
    for name, routing in GATES.items():
        config = DeepseekV2Config(
            hidden_size=hidden,
            n_routed_experts=experts,
            num_experts_per_tok=GATE_SHAPE["num_experts_per_tok"],
            **routing,
        )
        gate = MoEGate(config).eval()
        state = {k: torch.from_numpy(synthetic.synthetic_value(f"mlp.gate.{k}", tuple(v.shape)))
                 for k, v in gate.state_dict().items()}  # fmt: skip
        gate.load_state_dict(state)
        index, weight, _ = gate(x)
        out["cases"][name] = {"routing": routing, "index": index.tolist(), "weight": weight.tolist()}
    (FIXTURES / "gates.json").write_text(json.dumps(out, separators=(",", ":")))


def _until_eos(tokens: list[int], eos: int) -> list[int]:
    return tokens[: tokens.index(eos)] if eos in tokens else tokens


if __name__ == "__main__":
    {"prepare": prepare, "official": official, "gates": gates}[sys.argv[1]]()
