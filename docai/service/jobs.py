"""Job rows and the work one queued job does; the database, not the broker, says what must run.

Every job row carries the task id of the message that owns it. A delivery may claim a job that is
queued, or one still marked processing under its own task id (the same message re-delivered after a
worker died). Any other delivery is a duplicate and does nothing, so tasks are idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from docai.errors import DocaiError, ErrorCode
from docai.stages.pipeline import PipelineOptions, extract_documents, fail, rasterize_document, transient
from docai.store.db.models import Document, DocumentStatus, Job, JobStatus, utcnow
from docai.store.storage import BlobStore
from model.base import Engine

log = logging.getLogger(__name__)

RASTERIZE, EXTRACT = "rasterize", "extract"
STAGES = (RASTERIZE, EXTRACT)
MAX_ATTEMPTS = 5  # a job that killed this many workers fails its document instead of looping forever


def new_job(session: Session, document_id: str, stage: str) -> Job:
    """A queued job row with the id of the message that will carry it (not committed)."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    job = Job(document_id=document_id, stage=stage, status=JobStatus.QUEUED, task_id=uuid.uuid4().hex)
    session.add(job)
    return job


def active_job(session: Session, document_id: str, stage: str) -> Job | None:
    """The queued or running job of stage for the document, if any."""
    return session.scalar(
        select(Job).where(
            Job.document_id == document_id,
            Job.stage == stage,
            Job.status.in_([JobStatus.QUEUED, JobStatus.PROCESSING]),
        )
    )


def _claimable(task_id: str):  # type: ignore[no-untyped-def]
    return or_(Job.status == JobStatus.QUEUED, and_(Job.status == JobStatus.PROCESSING, Job.task_id == task_id))


def claim(session: Session, job_id: str, task_id: str, worker: str) -> Job | None:
    """Take the job for this delivery; None when it is done or another delivery owns it."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, _claimable(task_id))
        .values(
            status=JobStatus.PROCESSING, task_id=task_id, worker=worker, attempts=Job.attempts + 1, updated_at=utcnow()
        )
    )
    session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    job = session.get(Job, job_id)
    session.refresh(job)
    return job


def claim_batch(session: Session, job: Job, task_id: str, worker: str, limit: int) -> list[Job]:
    """More extract jobs for the same engine: queued ones, and those this message owned before a crash."""
    engine = job.document.engine_requested
    candidates = session.scalars(
        select(Job.id)
        .join(Document, Document.id == Job.document_id)
        .where(
            Job.stage == EXTRACT,
            Job.id != job.id,
            Document.engine_requested.is_(None) if engine is None else Document.engine_requested == engine,
            or_(Job.status == JobStatus.QUEUED, and_(Job.status == JobStatus.PROCESSING, Job.task_id == task_id)),
        )
        .order_by(Job.created_at)
        .limit(max(0, limit - 1))
    ).all()
    return [j for j in (claim(session, job_id, task_id, worker) for job_id in candidates) if j is not None]


def finish(job: Job, status: JobStatus, started: float, error: DocaiError | None = None) -> None:
    """Close a job (not committed: it commits with the stage's own work)."""
    job.status = status
    job.seconds = round(time.perf_counter() - started, 3)
    job.error_code = str(error.code) if error else None
    job.error_message = error.message if error else None


class Heartbeat:
    """Marks the jobs a delivery owns as alive, so the reconciler leaves them alone while they run."""

    def __init__(self, factory: sessionmaker[Session], task_id: str, interval: float):
        self.factory, self.task_id, self.interval = factory, task_id, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{task_id[:8]}", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                with self.factory() as session:
                    session.execute(
                        update(Job)
                        .where(Job.task_id == self.task_id, Job.status == JobStatus.PROCESSING)
                        .values(updated_at=utcnow())
                    )
                    session.commit()
            except Exception:  # a missed beat only makes the reconciler look sooner
                log.warning("heartbeat for task %s failed", self.task_id, exc_info=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@dataclass
class JobOutcome:
    """What a delivery did: jobs it ran, jobs to publish next, documents that reached a terminal state."""

    ran: list[str] = field(default_factory=list)
    follow_up: list[Job] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"ran": self.ran, "follow_up": [j.id for j in self.follow_up], "completed": self.completed}


def _too_many_attempts(session: Session, job: Job, started: float, outcome: JobOutcome) -> bool:
    if job.attempts <= MAX_ATTEMPTS:
        return False
    error = DocaiError(
        ErrorCode.INTERNAL,
        f"The {job.stage} stage was interrupted {job.attempts - 1} times (a worker crashed or was killed each time); "
        "retry the document once the workers are healthy.",
    )
    fail(job.document, error)
    finish(job, JobStatus.FAILED, started, error)
    session.commit()
    outcome.ran.append(job.id)
    outcome.completed.append(job.document_id)
    return True


def run_rasterize(
    session: Session, store: BlobStore, job_id: str, task_id: str, worker: str, options: PipelineOptions
) -> JobOutcome:
    """Rasterize (and OCR) one document, then queue its extract job."""
    outcome = JobOutcome()
    started = time.perf_counter()
    job = claim(session, job_id, task_id, worker)
    if job is None or _too_many_attempts(session, job, started, outcome):
        return outcome
    document = job.document
    ok = rasterize_document(session, store, document, options)
    if ok:
        follow = active_job(session, document.id, EXTRACT) or new_job(session, document.id, EXTRACT)
        outcome.follow_up.append(follow)
        finish(job, JobStatus.DONE, started)
    else:
        error = DocaiError(ErrorCode(document.error_code or ErrorCode.INTERNAL), document.error_message or "")
        finish(job, JobStatus.FAILED, started, error)
        outcome.completed.append(document.id)
    session.commit()
    outcome.ran.append(job.id)
    return outcome


def run_extract(
    session: Session,
    store: BlobStore,
    job_id: str,
    task_id: str,
    worker: str,
    options: PipelineOptions,
    engine_for: Callable[[str | None], Engine],
    batch_size: int,
) -> JobOutcome:
    """Extract the job's document together with other queued documents in one engine batch."""
    outcome = JobOutcome()
    started = time.perf_counter()
    job = claim(session, job_id, task_id, worker)
    if job is None or _too_many_attempts(session, job, started, outcome):
        return outcome
    jobs = [job, *claim_batch(session, job, task_id, worker, batch_size)]
    jobs = [j for j in jobs if not _too_many_attempts(session, j, started, outcome)]
    documents = [j.document for j in jobs]
    try:
        engine = engine_for(job.document.engine_requested)
    except DocaiError as err:  # e.g. no weights for the engine asked for: a clear failure, not a retry loop
        for j in jobs:
            fail(j.document, err)
            finish(j, JobStatus.FAILED, started, err)
        session.commit()
        outcome.ran += [j.id for j in jobs]
        outcome.completed += [d.id for d in documents]
        return outcome
    try:
        extract_documents(session, store, documents, engine, options)
    except Exception as err:
        if transient(err):
            raise
        session.rollback()
        log.exception("extracting a batch of %d documents failed; retrying them one by one", len(documents))
        _extract_one_by_one(session, store, jobs, engine, options)
    # Closed after the results are committed: a crash in between leaves a job the reconciler re-sends, and
    # its re-run finds the document finished and only closes the job.
    _close(session, jobs, started)
    outcome.ran += [j.id for j in jobs]
    outcome.completed += [d.id for d in documents]
    return outcome


def _close(session: Session, jobs: Sequence[Job], started: float) -> None:
    """Each job done, or failed with its document's error."""
    for job in jobs:
        document = job.document
        if document.status == DocumentStatus.FAILED:
            finish(job, JobStatus.FAILED, started, DocaiError(_code(document.error_code), document.error_message or ""))
        else:
            finish(job, JobStatus.DONE, started)
    session.commit()


def _code(value: str | None) -> ErrorCode:
    try:
        return ErrorCode(value)
    except ValueError:
        return ErrorCode.INTERNAL


def _extract_one_by_one(
    session: Session, store: BlobStore, jobs: Sequence[Job], engine: Engine, options: PipelineOptions
) -> None:
    """After a batch failure outside any one document, find the documents that cause it; the others still
    get their result."""
    for job in jobs:
        document = session.get(Document, job.document_id)
        try:
            extract_documents(session, store, [document], engine, options)
        except Exception as err:
            if transient(err):
                raise
            session.rollback()
            document = session.get(Document, job.document_id)
            fail(
                document,
                err
                if isinstance(err, DocaiError)
                else DocaiError(ErrorCode.EXTRACTION_FAILED, f"The engine failed on this document: {err}"),
            )
            session.commit()


def release(session: Session, task_id: str) -> None:
    """Put the jobs a delivery owns back in the queue (before a retry of that delivery)."""
    session.rollback()
    session.execute(
        update(Job)
        .where(Job.task_id == task_id, Job.status == JobStatus.PROCESSING)
        .values(status=JobStatus.QUEUED, updated_at=utcnow())
    )
    session.commit()


def fail_timed_out(session: Session, task_id: str, seconds: float) -> list[str]:
    """The delivery ran past its time limit: its jobs and their documents fail TIMED_OUT (a retry would run as long).

    Returns the ids of the documents failed (their webhooks are due).
    """
    session.rollback()
    jobs = session.scalars(select(Job).where(Job.task_id == task_id, Job.status == JobStatus.PROCESSING)).all()
    error = DocaiError(
        ErrorCode.TIMED_OUT,
        f"Processing stopped at the time limit of {seconds:,.0f} s per task (DOCAI_JOB_TIMEOUT); split the document "
        "into smaller files, or raise the limit, and upload it again.",
    )
    for job in jobs:
        fail(job.document, error)
        job.status, job.error_code, job.error_message = JobStatus.FAILED, str(error.code), error.message
        job.updated_at = utcnow()
    session.commit()
    return [job.document_id for job in jobs]


def document_terminal(session: Session, document_id: str) -> bool:
    document = session.get(Document, document_id)
    return document is not None and DocumentStatus(document.status).terminal


def stale_cutoff(seconds: float, now: dt.datetime | None = None) -> dt.datetime:
    return (now or utcnow()) - dt.timedelta(seconds=seconds)
