"""The Celery app `workers.app`: queues cpu (rasterize, OCR, webhooks) and gpu (engine batches).

The configuration lives in `docai.service.transport`; this module only builds the worker's app with its tasks.
"""

from __future__ import annotations

from docai.service.transport import TASK_QUEUES, celery_config, create_app, publisher

__all__ = ["TASK_QUEUES", "app", "celery_config", "create_app", "publisher"]

app = create_app(include=("workers.tasks",))
