"""Operations: liveness, readiness and Prometheus metrics (no API key: put them behind the proxy)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from ..health import readiness
from ..state import ApiState, get_state

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="התהליך חי / the process is alive")
def healthz() -> dict[str, Any]:
    """Always 200 while the process answers."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="מוכנות / readiness",
    description="מסד הנתונים זמין ומעודכן, המתווך זמין (כשמשתמשים ב-Celery), אינדקס הווקטורים נפתח. / "
    "The database is reachable and migrated, the broker is reachable when Celery is used, and the "
    "vector index opens. 200 when all pass, else 503; each check is reported.",
    responses={503: {"description": "לא מוכן / not ready"}},
)
async def readyz(state: ApiState = Depends(get_state)) -> JSONResponse:
    """Per-check readiness."""
    ok, checks = await run_in_threadpool(readiness, state)
    return JSONResponse({"status": "ready" if ok else "not_ready", "checks": checks}, status_code=200 if ok else 503)


@router.get(
    "/metrics",
    summary="מדדי Prometheus / Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
async def metrics(state: ApiState = Depends(get_state)) -> Response:
    """The text exposition format."""
    payload = await run_in_threadpool(generate_latest, state.metrics.registry)
    return Response(payload, media_type=CONTENT_TYPE_LATEST)
