"""Send job messages after their rows are committed; a lost message is found again by the reconciler."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy.orm import Session

from docai.service.jobs import EXTRACT, RASTERIZE, new_job
from docai.settings import Settings
from docai.store.db.models import Document, Job

log = logging.getLogger(__name__)

TASKS = {RASTERIZE: "docai.rasterize", EXTRACT: "docai.extract"}


def publish(settings: Settings, jobs: Iterable[Job]) -> int:
    """One message per committed job; returns how many the broker took (the rest wait for the reconciler)."""
    from docai.service.transport import TASK_QUEUES, publisher

    app = publisher(settings)
    sent = 0
    for job in jobs:
        name = TASKS[job.stage]
        try:
            app.send_task(name, args=[job.id], task_id=job.task_id, queue=TASK_QUEUES[name], retry=True)
            sent += 1
        except Exception as err:  # the row is committed: the reconciler re-sends it once the broker is back
            log.warning("could not queue %s job %s (%s); the reconciler will re-send it", job.stage, job.id, err)
    return sent


def queue_depth(settings: Settings, stage: str) -> int | None:
    """Messages waiting in the stage's broker queue; None when the broker cannot say."""
    from docai.service.transport import TASK_QUEUES, publisher

    try:
        with publisher(settings).connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            declared = conn.default_channel.queue_declare(queue=TASK_QUEUES[TASKS[stage]], passive=True)
            return int(declared.message_count)
    except Exception:
        return None


def submit(session: Session, settings: Settings, document: Document, stage: str = RASTERIZE) -> Job:
    """Queue a stage for a document: commit the job row, then send its message."""
    job = new_job(session, document.id, stage)
    session.commit()
    publish(settings, [job])
    return job


def publish_webhooks(settings: Settings, session: Session, document_ids: Iterable[str]) -> None:
    """Queue the completion webhook of each document that asked for one."""
    from docai.service.transport import TASK_QUEUES, publisher

    app = publisher(settings)
    wanted = [i for i in document_ids if (d := session.get(Document, i)) is not None and d.webhook_url]
    session.commit()  # read; the broker is called with no transaction open
    for document_id in wanted:
        try:
            app.send_task("docai.webhook", args=[document_id], queue=TASK_QUEUES["docai.webhook"], retry=True)
        except Exception as err:
            log.warning("could not queue the webhook of %s: %s", document_id, err)
