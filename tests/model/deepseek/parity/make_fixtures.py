"""Regenerate the DeepSeek-VL parity fixtures with the official deepseek-ai code. Run once, by hand; not a test.

Two steps, two environments:

1. project venv — the tiny offline tokenizer and the engine's receipt question:
       PYTHONPATH=$PWD .venv/bin/python tests/model/deepseek/parity/make_fixtures.py prep /tmp/vl-parity
2. side venv with the official code (see ../shared/reference/README.md; transformers==4.38.2, timm, einops,
   attrdict3) — builds each checkpoint with the official classes in the original layout (full SigLIP-L / SAM-B
   vision towers, the language model cut to 2 layers), overwrites every tensor with `model/deepseek/seeded.py`'s
   name-seeded values, saves it with the official `save_pretrained` (bf16, like the published checkpoints),
   reloads it in float32, runs the official `VLChatProcessor` on a real receipt and records what the tests compare:
       PYTHONPATH=/work/shared/reference/DeepSeek-VL /work/refvenv/bin/python \
           tests/model/deepseek/parity/make_fixtures.py official /tmp/vl-parity

The fixtures (`vl-1.3b.json`, `vl-7b.json` beside this file) hold the official config/preprocessor files, a manifest
of every saved tensor (name, shape, base, dtype, sha256), the prompt text and ids, pixel tensor digests, the top-10
logits at the last prompt position and 20 greedy tokens. The checkpoints are not kept: `model.deepseek.testing.
build_parity_checkpoint` rebuilds them bit for bit from the manifest without the official code.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
IMAGE = "sroie/X00016469612.jpg"  # a 463x1013 receipt: the truncating resize gives 175 px, rounding 176
OFFICIAL_COMMIT = "681bffb4519856ad27cc17531aacde31ddf6f1a7"
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
# language model cut to 2 layers; widths small enough for make test on 2 CPU cores (vision towers stay real)
LM = {
    "1.3b": {"hidden_size": 2048, "intermediate_size": 5632, "num_attention_heads": 16},
    "7b": {"hidden_size": 1024, "intermediate_size": 2752, "num_attention_heads": 8},
}
NEW_TOKENS = 20


def _seeded():
    """model/deepseek/seeded.py loaded by path, so the side venv needs none of the project's dependencies."""
    spec = importlib.util.spec_from_file_location("seeded", REPO / "model" / "deepseek" / "seeded.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prep(work: Path, data: Path) -> None:
    """Project side: the tokenizer files and the engine's receipt question for the official run."""
    sys.path.insert(0, str(REPO))
    from PIL import Image

    from model.deepseek.prompting import build_question
    from model.deepseek.testing import make_tiny_tokenizer
    from model.types import PageInput

    work.mkdir(parents=True, exist_ok=True)
    make_tiny_tokenizer(work / "tokenizer")
    page = PageInput(index=0, image=Image.open(data / IMAGE).convert("RGB"))
    (work / "question.txt").write_text(build_question("receipt", [page]))
    print(f"wrote {work / 'tokenizer'} and {work / 'question.txt'}")


def official_config(variant: str, vocab: int) -> dict:
    """config.json as the published deepseek-ai/deepseek-vl-{variant}-chat has it, language model cut to 2 layers."""
    lm = LM[variant]
    language = {
        **lm,
        "max_position_embeddings": 16384,
        "model_type": "llama",
        "num_hidden_layers": 2,
        "num_key_value_heads": lm["num_attention_heads"],
        "torch_dtype": "bfloat16",
        "vocab_size": vocab,
    }
    if variant == "1.3b":
        vision = {
            "cls": "CLIPVisionTower",
            "model_type": "vision",
            "params": {
                "image_size": 384,
                "model_name": "siglip_large_patch16_384",
                "select_feature": "same",
                "select_layer": -1,
            },
        }
        projector = "mlp_gelu"
    else:
        tower = {"output_dim": 1024, "select_feature": "same", "select_layer": -1}
        vision = {
            "cls": "HybridVisionTower",
            "model_type": "vision",
            "params": {
                "concat_type": "tuple",
                "freeze_high": True,
                "freeze_low": True,
                "high_res_cfg": {
                    **tower,
                    "image_size": 1024,
                    "model_name": "sam_b_downsample",
                    "pixel_mean": CLIP_MEAN,
                    "pixel_std": CLIP_STD,
                },
                "low_res_cfg": {
                    **tower,
                    "image_size": 384,
                    "model_name": "siglip_large_patch16_384",
                    "pixel_mean": [0.5, 0.5, 0.5],
                    "pixel_std": [0.5, 0.5, 0.5],
                },
            },
        }
        projector = "low_high_hybrid_split_mlp_gelu"
    aligner = {
        "cls": "MlpProjector",
        "model_type": "aligner",
        "params": {"depth": 2, "input_dim": 1024, "n_embed": lm["hidden_size"], "projector_type": projector},
    }
    return {
        "aligner_config": aligner,
        "language_config": language,
        "model_type": "multi_modality",
        "torch_dtype": "bfloat16",
        "vision_config": vision,
    }


def _norm_weights(model) -> set[str]:
    """Names of the scale parameters of every normalisation layer (drawn around 1, not 0)."""
    names = set()
    for module_name, module in model.named_modules():
        kind = type(module).__name__
        if kind in ("LayerNorm", "LayerNorm2d", "LlamaRMSNorm") and getattr(module, "weight", None) is not None:
            names.add(f"{module_name}.weight")
    return names


def _legacy_tokenizer_file(work: Path) -> Path:
    """The project's tokenizer.json in the format tokenizers 0.15 reads: merges as 'a b' strings."""
    data = json.loads((work / "tokenizer" / "tokenizer.json").read_text())
    data["model"].pop("ignore_merges", None)
    data["model"]["merges"] = [" ".join(pair) if isinstance(pair, list) else pair for pair in data["model"]["merges"]]
    target = work / "tokenizer-legacy.json"
    target.write_text(json.dumps(data, ensure_ascii=False))
    return target


def official(work: Path, data: Path) -> None:
    """Side-venv step: build, seed, save, reload and run the official models; write the fixtures."""
    import torch
    from deepseek_vl.models import MultiModalityCausalLM, VLChatProcessor
    from deepseek_vl.models.image_processing_vlm import VLMImageProcessor
    from deepseek_vl.models.modeling_vlm import MultiModalityConfig
    from PIL import Image
    from safetensors import safe_open
    from transformers import LlamaTokenizerFast

    seeded = _seeded()
    torch.set_num_threads(2)
    question = (work / "question.txt").read_text()
    tokenizer = LlamaTokenizerFast(
        tokenizer_file=str(_legacy_tokenizer_file(work)),
        bos_token="<｜begin▁of▁sentence｜>",
        eos_token="<｜end▁of▁sentence｜>",
        pad_token="<｜end▁of▁sentence｜>",
    )
    vocab = (len(tokenizer) + 63) // 64 * 64  # padded like the real 102400-row embedding
    image = Image.open(data / IMAGE).convert("RGB")
    for variant in ("1.3b", "7b"):
        out = work / f"vl-{variant}"
        config = MultiModalityConfig(**official_config(variant, vocab))
        model = MultiModalityCausalLM(config).eval()
        norms = _norm_weights(model)
        bases = {}
        with torch.no_grad():
            for name, param in model.state_dict().items():
                bases[name] = 1.0 if name in norms else 0.0
                param.copy_(seeded.seeded_tensor(name, param.shape, bases[name]))
        model.to(torch.bfloat16).save_pretrained(out)
        del model
        # the published checkpoints: 1.3B normalises in the processor; 7B leaves it to each tower (config.json)
        processor = VLChatProcessor(
            image_processor=VLMImageProcessor(
                image_size=384 if variant == "1.3b" else 1024,
                image_mean=[0.5, 0.5, 0.5],
                image_std=[0.5, 0.5, 0.5],
                do_normalize=variant == "1.3b",
            ),
            tokenizer=tokenizer,
        )
        processor.save_pretrained(out)
        manifest = {}
        with safe_open(str(out / "model.safetensors"), framework="pt") as handle:
            for name in sorted(handle.keys()):
                tensor = handle.get_tensor(name)
                dtype = str(tensor.dtype).removeprefix("torch.")
                manifest[name] = [list(tensor.shape), bases[name], dtype, seeded.tensor_digest(tensor)]
        model = MultiModalityCausalLM.from_pretrained(out, torch_dtype=torch.float32).eval()
        fixture = run_official(model, processor, image, question, seeded)
        fixture.update(
            variant=variant,
            official_commit=OFFICIAL_COMMIT,
            image=IMAGE,
            question=question,
            files={
                name: json.loads((out / name).read_text())
                for name in ("config.json", "preprocessor_config.json", "processor_config.json")
            },
            weights=manifest,
        )
        target = HERE / f"vl-{variant}.json"
        target.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n")
        print(
            f"{variant}: {len(manifest)} tensors, {fixture['prompt_tokens']} prompt tokens, greedy "
            f"{fixture['greedy']}, wrote {target}"
        )


def run_official(model, processor, image, question: str, seeded) -> dict:
    """Prompt, pixels (processor output and what each tower is fed), last-position top-10 logits, greedy tokens."""
    import torch

    conversation = [
        {"role": "User", "content": f"<image_placeholder>{question}", "images": [IMAGE]},
        {"role": "Assistant", "content": ""},
    ]
    inputs = processor(conversations=conversation, images=[image], force_batchify=True)
    towers = {}

    def grab(label):
        def hook(module, args):
            towers[label] = seeded.pixel_summary(args[0])

        return hook

    vision = model.vision_model
    if hasattr(vision, "vision_tower_high"):
        vision.vision_tower_high.vision_tower.register_forward_pre_hook(grab("sam"))
        vision.vision_tower_low.vision_tower.register_forward_pre_hook(grab("siglip"))
    else:
        vision.vision_tower.register_forward_pre_hook(grab("siglip"))
    with torch.inference_mode():
        embeds = model.prepare_inputs_embeds(**inputs)
        logits = model.language_model(inputs_embeds=embeds, attention_mask=inputs.attention_mask).logits[0, -1]
        top = torch.topk(logits.float(), 10)
        tok = processor.tokenizer
        generated = model.language_model.generate(
            inputs_embeds=embeds,
            attention_mask=inputs.attention_mask,
            pad_token_id=tok.eos_token_id,
            bos_token_id=tok.bos_token_id,
            eos_token_id=tok.eos_token_id,
            max_new_tokens=NEW_TOKENS,
            do_sample=False,
            use_cache=True,
        )
    return {
        "prompt_text": inputs.sft_format[0],
        "prompt_tokens": int(inputs.input_ids.shape[1]),
        "prompt_ids": inputs.input_ids[0].tolist(),
        "pixels": {"processor": seeded.pixel_summary(inputs.pixel_values[0]), **towers},
        "top_logits": [[int(i), float(v)] for v, i in zip(top.values, top.indices, strict=True)],
        "greedy": generated[0].tolist(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["prep", "official"])
    parser.add_argument("work", type=Path, help="scratch folder shared by both steps")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    (prep if args.step == "prep" else official)(args.work, args.data)


if __name__ == "__main__":
    main()
