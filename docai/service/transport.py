"""The Celery transport: queue names, broker configuration and apps bound to explicit settings.

The service sends with `publisher(settings)`; `workers.app` builds the worker app from the same configuration.
Settings are read when the app is first configured, never at import time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

from celery import Celery
from kombu import Exchange, Queue

from docai.settings import Settings, get_settings

# Webhooks have a queue of their own: a slow receiver must never hold a slot that rasterizes or extracts.
TASK_QUEUES = {"docai.rasterize": "cpu", "docai.extract": "gpu", "docai.webhook": "webhooks"}
QUEUES = ("cpu", "gpu", "webhooks")


def webhook_time_limit(settings: Settings) -> int:
    """Seconds one webhook delivery may take in all (connect and answer, over every address of the host)."""
    return int(settings.webhook_timeout * 4) + 10


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings for the broker the settings name (Redis, or the embedded filesystem broker)."""
    broker = settings.resolved_broker_url
    transport: dict[str, Any] = {
        # Above the longest job: Redis re-delivers an unacknowledged message only after this long.
        "visibility_timeout": settings.job_timeout * 2,
    }
    if settings.broker_key_prefix:
        transport["global_keyprefix"] = settings.broker_key_prefix
    config: dict[str, Any] = {
        "broker_url": broker,
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,  # the database holds every outcome
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_time_limit": settings.job_timeout,
        # the soft limit leaves time to record a clear timed_out failure before the hard one kills the process
        # (one OCR or engine call in C finishes before the signal is seen: the margin must outlast it)
        "task_soft_time_limit": max(1, settings.job_timeout - min(30, settings.job_timeout // 2)),
        "task_default_queue": "cpu",
        # Each queue its own exchange and key: a gpu message must never reach a cpu-only worker.
        "task_queues": tuple(Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES),
        "task_default_exchange": "cpu",
        "task_default_routing_key": "cpu",
        "task_routes": {name: {"queue": queue} for name, queue in TASK_QUEUES.items()},
        "task_annotations": {
            "docai.webhook": {
                "time_limit": webhook_time_limit(settings),
                "soft_time_limit": webhook_time_limit(settings) - 5,
            }
        },
        "task_publish_retry_policy": {"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 2},
        "worker_send_task_events": False,
        "worker_hijack_root_logger": False,
        "broker_transport_options": transport,
    }
    if broker.startswith("filesystem://"):
        config["broker_url"] = "filesystem://localhost/"  # a host, so kombu does not warn on every connection
        folder = settings.broker_folder
        for name in ("queue", "processed", "control"):
            (folder / name).mkdir(parents=True, exist_ok=True)
        transport.update(
            data_folder_in=str(folder / "queue"),
            data_folder_out=str(folder / "queue"),
            processed_folder=str(folder / "processed"),
            control_folder=str(folder / "control"),
            store_processed=True,  # a rename within the folder: atomic, so two workers never take one message
        )
        config["worker_enable_remote_control"] = False
    return config


class _SettingsConfig(Mapping[str, Any]):
    """Celery configuration built from the process settings on first read (never at import time)."""

    def __init__(self) -> None:
        self._data: dict[str, Any] | None = None

    def _config(self) -> dict[str, Any]:
        if self._data is None:
            self._data = celery_config(get_settings())
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._config()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._config())

    def __len__(self) -> int:
        return len(self._config())


def create_app(settings: Settings | None = None, include: tuple[str, ...] = ()) -> Celery:
    """A Celery app for settings (default: the process settings, read when the app is first configured)."""
    if settings is None:
        celery = Celery("docai", include=list(include))
        celery.config_from_object(_SettingsConfig())
        return celery
    celery = Celery("docai", set_as_current=False)
    celery.conf.update(celery_config(settings))
    return celery


_PUBLISHERS: dict[str, Celery] = {}
_LOCK = threading.Lock()


def publisher(settings: Settings) -> Celery:
    """An app that sends tasks to the broker these settings name (one per broker and process)."""
    key = f"{settings.resolved_broker_url}|{settings.broker_key_prefix}|{settings.broker_folder}|{settings.job_timeout}"
    with _LOCK:
        if key not in _PUBLISHERS:
            _PUBLISHERS[key] = create_app(settings)
        return _PUBLISHERS[key]
