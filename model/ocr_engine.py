"""The CPU `ocr` engine: words with boxes (PDF text layer or OCR) read by layout rules into a schema."""

from __future__ import annotations

import time
from collections.abc import Sequence

from model.base import EngineOptions, register_engine
from model.layout.form import extract_form
from model.layout.invoice import extract_invoice
from model.layout.lines import build_lines
from model.layout.receipt import extract_receipt
from model.learned.apply import apply_learned, decides
from model.learned.core import Doc, field_specs, load_model
from model.learned.rule_calibration import calibrate, calibrated_paths
from model.types import ExtractRequest, ExtractResult, PageInput, Word

RULES = {"invoice": extract_invoice, "receipt": extract_receipt, "form": extract_form}
VERSION = "2"


class OcrEngine:
    """Layout rules propose, a model fitted on the training split chooses; needs no weights and no GPU."""

    name = "ocr"

    def __init__(self, options: EngineOptions):
        self.options = options
        self._loaded = False

    @property
    def model_id(self) -> str:
        model = load_model(self.options.learned_path)
        if model is None:
            return f"docai-layout-rules-v{VERSION}"
        return f"docai-ocr-learned-v{model.version}"

    def supports(self, schema: str) -> bool:
        return schema in RULES

    def load(self) -> None:
        self._loaded = True

    def close(self) -> None:
        self._loaded = False

    def extract_batch(self, requests: Sequence[ExtractRequest]) -> list[ExtractResult]:
        return [self._extract(request) for request in requests]

    def _extract(self, request: ExtractRequest) -> ExtractResult:
        base = {"request_id": request.request_id, "schema": request.schema, "engine": self.name, "model": self.model_id}
        rules = RULES.get(request.schema)
        if rules is None:
            return ExtractResult(
                **base,
                data=None,
                error_code="schema_unsupported",
                error_message=(
                    f"The CPU 'ocr' engine cannot extract {request.schema!r}; it needs the DeepSeek-VL engine: "
                    "run `docai model pull`, then set DOCAI_ENGINE=deepseek-vl (or pass --engine deepseek-vl)."
                ),
            )
        started = time.perf_counter()
        pages = [self._words(page) for page in request.pages]
        timings = {"ocr_s": round(time.perf_counter() - started, 3)}
        started = time.perf_counter()
        try:
            lines = build_lines(pages)
            data, confidence = rules(lines)
            # checked per document, so a refit (docai train) is picked up without a restart
            model = load_model(self.options.learned_path)
            if model is not None:
                data, confidence = apply_learned(request.schema, Doc(lines), data, confidence, model)
                base["model"] = f"docai-ocr-learned-v{model.version}"
            decided = {s.name for s in field_specs(request.schema) if decides(s)} if model else set()
            values = data.model_dump(mode="json")  # line items' maps depend on whether their rows add up
            confidence = calibrate(request.schema, confidence, self.options.learned_path, keep=decided, data=values)
            fitted = calibrated_paths(request.schema, confidence, self.options.learned_path, values)
            linked = model is not None and request.schema == "form"  # the linker's probabilities, fitted out of fold
            calibrated = frozenset(
                p for p in confidence if p in fitted or p.lstrip("/") in decided or linked and p.startswith("/fields/")
            )
        except (ValueError, ArithmeticError) as err:
            # a value the rules read that the schema refuses: report, do not crash the batch
            return ExtractResult(
                **base, data=None, error_code="extraction_failed", error_message=f"The layout rules failed: {err}"
            )
        timings["rules_s"] = round(time.perf_counter() - started, 3)
        revision = model.version if model is not None else VERSION
        return ExtractResult(
            **base, data=data, confidence=confidence, calibrated=calibrated, timings=timings, revision=revision
        )

    def _words(self, page: PageInput) -> list[Word]:
        if page.words or page.image is None:
            return page.words
        # no text layer and no OCR upstream: read the page image itself
        from model.ocr import OcrOptions, recognize

        return recognize(page.image, OcrOptions(languages=self.options.ocr_languages))


@register_engine("ocr")
def _factory(options: EngineOptions) -> OcrEngine:
    return OcrEngine(options)
