"""Form key-value linking, learned: pairs of segments (or the two halves of one) scored, then linked greedily."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import Any

from model.layout.form import (
    CAPS_THEN_VALUE,
    CHECKED,
    UNCHECKED,
    _is_label,
    _kind,
    _soft_label,
    extract_form,
)
from model.layout.lines import Line, Segment, build_lines, union
from model.learned.compare import norm_text, text_similarity
from model.learned.core import Doc
from model.learned.form_groups import LINK_AT, Merge, Stages, add_roles, chains, cut_candidates, link_candidates
from model.types import Word
from schemas.form import FieldKind, Form, FormField

KEY = "form.pairs"
PRIOR_KEY = "form.pair_prior"  # the first pass of the pair scorer, read by the second (KEY) with its rivals' scores
MAX_ROWS_BELOW = 6
MAX_RIGHT = 2


@dataclass
class Unit(Segment):
    """A segment of a row, or one piece of a segment cut where a label ends ('Date: 9/3/92')."""

    row: int = 0
    seg: int = 0
    part: int = 0  # 0 the whole segment, k the k-th piece of a segment cut where labels start and end
    rows: int = 1  # rows an entity joined from the units under it spans
    link: float = 1.0  # its weakest join's probability

    @cached_property
    def bbox(self) -> tuple[float, float, float, float]:  # type: ignore[override]
        """Read for every pair a unit is in: worked out once (a unit's words never change)."""
        return union(w.bbox for w in self.words)

    @property
    def uid(self) -> tuple[int, int, int, int]:
        return (self.row, self.seg, self.part, self.rows)


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


def _learned_cuts(lines: list[Line], cut: Merge | None) -> dict[tuple[int, int], set[int]]:
    """(row, segment) -> the word indices where the cut model starts a new entity."""
    if cut is None:
        return {}
    places = cut_candidates(lines)
    out: dict[tuple[int, int], set[int]] = {}
    for (r, s, i, _), p in zip(places, cut([f for *_, f in places]) if places else [], strict=True):
        if p >= LINK_AT:
            out.setdefault((r, s), set()).add(i)
    return out


def units(lines: list[Line], cut: Merge | None = None) -> tuple[list[Unit], list[tuple[Unit, Unit]], list[Unit]]:
    """Every segment as a unit, the (label, answer) pieces of segments that hold labels inside them (cut by the rules
    and the cut model), and the atoms entities are joined from (a segment's pieces where it is cut, else the segment)."""
    learned = _learned_cuts(lines, cut)
    whole: list[Unit] = []
    inline: list[tuple[Unit, Unit]] = []
    atoms: list[Unit] = []
    for r, line in enumerate(lines):
        for s, seg in enumerate(line.segments):
            whole.append(Unit(seg.words, seg.page, r, s))
            bounds = [0, *sorted(set(_cuts(seg.words)) | learned.get((r, s), set())), len(seg.words)]
            pieces = [
                Unit(seg.words[a:b], seg.page, r, s, k + 1)
                for k, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))
            ]
            atoms += pieces if len(pieces) > 1 else whole[-1:]
            for a, b in zip(pieces, pieces[1:], strict=False):
                if a.text.endswith((":", "?")) or len(pieces) == 2:
                    inline.append((a, b))
    return whole, inline, atoms


@lru_cache(maxsize=1 << 14)
def _text_features(prefix: str, text: str) -> Mapping[str, float]:
    """What a unit's text says of it as a key or a value (cached: read-only, shared by every pair it is in)."""
    letters = sum(c.isalpha() for c in text)
    stripped = text.rstrip()
    return MappingProxyType(
        {
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
    )


def _rule_pairs(doc: Doc) -> set[tuple[str, str]]:
    """The pairs the layout rules read, as normalized (key, value prefix) texts: a feature, not a decision."""

    def compute() -> set[tuple[str, str]]:
        form, _ = extract_form(form_lines(doc))
        return {(norm_text(f.key), norm_text(f.value)[:12]) for f in form.fields}

    return doc.once("form_rule_pairs", compute)


def candidate_pairs(doc: Doc, stages: Stages | None = None) -> list[Pair]:
    """Key/value candidates: a segment's two halves, the next segments (or their pieces) on its row, those a few rows
    under it; with a merge model, also each of these with its key or answer joined to the units that continue it."""
    stages = stages or Stages()
    lines = form_lines(doc)
    whole, halves, atoms = units(lines, stages.cut)
    by_row: dict[int, list[Unit]] = {}
    every = whole + [a for a in atoms if a.part > 0]
    for u in every:
        by_row.setdefault(u.row, []).append(u)
    pairs = [Pair(k, v, {"inline": 1.0}) for k, v in halves]
    boxes, heights = [line.bbox for line in lines], [max(line.height, 1e-3) for line in lines]
    for k in every:
        for v in by_row[k.row]:
            if k.seg < v.seg <= k.seg + MAX_RIGHT or v.seg == k.seg - 1:
                pairs.append(Pair(k, v, {"inline": 0.0}))  # right of the label, or a tick box just left of it
        kx0, _, kx1, ky1 = k.bbox
        height = heights[k.row]
        for r in range(k.row + 1, min(len(lines), k.row + 1 + MAX_ROWS_BELOW)):
            if lines[r].page != lines[k.row].page or boxes[r][1] - ky1 > 8 * height:
                break
            for v in by_row.get(r, []):
                vx0, _, vx1, _ = v.bbox
                if vx0 < kx1 + 0.02 and vx1 > kx0 - 0.02 or abs(vx0 - kx0) < 0.1:
                    pairs.append(Pair(k, v, {"inline": 0.0}))
        for r in range(max(0, k.row - 2), k.row):  # a caption under its answer: '(Signature)', '(Date)'
            if lines[r].page != lines[k.row].page or boxes[k.row][1] - boxes[r][3] > 3 * height:
                continue
            for v in by_row.get(r, []):
                vx0, _, vx1, _ = v.bbox
                if vx0 < kx1 and vx1 > kx0:
                    pairs.append(Pair(k, v, {"inline": 0.0}))
    if stages.join is not None:
        pairs += _joined(lines, atoms, pairs, stages.join)
    _features(lines, pairs, _rule_pairs(doc))
    if stages.question is not None and stages.answer is not None:
        add_roles(pairs, lines, stages.question, stages.answer)
    return pairs


def _joined(lines: list[Line], atoms: list[Unit], pairs: list[Pair], merge: Merge) -> list[Pair]:
    """The pairs again with the answer (when it starts an entity over several rows) or the key (any row of one)
    read as the whole entity."""
    links = link_candidates(lines, atoms)
    probs = merge([f for _, _, f in links]) if links else []
    joined: dict[int, Unit] = {}  # a run's unit -> the whole run
    starts: dict[int, list[Unit]] = {}  # a run's first unit -> the run and its shorter starts
    for run, joins in chains(links, probs):
        first = run[0]
        starts[id(first)] = [
            Unit(
                [w for u in run[:n] for w in u.words],
                first.page,
                first.row,
                first.seg,
                first.part,
                n,
                min(joins[: n - 1]),
            )
            for n in range(len(run), 1, -1)
        ]
        for u in run:
            joined[id(u)] = starts[id(first)][0]
    seen = {(p.key.uid, p.value.uid) for p in pairs}
    out = []
    for p in pairs:
        key = joined.get(id(p.key), p.key)
        values = starts.get(id(p.value), [])
        keys = [p.key] if key is p.key else [p.key, key]
        for k, v in [(key, p.value)] + [(k, v) for v in values for k in keys]:
            if (k.uid, v.uid) in seen or {id(w) for w in k.words} & {id(w) for w in v.words}:
                continue
            seen.add((k.uid, v.uid))
            out.append(Pair(k, v, dict(p.features)))
    return out


def _unit_info(lines: list[Line], units: dict[int, Unit]) -> dict[int, dict[str, Any]]:
    """What pair features read of each unit, once per unit rather than once per pair (a unit is in dozens)."""
    boxes = [[seg.bbox for seg in line.segments] for line in lines]
    info = {}
    for uid, u in units.items():
        x0, _, x1, _ = box = u.bbox
        info[uid] = {
            "box": box,
            # its column: how many rows under it hold a segment within its span (a table header's cells)
            "column": float(
                sum(
                    any(b[0] < x1 and b[2] > x0 for b in boxes[r])
                    for r in range(u.row + 1, min(len(lines), u.row + 7))
                    if lines[r].page == lines[u.row].page
                )
            ),
            "key": _text_features("key", u.text),
            "value": _text_features("value", u.text),
            "as_key": norm_text(u.text.rstrip(":")),
            "as_value": norm_text(u.text)[:12],
        }
    return info


def _features(lines: list[Line], pairs: list[Pair], rules: set[tuple[str, str]]) -> None:
    per_key: dict[int, list[Pair]] = {}
    per_value: dict[int, list[Pair]] = {}
    for p in pairs:
        per_key.setdefault(id(p.key), []).append(p)
        per_value.setdefault(id(p.value), []).append(p)
    info = _unit_info(lines, {id(u): u for p in pairs for u in (p.key, p.value)})
    row_digits = [float(any(c.isdigit() for c in line.text)) for line in lines]
    heights = [max(line.height, 1e-3) for line in lines]
    for p in pairs:
        ki, vi = info[id(p.key)], info[id(p.value)]
        kx0, ky0, kx1, ky1 = ki["box"]
        vx0, vy0, vx1, vy1 = vi["box"]
        height = heights[p.key.row]
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
                "key_column": ki["column"],
                "value_column": vi["column"],
                "key_row_segments": float(len(lines[p.key.row].segments)),
                "value_row_segments": float(len(lines[p.value.row].segments)),
                "key_row_digits": row_digits[p.key.row],
                "key_rows": float(p.key.rows),
                "value_rows": float(p.value.rows),
                "key_link": p.key.link,
                "value_link": p.value.link,
                "rule_pair": float((ki["as_key"], vi["as_value"]) in rules),
                **ki["key"],
                **vi["value"],
            }
        )
        p.features["dist"] = distance / height
    for group, name in ((per_key, "rank_for_key"), (per_value, "rank_for_value")):
        for members in group.values():
            for rank, p in enumerate(sorted(members, key=lambda q: q.features["dist"])):
                p.features[name] = float(rank)
                p.features[name.replace("rank", "count")] = float(len(members))


# ---------------------------------------------------------------- labels (training)


def word_entities(words: list[Word], truth: dict[str, Any]) -> dict[int, int]:
    """id(word) -> the annotated entity whose box holds the word's centre."""
    width, height = truth["size"]
    boxes = [
        (e["id"], (e["box"][0] / width, e["box"][1] / height, e["box"][2] / width, e["box"][3] / height))
        for e in truth["entities"]
    ]
    out = {}
    for w in words:
        cx, cy = (w.bbox[0] + w.bbox[2]) / 2, (w.bbox[1] + w.bbox[3]) / 2
        for eid, (x0, y0, x1, y1) in boxes:
            if x0 - 0.003 <= cx <= x1 + 0.003 and y0 - 0.003 <= cy <= y1 + 0.003:
                out[id(w)] = eid
                break
    return out


def entity_of(unit: Unit, owner: dict[int, int]) -> int | None:
    """The entity holding at least half the unit's words."""
    votes: dict[int, int] = {}
    for w in unit.words:
        if id(w) in owner:
            votes[owner[id(w)]] = votes.get(owner[id(w)], 0) + 1
    if not votes:
        return None
    eid, n = max(votes.items(), key=lambda kv: kv[1])
    return eid if n * 2 >= len(unit.words) else None


def _cover(unit: Unit, eid: int, owner: dict[int, int], sizes: dict[int, int]) -> float:
    """How well the unit is the entity: shared words over the words of either (Jaccard)."""
    inside = sum(owner.get(id(w)) == eid for w in unit.words)
    return inside / (len(unit.words) + sizes[eid] - inside)


def key_text(unit: Unit) -> str:
    return unit.text.strip(" _").rstrip(":").strip(" _")


def _fit(pair: Pair, truth: tuple[str, str] | None, cover: float) -> float:
    """1 for a pair whose key and answer read as the truth does (the eval's bar), else below 1 by its entity cover."""
    if (
        truth
        and text_similarity(key_text(pair.key), truth[0]) >= 0.8
        and text_similarity(pair.value.text, truth[1]) >= 0.8
    ):
        return 1.0
    return 0.99 * cover


def pair_labels(pairs: list[Pair], truth: dict[str, Any], words: list[Word]) -> list[int]:
    """1 where the key unit holds a question and the value unit the answer it is linked to, each read as nearly
    whole as any candidate reads that link (a one-row start of a paragraph answer is not the answer)."""
    owner = word_entities(words, truth)
    sizes: dict[int, int] = {}
    for eid in owner.values():
        sizes[eid] = sizes.get(eid, 0) + 1
    entities = {e["id"]: e for e in truth["entities"]}
    links = {(a, b) for a, b in truth["links"]} | {(b, a) for a, b in truth["links"]}
    texts = {
        (kv.get("key_id"), kv.get("value_id")): (kv["key"], kv["value"]) for kv in truth.get("key_value_pairs", [])
    }
    fit: list[float] = []
    link: list[tuple[int, int] | None] = []
    for p in pairs:
        a, b = entity_of(p.key, owner), entity_of(p.value, owner)
        ok = (
            a is not None
            and b is not None
            and a != b
            and (a, b) in links
            and entities[a]["label"] == "question"
            and entities[b]["label"] == "answer"
        )
        link.append((a, b) if ok else None)  # type: ignore[arg-type]
        fit.append(
            _fit(p, texts.get((a, b)), _cover(p.key, a, owner, sizes) * _cover(p.value, b, owner, sizes)) if ok else 0.0
        )  # type: ignore[arg-type]
    best: dict[tuple[int, int], float] = {}
    for lk, f in zip(link, fit, strict=True):
        if lk is not None:
            best[lk] = max(best.get(lk, 0.0), f)
    return [int(lk is not None and f >= best[lk] - 1e-9) for lk, f in zip(link, fit, strict=True)]


# ---------------------------------------------------------------- decoding


def decode(pairs: list[Pair], scores: list[float], threshold: float) -> list[tuple[Pair, float]]:
    """Best pairs first: a word belongs to one key or one answer, so a unit answers one key and is never both key
    and answer, and a segment is read whole, in pieces or joined to its next rows, one way only; a key may take
    several answers ('cc:' over a list of names)."""
    owner: dict[int, tuple[str, tuple[int, ...]]] = {}  # id(word) -> the role and unit that took it
    chosen = []
    for i in sorted(range(len(pairs)), key=lambda i: (-scores[i], i)):
        if scores[i] < threshold:
            break
        p = pairs[i]
        if any(id(w) in owner for w in p.value.words):
            continue
        if any(owner.get(id(w), ("key", p.key.uid)) != ("key", p.key.uid) for w in p.key.words):
            continue
        owner.update({id(w): ("key", p.key.uid) for w in p.key.words})
        owner.update({id(w): ("value", p.value.uid) for w in p.value.words})
        chosen.append((p, scores[i]))
    return chosen


def to_form(chosen: list[tuple[Pair, float]], calibrate) -> tuple[Form, dict[str, float]]:  # type: ignore[no-untyped-def]
    """The linked pairs as form fields in reading order. An answer wrapped over rows is read whole only where the
    join model joined it (the rules' wrap-following lost as many answers to the next question as it completed)."""
    fields: list[FormField] = []
    confidence: dict[str, float] = {}
    for p, score in sorted(chosen, key=lambda c: (c[0].key.row, c[0].key.seg)):
        key = key_text(p.key)
        value = p.value.text.strip(" _")
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
