"""FastAPI dependencies as aliases: settings, a session per request, the blob store, the caller."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from docai.api.errors import Unauthorized
from docai.service.auth import key_identity, key_matches
from docai.settings import Settings
from docai.store.db.session import session_factory
from docai.store.storage import BlobStore


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(settings: SettingsDep) -> Iterator[Session]:
    with session_factory(settings.resolved_database_url)() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_store(request: Request) -> BlobStore:
    return request.app.state.store


StoreDep = Annotated[BlobStore, Depends(get_store)]


@dataclass(frozen=True)
class Caller:
    """Who calls: the key's stable name, or the X-Docai-User the client names."""

    key_name: str
    user: str | None

    @property
    def author(self) -> str:
        return self.user or self.key_name


def get_caller(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_docai_user: Annotated[str | None, Header()] = None,
) -> Caller:
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("Send an API key as 'Authorization: Bearer <key>' (DOCAI_API_KEYS).")
    if not key_matches(key.strip(), request.app.state.api_keys):
        raise Unauthorized("The API key is not valid.")
    user = "".join(c for c in x_docai_user or "" if c.isprintable()).strip()[:255] or None
    return Caller(key_identity(key.strip()), user)


CallerDep = Annotated[Caller, Depends(get_caller)]
