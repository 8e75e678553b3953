"""The REST API (FastAPI) under /v1; `create_app()` builds it."""

from docai.api.app import create_app

__all__ = ["create_app"]
