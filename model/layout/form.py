"""Layout rules that read a filled-in form: labels and the answers beside or under them."""

from __future__ import annotations

import re

from model.layout.common import Pick
from model.layout.lines import Line, Segment
from model.layout.values import find_dates
from schemas.form import FieldKind, Form, FormField

CHECKED = re.compile(r"^\s*(?:\[x\]|☒|☑|✔|✓|■|x)\s*", re.I)
UNCHECKED = re.compile(r"^\s*(?:\[\s?\]|☐|□)\s*")
# 'FAX NO. (614) 466-5087', 'Invoice # 123': a label that ends in a number sign, then the value.
NUMBER_LABEL = re.compile(
    r"^(?P<key>[^\d:]{2,40}?\b(?:no|nr|num|number|#|tel|fax|phone|ref)\.?)\s*(?P<value>[(+]?\d.*)$", re.I
)
INLINE = re.compile(r"^(?P<key>[^:]{2,60}?):\s*(?P<value>\S.*)$")


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def _is_label(text: str) -> bool:
    """A printed label: ends in a colon or question mark."""
    text = text.rstrip()
    return text.endswith((":", "?")) and _letters(text) >= 2


def _soft_label(text: str) -> bool:
    """Looks like a label without a colon: a few words of upper-case or title-case print, no digits."""
    words = text.split()
    if not 1 <= len(words) <= 6 or _letters(text) < 2 or re.search(r"\d", text):
        return False
    # printed labels on forms are capitals; title case is as often a name in a table
    return sum(c.isupper() for c in text) / max(1, _letters(text)) > 0.9


def _kind(value: str) -> FieldKind:
    if find_dates(value):
        return FieldKind.DATE
    if re.fullmatch(r"[\s$€£\d.,%()+-]+", value) and re.search(r"\d", value):
        return FieldKind.NUMBER
    return FieldKind.TEXT


def _continuation(lines: list[Line], row: int, seg: Segment, used: set[int]) -> list[Segment]:
    """Rows under a value that start at its left edge: a paragraph answer wrapped over several rows."""
    found: list[Segment] = []
    bottom = seg.bbox[3]
    height = lines[row].height
    for nxt in lines[row + 1 : row + 12]:
        if nxt.page != lines[row].page or nxt.bbox[1] - bottom > 1.2 * height:
            break
        cands = [s for s in nxt.segments if abs(s.bbox[0] - seg.bbox[0]) < 0.02 and id(s) not in used]
        # a wrapped answer has nothing to its left; a row with a label beside it is the next question
        if not cands or cands[0] is not nxt.segments[0] or _is_label(cands[0].text) or INLINE.match(cands[0].text):
            break
        found.append(cands[0])
        bottom = cands[0].bbox[3]
    return found


def _value_below(lines: list[Line], row: int, seg: Segment, used: set[int], soft: bool) -> Segment | None:
    line = lines[row]
    for nxt in lines[row + 1 : row + 3]:
        if nxt.page != line.page or nxt.bbox[1] - line.bbox[3] > 2.5 * line.height:
            return None
        for cand in nxt.segments:
            x0, _, x1, _ = cand.bbox
            if id(cand) in used or _is_label(cand.text) or INLINE.match(cand.text):
                continue
            if soft and _soft_label(cand.text):
                continue  # two headings in a row: not a label and its answer
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

    def value_with_rest(row: int, seg: Segment) -> tuple[str, list]:
        more = _continuation(lines, row, seg, used)
        used.update(id(s) for s in more)
        return " ".join([seg.text, *(s.text for s in more)]), seg.words + [w for s in more for w in s.words]

    for strict in (True, False):  # labels with colons first, then labels known by their print
        for row, line in enumerate(lines):
            for i, seg in enumerate(line.segments):
                if id(seg) in used:
                    continue
                text = seg.text
                inline = INLINE.match(text) if strict else NUMBER_LABEL.match(text)
                if inline and _letters(inline.group("key")) >= 2:
                    used.add(id(seg))
                    add(inline.group("key"), inline.group("value"), seg.words, 0.7)
                    continue
                if not (_is_label(text) if strict else _soft_label(text)):
                    continue
                nxt = line.segments[i + 1] if i + 1 < len(line.segments) else None
                if nxt is not None and id(nxt) not in used and not _is_label(nxt.text):
                    if strict or not _soft_label(nxt.text):
                        used.update({id(seg), id(nxt)})
                        value, words = value_with_rest(row, nxt)
                        add(text, value, seg.words + words, 0.65 if strict else 0.45)
                        continue
                if nxt is not None or not strict:
                    continue  # something else sits right of the label: not a label over an answer
                cand = _value_below(lines, row, seg, used, soft=not strict)
                if cand is not None:
                    used.update({id(seg), id(cand)})
                    value, words = value_with_rest(lines.index(next(ln for ln in lines if cand in ln.segments)), cand)
                    add(text, value, seg.words + words, 0.5 if strict else 0.4)
    return Form(fields=fields), confidence
