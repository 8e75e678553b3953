"""Form key-value linking, learned: pairs of segments (or the two halves of one) scored, then linked greedily."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from model.layout.form import (
    CAPS_THEN_VALUE,
    CHECKED,
    UNCHECKED,
    _continuation,
    _is_label,
    _kind,
    _soft_label,
    extract_form,
)
from model.layout.lines import Line, Segment, build_lines
from model.learned.compare import norm_text
from model.learned.core import Doc
from model.types import Word
from schemas.form import FieldKind, Form, FormField

KEY = "form.pairs"
MAX_ROWS_BELOW = 6
MAX_RIGHT = 2


@dataclass
class Unit(Segment):
    """A segment of a row, or one piece of a segment cut where a label ends ('Date: 9/3/92')."""

    row: int = 0
    seg: int = 0
    part: int = 0  # 0 the whole segment, k the k-th piece of a segment cut where labels start and end

    @property
    def uid(self) -> tuple[int, int, int]:
        return (self.row, self.seg, self.part)


@dataclass
class Pair:
    key: Unit
    value: Unit
    features: dict[str, float] = field(default_factory=dict)


def _cuts(words: list[Word]) -> list[int]:
    """Where labels inside a segment end or start: after a word ending in a colon, before a label run into it
    ('Magazines: P4/C; Newspapers: 1/2 B/W'), or where capitals give way to an answer ('DATE October 27, 1986')."""
    cuts: set[int] = set()
    for i, w in enumerate(words):
        if not w.text.endswith((":", "?")) or sum(c.isalpha() for c in w.text) < 2 and i == 0:
            continue
        if i + 1 < len(words):
            cuts.add(i + 1)
        # a second label after an answer: its words go back to the word that ends the answer ('P4/C;')
        earlier = [c for c in cuts if c <= i]
        start = i
        while (
            start > 0
            and i - start < 3
            and words[start - 1].text[-1:].isalpha()
            and start - 1 >= max(earlier, default=i)
        ):
            start -= 1
        if earlier and start > max(earlier):
            cuts.add(start)
    if not cuts:
        match = CAPS_THEN_VALUE.match(" ".join(w.text for w in words))
        if match:
            n = len(match.group("key").split())
            if 0 < n < len(words):
                cuts.add(n)
    return sorted(cuts)


def _split_words(lines: list[Line]) -> list[Line]:
    """Rows rebuilt with words glued at a colon ('FROM:JESSICA') cut in two, their box shared by length."""
    pages: dict[int, list[Word]] = {}
    changed = False
    for line in lines:
        out = pages.setdefault(line.page, [])
        for w in line.words:
            match = re.match(r"^([^\W\d_][^:]{1,30}:)([^\d\s/].*)$", w.text)
            if not match:
                out.append(w)
                continue
            changed = True
            left, right = match.groups()
            x0, y0, x1, y1 = w.bbox
            mid = x0 + (x1 - x0) * len(left) / len(w.text)
            out += [replace(w, text=left, bbox=(x0, y0, mid, y1)), replace(w, text=right, bbox=(mid, y0, x1, y1))]
    if not changed:
        return lines
    return build_lines([pages.get(p, []) for p in range(max(pages) + 1)])


def form_lines(doc: Doc) -> list[Line]:
    return doc.once("form_lines", lambda: _split_words(doc.lines))


def units(lines: list[Line]) -> tuple[list[Unit], list[tuple[Unit, Unit]]]:
    """Every segment as a unit, and the (label, answer) pieces of segments that hold labels inside them."""
    whole: list[Unit] = []
    inline: list[tuple[Unit, Unit]] = []
    for r, line in enumerate(lines):
        for s, seg in enumerate(line.segments):
            whole.append(Unit(seg.words, seg.page, r, s))
            bounds = [0, *_cuts(seg.words), len(seg.words)]
            pieces = [
                Unit(seg.words[a:b], seg.page, r, s, k + 1)
                for k, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))
            ]
            for a, b in zip(pieces, pieces[1:], strict=False):
                if a.text.endswith((":", "?")) or len(pieces) == 2:
                    inline.append((a, b))
    return whole, inline


def _text_features(prefix: str, text: str) -> dict[str, float]:
    letters = sum(c.isalpha() for c in text)
    stripped = text.rstrip()
    return {
        f"{prefix}_colon_end": float(stripped.endswith(":")),
        f"{prefix}_question_end": float(stripped.endswith("?")),
        f"{prefix}_colon": float(":" in text),
        f"{prefix}_letters": float(letters),
        f"{prefix}_digits": float(sum(c.isdigit() for c in text)),
        f"{prefix}_upper": sum(c.isupper() for c in text) / max(1, letters),
        f"{prefix}_lower_start": float(bool(text) and text[0].islower()),
        f"{prefix}_words": float(len(text.split())),
        f"{prefix}_label": float(_is_label(text)),
        f"{prefix}_soft_label": float(_soft_label(text)),
        f"{prefix}_check": float(bool(CHECKED.match(text) or UNCHECKED.match(text))),
        f"{prefix}_blank": float("_" in text),
        f"{prefix}_number": float(bool(re.fullmatch(r"[\s$€£\d.,%()/+-]+", text)) and bool(re.search(r"\d", text))),
    }


def _rule_pairs(doc: Doc) -> set[tuple[str, str]]:
    """The pairs the layout rules read, as normalized (key, value prefix) texts: a feature, not a decision."""

    def compute() -> set[tuple[str, str]]:
        form, _ = extract_form(form_lines(doc))
        return {(norm_text(f.key), norm_text(f.value)[:12]) for f in form.fields}

    return doc.once("form_rule_pairs", compute)


def candidate_pairs(doc: Doc) -> list[Pair]:
    """Key/value candidates: a segment's two halves, the next segments on its row, the segments a few rows under it."""
    lines = form_lines(doc)
    whole, halves = units(lines)
    by_row: dict[int, list[Unit]] = {}
    for u in whole:
        by_row.setdefault(u.row, []).append(u)
    pairs = [Pair(k, v, {"inline": 1.0}) for k, v in halves]
    for k in whole:
        row = by_row[k.row]
        for v in row[k.seg + 1 : k.seg + 1 + MAX_RIGHT] + row[max(0, k.seg - 1) : k.seg]:
            pairs.append(Pair(k, v, {"inline": 0.0}))  # right of the label, or a tick box just left of it
        kx0, _, kx1, ky1 = k.bbox
        height = max(lines[k.row].height, 1e-3)
        for r in range(k.row + 1, min(len(lines), k.row + 1 + MAX_ROWS_BELOW)):
            if lines[r].page != lines[k.row].page or lines[r].bbox[1] - ky1 > 8 * height:
                break
            for v in by_row.get(r, []):
                vx0, _, vx1, _ = v.bbox
                if vx0 < kx1 + 0.02 and vx1 > kx0 - 0.02 or abs(vx0 - kx0) < 0.1:
                    pairs.append(Pair(k, v, {"inline": 0.0}))
        for r in range(max(0, k.row - 2), k.row):  # a caption under its answer: '(Signature)', '(Date)'
            if lines[r].page != lines[k.row].page or lines[k.row].bbox[1] - lines[r].bbox[3] > 3 * height:
                continue
            for v in by_row.get(r, []):
                vx0, _, vx1, _ = v.bbox
                if vx0 < kx1 and vx1 > kx0:
                    pairs.append(Pair(k, v, {"inline": 0.0}))
    rules = _rule_pairs(doc)
    _features(lines, pairs, rules)
    return pairs


def _features(lines: list[Line], pairs: list[Pair], rules: set[tuple[str, str]]) -> None:
    per_key: dict[int, list[Pair]] = {}
    per_value: dict[int, list[Pair]] = {}
    for p in pairs:
        per_key.setdefault(id(p.key), []).append(p)
        per_value.setdefault(id(p.value), []).append(p)
    column = {}  # a unit's column: how many rows under it hold a segment within its span (a table header's cells)
    for p in pairs:
        for u in (p.key, p.value):
            if id(u) not in column:
                x0, _, x1, _ = u.bbox
                column[id(u)] = float(
                    sum(
                        any(s.bbox[0] < x1 and s.bbox[2] > x0 for s in line.segments)
                        for line in lines[u.row + 1 : u.row + 7]
                        if line.page == lines[u.row].page
                    )
                )
    for p in pairs:
        kx0, ky0, kx1, ky1 = p.key.bbox
        vx0, vy0, vx1, vy1 = p.value.bbox
        height = max(lines[p.key.row].height, 1e-3)
        overlap = max(0.0, min(kx1, vx1) - max(kx0, vx0)) / max(1e-6, min(kx1 - kx0, vx1 - vx0))
        distance = abs(vx0 - kx1) + abs(vy0 - ky0)
        p.features.update(
            {
                "same_row": float(p.key.row == p.value.row),
                "rows_down": float(p.value.row - p.key.row),
                "dx": (vx0 - kx1) / height,
                "dy": (vy0 - ky1) / height,
                "left_align": abs(vx0 - kx0) / height,
                "x_overlap": overlap,
                "segs_between": float(p.value.seg - p.key.seg - 1) if p.key.row == p.value.row else -1.0,
                "key_x": kx0,
                "key_y": ky0,
                "value_x": vx0,
                "height_ratio": (vy1 - vy0) / max(1e-6, ky1 - ky0),
                "value_first_in_row": float(p.value.seg == 0),
                "key_column": column[id(p.key)],
                "value_column": column[id(p.value)],
                "key_row_segments": float(len(lines[p.key.row].segments)),
                "value_row_segments": float(len(lines[p.value.row].segments)),
                "key_row_digits": float(any(c.isdigit() for c in lines[p.key.row].text)),
                "rule_pair": float((norm_text(p.key.text.rstrip(":")), norm_text(p.value.text)[:12]) in rules),
                **_text_features("key", p.key.text),
                **_text_features("value", p.value.text),
            }
        )
        p.features["dist"] = distance / height
    for group, name in ((per_key, "rank_for_key"), (per_value, "rank_for_value")):
        for members in group.values():
            for rank, p in enumerate(sorted(members, key=lambda q: q.features["dist"])):
                p.features[name] = float(rank)
                p.features[name.replace("rank", "count")] = float(len(members))


# ---------------------------------------------------------------- labels (training)


def _entity_of(unit: Unit, boxes: list[tuple[int, tuple[float, float, float, float]]]) -> int | None:
    votes: dict[int, int] = {}
    for w in unit.words:
        cx, cy = (w.bbox[0] + w.bbox[2]) / 2, (w.bbox[1] + w.bbox[3]) / 2
        for eid, (x0, y0, x1, y1) in boxes:
            if x0 - 0.003 <= cx <= x1 + 0.003 and y0 - 0.003 <= cy <= y1 + 0.003:
                votes[eid] = votes.get(eid, 0) + 1
                break
    if not votes:
        return None
    eid, n = max(votes.items(), key=lambda kv: kv[1])
    return eid if n * 2 >= len(unit.words) else None


def _start(unit: Unit) -> tuple[int, int, int]:
    return (unit.row, unit.seg, max(unit.part, 1))


def pair_labels(pairs: list[Pair], truth: dict[str, Any]) -> list[int]:
    """1 where the key unit holds a question and the value unit starts the answer it is linked to."""
    width, height = truth["size"]
    entities = {e["id"]: e for e in truth["entities"]}
    boxes = [
        (e["id"], (e["box"][0] / width, e["box"][1] / height, e["box"][2] / width, e["box"][3] / height))
        for e in truth["entities"]
    ]
    links = {(a, b) for a, b in truth["links"]} | {(b, a) for a, b in truth["links"]}
    cache: dict[int, int | None] = {}
    first: dict[int, tuple[int, int, int]] = {}  # entity -> where its first unit starts, in reading order

    def ent(unit: Unit) -> int | None:
        if id(unit) not in cache:
            cache[id(unit)] = _entity_of(unit, boxes)
            e = cache[id(unit)]
            if e is not None:
                first[e] = min(first.get(e, _start(unit)), _start(unit))
        return cache[id(unit)]

    for p in pairs:
        ent(p.key), ent(p.value)
    labels = []
    for p in pairs:
        a, b = ent(p.key), ent(p.value)
        ok = (
            a is not None
            and b is not None
            and a != b
            and (a, b) in links
            and entities[a]["label"] == "question"
            and entities[b]["label"] == "answer"
            and first.get(b) == _start(p.value)
        )
        labels.append(int(ok))
    return labels


# ---------------------------------------------------------------- decoding


def decode(pairs: list[Pair], scores: list[float], threshold: float) -> list[tuple[Pair, float]]:
    """Best pairs first: a unit answers one key and is never both key and answer; a key may take several answers
    ('cc:' over a list of names); a segment is read whole or in pieces, not both."""
    keys: set[tuple[int, int, int]] = set()
    values: set[tuple[int, int, int]] = set()
    mode: dict[tuple[int, int], int] = {}  # segment -> 0 read whole, 1 read in pieces
    chosen = []
    for i in sorted(range(len(pairs)), key=lambda i: (-scores[i], i)):
        if scores[i] < threshold:
            break
        p = pairs[i]
        k, v = p.key.uid, p.value.uid
        if v in values or v in keys or k in values:
            continue
        if any(mode.get(u[:2], int(u[2] > 0)) != int(u[2] > 0) for u in (k, v)):
            continue
        keys.add(k)
        values.add(v)
        for u in (k, v):
            mode[u[:2]] = int(u[2] > 0)
        chosen.append((p, scores[i]))
    return chosen


def to_form(doc: Doc, chosen: list[tuple[Pair, float]], calibrate) -> tuple[Form, dict[str, float]]:  # type: ignore[no-untyped-def]
    """The linked pairs as form fields in reading order; a wrapped answer gets its following rows."""
    lines = form_lines(doc)
    used = {id(lines[p.key.row].segments[p.key.seg]) for p, _ in chosen}
    used |= {id(lines[p.value.row].segments[p.value.seg]) for p, _ in chosen}
    fields: list[FormField] = []
    confidence: dict[str, float] = {}
    for p, score in sorted(chosen, key=lambda c: (c[0].key.row, c[0].key.seg)):
        key = p.key.text.strip(" _").rstrip(":").strip(" _")
        value = p.value.text
        if p.value.part == 0:
            seg = lines[p.value.row].segments[p.value.seg]
            more = _continuation(lines, p.value.row, seg, used)
            used.update(id(s) for s in more)
            value = " ".join([value, *(s.text for s in more)])
        value = value.strip(" _")
        if not key or not value:
            continue
        kind = _kind(value)
        if UNCHECKED.match(value):
            value, kind = "false", FieldKind.CHECKBOX
        elif CHECKED.match(value) and len(value) <= 3:
            value, kind = "true", FieldKind.CHECKBOX
        fields.append(FormField(key=key, value=value, kind=kind))
        n = len(fields) - 1
        confidence[f"/fields/{n}/key"] = confidence[f"/fields/{n}/value"] = round(calibrate(score), 4)
    return Form(fields=fields), confidence
