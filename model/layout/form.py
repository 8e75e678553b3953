"""Layout rules that read a filled-in form: labels ending in a colon and the answers beside or under them."""

from __future__ import annotations

import re

from model.layout.common import Pick
from model.layout.lines import Line, Segment
from model.layout.values import find_dates
from schemas.form import FieldKind, Form, FormField

CHECKED = re.compile(r"^\s*(?:\[x\]|☒|☑|✔|✓|■|x)\s*", re.I)
UNCHECKED = re.compile(r"^\s*(?:\[\s?\]|☐|□)\s*")


def _is_label(text: str) -> bool:
    return text.rstrip().endswith(":") and sum(c.isalpha() for c in text) >= 2


def _kind(value: str) -> FieldKind:
    if find_dates(value):
        return FieldKind.DATE
    if re.fullmatch(r"[\s$€£\d.,%()+-]+", value) and re.search(r"\d", value):
        return FieldKind.NUMBER
    return FieldKind.TEXT


def _row_of(lines: list[Line], seg: Segment) -> int:
    for i, line in enumerate(lines):
        if seg in line.segments:
            return i
    return -1


def _value_below(lines: list[Line], row: int, seg: Segment, used: set[int]) -> Segment | None:
    line = lines[row]
    for nxt in lines[row + 1 : row + 3]:
        if nxt.page != line.page or nxt.bbox[1] - line.bbox[3] > 2.5 * line.height:
            return None
        for cand in nxt.segments:
            x0, _, x1, _ = cand.bbox
            if id(cand) in used or _is_label(cand.text) or ":" in cand.text:
                continue
            if x0 < seg.bbox[2] and x1 > seg.bbox[0] and abs(x0 - seg.bbox[0]) < 0.15:
                return cand
    return None


def extract_form(lines: list[Line]) -> tuple[Form, dict[str, float]]:
    """Key-value pairs: 'Key: value' in one segment, a label and the segment to its right, or the one under it."""
    fields: list[FormField] = []
    confidence: dict[str, float] = {}
    used: set[int] = set()

    def add(key: str, value: str, words: list, certainty: float) -> None:
        key = key.strip().rstrip(":").strip()
        value = value.strip()
        if not key or not value:
            return
        checked = CHECKED.match(value)
        kind = _kind(value)
        if UNCHECKED.match(value):
            value, kind = "false", FieldKind.CHECKBOX
        elif checked and len(value) <= 3:
            value, kind = "true", FieldKind.CHECKBOX
        fields.append(FormField(key=key, value=value, kind=kind))
        n = len(fields) - 1
        conf = Pick(None, words, certainty).confidence
        confidence[f"/fields/{n}/key"] = conf
        confidence[f"/fields/{n}/value"] = conf

    for row, line in enumerate(lines):
        for i, seg in enumerate(line.segments):
            if id(seg) in used:
                continue
            text = seg.text
            inline = re.match(r"^([^:]{2,60}?):\s*(\S.*)$", text)
            if (
                inline
                and sum(c.isalpha() for c in inline.group(1)) >= 2
                and not re.fullmatch(r"\d{1,2}", inline.group(1).strip()[-2:])
            ):
                add(inline.group(1), inline.group(2), seg.words, 0.7)
                used.add(id(seg))
                continue
            if not _is_label(text):
                continue
            nxt = line.segments[i + 1] if i + 1 < len(line.segments) else None
            if nxt is not None and id(nxt) not in used and not _is_label(nxt.text):
                add(text, nxt.text, seg.words + nxt.words, 0.65)
                used.update({id(seg), id(nxt)})
                continue
            cand = _value_below(lines, row, seg, used)
            if cand is not None:
                add(text, cand.text, seg.words + cand.words, 0.5)
                used.update({id(seg), id(cand)})
    return Form(fields=fields), confidence
