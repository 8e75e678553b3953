"""The deepseek-vl engine serving a DeepSeek-VL2 checkpoint: batched, grammar-constrained, grounded, and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from model.base import EngineOptions, resolve_engine_name
from model.deepseek.engine import DeepseekVLEngine
from model.types import ExtractRequest, PageInput, Word
from model.weights import default_model_path, weights_status
from schemas.registry import get_schema, schema_kinds

SCHEMA_FILES = {
    "invoice": None,  # the bundled sample invoice PDF
    "receipt": "sroie/X00016469612.jpg",
    "form": "funsd",
    "chart": "chartqa/07339205003514.png",
    "ui_code": "design2code",
}


def _page(size=(600, 800)) -> PageInput:
    words = [Word("TOTAL", (0.1, 0.8, 0.2, 0.82), line=1), Word("9.90", (0.3, 0.8, 0.4, 0.82), line=1)]
    return PageInput(index=0, image=Image.new("RGB", size, "white"), words=words)


def test_one_batch_serves_every_schema_with_valid_data_and_confidences(tiny_vl2):
    engine = DeepseekVLEngine(EngineOptions(model_path=tiny_vl2, device="cpu", max_new_tokens=24, max_batch_pages=8))
    try:
        requests = [  # pages of different sizes and so prompts of different lengths: a left-padded batch
            ExtractRequest(request_id=kind, schema=kind, pages=[_page((300 + 20 * i, 380))])
            for i, kind in enumerate(schema_kinds())
        ]
        results = engine.extract_batch(requests)
    finally:
        engine.close()
    assert [r.request_id for r in results] == [r.request_id for r in requests]
    for result in results:
        assert result.error_code is None, result.error_message
        assert result.engine == "deepseek-vl" and "deepseek-vl2" in result.model
        get_schema(result.schema).model_validate(result.data.model_dump(mode="json"))
        assert all(0.0 <= c <= 1.0 for c in result.confidence.values())
        assert result.timings["new_tokens"] > 0


def test_auto_picks_the_vl2_weights_and_says_so(tiny_vl2):
    status = weights_status(tiny_vl2)
    assert status.complete and status.family == "deepseek-vl2"
    name, reason = resolve_engine_name("auto", EngineOptions(model_path=tiny_vl2))
    assert name == "deepseek-vl" and "DeepSeek-VL2" in reason
    assert default_model_path(tiny_vl2.parent) == tiny_vl2  # a pulled VL2 is found without DOCAI_MODEL


def _env(home: Path, model: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCAI_")}
    env.update(DOCAI_HOME=str(home), HF_HUB_OFFLINE="1", **extra)
    if model is not None:
        env["DOCAI_MODEL"] = str(model)
    return env


def _docai(*args: str, home: Path, model: Path | None = None, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "docai", *args],
        env=_env(home, model, **extra),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _document(kind: str, shared_data: Path, folder: Path) -> Path:
    from docai.samples import sample_invoice_pdf

    rel = SCHEMA_FILES[kind]
    if rel is None:
        pdf = folder / "invoice.pdf"
        pdf.write_bytes(sample_invoice_pdf())
        return pdf
    path = shared_data / rel
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in (".png", ".jpg"))[0]
    return path


def test_docai_process_runs_a_vl2_checkpoint_end_to_end_for_all_five_schemas(
    tmp_path, docai_home, tiny_vl2, shared_data
):
    runs = {}
    for kind in SCHEMA_FILES:  # five users at once, each with their own DOCAI_HOME
        argv = [sys.executable, "-m", "docai", "process", str(_document(kind, shared_data, tmp_path))]
        argv += ["--engine", "auto", "--schema", kind, "--json"]
        env = _env(docai_home / kind, tiny_vl2, DOCAI_MAX_NEW_TOKENS="12", DOCAI_PAGE_SIZE="384")
        runs[kind] = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for kind, run in runs.items():
        stdout, stderr = run.communicate(timeout=600)
        assert "Traceback" not in stderr, stderr
        assert run.returncode == 0, stderr
        out = json.loads(stdout)
        assert out["engine"] == "deepseek-vl" and out["schema"] == kind and out["error"] is None
        assert out["status"] in ("done", "needs_review")
        get_schema(kind).model_validate(out["data"])


def test_model_info_names_the_family_and_pull_fails_offline_with_a_sentence(docai_home, tiny_vl2, tmp_path):
    info = _docai("model", "info", "--json", home=docai_home, model=tiny_vl2)
    assert info.returncode == 0, info.stderr
    out = json.loads(info.stdout)
    assert out["family"] == "deepseek-vl2" and out["auto_engine"] == "deepseek-vl"
    target = tmp_path / "vl2-small"
    pull = _docai("model", "pull", "vl2-small", home=docai_home, model=target)
    assert pull.returncode == 1
    assert "deepseek-ai/deepseek-vl2-small" in pull.stderr and str(target) in pull.stderr
    assert "Traceback" not in pull.stderr


def test_model_check_cli_reports_a_vl2_checkpoint(docai_home, tiny_vl2, shared_data):
    image = shared_data / SCHEMA_FILES["chart"]
    result = _docai(
        "model", "check", str(tiny_vl2), "--image", str(image), "--max-new-tokens", "3", "--json", home=docai_home
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["family"] == "deepseek-vl2" and out["layout"] == "original" and out["device"] == "cpu"
    assert out["image_tokens"] == 211 + 2 * 14 * (3 * 14 + 1)  # the wide chart tiles 3 wide x 2 high
    assert len(out["top_logits"]) == 10 and 1 <= len(out["token_ids"]) <= 3
