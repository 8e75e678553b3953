"""The deepseek-vl engine end to end on tiny random models: always schema-valid, batch == one by one."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from model.base import EngineOptions, create_engine
from model.types import ExtractRequest, PageInput, Word
from schemas.registry import get_schema, schema_kinds


def _page(text: str = "INVOICE 42  Total 12.00", index: int = 0) -> PageInput:
    image = Image.new("RGB", (724, 1024), "white")
    ImageDraw.Draw(image).text((60, 80), text, fill="black")
    words = [Word(w, (0.1 + 0.1 * i, 0.08, 0.18 + 0.1 * i, 0.1)) for i, w in enumerate(text.split())]
    return PageInput(index, image, words)


def _check(result, kind: str) -> None:
    assert result.error_code is None, result.error_message
    assert result.engine == "deepseek-vl" and result.model and result.revision
    schema = get_schema(kind)
    assert isinstance(result.data, schema)
    schema.model_validate(result.data.model_dump(mode="json"))  # round-trips through JSON
    assert all(0.0 <= c <= 1.0 and path.startswith("/") for path, c in result.confidence.items())
    assert result.timings["generate_s"] > 0


def test_engine_is_registered_and_supports_every_schema(tiny_13b):
    engine = create_engine("deepseek-vl", EngineOptions(model_path=tiny_13b))
    assert engine.name == "deepseek-vl"
    assert all(engine.supports(kind) for kind in schema_kinds())
    assert not engine.supports("passport")


def test_every_schema_gives_valid_output_from_random_weights(engine_13b):
    kinds = schema_kinds()
    results = engine_13b.extract_batch([ExtractRequest(f"r-{k}", k, [_page()]) for k in kinds])
    assert [r.request_id for r in results] == [f"r-{k}" for k in kinds]
    for result, kind in zip(results, kinds, strict=True):
        _check(result, kind)
    # a value the model wrote carries a confidence; issues explain anything that was cut or dropped
    assert any(r.confidence for r in results)
    for result in results:
        assert all(issue.code in {"retried", "invalid_output", "invalid_value"} for issue in result.issues)


def test_batched_output_equals_one_by_one(engine_13b):
    requests = [
        ExtractRequest("a", "receipt", [_page("KEDAI 9.90")]),
        ExtractRequest("b", "form", [_page("Name: Jane Doe  Agree [x]  with a much longer line of words to pad")]),
        ExtractRequest("c", "receipt", [_page("SHOP 1.00", 0), _page("TOTAL 1.00", 1)]),
    ]
    batched = engine_13b.extract_batch(requests)
    for request, together in zip(requests, batched, strict=True):
        (alone,) = engine_13b.extract_batch([request])
        assert alone.data == together.data
        assert alone.confidence == pytest.approx(together.confidence, abs=1e-3)


def test_hybrid_7b_engine_extracts(tiny_7b):
    from model.deepseek.engine import DeepseekVLEngine

    engine = DeepseekVLEngine(EngineOptions(model_path=tiny_7b, device="cpu", max_new_tokens=64))
    try:
        (result,) = engine.extract_batch([ExtractRequest("x", "chart", [_page("Sales 2020 3.5")])])
        _check(result, "chart")
        assert "7b" in result.model
    finally:
        engine.close()


def test_original_layout_7b_engine_extracts(tiny_pairs):
    """The deepseek-ai layout (official preprocessing, both towers' own normalisation) through the engine."""
    from model.deepseek.engine import DeepseekVLEngine

    engine = DeepseekVLEngine(EngineOptions(model_path=tiny_pairs["7b"][1], device="cpu", max_new_tokens=48))
    try:
        (result,) = engine.extract_batch([ExtractRequest("o", "receipt", [_page("SHOP 9.90")])])
        _check(result, "receipt")
        assert "original layout" in result.model
    finally:
        engine.close()


def test_bad_requests_become_error_results(engine_13b):
    results = engine_13b.extract_batch(
        [
            ExtractRequest("unknown", "passport", [_page()]),
            ExtractRequest("empty", "invoice", []),
            ExtractRequest("fine", "receipt", [_page()]),
        ]
    )
    assert [r.error_code for r in results] == ["schema_unsupported", "no_pages", None]
    assert "passport" in results[0].error_message


def test_real_rendered_page_end_to_end(engine_13b):
    from docai.samples import sample_invoice_pdf
    from docai.stages.ingest import MediaType
    from docai.stages.rasterize import RasterizeOptions, rasterize

    (page,) = rasterize(sample_invoice_pdf(), MediaType.PDF, RasterizeOptions(ocr=None))
    image = Image.open(io.BytesIO(page.png))
    assert max(image.size) == 1024 and page.words
    (result,) = engine_13b.extract_batch([ExtractRequest("inv", "invoice", [PageInput(0, image, page.words)])])
    _check(result, "invoice")


def test_missing_weights_fail_on_load_with_the_path(tmp_path: Path):
    from docai.errors import DocaiError

    engine = create_engine("deepseek-vl", EngineOptions(model_path=tmp_path / "absent"))
    with pytest.raises(DocaiError, match=str(tmp_path / "absent")):
        engine.load()


def test_batches_respect_the_page_limit(tiny_13b):
    from model.deepseek.engine import DeepseekVLEngine

    engine = DeepseekVLEngine(EngineOptions(model_path=tiny_13b, device="cpu", max_new_tokens=32, max_batch_pages=2))
    requests = [
        ExtractRequest("one", "form", [_page("A")]),
        ExtractRequest("two", "form", [_page("B", 0), _page("C", 1)]),
        ExtractRequest("three", "form", [_page("D")]),
    ]
    results = engine.extract_batch(requests)
    assert [r.request_id for r in results] == ["one", "two", "three"]
    assert results[1].timings["batch_size"] == 1.0  # two pages fill a batch on their own
    assert results[0].timings["batch_size"] == results[2].timings["batch_size"] == 2.0
