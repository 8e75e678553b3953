"""/v1/engine: which engine this deployment runs and which kinds of document it can read."""

from __future__ import annotations

from fastapi import APIRouter, Request

from docai.api.deps import CallerDep, SettingsDep
from docai.api.models import EngineRead
from docai.api.routes.documents import ERRORS
from docai.stages.engines import capabilities

router = APIRouter(tags=["engine"])


@router.get("/engine", response_model=EngineRead, responses=ERRORS)
def engine(request: Request, settings: SettingsDep, _caller: CallerDep) -> EngineRead:
    """The engine DOCAI_ENGINE resolves to, why, the kinds it reads, and a sentence for each kind it cannot
    (for a UI to grey those out)."""
    cached = getattr(request.app.state, "engine_capabilities", None)
    if cached is None:  # weights do not appear while the API runs: work it out once
        cached = request.app.state.engine_capabilities = EngineRead.model_validate(capabilities(settings))
    return cached
