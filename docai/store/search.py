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


def _terms(query: str) -> list[list[str]]:
    return [w for w in (words(term) for term in query.split()) if w][:16]


def match_clause(session: Session, query: str) -> Any | None:
    """A `document id IN (...)` clause for the query (every term, each a prefix), or None when it has no words."""
    terms = _terms(query)
    if not terms:
        return None
    if session.get_bind().dialect.name == "postgresql":
        expression = " & ".join(" <-> ".join([*t[:-1], f"{t[-1]}:*"]) for t in terms)
        sql = f"SELECT document_id FROM {TABLE} WHERE tsv @@ to_tsquery('simple', :fts)"
    else:
        expression = " AND ".join('"' + " ".join(t) + '"*' for t in terms)
        sql = f"SELECT document_id FROM {TABLE} WHERE {TABLE} MATCH :fts"
    return Document.id.in_(text(sql).bindparams(fts=expression).columns(document_id=String))
