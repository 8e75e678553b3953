"""Layout rules that read a filled-in form: labels and the answers beside or under them."""

from __future__ import annotations

import re
from functools import lru_cache

from model.layout.common import Pick, _phrases
from model.layout.lines import Line, Segment
from model.layout.values import find_dates
from model.types import Word
from schemas.form import FieldKind, Form, FormField

CHECKED = re.compile(r"^\s*(?:\[x\]|☒|☑|✔|✓|■|x)\s*", re.I)
UNCHECKED = re.compile(r"^\s*(?:\[\s?\]|☐|□)\s*")
# 'FAX NO. (614) 466-5087', 'Invoice # 123': a label that ends in a number sign, then the value.
NUMBER_LABEL = re.compile(
    r"^(?P<key>[^\d:]{2,40}?\b(?:no|nr|num|number|#|tel|fax|phone|ref)\.?)\s*(?P<value>[(+]?\d.*)$", re.I
)
INLINE = re.compile(r"^(?P<key>[^:]{1,60}?[^\d\s:]):\s*(?P<value>\S.*)$")  # '17:46' is a time, not a label
# 'INITIATION DATE October 27, 1986': a label in capitals run into a typed answer in mixed case or figures.
# 'Case No._475,592': a fill-in blank between the label and what was written on it.
BLANK = re.compile(r"^(?P<key>[^_:]*[^\W\d_][^_:]*?)\s*_+\s*(?P<value>[^_\s][^_]*?)[_\s]*$")
CAPS_THEN_VALUE = re.compile(r"^(?P<key>[A-Z][A-Z .#/&()'-]{3,60}?[A-Z.)])[\s_]*(?P<value>[A-Z][a-z].*|\d.*)$")


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


@lru_cache(maxsize=1 << 14)
def _is_label(text: str) -> bool:
    """A printed label: ends in a colon or question mark."""
    text = text.rstrip()
    return text.endswith((":", "?", "#")) and _letters(text) >= 2


@lru_cache(maxsize=1 << 14)
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
            if id(cand) in used or _is_label(cand.text) or INLINE.match(cand.text) or CAPS_THEN_VALUE.match(cand.text):
                continue
            if soft and (_soft_label(cand.text) or not re.search(r"[a-z]", cand.text)):
                continue  # under a capitalised label only a typed answer in mixed case is taken
            if x0 < seg.bbox[2] and x1 > seg.bbox[0] and abs(x0 - seg.bbox[0]) < 0.15:
                return cand
    return None


def _header_like(words: list[Word]) -> bool:
    text = " ".join(w.text for w in words)
    return (
        _letters(text) >= 2 and sum(c.isdigit() for c in text) <= 1 and len(words) <= 6 and ":" not in text.rstrip(": ")
    )


def _columns(lines: list[Line], row: int) -> tuple[list[tuple[float, float, str]], int] | None:
    """Column headers of a table starting at a row (a second header row folded in), and the first body row."""
    phrases = _phrases(lines[row].words)
    if len(phrases) < 2 or not all(_header_like(p) for p in phrases):
        return None
    caps = [
        sum(c.isupper() for c in t) > 0.8 * max(1, _letters(t)) for t in (" ".join(w.text for w in p) for p in phrases)
    ]
    if all(flag == (k % 2 == 0) for k, flag in enumerate(caps)):
        return None  # 'TO || Lorillard Corporation || FOR || Metal Plaque': labels and answers, not headings
    columns = [
        (min(w.bbox[0] for w in p), max(w.bbox[2] for w in p), " ".join(w.text for w in p).rstrip(": "))
        for p in phrases
    ]
    body = row + 1
    if body < len(lines) and lines[body].bbox[1] - lines[row].bbox[3] < 1.0 * lines[row].height:
        second = _phrases(lines[body].words)
        if all(_header_like(p) for p in second):  # 'Number of' over 'Stores'
            for p in second:
                x0, x1 = min(w.bbox[0] for w in p), max(w.bbox[2] for w in p)
                k = _column_of(columns, x0, x1)
                text = " ".join(w.text for w in p)
                if k is None:
                    columns.append((x0, x1, text))
                else:
                    cx0, cx1, ctext = columns[k]
                    columns[k] = (min(cx0, x0), max(cx1, x1), f"{ctext} {text}")
            body += 1
    return sorted(columns), body


def _column_of(columns: list[tuple[float, float, str]], x0: float, x1: float) -> int | None:
    best, best_overlap = None, 0.0
    for k, (cx0, cx1, _) in enumerate(columns):
        overlap = min(x1, cx1 + 0.02) - max(x0, cx0 - 0.02)
        if overlap > best_overlap:
            best, best_overlap = k, overlap
    return best


def _tables(lines: list[Line], used: set[int]) -> list[tuple[str, str, list[Word]]]:
    """Header cells paired with the cells under them, row after row, while the rows keep to the columns."""
    pairs: list[tuple[str, str, list[Word]]] = []
    row = 0
    while row < len(lines):
        found = _columns(lines, row)
        if found is None:
            row += 1
            continue
        columns, body = found
        cells: list[tuple[str, str, list[Word], Segment]] = []
        rows_read = numeric_rows = 0
        previous = lines[body - 1]
        for line in lines[body : body + 60]:
            if line.page != previous.page or line.bbox[1] - previous.bbox[3] > 2.5 * previous.height:
                break
            placed = []
            for seg in line.segments:
                k = _column_of(columns, seg.bbox[0], seg.bbox[2])
                if k is not None:
                    placed.append((columns[k][2], seg.text, seg.words, seg))
            if any(":" in p[1] for p in placed):
                break  # a row of labels: the table has ended
            if cells and len(line.segments) > 1 and all(_header_like(seg.words) for seg in line.segments):
                break  # a row of headings: the next little table (labels over values) starts here
            if len(placed) == 1 and cells and line.bbox[1] - previous.bbox[3] < previous.height:
                # a cell wrapped onto a second row: '&Katz' under 'Wachtell, Lipton, Rosen'
                key, _, words, seg = placed[0]
                for n in range(len(cells) - 1, -1, -1):
                    if cells[n][0] == key:
                        ck, cv, cw, cs = cells[n]
                        cells[n] = (ck, f"{cv} {seg.text}", cw + words, cs)
                        used.add(id(seg))
                        break
                previous = line
                continue
            if len({p[0] for p in placed}) < 2:
                break  # a row off the columns: the table has ended
            cells += placed
            rows_read += 1
            numeric_rows += any(re.search(r"\d", p[1]) for p in placed)
            previous = line
        # a table answers with figures: rows of words only are more likely more labels and text
        if rows_read >= 2 and numeric_rows * 2 >= rows_read or rows_read == 1 and numeric_rows == 1:
            pairs += [(key, value, words) for key, value, words, _ in cells]
            used.update(id(seg) for *_, seg in cells)
            used.update(id(seg) for ln in lines[row:body] for seg in ln.segments)
            row = lines.index(previous) + 1
        else:
            row += 1
    return pairs


def extract_form(lines: list[Line]) -> tuple[Form, dict[str, float]]:
    """Key-value pairs: 'Key: value' in one segment, a label and the segment to its right, or the one under it."""
    fields: list[FormField] = []
    confidence: dict[str, float] = {}
    used: set[int] = set()

    def add(key: str, value: str, words: list, certainty: float) -> None:
        key = key.strip(" _").rstrip(":").strip(" _")
        value = value.strip(" _")
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

    for key, value, words in _tables(lines, used):
        add(key, value, words, 0.45)
    for strict in (True, False):  # labels with colons first, then labels known by their print
        for row, line in enumerate(lines):
            for i, seg in enumerate(line.segments):
                if id(seg) in used:
                    continue
                text = seg.text
                inline = (
                    INLINE.match(text)
                    if strict
                    else NUMBER_LABEL.match(text) or CAPS_THEN_VALUE.match(text) or BLANK.match(text)
                )
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
