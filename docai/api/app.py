"""The FastAPI app factory: routers under /v1, errors in one place, limits, health and metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from docai import __version__
from docai.api import errors
from docai.api.deps import get_caller
from docai.api.errors import error_response
from docai.api.models import Health
from docai.api.routes import documents, engine, export, pages, review
from docai.service.auth import api_keys
from docai.settings import Settings, get_settings
from docai.store.db.models import Document, Job
from docai.store.storage import store_from_settings

log = logging.getLogger(__name__)
MULTIPART_SLACK = 64 * 1024  # form fields and boundaries around the file
MAX_JSON_BYTES = 1024 * 1024  # a PATCH of corrections or a review decision; each text is capped at 10 kB anyway


class UploadLimit:
    """Refuses a body over the limit before it is read: by Content-Length, or as soon as the stream passes it."""

    def __init__(self, app: ASGIApp, limit: int, json_limit: int = MAX_JSON_BYTES):
        self.app, self.file_limit, self.json_limit = app, limit, json_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if headers.get(b"content-type", b"").lower().startswith(b"multipart/"):
            limit = self.file_limit
            message = f"The upload is over the {(limit - MULTIPART_SLACK) / 1e6:.0f} MB limit (DOCAI_MAX_FILE_BYTES)."
        else:  # corrections and review decisions: small JSON, never a file
            limit = self.json_limit
            message = (
                f"The request body is over the {limit / 1e6:g} MB a JSON request may have; send fewer changes at once."
            )
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await error_response(413, "too_large", message, {"Connection": "close"})(scope, receive, send)
            return
        seen, refused = 0, False

        async def counted() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    # Answer now; the app then sees a disconnect and stops reading.
                    refused = True
                    await error_response(413, "too_large", message, {"Connection": "close"})(scope, receive, send)
                    return {"type": "http.disconnect"}
            return msg

        async def guarded(msg: Message) -> None:
            if not refused:
                await send(msg)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not refused:
                raise


class _DatabaseCollector:
    """Documents and jobs by status, read from the database at scrape time."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def collect(self) -> Any:
        from docai.store.db.session import session_factory

        documents = GaugeMetricFamily("docai_documents", "Documents by status.", labels=["status"])
        jobs = GaugeMetricFamily("docai_jobs", "Jobs by stage and status.", labels=["stage", "status"])
        try:
            with session_factory(self.settings.resolved_database_url)() as session:
                for status, n in session.execute(select(Document.status, func.count()).group_by(Document.status)):
                    documents.add_metric([status], n)
                for stage, status, n in session.execute(
                    select(Job.stage, Job.status, func.count()).group_by(Job.stage, Job.status)
                ):
                    jobs.add_metric([stage, status], n)
        except Exception:  # a scrape must not fail because the database blinked
            log.warning("metrics: database unavailable", exc_info=True)
        yield documents
        yield jobs


def _broker_ok(settings: Settings) -> bool:
    """The broker takes connections (uploads still succeed without it: the reconciler re-sends later)."""
    from docai.service.transport import publisher

    try:
        with publisher(settings).connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
        return True
    except Exception:
        return False


def _backfill(settings: Settings) -> None:
    """Documents extracted before the review queue's columns existed get them (once; a no-op afterwards)."""
    from docai.stages.review import backfill
    from docai.store.db.session import session_factory

    with session_factory(settings.resolved_database_url)() as session:
        count = backfill(session, settings.review_threshold)
    if count:
        log.info("review columns and search text filled in for %d earlier documents", count)


def create_app(settings: Settings | None = None, *, reconcile: bool | None = None) -> FastAPI:
    """The API for settings (default: the process settings); reconcile runs the reconciler thread."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from docai.service.reconcile import Reconciler
        from docai.store.db.migrate import ensure_database

        ensure_database(settings.resolved_database_url)
        _backfill(settings)
        reconciler = Reconciler(settings).start() if (reconcile if reconcile is not None else True) else None
        yield
        if reconciler:
            reconciler.stop()

    app = FastAPI(
        title="docai",
        version=__version__,
        description="Turn PDFs, receipts and screenshots into reviewed, structured data. "
        "Send `Authorization: Bearer <key>` on every /v1 call.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store_from_settings(settings)
    app.state.api_keys = api_keys(settings)
    errors.install(app)

    registry = CollectorRegistry()
    requests = Counter("docai_http_requests", "HTTP requests.", ["method", "route", "status"], registry=registry)
    latency = Histogram("docai_http_request_seconds", "HTTP request latency.", ["method", "route"], registry=registry)
    registry.register(_DatabaseCollector(settings))

    @app.middleware("http")
    async def _measure(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        requests.labels(request.method, route, str(response.status_code)).inc()
        latency.labels(request.method, route).observe(time.perf_counter() - started)
        return response

    app.add_middleware(UploadLimit, limit=settings.max_file_bytes + MULTIPART_SLACK)

    v1 = APIRouter(prefix="/v1")
    v1.include_router(documents.router)
    v1.include_router(review.router)
    v1.include_router(export.router)
    v1.include_router(engine.router)
    v1.include_router(pages.router)
    app.include_router(v1)

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz(response: Response) -> Health:
        """Liveness and readiness: the database answers (the broker is reported, not required)."""
        from docai.store.db.session import session_factory

        try:
            with session_factory(settings.resolved_database_url)() as session:
                session.execute(text("SELECT 1"))
            database = True
        except Exception:
            database = False
        if not database:
            response.status_code = 503
        broker = _broker_ok(settings)
        status = "ok" if database and broker else "degraded"
        return Health(status=status, database=database, broker=broker, version=__version__)

    @app.get("/metrics", tags=["health"], response_class=Response)
    def metrics(request: Request, authorization: Annotated[str | None, Header()] = None) -> Response:
        """Prometheus metrics: request counts and latency, documents and jobs by status.

        They tell how busy the service is and how documents fare, so an API key is asked for unless
        DOCAI_METRICS_PUBLIC is set (for a scraper on a network that is already private).
        """
        if not settings.metrics_public:
            get_caller(request, authorization)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app
