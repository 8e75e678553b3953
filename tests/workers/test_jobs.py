"""Job claiming, batching, idempotency and the reconciler, called as functions on a real database."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.workers.conftest import receipt_pdf


@pytest.fixture
def env(db_url: str, docai_home: Path):  # type: ignore[no-untyped-def]
    from docai.settings import Settings
    from docai.stages.engines import get_engine
    from docai.stages.pipeline import PipelineOptions
    from docai.store.db.session import session_factory
    from docai.store.storage import store_from_settings

    settings = Settings(home=docai_home, database_url=db_url, engine="ocr")
    engine, _ = get_engine("ocr", settings)

    class Counting:
        """The real ocr engine, counting the batches it is given."""

        name, model_id = engine.name, engine.model_id
        batches: list[int] = []

        def supports(self, schema: str) -> bool:
            return engine.supports(schema)

        def extract_batch(self, requests):  # type: ignore[no-untyped-def]
            self.batches.append(len(requests))
            return engine.extract_batch(requests)

    with session_factory(db_url)() as session:
        yield settings, session, store_from_settings(settings), PipelineOptions.from_settings(settings), Counting()


def ingest(env, i: int):  # type: ignore[no-untyped-def]
    from docai.service.jobs import new_job
    from docai.stages.pipeline import ingest_bytes

    settings, session, store, options, _ = env
    document = ingest_bytes(session, store, receipt_pdf(i), f"r{i}.pdf", schema="receipt", options=options).document
    job = new_job(session, document.id, "rasterize")
    session.commit()
    return document, job


def test_extract_gathers_queued_documents_into_one_batch(env) -> None:  # type: ignore[no-untyped-def]
    from docai.service.jobs import run_extract, run_rasterize
    from docai.store.db.models import Extraction, Job

    settings, session, store, options, engine = env
    follow = []
    for i in range(3):
        _, job = ingest(env, i)
        outcome = run_rasterize(session, store, job.id, job.task_id, "w", options)
        follow += outcome.follow_up
    assert [j.stage for j in follow] == ["extract"] * 3
    first = follow[0]
    outcome = run_extract(session, store, first.id, first.task_id, "w", options, lambda _: engine, batch_size=8)
    assert engine.batches == [3] and len(outcome.ran) == 3 and len(outcome.completed) == 3
    owners = {j.task_id for j in session.scalars(select(Job).where(Job.stage == "extract"))}
    assert owners == {first.task_id}
    # the other two messages arrive later: nothing to do, nothing duplicated
    for job in follow[1:]:
        assert run_extract(session, store, job.id, job.task_id, "w", options, lambda _: engine, 8).ran == []
    assert engine.batches == [3]
    assert len(session.scalars(select(Extraction)).all()) == 3


def test_batch_size_is_respected(env) -> None:  # type: ignore[no-untyped-def]
    from docai.service.jobs import run_extract, run_rasterize

    settings, session, store, options, engine = env
    follow = []
    for i in range(5):
        _, job = ingest(env, 10 + i)
        follow += run_rasterize(session, store, job.id, job.task_id, "w", options).follow_up
    for job in follow:
        run_extract(session, store, job.id, job.task_id, "w", options, lambda _: engine, batch_size=2)
    assert engine.batches == [2, 2, 1]


def test_redelivery_takes_over_a_dead_delivery_and_duplicates_do_nothing(env) -> None:  # type: ignore[no-untyped-def]
    from docai.service.jobs import claim, run_rasterize
    from docai.store.db.models import Job, JobStatus

    settings, session, store, options, _ = env
    document, job = ingest(env, 20)
    assert claim(session, job.id, job.task_id, "dead-worker") is not None  # a worker took it, then died
    assert claim(session, job.id, "some-other-delivery", "w2") is None  # a duplicate message: not ours
    outcome = run_rasterize(session, store, job.id, job.task_id, "w3", options)  # the same message, redelivered
    assert outcome.ran == [job.id]
    session.refresh(job)
    assert job.status == JobStatus.DONE and job.attempts == 2 and job.worker == "w3"
    assert run_rasterize(session, store, job.id, job.task_id, "w4", options).ran == []  # done stays done
    assert session.scalar(select(Job).where(Job.stage == "extract")).status == JobStatus.QUEUED


def test_a_job_that_keeps_killing_workers_fails_its_document(env) -> None:  # type: ignore[no-untyped-def]
    from docai.service.jobs import MAX_ATTEMPTS, run_rasterize
    from docai.store.db.models import Job

    settings, session, store, options, _ = env
    document, job = ingest(env, 21)
    session.execute(update(Job).where(Job.id == job.id).values(attempts=MAX_ATTEMPTS))
    session.commit()
    outcome = run_rasterize(session, store, job.id, job.task_id, "w", options)
    session.refresh(document)
    assert document.status == "failed" and "interrupted" in document.error_message
    assert outcome.completed == [document.id]


def test_reconciler_resends_stale_jobs_and_adopts_orphans(env) -> None:  # type: ignore[no-untyped-def]
    from docai.service.jobs import claim
    from docai.service.reconcile import reconcile
    from docai.stages.pipeline import ingest_bytes
    from docai.store.db.models import Job, JobStatus

    settings, session, store, options, _ = env
    _, stale = ingest(env, 30)
    _, running = ingest(env, 31)
    _, fresh = ingest(env, 32)
    claim(session, running.id, running.task_id, "w")
    orphan = ingest_bytes(session, store, receipt_pdf(33), "o.pdf", options=options).document  # no job at all
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    session.execute(update(Job).where(Job.id.in_([stale.id, running.id])).values(updated_at=old))
    session.execute(update(type(orphan)).where(type(orphan).id == orphan.id).values(updated_at=old))
    session.commit()
    old_task_ids = {stale.task_id, running.task_id}

    report = reconcile(session, settings, after=60)
    assert report.orphans == 1 and report.resent == 3
    for job in (stale, running):
        session.refresh(job)
        assert job.status == JobStatus.QUEUED and job.task_id not in old_task_ids
    session.refresh(fresh)
    assert fresh.status == JobStatus.QUEUED and fresh.updated_at is not None
    assert session.scalar(select(Job).where(Job.document_id == orphan.id)).stage == "rasterize"
    messages = list((settings.broker_folder / "queue").glob("*.cpu.msg"))
    assert len(messages) == 3  # the embedded broker holds the re-sent messages
    assert {json.loads(m.read_text())["headers"]["id"] for m in messages} >= {stale.task_id}
    assert reconcile(session, settings, after=60).resent == 0  # nothing is stale any more


class _Receiver(BaseHTTPRequestHandler):
    calls: list[tuple[dict[str, str], bytes]] = []
    answers: list[int] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).calls.append((dict(self.headers), body))
        self.send_response(type(self).answers.pop(0) if type(self).answers else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


def test_webhook_is_signed_and_failures_raise() -> None:
    from docai.service.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, AddressPolicy, WebhookFailed, payload, verify
    from docai.service.webhooks import deliver as deliver_anywhere

    def deliver(*args, **kwargs):  # type: ignore[no-untyped-def]
        return deliver_anywhere(*args, policy=AddressPolicy.parse(["127.0.0.1"]), **kwargs)  # a receiver on loopback

    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook"
    try:
        _Receiver.answers[:] = [500]
        with pytest.raises(WebhookFailed):
            deliver(url, payload({"id": "d1", "status": "done"}), "s3cret")
        assert deliver(url, payload({"id": "d1", "status": "done"}), "s3cret") == 200
        headers, body = _Receiver.calls[-1]
        assert json.loads(body)["document"] == {"id": "d1", "status": "done"}
        assert verify("s3cret", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
        assert not verify("wrong", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
        assert not verify("s3cret", headers[TIMESTAMP_HEADER], body + b" ", headers[SIGNATURE_HEADER])
    finally:
        server.shutdown()
    with pytest.raises(WebhookFailed):
        deliver(url, payload({"id": "d1"}), None, timeout=1)  # nobody listens any more


def test_an_unavailable_engine_fails_the_batch_with_its_message(env) -> None:  # type: ignore[no-untyped-def]
    from docai.errors import DocaiError, ErrorCode
    from docai.service.jobs import run_extract, run_rasterize

    settings, session, store, options, _ = env
    _, job = ingest(env, 40)
    follow = run_rasterize(session, store, job.id, job.task_id, "w", options).follow_up[0]

    def unavailable(_name):  # type: ignore[no-untyped-def]
        raise DocaiError(ErrorCode.ENGINE_UNAVAILABLE, "No weights at /models; run `docai model pull`.")

    outcome = run_extract(session, store, follow.id, follow.task_id, "w", options, unavailable, 8)
    document = session.get(type(job.document), job.document_id)
    session.refresh(document)
    assert document.status == "failed" and document.error_code == "engine_unavailable"
    assert outcome.completed == [document.id]


def test_reconciler_leaves_a_long_but_intact_queue_alone(env) -> None:  # type: ignore[no-untyped-def]
    from docai.service.queue import publish, queue_depth
    from docai.service.reconcile import reconcile
    from docai.store.db.models import Job

    settings, session, store, options, _ = env
    jobs = [ingest(env, 50 + i)[1] for i in range(3)]
    assert publish(settings, jobs) == 3 and queue_depth(settings, "rasterize") == 3
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    session.execute(update(Job).values(updated_at=old))
    session.commit()
    assert reconcile(session, settings, after=60).resent == 0  # every queued job still has its message
    (settings.broker_folder / "queue").joinpath(
        sorted(p.name for p in (settings.broker_folder / "queue").iterdir())[0]
    ).unlink()  # one message lost
    assert reconcile(session, settings, after=60).resent == 3  # the queue cannot say which: all are re-sent
    assert queue_depth(settings, "rasterize") == 5


def test_local_secrets_are_generated_once_and_private(docai_home: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from docai.service.auth import api_keys, client_api_key, key_identity, key_matches, webhook_secret
    from docai.settings import Settings

    settings = Settings(home=docai_home)
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: client_api_key(settings), range(16)))
    assert len(keys) == 1 and api_keys(settings) == list(keys)
    assert oct((docai_home / "api_key").stat().st_mode & 0o777) == "0o600"
    secret = webhook_secret(settings)
    assert secret and secret != keys.pop() and webhook_secret(settings) == secret
    assert webhook_secret(Settings(home=docai_home, webhook_secret="configured")) == "configured"
    assert Settings(home=docai_home, api_keys=["a", "b"]).api_keys == ["a", "b"]
    assert key_matches("b", ["a", "b"]) and not key_matches("c", ["a", "b"])
    assert key_identity("b").startswith("key:") and len(key_identity("b")) == 12
