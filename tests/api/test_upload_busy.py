"""An upload the server cannot store right now answers 503 with Retry-After, never a 500."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.conftest import AUTH, receipt_pdf


def test_upload_while_the_database_is_locked_is_503_with_retry_after(docai_home: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    from docai.api import create_app
    from docai.store.db.migrate import upgrade

    path = docai_home / "busy.db"
    upgrade(f"sqlite:///{path}")
    settings = make_settings(f"sqlite:///{path}?timeout=0.5")  # wait half a second for the write lock, not 30
    blocker = sqlite3.connect(path, isolation_level=None)
    with TestClient(create_app(settings, reconcile=False)) as client:
        blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            busy = client.post("/v1/documents", files={"file": ("r.pdf", receipt_pdf(1))}, headers=AUTH)
        finally:
            blocker.execute("ROLLBACK")
        assert busy.status_code == 503, busy.text
        assert busy.headers["Retry-After"].isdigit()
        assert busy.json()["error"]["code"] == "unavailable" and "try again" in busy.json()["error"]["message"]

        stored = client.post("/v1/documents", files={"file": ("r.pdf", receipt_pdf(1))}, headers=AUTH)
        assert stored.status_code in (200, 202), stored.text  # once the lock is free, the same upload is stored
        assert client.get(f"/v1/documents/{stored.json()['id']}", headers=AUTH).status_code == 200
    blocker.close()


def test_an_export_is_built_with_no_transaction_open(docai_home: Path, make_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import docai.api.routes.export as export
    from docai.api import create_app
    from docai.store.db.migrate import upgrade

    path = docai_home / "export.db"
    upgrade(f"sqlite:///{path}")
    writable: list[bool] = []
    real_records = export.records

    def records_and_probe(documents):  # type: ignore[no-untyped-def]
        other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # an upload, say, while a large export is being written
            other.execute("ROLLBACK")
            writable.append(True)
        except sqlite3.OperationalError:
            writable.append(False)
        finally:
            other.close()
        return real_records(documents)

    monkeypatch.setattr(export, "records", records_and_probe)
    with TestClient(create_app(make_settings(f"sqlite:///{path}"), reconcile=False)) as client:
        assert client.get("/v1/export", params={"format": "json"}, headers=AUTH).status_code == 200
    assert writable == [True]


def test_a_database_fault_that_waiting_cannot_fix_is_a_500_not_a_503() -> None:
    from sqlalchemy.exc import OperationalError

    from docai.api.errors import database_unavailable

    def error(message: str) -> OperationalError:
        return OperationalError("SELECT 1", {}, sqlite3.OperationalError(message))

    assert database_unavailable(error("database is locked"))
    assert database_unavailable(error("connection to server at 127.0.0.1 failed: Connection refused"))
    assert not database_unavailable(error("no such table: documents"))
