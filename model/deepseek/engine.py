"""The deepseek-vl engine: pages + schema -> validated schema instances, batched, grammar-constrained."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from model.base import EngineOptions
from model.deepseek.grammar import Bounds, grammar_for
from model.deepseek.output import leaf_paths, prune_invalid, repair_truncated, value_confidence
from model.deepseek.prompting import PlaceholderMismatch, build_prompt, build_question, encode_prompt
from model.types import ExtractRequest, ExtractResult
from schemas.common import Issue, Severity
from schemas.errors import DocaiError, ErrorCode
from schemas.registry import UnknownSchema, get_schema, schema_kinds

NAME = "deepseek-vl"
MAX_PAGES_PER_REQUEST = 4  # 4 x 576 image tokens + text stays well inside the 16k context
MAX_TOKEN_BUDGET = 256_000  # prompt + new tokens in one batch, whatever the memory


def token_budget(lm: Any) -> int:
    """How many sequence tokens (prompt + answer, summed over a batch) fit in half the free memory."""
    import os

    text = lm.model.config.text_config
    head_dim = getattr(text, "head_dim", None) or text.hidden_size // text.num_attention_heads
    width = lm.dtype.itemsize
    kv = 2 * text.num_hidden_layers * text.num_key_value_heads * head_dim * width
    activations = (4 * text.hidden_size + 2 * text.intermediate_size) * width  # one layer's working set per token
    if lm.device.type == "cuda":
        import torch

        free = torch.cuda.mem_get_info(lm.device)[0]
    else:
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return max(4096, min(MAX_TOKEN_BUDGET, int(0.5 * free / (kv + activations))))


@dataclass
class _Prepared:
    index: int
    request: ExtractRequest
    input_ids: list[int]
    pixel_values: Any
    high_res_pixel_values: Any
    issues: list[Issue]
    preprocess_s: float
    images_spatial_crop: list[tuple[int, int]] | None = None  # DeepSeek-VL2: each page's tile grid

    @property
    def pages(self) -> int:
        return len(self.images_spatial_crop) if self.images_spatial_crop is not None else self.pixel_values.shape[0]


class DeepseekVLEngine:
    """Hosts one DeepSeek-VL model; knows nothing of the database, HTTP or Celery."""

    name = NAME

    def __init__(self, options: EngineOptions):
        self.options = options
        self._lm: Any = None
        self._ll_tokenizer: Any = None
        self._grammars: dict[tuple[str, Bounds], str] = {}

    @property
    def model_id(self) -> str:
        return self._lm.model_id if self._lm is not None else str(self.options.model_path)

    @property
    def revision(self) -> str | None:
        return self._lm.revision if self._lm is not None else None

    def supports(self, schema: str) -> bool:
        return schema in schema_kinds()

    def load(self) -> None:
        """Load the weights once; later calls are free."""
        if self._lm is not None:
            return
        if self.options.model_path is None:
            raise DocaiError(
                ErrorCode.ENGINE_UNAVAILABLE,
                "no DeepSeek-VL model path set; set DOCAI_MODEL or run `docai model pull`.",
            )
        import llguidance.hf
        from transformers.utils import logging as hf_logging

        from model.deepseek.loading import load_checkpoint

        hf_logging.disable_progress_bar()
        self._lm = load_checkpoint(self.options.model_path, self.options.device, self.options.dtype)
        self._ll_tokenizer = llguidance.hf.from_tokenizer(self._lm.tokenizer, eos_token=self._lm.eos_token_id)

    def close(self) -> None:
        """Drop the model and free its memory."""
        if self._lm is None:
            return
        from model.deepseek.loading import unload

        device = self._lm.device
        unload(self._lm)
        self._lm = None
        if device.type == "cuda":
            import torch

            torch.cuda.empty_cache()

    def _grammar(self, kind: str, bounds: Bounds) -> str:
        if (kind, bounds) not in self._grammars:
            self._grammars[(kind, bounds)] = grammar_for(kind, bounds)
        return self._grammars[(kind, bounds)]

    def extract_batch(self, requests: Sequence[ExtractRequest]) -> list[ExtractResult]:
        """One result per request, in order; a request that cannot run gets an error result, never an exception."""
        self.load()
        results: list[ExtractResult | None] = [None] * len(requests)
        prepared: list[_Prepared] = []
        for i, request in enumerate(requests):
            try:
                prepared.append(self._prepare(i, request))
            except DocaiError as err:
                results[i] = self._error(request, err.code, err.message)
            except (OSError, ValueError) as err:  # an image Pillow or the processor cannot handle
                message = f"the page images could not be prepared for the model: {err}"
                results[i] = self._error(request, ErrorCode.EXTRACTION_FAILED, message)
        try:
            return self._extract(prepared, results)
        except DocaiError as err:  # the whole batch failed (e.g. one page alone does not fit in memory)
            return [r or self._error(requests[i], err.code, err.message) for i, r in enumerate(results)]

    def _extract(self, prepared: list[_Prepared], results: list[ExtractResult | None]) -> list[ExtractResult]:
        first = self._run(prepared, Bounds())
        retry: list[_Prepared] = []
        spent: dict[int, dict[str, float]] = {}
        for item, (text, gen, elapsed) in zip(prepared, first, strict=True):
            result = self._finish(item, text, gen, elapsed, final=False)
            if result is None:
                retry.append(item)
                spent[item.index] = elapsed
            else:
                results[item.index] = result
        if retry:
            for item, (text, gen, elapsed) in zip(retry, self._run(retry, Bounds().tighter()), strict=True):
                before = spent[item.index]  # the retry's timings include the first attempt
                elapsed = {k: v + before[k] if k != "batch_size" else v for k, v in elapsed.items()}
                item.issues.append(
                    Issue(
                        code="retried",
                        message="The first answer did not parse into the schema; asked again with tighter size limits.",
                        severity=Severity.INFO,
                    )
                )
                results[item.index] = self._finish(item, text, gen, elapsed, final=True)
        return [r for r in results if r is not None]

    def _error(self, request: ExtractRequest, code: ErrorCode, message: str) -> ExtractResult:
        return ExtractResult(
            request_id=request.request_id,
            schema=request.schema,
            data=None,
            engine=NAME,
            model=self.model_id,
            revision=self.revision,
            error_code=str(code),
            error_message=message,
        )

    def _prepare(self, index: int, request: ExtractRequest) -> _Prepared:
        start = time.perf_counter()
        try:
            get_schema(request.schema)
        except UnknownSchema as err:
            raise DocaiError(ErrorCode.SCHEMA_UNSUPPORTED, str(err)) from None
        if not request.pages:
            raise DocaiError(ErrorCode.NO_PAGES, "the request has no pages to read.")
        issues: list[Issue] = []
        pages = request.pages
        if len(pages) > MAX_PAGES_PER_REQUEST:
            issues.append(
                Issue(
                    code="pages_truncated",
                    severity=Severity.WARNING,
                    message=f"Only the first {MAX_PAGES_PER_REQUEST} of {len(pages)} pages were shown to the model.",
                )
            )
            pages = pages[:MAX_PAGES_PER_REQUEST]
        lm = self._lm
        images = [page.image.convert("RGB") for page in pages]
        if lm.spec.family == "deepseek-vl2":
            return self._prepare_vl2(index, request, pages, images, issues, start)
        processed = lm.image_processor(images=images, return_tensors="pt")
        try:
            ids = encode_prompt(
                lm.tokenizer,
                build_prompt(request.schema, pages),
                len(pages),
                lm.image_token_id,
                lm.num_image_tokens,
                lm.bos_token_id,
            )
        except PlaceholderMismatch as err:
            raise DocaiError(ErrorCode.EXTRACTION_FAILED, str(err)) from err
        return _Prepared(
            index,
            request,
            ids,
            processed["pixel_values"],
            processed.get("high_res_pixel_values"),
            issues,
            time.perf_counter() - start,
        )

    def _prepare_vl2(self, index: int, request: ExtractRequest, pages: Any, images: Any, issues: list, start: float):
        """DeepSeek-VL2: official tiling and chat prompt (no system prompt), variable image tokens per page."""
        from model.deepseek_vl2.processor import PlaceholderMismatch as TagMismatch
        from model.deepseek_vl2.prompting import prepare_prompt

        try:
            prompt = prepare_prompt(
                self._lm, build_question(request.schema, pages), images, self.options.max_new_tokens
            )
        except TagMismatch as err:
            raise DocaiError(ErrorCode.EXTRACTION_FAILED, str(err)) from err
        issues += [Issue(code="pages_downscaled", severity=Severity.INFO, message=note) for note in prompt.notes]
        elapsed = time.perf_counter() - start
        return _Prepared(
            index, request, prompt.input_ids, prompt.pixel_values, None, issues, elapsed, prompt.spatial_crop
        )

    def _run(self, items: list[_Prepared], bounds: Bounds) -> list[tuple[str, Any, dict[str, float]]]:
        """Generate for items in length-sorted batches bounded by pages and tokens; results in input order."""
        from model.deepseek.generation import GenRow

        max_new = self.options.max_new_tokens
        budget = token_budget(self._lm)
        order = sorted(range(len(items)), key=lambda i: len(items[i].input_ids))
        batches: list[list[int]] = []
        for i in order:
            pages = items[i].pages
            current = batches[-1] if batches else None
            if current is not None:
                n_pages = sum(items[j].pages for j in current) + pages
                tokens = (len(current) + 1) * (len(items[i].input_ids) + max_new)  # longest so far: sorted
                if n_pages <= self.options.max_batch_pages and tokens <= budget:
                    current.append(i)
                    continue
            batches.append([i])
        out: list[tuple[str, Any, dict[str, float]] | None] = [None] * len(items)
        for batch in batches:
            rows = [
                GenRow(
                    items[i].input_ids,
                    items[i].pixel_values,
                    items[i].high_res_pixel_values,
                    self._grammar(items[i].request.schema, bounds),
                    items[i].images_spatial_crop,
                )
                for i in batch
            ]
            start, gen_timings = time.perf_counter(), {}
            gens = self._generate(rows, max_new, gen_timings)
            # the batch's time, shared evenly: what each request cost this worker
            elapsed = {
                "generate_s": round((time.perf_counter() - start) / len(batch), 4),
                "prefill_s": round(gen_timings["prefill_s"] / len(batch), 4),
                "decode_s": round(gen_timings["decode_s"] / len(batch), 4),
                "batch_size": float(len(batch)),
            }
            for i, gen in zip(batch, gens, strict=True):
                # the grammar's own byte view of the tokens, so confidence spans line up exactly
                text = self._ll_tokenizer.decode_bytes(gen.token_ids).decode("utf-8", errors="replace")
                out[i] = (text, gen, elapsed)
        return [o for o in out if o is not None]

    def _generate(self, rows: list[Any], max_new: int, timings: dict[str, float]) -> list[Any]:
        """Generate for rows; a batch that runs out of memory is split in halves and run again."""
        from model.deepseek.generation import generate

        try:
            return generate(self._lm, rows, max_new, self._ll_tokenizer, timings=timings)
        except RuntimeError as err:  # torch.OutOfMemoryError subclasses RuntimeError
            if "out of memory" not in str(err).lower() or len(rows) == 1:
                raise DocaiError(ErrorCode.EXTRACTION_FAILED, f"generation failed: {err}") from err
        if self._lm.device.type == "cuda":
            import torch

            torch.cuda.empty_cache()
        half = len(rows) // 2
        first, second = {}, {}
        out = self._generate(rows[:half], max_new, first) + self._generate(rows[half:], max_new, second)
        for key in ("prefill_s", "decode_s"):
            timings[key] = first[key] + second[key]
        return out

    def _finish(
        self, item: _Prepared, text: str, gen: Any, elapsed: dict[str, float], *, final: bool
    ) -> ExtractResult | None:
        """A result when the output validates (or on the final try, whatever can be saved); None asks for a retry."""
        model_cls = get_schema(item.request.schema)
        issues = list(item.issues)
        parsed: Any = None
        if gen.finished:
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
        if parsed is not None:
            data, dropped = prune_invalid(model_cls, parsed)
            if not dropped:
                return self._result(item, data, text, gen, elapsed, issues)
        if not final:
            return None
        reason = gen.error or ("the answer ran out of tokens" if not gen.finished else "the answer did not validate")
        repaired = parsed if parsed is not None else _loads(repair_truncated(text))
        if repaired is None:
            data, dropped = model_cls(), []
            issues.append(
                Issue(
                    code="invalid_output",
                    severity=Severity.ERROR,
                    message=f"The model's answer could not be read ({reason}); no fields were extracted.",
                )
            )
        else:
            data, dropped = prune_invalid(model_cls, repaired)
            issues.append(
                Issue(
                    code="invalid_output",
                    severity=Severity.WARNING,
                    message=f"The model's answer was incomplete ({reason}); the readable part was kept.",
                )
            )
        for path in dropped:
            issues.append(
                Issue(
                    code="invalid_value",
                    field=path or "/",
                    severity=Severity.WARNING,
                    message="This value did not fit the schema and was left out.",
                )
            )
        return self._result(item, data, text, gen, elapsed, issues, dropped)

    def _result(
        self,
        item: _Prepared,
        data: Any,
        text: str,
        gen: Any,
        elapsed: dict[str, float],
        issues: list[Issue],
        dropped: Sequence[str] = (),
    ) -> ExtractResult:
        token_bytes = [self._ll_tokenizer.decode_bytes([t]) for t in gen.token_ids]
        kept = leaf_paths(data.model_dump(mode="json"))
        # after a list item was dropped, later items moved up: their text spans no longer match their paths
        shifted = {p.rsplit("/", 1)[0] + "/" for p in dropped if p.rsplit("/", 1)[-1].isdigit()}
        kept = {p for p in kept if not any(p.startswith(prefix) for prefix in shifted)}
        confidence = value_confidence(text, token_bytes, gen.logprobs, kept)
        return ExtractResult(
            request_id=item.request.request_id,
            schema=item.request.schema,
            data=data,
            engine=NAME,
            model=self.model_id,
            revision=self.revision,
            confidence=confidence,
            issues=issues,
            timings={
                "preprocess_s": round(item.preprocess_s, 4),
                "new_tokens": float(len(gen.token_ids)),
                **elapsed,
            },
        )


def _loads(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
