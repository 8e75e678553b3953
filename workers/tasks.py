"""Thin tasks: a job id in, a pipeline stage run, the next message out. The work lives in docai.service.jobs."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import celeryd_after_setup, worker_process_init

from docai.settings import get_settings
from workers.app import app

log = logging.getLogger(__name__)
_CONSUMES: set[str] = set()  # queues this worker reads, recorded before the pool forks


@celeryd_after_setup.connect
def _record_queues(sender: str, instance: Any, **_: Any) -> None:
    _CONSUMES.update(q.name for q in instance.app.amqp.queues.consume_from.values())


@worker_process_init.connect
def _load_engine(**_: Any) -> None:
    """Each pool process loads the engine once (a gpu-queue worker), and opens its own database pool."""
    from docai.store.db.session import _factory

    _factory.cache_clear()  # connections must not be shared across fork
    if _CONSUMES and "gpu" not in _CONSUMES:
        cap_memory(get_settings().worker_memory_mb)
    if not _CONSUMES or "gpu" in _CONSUMES:
        from docai.stages.engines import get_engine

        engine, reason = get_engine(None, get_settings())
        log.info("worker process %d: engine %s (%s)", os.getpid(), engine.name, reason)


def cap_memory(megabytes: int) -> None:
    """Cap this pool process's data memory (heap and anonymous maps, not shared libraries): past it allocations
    fail, the document being read fails with resource_limit, and the process lives on. gpu workers are left alone
    (model weights are large by design); 0 turns the cap off."""
    import resource

    if megabytes <= 0:
        return
    limit = megabytes << 20
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


class TaskTimeLimit(BaseException):
    """The task's soft time limit, raised as a BaseException: no `except Exception` in a stage (a decoder's
    fallback, an OCR error turned into a sentence) can swallow it and work on until the hard limit kills the process."""


@contextmanager
def _soft_limit_interrupts() -> Iterator[None]:
    """While a stage runs, the pool's soft-limit signal raises TaskTimeLimit instead of SoftTimeLimitExceeded."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGUSR1"):
        yield  # signals reach only the main thread (a solo or threads pool): Celery's own exception stands
        return

    def interrupt(*_: object) -> None:
        raise TaskTimeLimit()

    previous = signal.signal(signal.SIGUSR1, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGUSR1, previous)


def _worker_name(task: Task) -> str:
    return f"{task.request.hostname or socket.gethostname()}:{os.getpid()}"


def _transient_errors() -> tuple[type[BaseException], ...]:
    from sqlalchemy.exc import OperationalError

    return (OperationalError, ConnectionError, TimeoutError)


RETRY = {
    "autoretry_for": _transient_errors(),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 10,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


def _run(task: Task, stage: str, job_id: str) -> dict[str, Any]:
    from docai.service.jobs import Heartbeat, fail_timed_out, release, run_extract, run_rasterize
    from docai.service.queue import publish, publish_webhooks
    from docai.stages.pipeline import PipelineOptions
    from docai.store.db.session import session_factory
    from docai.store.storage import store_from_settings

    settings = get_settings()
    factory = session_factory(settings.resolved_database_url)
    store = store_from_settings(settings)
    options = PipelineOptions.from_settings(settings)
    task_id = task.request.id
    beat = max(1.0, min(30.0, settings.reconcile_after / 4))
    with factory() as session, Heartbeat(factory, task_id, beat), _soft_limit_interrupts():
        try:
            if stage == "rasterize":
                outcome = run_rasterize(session, store, job_id, task_id, _worker_name(task), options)
            else:
                from docai.stages.engines import get_engine

                outcome = run_extract(
                    session,
                    store,
                    job_id,
                    task_id,
                    _worker_name(task),
                    options,
                    lambda name: get_engine(name, settings)[0],
                    settings.batch_size,
                )
        except (SoftTimeLimitExceeded, TaskTimeLimit):  # a clear failure, not a retry that runs out of time again
            failed = fail_timed_out(session, task_id, settings.job_timeout)
            log.warning("task %s ran past its time limit; failed %d documents", task_id, len(failed))
            publish_webhooks(settings, session, failed)
            return {"ran": [], "follow_up": [], "completed": failed}
        except _transient_errors():
            release(session, task_id)  # the retry (same task id) claims them again
            raise
        publish(settings, outcome.follow_up)
        publish_webhooks(settings, session, outcome.completed)
    return outcome.as_dict()


@app.task(name="docai.rasterize", bind=True, **RETRY)
def rasterize(self: Task, job_id: str) -> dict[str, Any]:
    """Render and OCR one document's pages (cpu queue)."""
    return _run(self, "rasterize", job_id)


@app.task(name="docai.extract", bind=True, **RETRY)
def extract(self: Task, job_id: str) -> dict[str, Any]:
    """Extract this job's document and other queued ones in one engine batch (gpu queue)."""
    return _run(self, "extract", job_id)


@app.task(name="docai.webhook", bind=True, acks_late=True, max_retries=None)
def webhook(self: Task, document_id: str, first_attempt: float | None = None) -> int | None:
    """Tell the document's webhook it is done, signed; retried with backoff within DOCAI_WEBHOOK_RETRY_SECONDS."""
    from docai.service.auth import webhook_secret
    from docai.service.webhooks import AddressPolicy, WebhookFailed, WebhookRefused, deliver, payload, retry_delay
    from docai.store.db.models import Document
    from docai.store.db.session import session_factory
    from docai.store.results import document_summary

    settings = get_settings()
    first_attempt = first_attempt or time.time()
    with session_factory(settings.resolved_database_url)() as session:
        document = session.get(Document, document_id)
        if document is None or not document.webhook_url:
            return None
        url, body = document.webhook_url, payload(document_summary(document))
    try:
        policy = AddressPolicy.from_settings(settings)
        return deliver(url, body, webhook_secret(settings), policy=policy, timeout=settings.webhook_timeout)
    except WebhookRefused as err:  # the host now resolves inside the network: no retry makes that right
        log.warning("webhook of %s refused: %s", document_id, err)
        return None
    except (WebhookFailed, SoftTimeLimitExceeded) as err:
        delay = retry_delay(
            self.request.retries, first_attempt, settings.webhook_retries, settings.webhook_retry_seconds
        )
        if delay is None:
            log.warning("webhook of %s given up after %d attempts: %s", document_id, self.request.retries + 1, err)
            return None
        raise self.retry(exc=err, countdown=delay, args=[document_id, first_attempt], kwargs={}) from err
