"""`docai process --engine deepseek-vl` and `docai model info|pull` as a user runs them: a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from docai.samples import sample_invoice_pdf


def run_docai(*args: str, home: Path, model: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCAI_")}
    env["DOCAI_HOME"] = str(home)
    env["HF_HUB_OFFLINE"] = "1"  # never reach out, even where a network exists
    if model is not None:
        env["DOCAI_MODEL"] = str(model)
    return subprocess.run(
        [sys.executable, "-m", "docai", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def test_process_with_the_deepseek_engine_runs_end_to_end(tmp_path, docai_home, tiny_13b):
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(sample_invoice_pdf())
    result = run_docai(
        "process", str(pdf), "--engine", "deepseek-vl", "--schema", "invoice", "--json", home=docai_home, model=tiny_13b
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["engine"] == "deepseek-vl"
    assert doc["status"] in ("done", "needs_review")
    assert doc["schema"] == "invoice" and doc["error"] is None
    assert set(doc["data"]) >= {"vendor_name", "invoice_total", "line_items"}


def test_model_info_reports_weights_and_the_auto_choice(docai_home, tiny_13b):
    missing = run_docai("model", "info", "--json", home=docai_home)
    assert missing.returncode == 0, missing.stderr
    info = json.loads(missing.stdout)
    assert info["complete"] is False and info["auto_engine"] == "ocr"
    assert info["model_path"].endswith("deepseek-vl-1.3b-chat")
    present = json.loads(run_docai("model", "info", "--json", home=docai_home, model=tiny_13b).stdout)
    assert present["complete"] is True and present["auto_engine"] == "deepseek-vl"


def test_model_pull_offline_names_the_path(docai_home):
    result = run_docai("model", "pull", "7b", home=docai_home, timeout=120)
    assert result.returncode == 1
    assert "deepseek-vl-7b-chat" in result.stderr and "internet" in result.stderr
    assert "Traceback" not in result.stderr


RECEIPT_NAME = "sroie/X00016469612.jpg"
CHECK_KEYS = {
    "path", "family", "variant", "layout", "dtype", "device", "prompt_tokens", "image_tokens", "token_ids", "text",
    "top_logits", "seconds",
}  # fmt: skip


def test_model_check_json_on_an_original_layout_checkpoint(docai_home, tiny_pairs, shared_data):
    original = tiny_pairs["7b"][1]
    result = run_docai(
        "model", "check", str(original), "--image", str(shared_data / RECEIPT_NAME), "--max-new-tokens", "5", "--json",
        home=docai_home,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == CHECK_KEYS
    assert (out["family"], out["variant"], out["layout"]) == ("deepseek-vl", "7b", "original")
    assert (out["dtype"], out["device"]) == ("float32", "cpu")
    assert out["image_tokens"] == 16 and out["prompt_tokens"] > out["image_tokens"]
    assert 0 < len(out["token_ids"]) <= 5
    assert len(out["top_logits"]) == 10
    logits = [v for _, v in out["top_logits"]]
    assert logits == sorted(logits, reverse=True)
    assert out["token_ids"][0] == out["top_logits"][0][0]  # greedy: the first token is the best first-step logit


def test_model_check_defaults_to_docai_model_and_prints_a_summary(docai_home, tiny_13b, shared_data):
    result = run_docai(
        "model", "check", "--image", str(shared_data / RECEIPT_NAME), "--question", "What is the total?",
        "--max-new-tokens", "3", home=docai_home, model=tiny_13b,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "deepseek-vl 1.3b (transformers layout)" in result.stdout
    assert str(tiny_13b) in result.stdout


def test_model_check_fails_with_a_sentence(docai_home, tiny_13b, tmp_path):
    result = run_docai("model", "check", str(tiny_13b), "--image", str(tmp_path / "nope.png"), home=docai_home)
    assert result.returncode == 1
    assert "nope.png does not exist" in result.stderr and "Traceback" not in result.stderr
