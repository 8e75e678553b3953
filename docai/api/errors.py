"""Every domain error becomes an HTTP answer here, and only here: {"error": {"code", "message"}}."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from docai.errors import DocaiError, ErrorCode
from docai.stages.corrections import InvalidCorrection
from docai.store.storage import BlobNotFound

log = logging.getLogger(__name__)

STATUS_OF_CODE = {
    ErrorCode.EMPTY_FILE: 400,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.TOO_MANY_PAGES: 413,
    ErrorCode.IMAGE_TOO_LARGE: 413,
    ErrorCode.RESOURCE_LIMIT: 413,
    ErrorCode.UNSUPPORTED_TYPE: 415,
    ErrorCode.MISLABELED: 415,
    ErrorCode.SCHEMA_UNSUPPORTED: 422,
    ErrorCode.CORRUPT: 422,
    ErrorCode.ENCRYPTED: 422,
    ErrorCode.ENGINE_UNAVAILABLE: 503,
}


class ApiError(Exception):
    """An error the API answers with a status, a code and a sentence."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class InvalidInput(ApiError):
    status, code = 422, "invalid_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class PayloadTooLarge(ApiError):
    status, code = 413, str(ErrorCode.TOO_LARGE)


class Unavailable(ApiError):
    """The server cannot do it right now (the database is busy or down, the blob store is full); try again."""

    status, code = 503, "unavailable"
    retry_after = 5


_UNAVAILABLE_WORDS = (
    "locked",
    "busy",
    "timeout",
    "timed out",
    "connect",
    "connection",
    "server closed",
    "shutting down",
)


def database_unavailable(err: OperationalError) -> bool:
    """The database is locked, busy or out of reach for now (worth a retry), rather than misconfigured."""
    text = str(err.orig).lower()
    return bool(err.connection_invalidated) or any(word in text for word in _UNAVAILABLE_WORDS)


def _unavailable_headers() -> dict[str, str]:
    return {"Retry-After": str(Unavailable.retry_after)}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers on app."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, err: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if err.status == 401 else None
        if err.status == 503:
            headers = _unavailable_headers()
        return error_response(err.status, err.code, err.message, headers)

    @app.exception_handler(OperationalError)
    async def _database(_: Request, err: OperationalError) -> JSONResponse:
        if not database_unavailable(err):  # e.g. a missing table: a fault of the server, not a moment's wait
            log.error("database error", exc_info=err)
            return error_response(500, str(ErrorCode.INTERNAL), "Something went wrong on the server; it was logged.")
        log.error("database unavailable: %s", err.orig)
        message = "The database is busy or unreachable; try again in a few seconds."
        return error_response(503, Unavailable.code, message, _unavailable_headers())

    @app.exception_handler(DocaiError)
    async def _domain(_: Request, err: DocaiError) -> JSONResponse:
        return error_response(STATUS_OF_CODE.get(err.code, 500), str(err.code), err.message)

    @app.exception_handler(InvalidCorrection)
    async def _correction(_: Request, err: InvalidCorrection) -> JSONResponse:
        return error_response(422, "invalid_value", str(err))

    @app.exception_handler(BlobNotFound)
    async def _blob(_: Request, err: BlobNotFound) -> JSONResponse:
        log.error("blob %s is missing from the store", err)
        return error_response(404, "not_found", "The stored file is missing from the blob store.")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, err: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()[:5])
        return error_response(422, "invalid_request", problems or "The request is not valid.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, err: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: str(ErrorCode.TOO_LARGE)}.get(
            err.status_code, "http_error"
        )
        return error_response(err.status_code, code, str(err.detail), getattr(err, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, err: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(500, str(ErrorCode.INTERNAL), "Something went wrong on the server; it was logged.")
