"""Reviewer corrections: JSON-pointer edits applied to a copy of the current data, re-validated, audited."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from docai.stages.grounding import locate
from docai.store.db.models import Correction, Extraction
from model.types import Word
from schemas.paths import UnknownPath, resolve
from schemas.registry import get_schema
from schemas.validate import validate

MAX_VALUE_NODES = 5_000  # items in one corrected value (a whole list of line items counts each cell)
VALIDATION = "validation"  # an issue's source when validation (not the engine) raised it


class InvalidCorrection(ValueError):
    """A correction that names no field, or leaves data the schema refuses."""


@dataclass(frozen=True)
class Edit:
    field: str  # JSON pointer, '/total' or '/items/0/amount'; '/items/-' appends
    value: Any = None
    op: str = "replace"  # replace, add, remove


def check_edit(schema: str, edit: Edit) -> None:
    """The edit names a field of the schema and its value is of a size a field holds; InvalidCorrection if not."""
    try:
        path = resolve(get_schema(schema), edit.field, append=edit.op != "remove")
    except UnknownPath as err:
        raise InvalidCorrection(str(err)) from err
    if len(path.tokens) == 1 and path.tokens[0] == "":
        raise InvalidCorrection("The whole document cannot be replaced; name a field such as '/total'.")
    nodes, stack = 0, [edit.value]
    while stack:
        node = stack.pop()
        nodes += 1
        if nodes > MAX_VALUE_NODES:
            raise InvalidCorrection(f"{edit.field}: the value holds more than {MAX_VALUE_NODES} items.")
        if isinstance(node, str) and len(node) > path.max_chars:
            raise InvalidCorrection(
                f"{edit.field}: a text of {len(node):,} characters is longer than the {path.max_chars:,} a field holds."
            )
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def parse_pointer(pointer: str) -> list[str]:
    """RFC 6901 tokens; the root ('') cannot be replaced."""
    if not pointer.startswith("/"):
        raise InvalidCorrection(f"{pointer!r} is not a JSON pointer; fields look like '/total' or '/items/0/amount'.")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(container: list[Any], token: str, pointer: str, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return len(container)
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        raise InvalidCorrection(f"{pointer!r}: {token!r} is not a list index.")
    index = int(token)
    if index > len(container) or (index == len(container) and not allow_end):
        raise InvalidCorrection(f"{pointer!r}: index {index} is past the end of a list of {len(container)}.")
    return index


def get_at(data: Any, pointer: str) -> Any:
    node = data
    for token in parse_pointer(pointer):
        if isinstance(node, list):
            node = node[_index(node, token, pointer, allow_end=False)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            return None
    return node


def apply_edit(data: dict[str, Any], edit: Edit) -> Any:
    """Apply one edit in place; returns the old value."""
    tokens = parse_pointer(edit.field)
    parent: Any = data
    for token in tokens[:-1]:
        if isinstance(parent, list):
            parent = parent[_index(parent, token, edit.field, allow_end=False)]
        elif isinstance(parent, dict) and isinstance(parent.get(token), dict | list):
            parent = parent[token]
        else:
            raise InvalidCorrection(f"{edit.field!r}: there is no {token!r} in the document.")
    last = tokens[-1]
    if isinstance(parent, list):
        index = _index(parent, last, edit.field, allow_end=edit.op == "add" or last == "-")
        if edit.op == "remove":
            return parent.pop(index)
        if edit.op == "add" or index == len(parent):
            parent.insert(index, edit.value)
            return None
        old = parent[index]
        parent[index] = edit.value
        return old
    if not isinstance(parent, dict):
        raise InvalidCorrection(f"{edit.field!r} does not name a field.")
    if edit.op == "remove":
        old = parent.get(last)
        parent[last] = None  # schema fields stay present; removing one means clearing it
        return old
    old = parent.get(last)
    parent[last] = edit.value
    return old


def revalidate(schema: str, data: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The data as the schema normalises it, and its validation issues; InvalidCorrection when it does not fit."""
    try:
        instance = get_schema(schema).model_validate(data)
    except ValidationError as err:
        problems = "; ".join(
            f"/{'/'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors(include_url=False)[:5]
        )
        raise InvalidCorrection(f"The corrected data does not fit the {schema} schema: {problems}") from err
    return instance.model_dump(mode="json"), [i.model_dump(mode="json") for i in validate(instance)]


def _concrete(data: dict[str, Any], edit: Edit) -> Edit:
    """'/line_items/-' as the index it appends at ('/line_items/3'), so the audit row and evidence name the row."""
    head, _, last = edit.field.rpartition("/")
    if last != "-":
        return edit
    target = get_at(data, head) if head else data
    if target is None and head:  # an empty list field stored as null: the schema said it is a list (check_edit)
        apply_edit(data, Edit(head, []))
        target = []
    if not isinstance(target, list):
        raise InvalidCorrection(f"{edit.field!r}: {head or '/'} is not a list to append to.")
    return Edit(f"{head}/{len(target)}", edit.value, "add")


def apply_corrections(
    session: Session, extraction: Extraction, edits: list[Edit], author: str, note: str | None = None
) -> list[Correction]:
    """Apply edits to extraction.current (never .data), store one audit row per edit; not committed.

    author is who is signed in (the API key's name); note is the name the reviewer typed, kept beside it.
    """
    if not edits:
        raise InvalidCorrection("No corrections were given.")
    for edit in edits:
        check_edit(extraction.schema, edit)
    current = copy.deepcopy(extraction.current)
    applied: list[Edit] = []
    olds = []
    for edit in edits:
        applied.append(_concrete(current, edit))
        olds.append(apply_edit(current, applied[-1]))
    edits = applied
    normalised, issues = revalidate(extraction.schema, current)
    corrected = {e.field for e in edits}
    # Issues the engine raised (not re-derivable by validation) stay until their field is corrected.
    try:
        derived = {(i["code"], i.get("field")) for i in revalidate(extraction.schema, extraction.data)[1]}
    except InvalidCorrection:
        derived = set()
    kept = [
        i
        for i in extraction.issues or []
        if i.get("source") != VALIDATION
        and (i.get("code"), i.get("field")) not in derived
        and i.get("field") not in corrected
    ]
    evidence = dict(extraction.evidence or {})
    typed = get_schema(extraction.schema).model_validate(normalised).model_dump(mode="python")
    pages = [[Word.from_json(row) for row in page.words or []] for page in extraction.document.pages]
    for path in corrected:
        # A corrected value printed on the page gets its own box; one printed nowhere (the reviewer fixed a
        # misread) keeps the box it was read from, which still shows where to look.
        value = get_at(typed, path)
        found = locate(value, path, pages) if value not in (None, "") else None
        previous = evidence.get(path) or {}
        located = found.model_dump(mode="json", include={"page", "bbox", "text"}) if found else {}
        evidence[path] = {**previous, **located, "confidence": 1.0, "source": "correction"}
    extraction.current = normalised
    extraction.issues = [*kept, *({**i, "source": VALIDATION} for i in issues)]  # validation's: redone each time
    extraction.evidence = evidence
    rows = [
        Correction(
            extraction_id=extraction.id,
            field=edit.field,
            old_value=old,
            new_value=_new_value(normalised, edit),
            author=author,
            note=note,
        )
        for edit, old in zip(edits, olds, strict=True)
    ]
    session.add_all(rows)
    return rows


def _new_value(data: dict[str, Any], edit: Edit) -> Any:
    if edit.op == "remove":
        return None
    if edit.op == "add":
        return edit.value
    return get_at(data, edit.field)
