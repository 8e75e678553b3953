"""The reconciler: the database says what must run; jobs the broker lost are sent again.

A job queued but not started within DOCAI_RECONCILE_AFTER seconds, or running without a heartbeat that
long (its worker died, or Redis restarted empty), gets a fresh message. Documents left queued with no
job at all (the API died between its two commits) get a new rasterize job.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from docai.service.jobs import RASTERIZE, STAGES, new_job, stale_cutoff
from docai.service.queue import publish, queue_depth
from docai.settings import Settings
from docai.store.db.models import Document, DocumentStatus, Job, JobStatus, utcnow

log = logging.getLogger(__name__)


@dataclass
class ReconcileReport:
    resent: int = 0
    orphans: int = 0


def reconcile(session: Session, settings: Settings, after: float | None = None) -> ReconcileReport:
    """One pass: re-send stale jobs and give orphaned documents a job."""
    after = settings.reconcile_after if after is None else after
    report = ReconcileReport()
    resend: list[Job] = []
    backlogged = _backlogged(session, settings)  # asks the broker: before any transaction begins
    cutoff = stale_cutoff(after)
    stale = session.scalars(
        select(Job).where(Job.status.in_([JobStatus.QUEUED, JobStatus.PROCESSING]), Job.updated_at < cutoff)
    ).all()
    stale = [j for j in stale if j.status == JobStatus.PROCESSING or j.stage not in backlogged]
    for job in stale:
        # Conditional: a worker that claims the job meanwhile wins, and two reconcilers cannot both re-send.
        result = session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status.in_([JobStatus.QUEUED, JobStatus.PROCESSING]), Job.updated_at < cutoff)
            .values(status=JobStatus.QUEUED, task_id=uuid.uuid4().hex, worker=None, updated_at=utcnow())
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            resend.append(job)
    active = select(Job.id).where(
        Job.document_id == Document.id, Job.status.in_([JobStatus.QUEUED, JobStatus.PROCESSING])
    )
    orphans = session.scalars(
        select(Document).where(
            Document.status.in_([DocumentStatus.QUEUED, DocumentStatus.PROCESSING]),
            Document.updated_at < cutoff,
            ~exists(active),
        )
    ).all()
    for document in orphans:
        resend.append(new_job(session, document.id, RASTERIZE))
        document.updated_at = utcnow()
    session.commit()
    for job in resend:
        session.refresh(job)
    session.commit()  # the broker is slow work: no transaction stays open while it is called
    report.resent = publish(settings, resend)
    report.orphans = len(orphans)
    if resend:
        log.warning("reconciler re-sent %d jobs (%d documents had none)", len(resend), len(orphans))
    return report


def _backlogged(session: Session, settings: Settings) -> set[str]:
    """Stages whose broker queue still holds a message for every queued job: long queues, nothing lost.

    Without this, a legitimately long backlog would be re-sent every DOCAI_RECONCILE_AFTER seconds and
    fill the queue with duplicates (harmless, but wasteful). After Redis restarts empty the depth is 0.
    """
    queued = dict(
        session.execute(select(Job.stage, func.count()).where(Job.status == JobStatus.QUEUED).group_by(Job.stage)).all()
    )
    session.commit()  # counted; the broker is asked with no transaction open
    backlogged = set()
    for stage in STAGES:
        depth = queue_depth(settings, stage) if queued.get(stage) else None
        if depth is not None and depth >= queued[stage]:
            backlogged.add(stage)
    return backlogged


class Reconciler:
    """Runs reconcile() every DOCAI_RECONCILE_INTERVAL seconds in a daemon thread."""

    def __init__(self, settings: Settings, interval: float | None = None, after: float | None = None):
        self.settings = settings
        self.interval = settings.reconcile_interval if interval is None else interval
        self.after = after
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reconciler", daemon=True)

    def _run(self) -> None:
        from docai.store.db.session import session_factory

        factory = session_factory(self.settings.resolved_database_url)
        while not self._stop.wait(self.interval):
            try:
                with factory() as session:
                    reconcile(session, self.settings, self.after)
            except Exception:  # the next pass tries again; the reconciler must outlive a database blip
                log.exception("reconciler pass failed")

    def start(self) -> Reconciler:
        if self.interval > 0:
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
