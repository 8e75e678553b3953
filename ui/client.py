"""The UI's one way to the data: a small httpx client for docai's REST API (never the database or the model)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import streamlit as st

TERMINAL = frozenset({"done", "needs_review", "failed", "approved", "rejected"})


class ApiError(Exception):
    """The API answered with an error (or could not be reached); `message` is fit to show a person."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Download:
    """A file the API produced: its body, media type and suggested name."""

    content: bytes
    media_type: str
    filename: str


class ApiClient:
    """Typed calls to /v1; every failure becomes an ApiError with a readable message."""

    def __init__(self, base_url: str, api_key: str | None, *, timeout: float = 30.0):
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=f"{self.base_url}/v1", headers=headers, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------ plumbing

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as err:
            raise ApiError(
                0, "unreachable", f"The docai API at {self.base_url} cannot be reached ({err.__class__.__name__})."
            ) from err
        if response.status_code >= 400:
            raise _error_from(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._request(method, path, **kwargs).json()

    # ------------------------------------------------------------ documents

    def upload(self, filename: str, content: bytes, schema: str = "auto", media_type: str | None = None) -> dict:
        """POST one file; the API answers 202 (or 200 for a duplicate) with the document."""
        files = {"file": (filename, content, media_type or "application/octet-stream")}
        data = {"schema": schema, "source": "ui"}
        return self._json("POST", "/documents", files=files, data=data)

    def documents(
        self,
        *,
        status: str | list[str] | None = None,
        schema: str | None = None,
        q: str | None = None,
        reason: str | None = None,
        sort: str | None = None,
        order: str = "desc",
        limit: int = 50,
        offset: int = 0,
    ) -> dict:
        """GET /documents → {data: [...], count}; newest first unless order='asc' or a `sort` is given."""
        params: dict[str, Any] = {"limit": limit, "offset": offset, "order": order}
        if q:
            params["q"] = q
        if reason:
            params["reason"] = reason
        if sort:
            params["sort"] = sort
        if status:
            params["status"] = status if isinstance(status, str) else ",".join(status)
        if schema:
            params["schema"] = schema
        return self._json("GET", "/documents", params=params)

    def document(self, document_id: str) -> dict:
        return self._json("GET", f"/documents/{document_id}")

    def result(self, document_id: str) -> dict | None:
        """The extraction with corrections applied; None when the document has none (yet)."""
        try:
            return self._json("GET", f"/documents/{document_id}/result")
        except ApiError as err:
            if err.status in (404, 409):
                return None
            raise

    def correct(self, document_id: str, corrections: list[dict[str, Any]], author: str | None = None) -> dict:
        """PATCH the result with [{field, value}]; the API audits each one and answers with the re-validated result."""
        body: dict[str, Any] = {"corrections": corrections}
        if author:
            body["author"] = author
        return self._json("PATCH", f"/documents/{document_id}/result", json=body)

    def approve(
        self, document_id: str, author: str | None = None, *, confirm: bool = False, note: str | None = None
    ) -> dict:
        """Approve; with error-level issues open the API wants confirm=True and a note (else 409)."""
        body = _body(author=author, confirm=confirm or None, note=note)
        return self._json("POST", f"/documents/{document_id}/approve", json=body)

    def reopen(self, document_id: str, author: str | None = None) -> dict:
        """Send an approved or rejected document back to review (audited)."""
        return self._json("POST", f"/documents/{document_id}/reopen", json=_body(author=author))

    def bulk(self, action: str, ids: list[str], author: str | None = None) -> dict:
        """approve / reject / retry many documents: {done, skipped, results: [{id, ok, status, message}]}.

        Approve takes only documents with no open error; the others are skipped with the reason.
        """
        try:
            return self._json("POST", "/documents/bulk", json=_body(action=action, ids=ids, author=author))
        except ApiError as err:
            if err.status not in (404, 405):  # an API without the bulk endpoint: one call per document
                raise
        results = []
        for document_id in ids:
            try:
                if action == "approve" and _open_errors(self.result(document_id)):
                    raise ApiError(409, "conflict", "error-level issues are open")
                call = {"approve": self.approve, "reject": self.reject}.get(action)
                doc = call(document_id, author) if call else self.retry(document_id)
            except ApiError as err:
                results.append({"id": document_id, "ok": False, "status": None, "message": err.message})
            else:
                results.append({"id": document_id, "ok": True, "status": doc.get("status"), "message": None})
        done = sum(1 for r in results if r["ok"])
        return {"action": action, "done": done, "skipped": len(results) - done, "results": results}

    def reject(self, document_id: str, author: str | None = None) -> dict:
        return self._json("POST", f"/documents/{document_id}/reject", json={"author": author} if author else None)

    def retry(self, document_id: str) -> dict:
        return self._json("POST", f"/documents/{document_id}/retry")

    def page_words(self, document_id: str, index: int) -> list[dict]:
        """The words read off one page: [{text, bbox (0..1), confidence, line, block}]."""
        return self._json("GET", f"/documents/{document_id}/pages/{index}/words").get("words", [])

    def page_png(self, document_id: str, index: int) -> bytes:
        """One page image as PNG bytes; `index` is 0-based."""
        return self._request("GET", f"/documents/{document_id}/pages/{index}").content

    def export(self, fmt: str, *, status: str | None = "approved", schema: str | None = None) -> Download:
        """GET /export as CSV or JSON, filtered like the document list."""
        params = {"format": fmt, **({"status": status} if status else {}), **({"schema": schema} if schema else {})}
        response = self._request("GET", "/export", params=params)
        name = _filename(response.headers.get("content-disposition")) or f"docai-export.{fmt}"
        media = response.headers.get("content-type", "application/octet-stream").split(";")[0]
        return Download(response.content, media, name)

    def corrections(self, document_id: str) -> list[dict]:
        """The corrections: [{field, old_value, new_value, author, note, created_at}]."""
        return self._json("GET", f"/documents/{document_id}/corrections")

    def audit(self, document_id: str) -> list[dict]:
        """The whole audit trail, oldest first: corrections and decisions (approve, reject, reopen, with notes)."""
        return self._json("GET", f"/documents/{document_id}/audit")

    def engine(self) -> dict:
        """The running engine: {engine, reason, supports: [kinds], unsupported: {kind: sentence}}."""
        return self._json("GET", "/engine")

    def next_to_review(self, exclude: str | None = None) -> dict | None:
        """The oldest document waiting for review, other than `exclude`."""
        listing = self.documents(status="needs_review", order="asc", limit=2)
        candidates = [d for d in listing.get("data", []) if d.get("id") != exclude]
        return candidates[0] if candidates else None


def _open_errors(result: dict | None) -> int:
    return sum(1 for i in (result or {}).get("issues") or [] if i.get("severity") == "error")


def _body(**values: Any) -> dict[str, Any] | None:
    """A JSON body of the values that are set; None when none is."""
    body = {k: v for k, v in values.items() if v is not None}
    return body or None


def _error_from(response: httpx.Response) -> ApiError:
    """The API's error body ({detail: ...} or {error: {code, message}}) as an ApiError."""
    code, message = f"http_{response.status_code}", response.reason_phrase or "request failed"
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        err = body.get("error")
        detail = body.get("detail")
        if isinstance(err, dict):
            code, message = str(err.get("code") or code), str(err.get("message") or message)
        elif isinstance(detail, dict):
            code, message = str(detail.get("code") or code), str(detail.get("message") or message)
        elif isinstance(detail, str):
            message = detail
        elif isinstance(detail, list) and detail:  # FastAPI's validation errors
            message = "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)
        elif isinstance(body.get("message"), str):
            message = body["message"]
    if response.status_code == 401:
        message = f"{message} (set DOCAI_UI_API_KEY or DOCAI_API_KEYS to a key the API accepts)"
    return ApiError(response.status_code, code, message)


def _filename(disposition: str | None) -> str | None:
    if not disposition or "filename=" not in disposition:
        return None
    return disposition.split("filename=", 1)[1].split(";")[0].strip().strip('"') or None


def client_from_settings() -> ApiClient:
    """A client for DOCAI_API_URL with DOCAI_UI_API_KEY, else the first DOCAI_API_KEYS, else the local key file."""
    from docai.service.auth import client_api_key
    from docai.settings import get_settings

    settings = get_settings()
    return _cached_client(settings.api_url, client_api_key(settings))


@st.cache_resource(show_spinner=False)
def _cached_client(url: str, key: str | None) -> ApiClient:
    """One client (one connection pool) per API address and key, shared by every session."""
    return ApiClient(url, key)
