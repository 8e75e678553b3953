"""Full-text search over documents: SQLite FTS5 or a PostgreSQL tsvector with a GIN index (migration 0002).

Both databases index the same text, folded and split into words here, so that a query finds the same
documents on either: the file name, every extracted value (amounts also as plain numbers) and the page words.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import String, text
from sqlalchemy.orm import Session

from docai.store.db.models import Document

TABLE = "document_search"
MAX_CHARS = 200_000  # a 500-page document's words are plenty to find it by
_WORD = re.compile(r"[^\W_]+")


def words(value: str) -> list[str]:
    """Lower case, accents folded, letters and digits only: 'Café 1.234,50' -> ['cafe', '1', '234', '50']."""
    folded = unicodedata.normalize("NFKD", value.casefold())
    return _WORD.findall("".join(c for c in folded if not unicodedata.combining(c)))


def document_text(filename: str, values: list[str], pages: list[str]) -> str:
    """What a document is found by (its name, its extracted values, its pages' text), as folded words."""
    return " ".join(words(" ".join([filename, *values, *pages])))[:MAX_CHARS]


def index_document(session: Session, document_id: str, body: str) -> None:
    """Replace the document's search text (not committed)."""
    session.execute(text(f"DELETE FROM {TABLE} WHERE document_id = :id"), {"id": document_id})
    session.execute(
        text(f"INSERT INTO {TABLE} (document_id, body) VALUES (:id, :body)"), {"id": document_id, "body": body}
    )


_AMOUNT = re.compile(r"^[-+(]?\d[\d.,' ]*[.,]\d{1,2}\)?$")
_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")


def _spellings(term: str) -> list[list[str]]:
    """A query word as words, and as the stored values spell it: '1.130,50' is also 1130.50, '15.03.2024' 2024-03-15."""
    from schemas.common import parse_amount
    from schemas.dates import parse_date

    found = [words(term)]
    canonical: object = None
    try:
        if _DATE.match(term):
            canonical = parse_date(term)
        elif _AMOUNT.match(term):
            canonical = parse_amount(term)
    except ValueError:
        canonical = None
    if canonical is not None and words(str(canonical)) not in found:
        found.append(words(str(canonical)))
    return [w for w in found if w]


def match_clause(session: Session, query: str) -> Any | None:
    """A `document id IN (...)` clause for the query, or None when it has no words.

    Every term must match (as a prefix); a term that reads as an amount or a date also matches its stored spelling.
    """
    terms = [spellings for spellings in (_spellings(term) for term in query.split()) if spellings][:16]
    if not terms:
        return None
    if session.get_bind().dialect.name == "postgresql":
        expression = " & ".join("(" + " | ".join(_tsquery_phrase(t) for t in term) + ")" for term in terms)
        sql = f"SELECT document_id FROM {TABLE} WHERE tsv @@ to_tsquery('simple', :fts)"
    else:
        expression = " AND ".join("(" + " OR ".join(_fts5_phrase(t) for t in term) + ")" for term in terms)
        sql = f"SELECT document_id FROM {TABLE} WHERE {TABLE} MATCH :fts"
    return Document.id.in_(text(sql).bindparams(fts=expression).columns(document_id=String))


def _tsquery_phrase(tokens: list[str]) -> str:
    """PostgreSQL: the words in a row, the last one a prefix ('12 <-> 30:*')."""
    return " <-> ".join([*tokens[:-1], f"{tokens[-1]}:*"])


def _fts5_phrase(tokens: list[str]) -> str:
    """SQLite FTS5: the words as a phrase, the last one a prefix ('"12 30"*'); tokens are letters and digits."""
    return '"' + " ".join(tokens) + '"*'
