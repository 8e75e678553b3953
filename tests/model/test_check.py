"""`model.check`: the family-independent part of `docai model check` (the CLI runs it in tests/model/deepseek)."""

from __future__ import annotations

import json

import pytest

from docai.errors import DocaiError
from model.check import checkpoint_family, load_image, run_check


@pytest.mark.parametrize(
    ("model_type", "family"),
    [("multi_modality", "deepseek-vl"), ("deepseek_vl_hybrid", "deepseek-vl"), ("deepseek_vl_v2", "deepseek-vl2")],
)
def test_family_comes_from_config_json(tmp_path, model_type, family):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": model_type}))
    assert checkpoint_family(tmp_path) == family


def test_folders_that_are_not_checkpoints_are_refused_with_a_sentence(tmp_path):
    with pytest.raises(DocaiError, match="holds no config.json"):
        checkpoint_family(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama"}))
    with pytest.raises(DocaiError, match="not a DeepSeek-VL family model"):
        checkpoint_family(tmp_path)
    (tmp_path / "config.json").write_text("[1, 2")
    with pytest.raises(DocaiError, match="not a readable JSON object"):
        checkpoint_family(tmp_path)
    with pytest.raises(DocaiError, match="does not exist"):
        run_check(tmp_path / "missing", tmp_path / "x.png")


def test_images_pillow_cannot_read_are_refused(tmp_path):
    bad = tmp_path / "receipt.jpg"
    bad.write_bytes(b"%PDF-1.7 not an image")
    with pytest.raises(DocaiError, match="not an image Pillow can read"):
        load_image(bad)


def test_bad_arguments_are_refused_before_loading(tmp_path):
    with pytest.raises(DocaiError, match="at least 1"):
        run_check(tmp_path, tmp_path / "x.png", max_new_tokens=0)
    with pytest.raises(DocaiError, match="question is empty"):
        run_check(tmp_path, tmp_path / "x.png", question="  ")
