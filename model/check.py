"""`docai model check`: load a weights folder the way the engine does, ask one question about one image, greedy-decode.

Family-independent. Each model family provides `prepare_check(path, image, question, device, dtype) -> Prepared`
in the module FAMILIES names (loading through its engine's normal path, prompting with the model's own chat
template); `run_check` picks the family from config.json and does the rest: greedy decoding without grammar, the
first step's top-10 logits, timing. torch is imported only when a check runs.
"""

from __future__ import annotations

import importlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from schemas.errors import DocaiError, ErrorCode

# family -> module with prepare_check(); config.json's model_type decides the family (checkpoint_family)
FAMILIES = {"deepseek-vl": "model.deepseek.check", "deepseek-vl2": "model.deepseek_vl2.check"}
_MODEL_TYPES = {
    "multi_modality": "deepseek-vl",  # original deepseek-ai layout
    "deepseek_vl": "deepseek-vl",
    "deepseek_vl_hybrid": "deepseek-vl",
    "deepseek_vl_v2": "deepseek-vl2",
}
DEFAULT_QUESTION = "Describe this image."
TOP_K = 10


@dataclass
class Prepared:
    """One prompt ready for a family's model: what the shared greedy loop and the report need."""

    model: Any  # a transformers-style causal LM: forward(input_ids, attention_mask, past_key_values, use_cache, ...)
    inputs: dict[str, Any]  # first forward's keyword arguments: input_ids (1, T), attention_mask, image tensors
    tokenizer: Any
    eos_token_id: int
    family: str
    variant: str
    layout: str  # 'original' or 'transformers'
    dtype: str
    device: str
    image_tokens: int


@dataclass
class CheckResult:
    """What `docai model check --json` prints."""

    path: str
    family: str
    variant: str
    layout: str
    dtype: str
    device: str
    prompt_tokens: int
    image_tokens: int
    token_ids: list[int] = field(default_factory=list)  # generated, EOS excluded
    text: str = ""
    top_logits: list[list[float]] = field(default_factory=list)  # [[token_id, logit] x 10] of the first step
    seconds: float = 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def checkpoint_family(path: Path) -> str:
    """'deepseek-vl' or 'deepseek-vl2', from the folder's config.json; DocaiError with a sentence otherwise."""
    config = Path(path) / "config.json"
    if not config.is_file():
        raise DocaiError(ErrorCode.ENGINE_UNAVAILABLE, f"{path} holds no config.json; it is not a weights folder.")
    try:
        model_type = json.loads(config.read_text()).get("model_type")
    except (ValueError, AttributeError) as err:
        raise DocaiError(ErrorCode.ENGINE_UNAVAILABLE, f"{config} is not a readable JSON object ({err}).") from err
    family = _MODEL_TYPES.get(str(model_type))
    if family is None:
        known = ", ".join(sorted(_MODEL_TYPES))
        raise DocaiError(
            ErrorCode.ENGINE_UNAVAILABLE,
            f"{config} names model_type {model_type!r}, which is not a DeepSeek-VL family model (known: {known}).",
        )
    return family


def load_image(path: Path) -> Any:
    """The image file as it is (no rasterizing), or DocaiError saying why it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            return image.convert("RGB")
    except FileNotFoundError:
        raise DocaiError(ErrorCode.UNSUPPORTED_TYPE, f"the image {path} does not exist.") from None
    except (UnidentifiedImageError, OSError) as err:
        raise DocaiError(ErrorCode.UNSUPPORTED_TYPE, f"{path} is not an image Pillow can read ({err}).") from err


def greedy(prepared: Prepared, max_new_tokens: int) -> tuple[list[int], list[list[float]]]:
    """Greedy tokens (stopping at EOS, which is left out) and the first step's top-10 [token_id, logit]."""
    import torch

    model, inputs = prepared.model, dict(prepared.inputs)
    mask = inputs["attention_mask"]
    tokens: list[int] = []
    with torch.inference_mode():
        out = model(**inputs, use_cache=True)
        logits = out.logits[0, -1].float()
        top = torch.topk(logits, min(TOP_K, logits.shape[-1]))
        top_logits = [[int(i), float(v)] for v, i in zip(top.values, top.indices, strict=True)]
        for _ in range(max_new_tokens):
            token = int(logits.argmax())
            if token == prepared.eos_token_id:
                break
            tokens.append(token)
            if len(tokens) == max_new_tokens:
                break
            mask = torch.cat([mask, mask.new_ones((1, 1))], dim=1)
            out = model(
                input_ids=torch.tensor([[token]], device=mask.device),
                attention_mask=mask,
                past_key_values=out.past_key_values,
                use_cache=True,
            )
            logits = out.logits[0, -1].float()
    return tokens, top_logits


def run_check(
    path: Path,
    image_path: Path,
    question: str = DEFAULT_QUESTION,
    max_new_tokens: int = 16,
    device: str = "auto",
    dtype: str | None = None,
) -> CheckResult:
    """Load path through its family's engine loader, ask question about the image, greedy-decode max_new_tokens."""
    if max_new_tokens < 1:
        raise DocaiError(ErrorCode.ENGINE_UNAVAILABLE, "--max-new-tokens must be at least 1.")
    if not question.strip():
        raise DocaiError(ErrorCode.ENGINE_UNAVAILABLE, "the question is empty.")
    start = time.perf_counter()
    path = Path(path)
    if not path.is_dir():
        raise DocaiError(ErrorCode.ENGINE_UNAVAILABLE, f"the weights folder {path} does not exist.")
    family = checkpoint_family(path)
    image = load_image(Path(image_path))
    try:
        module = importlib.import_module(FAMILIES[family])
    except ModuleNotFoundError as err:
        raise DocaiError(
            ErrorCode.ENGINE_UNAVAILABLE, f"{path} is a {family} checkpoint, which this build cannot run."
        ) from err
    try:
        prepared: Prepared = module.prepare_check(path, image, question, device, dtype)
        tokens, top_logits = greedy(prepared, max_new_tokens)
    except (RuntimeError, ValueError, OSError) as err:  # shapes that do not fit the config, out of memory, ...
        raise DocaiError(ErrorCode.ENGINE_UNAVAILABLE, f"the model in {path} failed to run: {err}") from err
    return CheckResult(
        path=str(path.resolve()),
        family=prepared.family,
        variant=prepared.variant,
        layout=prepared.layout,
        dtype=prepared.dtype,
        device=prepared.device,
        prompt_tokens=int(prepared.inputs["input_ids"].shape[1]),
        image_tokens=prepared.image_tokens,
        token_ids=tokens,
        text=prepared.tokenizer.decode(tokens),
        top_logits=top_logits,
        seconds=round(time.perf_counter() - start, 3),
    )
