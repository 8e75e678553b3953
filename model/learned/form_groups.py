"""Form entities over several rows: a learned link from a unit to the unit under it that continues the same question
or answer (FUNSD answers are often paragraphs wrapped over rows, questions too), chained into whole entities."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from model.layout.form import _is_label, _soft_label
from model.layout.lines import Line

GROUP_KEY = "form.groups"
CUT_KEY = "form.cuts"
QUESTION_KEY = "form.questions"
ANSWER_KEY = "form.answers"
MAX_GAP = 1.6  # row heights between a unit and the one under it that may continue it
LINK_AT = 0.5  # a cut is made from this probability on
JOIN_AT = 0.3  # units are joined from this probability on (the pair scorer sees each join's probability, and a
# joined answer's shorter starts too): lower than for cuts, since a missed join loses a whole paragraph answer

Merge = Callable[[list[dict[str, float]]], list[float]]


@dataclass
class Stages:
    """The entity models a form is read with, each absent where the fitted model has none: where segments are cut,
    which units join, how question-like and answer-like a unit is."""

    cut: Merge | None = None
    join: Merge | None = None
    question: Merge | None = None
    answer: Merge | None = None


@lru_cache(maxsize=1 << 14)
def _side(prefix: str, text: str) -> Mapping[str, float]:
    """What a unit's text says of it (cached: a page's units are compared pairwise, each text many times over)."""
    letters = sum(c.isalpha() for c in text)
    stripped = text.rstrip()
    return MappingProxyType(
        {
            f"{prefix}_colon_end": float(stripped.endswith(":")),
            f"{prefix}_stop_end": float(stripped.endswith((".", "?", "!"))),
            f"{prefix}_comma_end": float(stripped.endswith((",", ";", "-", "&"))),
            f"{prefix}_label": float(_is_label(text)),
            f"{prefix}_soft_label": float(_soft_label(text)),
            f"{prefix}_lower_start": float(bool(text) and text[0].islower()),
            f"{prefix}_upper": sum(c.isupper() for c in text) / max(1, letters),
            f"{prefix}_digits": sum(c.isdigit() for c in text) / max(1, len(text)),
            f"{prefix}_words": float(len(text.split())),
        }
    )


def link_candidates(lines: list[Line], atoms: list[Any]) -> list[tuple[Any, Any, dict[str, float]]]:
    """(first, next, features) for each unit that ends its segment and a unit that starts a segment on the next row
    under it or next on its own row: the places where one entity may run on (a wide gap splits a row's entity too)."""
    by_row: dict[int, list[Any]] = {}
    for a in atoms:
        by_row.setdefault(a.row, []).append(a)
    out = []
    for r, row in by_row.items():
        ends = [a for a in row if a is max((b for b in row if b.seg == a.seg), key=lambda b: b.part)]
        first_of = {a.seg: a for a in reversed(row)}  # each segment's first unit
        height = max(lines[r].height, 1e-3)
        for a in ends:
            b = first_of.get(a.seg + 1)
            if b is not None:
                out.append((a, b, _link_features(lines, a, b, height, b.bbox[0] - a.bbox[2])))
        below = next((q for q in range(r + 1, min(len(lines), r + 3)) if q in by_row), None)
        if below is None or lines[below].page != lines[r].page:
            continue
        if lines[below].bbox[1] - lines[r].bbox[3] > MAX_GAP * height:
            continue
        starts = [
            b for b in by_row[below] if b is min((c for c in by_row[below] if c.seg == b.seg), key=lambda c: c.part)
        ]
        for a in ends:
            ax0, ay0, ax1, ay1 = a.bbox
            for b in starts:
                bx0, by0, bx1, by1 = b.bbox
                overlap = min(ax1, bx1) - max(ax0, bx0)
                if overlap <= 0 and abs(bx0 - ax0) > 0.05:
                    continue
                out.append((a, b, _link_features(lines, a, b, height, overlap)))
    _ranks(out)
    return out


def _link_features(lines: list[Line], a: Any, b: Any, height: float, overlap: float) -> dict[str, float]:
    ax0, ay0, ax1, ay1 = a.bbox
    bx0, by0, bx1, by1 = b.bbox
    sa, sb = lines[a.row].segments[a.seg].bbox, lines[b.row].segments[b.seg].bbox
    above = lines[a.row - 1] if a.row > 0 and lines[a.row - 1].page == lines[a.row].page else None
    return {
        "gap": (by0 - ay1) / height,
        "gap_above": (ay0 - above.bbox[3]) / height if above else 9.0,
        "segment_left": (sb[0] - sa[0]) / height,
        "segment_right": (sb[2] - sa[2]) / height,
        "row_left": (bx0 - lines[a.row].bbox[0]) / height,
        "a_after": float(len(lines[a.row].segments) - a.seg - 1),
        "b_after": float(len(lines[b.row].segments) - b.seg - 1),
        "a_chars": float(len(a.text)),
        "b_chars": float(len(b.text)),
        "dx": (bx0 - ax1) / height,
        "left": (bx0 - ax0) / height,
        "right": (bx1 - ax1) / height,
        "overlap": overlap / max(1e-6, min(ax1 - ax0, bx1 - bx0)),
        "width_ratio": (bx1 - bx0) / max(1e-6, ax1 - ax0),
        "height_ratio": (by1 - by0) / max(1e-6, ay1 - ay0),
        "rows_apart": float(b.row - a.row),
        "a_piece": float(a.part > 0),
        "b_piece": float(b.part > 0),
        "a_first": float(a.seg == 0),
        "b_first": float(b.seg == 0),
        "a_row_segments": float(len(lines[a.row].segments)),
        "b_row_segments": float(len(lines[b.row].segments)),
        "a_x1": ax1,
        "b_x0": bx0,
        "a_line_right": (lines[a.row].bbox[2] - ax1) / height,
        **_side("a", a.text),
        **_side("b", b.text),
    }


def _ranks(links: list[tuple[Any, Any, dict[str, float]]]) -> None:
    """How many units could continue an upper unit (and the reverse), and where this one stands by alignment."""
    for side in (0, 1):
        groups: dict[int, list[dict[str, float]]] = {}
        for link in links:
            groups.setdefault(id(link[side]), []).append(link[2])
        for members in groups.values():
            for rank, f in enumerate(sorted(members, key=lambda f: abs(f["left"]))):
                f[f"rank_{side}"] = float(rank)
                f[f"count_{side}"] = float(len(members))


def chains(links: list[tuple[Any, Any, dict[str, float]]], probs: list[float]) -> list[tuple[list[Any], list[float]]]:
    """Units joined by their surest links (one on, one back each), as runs of two or more with each join's
    probability; a run goes on past a unit only when that unit is its segment's whole (a cut segment holds two
    entities)."""
    down: dict[int, tuple[Any, float]] = {}
    up: set[int] = set()
    for i in sorted(range(len(links)), key=lambda i: (-probs[i], i)):
        a, b, _ = links[i]
        if probs[i] < JOIN_AT or id(a) in down or id(b) in up:
            continue
        down[id(a)] = (b, probs[i])
        up.add(id(b))
    heads = {id(a): a for a, _, _ in links if id(a) in down and id(a) not in up}
    out = []
    for head in heads.values():
        run, joins, unit = [head], [], head
        while id(unit) in down and (unit is head or unit.part == 0):
            unit, p = down[id(unit)]
            run.append(unit)
            joins.append(p)
        out.append((run, joins))
    return out


def same_entity(a_entity: int | None, b_entity: int | None) -> int:
    """The label of a link: both units lie in one annotated entity."""
    return int(a_entity is not None and a_entity == b_entity)


def cut_candidates(lines: list[Line]) -> list[tuple[int, int, int, dict[str, float]]]:
    """(row, segment, word index, features) for each place between two words of a segment where one entity may end
    and the next begin: a label run into its answer without a colon, two answers or a number beside its unit's label."""
    out = []
    for r, line in enumerate(lines):
        height = max(line.height, 1e-3)
        for s, seg in enumerate(line.segments):
            words = seg.words
            for i in range(1, len(words)):
                out.append((r, s, i, _cut_features(words, i, height, len(line.segments))))
    return out


def _cut_features(words: list[Any], i: int, height: float, row_segments: int) -> dict[str, float]:
    a, b = words[i - 1], words[i]
    return {
        "gap": (b.bbox[0] - a.bbox[2]) / height,
        "height_ratio": (b.bbox[3] - b.bbox[1]) / max(1e-6, a.bbox[3] - a.bbox[1]),
        "top_shift": (b.bbox[1] - a.bbox[1]) / height,
        "same_block": float(a.block == b.block and a.line == b.line),
        "index": float(i),
        "words_after": float(len(words) - i),
        "row_segments": float(row_segments),
        "a_digit": float(any(c.isdigit() for c in a.text)),
        "b_digit": float(any(c.isdigit() for c in b.text)),
        "a_paren_end": float(a.text.endswith(")")),
        "b_paren_start": float(b.text.startswith("(")),
        "b_blank": float(b.text.startswith("_")),
        **_side("a", a.text),
        **_side("b", b.text),
    }


def word_places(lines: list[Line]) -> dict[int, int]:
    """id(word) -> its place in its row's words (read once per document for the units' neighbours)."""
    return {id(w): i for line in lines for i, w in enumerate(line.words)}


def unit_features(unit: Any, lines: list[Line], places: dict[int, int]) -> dict[str, float]:
    """What says a unit is a question or an answer: its print, its place on the page, its extent, and what is beside
    it (a label ending in a colon just left of it says answer; a unit under a label in a column says answer too)."""
    x0, y0, x1, y1 = unit.bbox
    text = unit.text
    letters = sum(c.isalpha() for c in text)
    row = lines[unit.row]
    height = max(row.height, 1e-3)
    words = row.words
    first = places.get(id(unit.words[0]), 0)
    last = places.get(id(unit.words[-1]), len(words) - 1)
    before = words[first - 1] if first > 0 else None
    after = words[last + 1] if last + 1 < len(words) else None
    above = None
    if unit.row > 0 and lines[unit.row - 1].page == row.page:
        spans = [s for s in lines[unit.row - 1].segments if s.bbox[0] < x1 and s.bbox[2] > x0]
        above = spans[0] if spans else None
    return {
        "x0": x0,
        "y0": y0,
        "width": x1 - x0,
        "rows": float(unit.rows),
        "link": unit.link,
        "piece": float(unit.part),
        "seg": float(unit.seg),
        "row_segments": float(len(row.segments)),
        "letters": float(letters),
        "blank": float("_" in text),
        "paren": float(text.startswith("(")),
        "check": float(len(text.strip()) <= 2),
        "word_height": (unit.words[0].bbox[3] - unit.words[0].bbox[1]) / height,
        "before_colon": float(before is not None and before.text.endswith((":", "?"))),
        "before_gap": (x0 - before.bbox[2]) / height if before is not None else -1.0,
        "before_digits": float(before is not None and any(c.isdigit() for c in before.text)),
        "after_colon": float(after is not None and after.text.endswith((":", "?"))),
        "after_gap": (after.bbox[0] - x1) / height if after is not None else -1.0,
        "row_colons": float(sum(w.text.endswith(":") for w in row.words)),
        "above_gap": (y0 - above.bbox[3]) / height if above is not None else -1.0,
        "above_colon": float(above is not None and above.text.rstrip().endswith(":")),
        "above_label": float(above is not None and _is_label(above.text)),
        "above_upper": sum(c.isupper() for c in above.text) / max(1, sum(c.isalpha() for c in above.text))
        if above is not None
        else -1.0,
        **_side("u", text),
    }


def add_roles(pairs: list[Any], lines: list[Line], question: Merge, answer: Merge) -> None:
    """Each pair's key scored as a question and its value as an answer by the role models (fitted on every
    annotated entity, far more than there are linked pairs)."""
    units = {id(u): u for p in pairs for u in (p.key, p.value)}
    if not units:
        return
    places = word_places(lines)
    rows = [unit_features(u, lines, places) for u in units.values()]
    scores = dict(zip(units, zip(question(rows), answer(rows), strict=True), strict=True))
    for p in pairs:
        p.features["key_question"], p.features["key_answer"] = scores[id(p.key)]
        p.features["value_question"], p.features["value_answer"] = scores[id(p.value)]
    _between(pairs, units, scores)


def _between(pairs: list[Any], units: dict[int, Any], scores: dict[int, tuple[float, float]]) -> None:
    """What lies between a key and its answer: the one-row units on the rows between them within the answer's span
    (a table's cells between a column header and a lower cell), or on their row between them, and how question-like
    and answer-like the most so of them are (another question between them says this key is not the answer's)."""
    by_row: dict[int, list[Any]] = {}
    for u in units.values():
        if u.rows == 1:
            by_row.setdefault(u.row, []).append(u)
    for p in pairs:
        k, v = p.key, p.value
        kx0, _, kx1, _ = k.bbox
        vx0, _, vx1, _ = v.bbox
        if v.row == k.row:
            lo, hi = (kx1, vx0) if vx0 >= kx1 else (vx1, kx0)
            inside = [u for u in by_row.get(k.row, []) if u.bbox[0] >= lo - 1e-6 and u.bbox[2] <= hi + 1e-6]
        else:
            top, bottom = (k.row + k.rows - 1, v.row) if v.row > k.row else (v.row + v.rows - 1, k.row)
            inside = [
                u for r in range(top + 1, bottom) for u in by_row.get(r, []) if u.bbox[0] < vx1 and u.bbox[2] > vx0
            ]
        p.features["between_units"] = float(sum(u.part == 0 for u in inside))
        p.features["between_question"] = max((scores[id(u)][0] for u in inside), default=-1.0)
        p.features["between_answer"] = max((scores[id(u)][1] for u in inside), default=-1.0)
