"""Load a DeepSeek-VL checkpoint (transformers or original deepseek-ai layout) once per process."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.deepseek.convert import (
    ConversionError,
    convert_state_dict,
    infer_config,
    is_hybrid_original,
    is_original_config,
)
from model.deepseek.preprocess import original_image_processor
from model.deepseek.specs import (
    IMAGE_TOKEN,
    IMAGENET_STANDARD_MEAN,
    IMAGENET_STANDARD_STD,
    OPENAI_CLIP_MEAN,
    OPENAI_CLIP_STD,
    SIGLIP_MEAN,
    SIGLIP_STD,
    ModelSpec,
    get_spec,
    spec_for_model_type,
)
from model.weights import weights_status
from schemas.errors import DocaiError, ErrorCode

MANIFEST = "docai-model.json"  # written by `docai model pull`: repo id and revision


@dataclass
class LoadedModel:
    """A model ready to generate, with everything needed to prompt it."""

    model: Any
    tokenizer: Any
    image_processor: Any
    spec: ModelSpec
    path: Path
    layout: str  # 'transformers' or 'original'
    model_id: str
    revision: str
    device: Any  # torch.device
    dtype: Any  # torch.dtype
    image_token_id: int
    num_image_tokens: int
    bos_token_id: int | None
    eos_token_id: int
    pad_token_id: int
    tied_embeddings: bool


_CACHE: dict[tuple[str, str, str], LoadedModel] = {}
_LOCK = threading.Lock()


def _unusable(path: Path, problem: str) -> DocaiError:
    return DocaiError(
        ErrorCode.ENGINE_UNAVAILABLE,
        f"DeepSeek-VL weights at {path} are not usable: {problem}. Run `docai model pull` on a machine with "
        "internet, or set DOCAI_MODEL to a folder holding the weights.",
    )


def resolve_device(device: str) -> Any:
    """'auto' picks the first GPU when there is one, else the CPU."""
    import torch

    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise DocaiError(ErrorCode.ENGINE_UNAVAILABLE, f"device {device!r} was asked for but no CUDA GPU is visible.")
    return torch.device(device)


def resolve_dtype(dtype: str | None, device: Any) -> Any:
    """bf16 on GPU, fp32 on CPU unless asked otherwise."""
    import torch

    if dtype is None:
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    known = {
        "bfloat16": torch.bfloat16,
        "bf16": torch.bfloat16,
        "float32": torch.float32,
        "fp32": torch.float32,
        "float16": torch.float16,
        "fp16": torch.float16,
    }
    try:
        return known[dtype]
    except KeyError:
        raise DocaiError(ErrorCode.ENGINE_UNAVAILABLE, f"unknown dtype {dtype!r}; use bfloat16 or float32.") from None


def load_checkpoint(path: Path, device: str = "auto", dtype: str | None = None) -> LoadedModel:
    """The loaded model at path, shared by every engine in this process."""
    torch_device = resolve_device(device)
    torch_dtype = resolve_dtype(dtype, torch_device)
    key = (str(Path(path).resolve()), str(torch_device), str(torch_dtype))
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = _load(Path(path), torch_device, torch_dtype)
        return _CACHE[key]


def unload(loaded: LoadedModel) -> None:
    """Forget a loaded model so its memory can be freed."""
    with _LOCK:
        for key, value in list(_CACHE.items()):
            if value is loaded:
                del _CACHE[key]


def weight_files(path: Path) -> list[Path]:
    """The weight files of a checkpoint, from its index when sharded (safetensors, or the older .bin shards)."""
    for name in ("model.safetensors.index.json", "pytorch_model.bin.index.json"):
        index = path / name
        if index.is_file():
            files = [path / shard for shard in sorted(set(json.loads(index.read_text())["weight_map"].values()))]
            missing = [file.name for file in files if not file.is_file()]
            if missing:
                raise _unusable(path, f"weight shard {missing[0]} named in {name} is missing")
            return files
    files = sorted(path.glob("*.safetensors")) or sorted(path.glob("pytorch_model*.bin"))
    return files


def read_shapes(files: list[Path]) -> dict[str, tuple[int, ...]]:
    """Every tensor's name and shape, without reading the data (safetensors) — raises DocaiError if corrupt."""
    from safetensors import safe_open

    shapes: dict[str, tuple[int, ...]] = {}
    for file in files:
        if file.suffix != ".safetensors":
            for name, tensor in _read_bin(file).items():
                shapes[name] = tuple(tensor.shape)
            continue
        try:
            with safe_open(str(file), framework="pt") as handle:
                for name in handle.keys():  # noqa: SIM118 - safe_open is not a Mapping
                    shapes[name] = tuple(handle.get_slice(name).get_shape())
        except Exception as err:  # safetensors raises its own error types for truncated or garbled headers
            raise _unusable(file.parent, f"weight file {file.name} is corrupt ({err})") from err
    return shapes


def _read_bin(file: Path) -> dict[str, Any]:
    import torch

    try:
        return torch.load(file, map_location="cpu", weights_only=True, mmap=True)
    except Exception as err:  # pickle, zip and EOF errors all mean a damaged file
        raise _unusable(file.parent, f"weight file {file.name} is corrupt ({err})") from err


def read_tensors(files: list[Path], names: list[str] | None = None) -> dict[str, Any]:
    """Tensors from the weight files (all, or just names)."""
    from safetensors import safe_open

    out: dict[str, Any] = {}
    for file in files:
        if file.suffix != ".safetensors":
            data = _read_bin(file)
            out.update({k: v for k, v in data.items() if names is None or k in names})
            continue
        try:
            with safe_open(str(file), framework="pt") as handle:
                for name in handle.keys():  # noqa: SIM118
                    if names is None or name in names:
                        out[name] = handle.get_tensor(name)
        except Exception as err:
            raise _unusable(file.parent, f"weight file {file.name} is corrupt ({err})") from err
    return out


def _embeddings_tied(files: list[Path], shapes: dict[str, tuple[int, ...]], head: str, embed: str) -> bool:
    """Tied when the checkpoint has no lm_head, or one equal to the embedding (config defaults are not trusted)."""
    import torch

    if head not in shapes:
        return True
    if shapes[head] != shapes.get(embed):
        return False
    tensors = read_tensors(files, [head, embed])
    return bool(torch.equal(tensors[head], tensors[embed]))


def _revision(path: Path, config_text: str) -> str:
    manifest = path / MANIFEST
    if manifest.is_file():
        try:
            revision = json.loads(manifest.read_text()).get("revision")
            if revision:
                return str(revision)
        except ValueError:
            pass
    if path.parent.name == "snapshots":  # a huggingface_hub cache folder is named by its commit
        return path.name
    return "sha256:" + hashlib.sha256(config_text.encode()).hexdigest()[:12]


def _model_id(path: Path, spec: ModelSpec, layout: str) -> str:
    manifest = path / MANIFEST
    if manifest.is_file():
        try:
            repo = json.loads(manifest.read_text()).get("repo_id")
            if repo:
                return str(repo)
        except ValueError:
            pass
    return f"{path.name} (deepseek-vl {spec.key}, {layout} layout)"


def _classes(hybrid: bool) -> tuple[Any, Any]:
    import transformers

    if hybrid:
        return transformers.DeepseekVLHybridConfig, transformers.DeepseekVLHybridForConditionalGeneration
    return transformers.DeepseekVLConfig, transformers.DeepseekVLForConditionalGeneration


def _set_tied(config: Any, tied: bool) -> None:
    config.tie_word_embeddings = tied
    config.text_config.tie_word_embeddings = tied


def _load(path: Path, device: Any, dtype: Any) -> LoadedModel:
    status = weights_status(path)
    if not status.complete:
        raise _unusable(path, status.problem or "incomplete checkpoint")
    config_text = (path / "config.json").read_text()
    raw = json.loads(config_text)
    if raw.get("model_type") == "deepseek_vl_v2":  # DeepSeek-VL2: its own model, processor and prompt
        from model.deepseek_vl2.loading import load_vl2

        return load_vl2(path, raw, device, dtype)
    files = weight_files(path)
    shapes = read_shapes(files)
    if is_original_config(raw):
        layout = "original"
        model, spec, tied = _load_original(path, raw, files, shapes, dtype)
    else:
        layout = "transformers"
        model, spec, tied = _load_transformers(path, raw, files, shapes, dtype)
    model = model.to(device=device, dtype=dtype).eval()
    tokenizer = _load_tokenizer(path)
    image_token_id = tokenizer.convert_tokens_to_ids(IMAGE_TOKEN)
    if image_token_id is None or image_token_id == tokenizer.unk_token_id:
        raise _unusable(path, f"the tokenizer has no {IMAGE_TOKEN} token")
    if image_token_id != model.config.image_token_id:
        model.config.image_token_id = image_token_id
    vision = model.config.vision_config
    eos = tokenizer.eos_token_id
    if eos is None:
        raise _unusable(path, "the tokenizer defines no end-of-sentence token")
    return LoadedModel(
        model=model,
        tokenizer=tokenizer,
        image_processor=_image_processor(path, model.config, spec, layout, raw),
        spec=spec,
        path=path,
        layout=layout,
        model_id=_model_id(path, spec, layout),
        revision=_revision(path, config_text),
        device=device,
        dtype=dtype,
        image_token_id=image_token_id,
        num_image_tokens=(vision.image_size // vision.patch_size) ** 2,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=eos,
        pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos,
        tied_embeddings=tied,
    )


def _load_transformers(path: Path, raw: dict[str, Any], files: list[Path], shapes: dict, dtype: Any) -> tuple:
    model_type = raw.get("model_type")
    if model_type not in ("deepseek_vl", "deepseek_vl_hybrid"):
        raise _unusable(path, f"config.json names model_type {model_type!r}, not deepseek_vl or deepseek_vl_hybrid")
    spec = spec_for_model_type(model_type)
    config_cls, model_cls = _classes(spec.hybrid)
    config = config_cls.from_pretrained(path)
    tied = _embeddings_tied(files, shapes, "lm_head.weight", "model.language_model.embed_tokens.weight")
    _set_tied(config, tied)
    try:
        model, info = model_cls.from_pretrained(
            path, config=config, dtype=dtype, attn_implementation="sdpa", output_loading_info=True
        )
    except (OSError, ValueError, RuntimeError) as err:
        raise _unusable(path, f"loading failed ({err})") from err
    missing = [k for k in info.get("missing_keys", []) if not (tied and k == "lm_head.weight")]
    if missing or info.get("mismatched_keys"):
        problem = f"missing weights {missing[:5]}" if missing else f"wrong shapes {info['mismatched_keys'][:5]}"
        raise _unusable(path, f"the checkpoint does not match its config: {problem}")
    return model, spec, tied


def _load_original(path: Path, raw: dict[str, Any], files: list[Path], shapes: dict, dtype: Any) -> tuple:
    import torch
    from transformers.initialization import no_init_weights

    spec = get_spec("7b" if is_hybrid_original(raw, list(shapes)) else "1.3b")
    try:
        cfg = infer_config(raw, shapes, spec)
    except KeyError as err:
        raise _unusable(path, f"original-layout checkpoint lacks weight {err}") from err
    config_cls, model_cls = _classes(spec.hybrid)
    config = config_cls(**cfg)
    tied = _embeddings_tied(files, shapes, "language_model.lm_head.weight", "language_model.model.embed_tokens.weight")
    _set_tied(config, tied)
    config._attn_implementation = "sdpa"
    try:
        state = convert_state_dict(read_tensors(files))
    except ConversionError as err:
        raise _unusable(path, str(err)) from err
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)  # build straight in the target dtype: a 7B in fp32 would need 28 GB first
    try:
        with no_init_weights(), torch.device("cpu"):
            model = model_cls(config)
    finally:
        torch.set_default_dtype(previous)
    result = model.load_state_dict(state, strict=False)
    missing = [k for k in result.missing_keys if not (tied and k == "lm_head.weight")]
    if missing or result.unexpected_keys:
        problem = f"missing weights {missing[:5]}" if missing else f"unexpected weights {result.unexpected_keys[:5]}"
        raise _unusable(path, f"the original-layout checkpoint does not convert cleanly: {problem}")
    if tied:
        model.tie_weights()
    return model, spec, tied


def _load_tokenizer(path: Path) -> Any:
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(path)
    except (OSError, ValueError, TypeError) as err:
        raise _unusable(path, f"the tokenizer could not be loaded ({err})") from err


def _image_processor(path: Path, config: Any, spec: ModelSpec, layout: str, raw: dict[str, Any]) -> Any:
    if layout == "original":  # the official VLMImageProcessor's arithmetic, not transformers' (see preprocess.py)
        high = config.high_res_vision_config.image_size if spec.hybrid else None
        return original_image_processor(path, raw, config.vision_config.image_size, high)
    from transformers import DeepseekVLHybridImageProcessorPil, DeepseekVLImageProcessorPil
    from transformers.image_utils import PILImageResampling

    size = config.vision_config.image_size
    if spec.hybrid:
        cls = DeepseekVLHybridImageProcessorPil
        defaults = {
            "image_mean": IMAGENET_STANDARD_MEAN,
            "image_std": IMAGENET_STANDARD_STD,
            "high_res_image_mean": OPENAI_CLIP_MEAN,
            "high_res_image_std": OPENAI_CLIP_STD,
            "resample": PILImageResampling.BILINEAR,
            "high_res_size": {
                "height": config.high_res_vision_config.image_size,
                "width": config.high_res_vision_config.image_size,
            },
        }
    else:
        cls = DeepseekVLImageProcessorPil
        defaults = {"image_mean": SIGLIP_MEAN, "image_std": SIGLIP_STD}
    if (path / "preprocessor_config.json").is_file():
        return cls.from_pretrained(path)
    return cls(size={"height": size, "width": size}, **defaults)
