"""The learned form linker on generated forms: entities cut out of a segment and joined over rows, learned from
annotated entity boxes, then linked; fitted twice to the same bytes."""

from __future__ import annotations

import os
from pathlib import Path

from model.learned.core import Doc, load_model
from model.learned.fit import Example, train_all
from model.learned.form import Pair, Unit, decode
from model.learned.form_fit import apply_form
from model.types import Word

SIZE = 1000


def _cell(x: float, y: float, text: str) -> list[Word]:
    return [Word(t, (x + 0.06 * k, y, x + 0.06 * k + 0.05, y + 0.015)) for k, t in enumerate(text.split())]


def _entity(eid: int, label: str, words: list[Word]) -> dict:
    box = [min(w.bbox[0] for w in words), min(w.bbox[1] for w in words)]
    box += [max(w.bbox[2] for w in words), max(w.bbox[3] for w in words)]
    return {"id": eid, "label": label, "text": " ".join(w.text for w in words), "box": [v * SIZE for v in box]}


def _form(k: int) -> tuple[list[Word], dict]:
    """A form: a title, 'Name:' with its answer beside it, 'Ref' run into its code in one segment, 'Remarks:' over
    a paragraph answer wrapped on three rows, 'Signed:' with a name."""
    dy = 0.004 * (k % 5)
    title = _cell(0.3, 0.05, "QUALITY REQUEST FORM")
    name_q, name_a = _cell(0.1, 0.1 + dy, "Name:"), _cell(0.4, 0.1 + dy, f"Jane Doe{k}")
    ref = _cell(0.1, 0.15 + dy, f"Ref {4400 + k}-B")
    remarks = _cell(0.1, 0.22 + dy, "Remarks:")
    paragraph = [
        _cell(0.1, 0.25 + dy, f"samples {k} were tested twice and"),
        _cell(0.1, 0.27 + dy, "the results agree with the earlier"),
        _cell(0.1, 0.29 + dy, "laboratory report."),
    ]
    signed_q, signed_a = _cell(0.1, 0.36 + dy, "Signed:"), _cell(0.4, 0.36 + dy, f"Pat Harper{k}")
    answer = [w for row in paragraph for w in row]
    entities = [
        _entity(0, "header", title),
        _entity(1, "question", name_q),
        _entity(2, "answer", name_a),
        _entity(3, "question", ref[:1]),
        _entity(4, "answer", ref[1:]),
        _entity(5, "question", remarks),
        _entity(6, "answer", answer),
        _entity(7, "question", signed_q),
        _entity(8, "answer", signed_a),
    ]
    links = [[1, 2], [3, 4], [5, 6], [7, 8]]
    pairs = [{"key": entities[a]["text"], "value": entities[b]["text"], "key_id": a, "value_id": b} for a, b in links]
    truth = {"entities": entities, "links": links, "key_value_pairs": pairs, "size": (SIZE, SIZE)}
    words = title + name_q + name_a + ref + remarks + answer + signed_q + signed_a
    return words, truth


def _examples() -> list[Example]:
    return [Example(f"f{k}", f"f{k}", "form", [_form(k)[0]], _form(k)[1]) for k in range(15)]


def test_a_fitted_linker_cuts_joins_and_links_entities(tmp_path: Path) -> None:
    first = train_all(_examples(), tmp_path / "a", seed=1, log=lambda _m: None)
    second = train_all(_examples(), tmp_path / "b", seed=1, log=lambda _m: None)
    assert first["version"] == second["version"]
    for name in sorted(os.listdir(tmp_path / "a")):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert {"form.pairs", "form.cuts", "form.groups", "form.questions", "form.answers"} <= set(first["fields"])
    figures = first["fields"]["form.pairs"]["figures"]
    assert figures["candidate_ceiling_kv_f1"] >= figures["cv_kv_f1"] > 0.9

    model = load_model(tmp_path / "a")
    assert model is not None
    form, confidence = apply_form(Doc.from_pages([_form(40)[0]]), None, {}, model)
    read = {f.key: f.value for f in form.fields}
    # the paragraph is one answer, not its first row; the code is cut from the label it was run into
    assert read["Remarks"] == "samples 40 were tested twice and the results agree with the earlier laboratory report."
    assert read["Ref"] == "4440-B"
    assert read["Name"] == "Jane Doe40" and read["Signed"] == "Pat Harper40"
    assert all(0.0 <= c <= 1.0 for c in confidence.values())


def test_a_word_is_read_once_as_key_or_answer() -> None:
    """The joined answer and its first row share words: whichever scores higher is taken, the other is not."""
    rows = [_cell(0.1, 0.1, "Remarks:"), _cell(0.1, 0.13, "first row"), _cell(0.1, 0.15, "second row")]
    key = Unit(rows[0], 0, 0, 0)
    start = Unit(rows[1], 0, 1, 0)
    whole = Unit(rows[1] + rows[2], 0, 1, 0, rows=2)
    other = Unit(rows[2], 0, 2, 0)
    pairs = [Pair(key, start), Pair(key, whole), Pair(other, start)]
    chosen = decode(pairs, [0.6, 0.9, 0.8], 0.5)
    assert [(p.key.text, p.value.text) for p, _ in chosen] == [("Remarks:", "first row second row")]
