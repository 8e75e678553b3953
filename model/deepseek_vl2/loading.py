"""Load an original-layout DeepSeek-VL2 checkpoint (model_type deepseek_vl_v2, bf16 shards) into the engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from model.deepseek_vl2.specs import (
    ADDED_TOKENS,
    CANDIDATE_RESOLUTIONS,
    IMAGE_TOKEN,
    LANGUAGE_DEFAULTS,
    PAD_TOKEN,
    PROJECTOR_DEFAULTS,
    VISION_DEFAULTS,
    spec_for_config,
)

UNUSED_PREFIX = "vision.attn_pool."  # saved by the official code, unused: ignore_head


def model_config(raw: dict[str, Any], image_token_id: int) -> Any:
    """The project's VL2Config from an original config.json, with the official classes' defaults filled in."""
    from model.deepseek_vl2.language import LanguageConfig
    from model.deepseek_vl2.modeling import VL2Config
    from model.deepseek_vl2.vision import ProjectorConfig, VisionConfig

    tile_tag = raw.get("tile_tag", "tile_tag")
    if tile_tag != "2D" or raw.get("global_view_pos", "head") != "head":
        raise ValueError(f"only the released 2D tile tags with the global view first are supported, not {tile_tag!r}")
    lang = {**LANGUAGE_DEFAULTS, **(raw.get("language_config") or {})}
    if lang.get("rope_scaling"):
        raise ValueError(f"RoPE scaling {lang['rope_scaling']!r} is not supported")
    if lang["num_key_value_heads"] is None:
        lang["num_key_value_heads"] = lang["num_attention_heads"]
    fields = set(LanguageConfig.__dataclass_fields__) - {"extra"}
    language = LanguageConfig(
        **{k: lang[k] for k in fields},
        extra={k: v for k, v in lang.items() if k not in fields},
    )
    vis = {**VISION_DEFAULTS, **(raw.get("vision_config") or {})}
    if vis.get("class_token"):
        raise ValueError("a SigLIP tower with a class token is not what DeepSeek-VL2 ships")
    vision = VisionConfig(
        image_size=int(vis["image_size"]),
        patch_size=int(vis["patch_size"]),
        width=int(vis["width"]),
        layers=int(vis["layers"]),
        heads=int(vis["heads"]),
        mlp_ratio=float(vis["mlp_ratio"]),
    )
    proj = {**PROJECTOR_DEFAULTS, **(raw.get("projector_config") or {})}
    if proj["projector_type"] != "downsample_mlp_gelu" or proj.get("token_pooling"):
        raise ValueError(f"projector {proj['projector_type']!r} is not the released downsample_mlp_gelu")
    projector = ProjectorConfig(
        input_dim=int(proj["input_dim"]),
        n_embed=int(proj["n_embed"]),
        depth=int(proj["depth"]),
        mlp_ratio=int(proj["mlp_ratio"]),
        downsample_ratio=int(proj["downsample_ratio"]),
    )
    candidates = tuple(tuple(int(v) for v in c) for c in raw.get("candidate_resolutions") or CANDIDATE_RESOLUTIONS)
    return VL2Config(vision, projector, language, candidates, image_token_id)


def load_tokenizer(path: Path) -> Any:
    """The checkpoint's tokenizer.json as written, plus the tokens the official processor adds when missing."""
    from transformers import PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast.from_pretrained(path)
    if tokenizer.pad_token is None:
        tokenizer.add_special_tokens({"pad_token": PAD_TOKEN})
    vocab = tokenizer.get_vocab()
    missing = [t for t in ADDED_TOKENS if t not in vocab]
    if missing:
        tokenizer.add_special_tokens({"additional_special_tokens": missing})
    return tokenizer


def image_processor(path: Path, config: Any) -> Any:
    """The tiling processor: processor_config.json when the checkpoint has one, else the model config."""
    from model.deepseek_vl2.processor import VL2ImageProcessor

    options: dict[str, Any] = {}
    file = path / "processor_config.json"
    if file.is_file():
        options = json.loads(file.read_text())
    return VL2ImageProcessor(
        candidate_resolutions=options.get("candidate_resolutions") or config.candidate_resolutions,
        patch_size=int(options.get("patch_size", config.vision.patch_size)),
        downsample_ratio=int(options.get("downsample_ratio", config.projector.downsample_ratio)),
        image_mean=options.get("image_mean", (0.5, 0.5, 0.5)),
        image_std=options.get("image_std", (0.5, 0.5, 0.5)),
    )


def load_vl2(path: Path, raw: dict[str, Any], device: Any, dtype: Any) -> Any:
    """A LoadedModel for an original DeepSeek-VL2 checkpoint; DocaiError with the reason when it cannot load."""
    import torch

    from model.deepseek.loading import LoadedModel, _revision, _unusable, read_shapes, read_tensors, weight_files
    from model.deepseek_vl2.modeling import DeepseekVLV2ForCausalLM

    tokenizer = _tokenizer_or_error(path)
    image_token_id = tokenizer.convert_tokens_to_ids(IMAGE_TOKEN)
    try:
        config = model_config(raw, image_token_id)
    except (ValueError, TypeError) as err:
        raise _unusable(path, f"config.json cannot be used ({err})") from err
    files = weight_files(path)
    shapes = read_shapes(files)
    with torch.device("meta"):
        model = DeepseekVLV2ForCausalLM(config)
    if not any(name.startswith(UNUSED_PREFIX) for name in shapes):  # SigLIP's pooling head is never used
        model.vision.attn_pool = None
    expected = {name: tuple(t.shape) for name, t in model.state_dict().items()}
    missing = sorted(set(expected) - set(shapes))
    unexpected = sorted(set(shapes) - set(expected))
    wrong = sorted(n for n in set(expected) & set(shapes) if expected[n] != tuple(shapes[n]))
    if missing or unexpected or wrong:
        problem = (
            f"missing weights {missing[:5]}"
            if missing
            else f"unexpected weights {unexpected[:5]}"
            if unexpected
            else f"wrong shapes {[(n, shapes[n], expected[n]) for n in wrong[:3]]}"
        )
        raise _unusable(path, f"the checkpoint does not match its config.json: {problem}")
    state = {name: t.to(dtype) for name, t in read_tensors(files).items()}
    model.load_state_dict(state, assign=True, strict=True)
    model = model.to(device=device).eval()
    spec = spec_for_config(raw)
    eos = tokenizer.eos_token_id
    if eos is None or tokenizer.bos_token_id is None:
        raise _unusable(path, "the tokenizer defines no begin- or end-of-sentence token")
    manifest = path / "docai-model.json"
    repo = json.loads(manifest.read_text()).get("repo_id") if manifest.is_file() else None
    return LoadedModel(
        model=model,
        tokenizer=tokenizer,
        image_processor=image_processor(path, config),
        spec=spec,
        path=path,
        layout="original",
        model_id=repo or f"{path.name} ({spec.family} {spec.key}, original layout)",
        revision=_revision(path, json.dumps(raw, sort_keys=True)),
        device=device,
        dtype=dtype,
        image_token_id=image_token_id,
        num_image_tokens=0,  # depends on each image's tiling
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=eos,
        pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos,
        tied_embeddings=False,
    )


def _tokenizer_or_error(path: Path) -> Any:
    from model.deepseek.loading import _unusable

    try:
        return load_tokenizer(path)
    except (OSError, ValueError, TypeError) as err:
        raise _unusable(path, f"the tokenizer could not be loaded ({err})") from err
