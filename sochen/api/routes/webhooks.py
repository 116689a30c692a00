"""Webhooks: WhatsApp (Meta) and n8n. Authenticated by their signatures, not by API keys.

Each POST: the tenant's connector → content type → raw body (size-limited before it is read) →
:func:`sochen.api.inbound.receive` (verify, parse, store once, committed) → queue → 200 (embedded
SQLite stores into the inbound journal instead, :mod:`sochen.api.journal`). A queue
that talks to a broker (``after_response``) is given the ids right after the answer is sent; a lost
message only delays the event (the sweeper resends pending rows). Rejections are JSON 4xx and store
nothing.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from ...connectors.base import Connector
from ...connectors.errors import WebhookRejected
from ...connectors.types import WebhookRequest
from ..errors import ERROR_RESPONSES, ApiError
from ..inbound import StoreResult, parse_delivery, receive
from ..state import ApiState, get_state

__all__ = ["router"]

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

_MAX_CHALLENGE = 256


class WebhookAck(BaseModel):
    """The acknowledgement of a delivery."""

    ok: bool = Field(description="Stored (or already stored): the sender may stop retrying.")
    received: int = Field(description="Items in the delivery.")
    new: int = Field(description="Items stored now.")
    duplicates: int = Field(description="Items already stored by an earlier delivery (dropped).")
    rejected: int = Field(
        default=0,
        description="Items that could not be read: stored as rejected with the reason, not processed "
        "(the delivery's other items are).",
    )


async def _connector(state: ApiState, tenant: str, name: str) -> Connector[Any]:
    # A cached answer costs nothing; a miss reads the database, in a worker thread.
    cached = state.connectors.peek(tenant, name)
    if cached is not None:
        return cached
    return await run_in_threadpool(state.connectors.get, tenant, name)


def _require_json(request: Request) -> None:
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/json":
        raise ApiError(
            415,
            "unsupported_media_type",
            "סוג התוכן חייב להיות application/json",
            f"Content-Type must be application/json, not {kind[:60] or 'missing'!r}",
        )


async def _deliver(request: Request, state: ApiState, tenant: str, channel: str) -> JSONResponse:
    started = time.perf_counter()
    status = 500
    try:
        connector = await _connector(state, tenant, channel)
        _require_json(request)
        try:
            body = await request.body()
        except ClientDisconnect:  # the sender gave up mid-body: nothing was read, nothing is stored
            raise ApiError(400, "client_disconnected", "השולח התנתק", "the client disconnected") from None
        webhook = WebhookRequest(
            method="POST",
            body=body,
            headers=dict(request.headers),
            query=dict(request.query_params),
            path=request.url.path,
        )
        if state.journal is not None and state.journal.journal.synchronous == "normal":
            # Verify, parse and journal: under a millisecond of CPU that never waits on another writer
            # nor on the disk (sochen.api.journal), so it runs right here; two thread hops cost more.
            result = _store(state, connector, tenant, channel, webhook)
        else:
            result = await run_in_threadpool(_store, state, connector, tenant, channel, webhook)
        status = 200
        ack = WebhookAck(
            ok=True, received=result.total, new=result.new, duplicates=result.duplicates, rejected=result.rejected
        )
        new = len(result.new_ids)  # journaled items reach the queue from the journal's importer
        background = None
        if new and getattr(state.queue, "after_response", False):
            # The rows are committed: a queue that talks to a broker is told after the answer is sent.
            background = BackgroundTask(state.queue.enqueue, result.new_ids)
        elif new:
            state.queue.enqueue(result.new_ids)
        return JSONResponse(ack.model_dump(), background=background)
    except ApiError as exc:
        status = exc.status
        raise
    finally:
        state.metrics.webhook_requests.labels(channel, str(status)).inc()
        state.metrics.webhook_latency.labels(channel).observe(time.perf_counter() - started)


def _store(
    state: ApiState, connector: Connector[Any], tenant: str, channel: str, webhook: WebhookRequest
) -> StoreResult:
    if state.journal is not None:
        events = parse_delivery(connector, webhook)
        result = state.journal.journal.store(tenant=tenant, channel=channel, body=webhook.body, events=events)
    else:
        result = receive(state.settings.database_url, connector, tenant=tenant, channel=channel, request=webhook)
    for kind, n in result.kinds.items():
        state.metrics.messages.labels(tenant, channel, kind).inc(n)
    if result.duplicates:
        state.metrics.duplicates.labels(tenant, channel).inc(result.duplicates)
    return result


@router.get(
    "/whatsapp/{tenant}",
    response_class=PlainTextResponse,
    summary="אימות כתובת ה-webhook של WhatsApp / WhatsApp webhook verification",
    description="Meta שולחת GET עם hub.mode, hub.verify_token ו-hub.challenge; התשובה היא ה-challenge כטקסט "
    "כאשר הטוקן תואם לחיבור whatsapp של הדייר. / Meta's verification GET: answers the raw hub.challenge "
    "as text/plain when hub.mode is 'subscribe' and hub.verify_token matches the tenant's verify token; else 403.",
    responses={200: {"content": {"text/plain": {}}}, **ERROR_RESPONSES(400, 403, 404, 409)},
)
async def whatsapp_handshake(tenant: str, request: Request, state: ApiState = Depends(get_state)) -> PlainTextResponse:
    """Meta's GET verification handshake."""
    connector = await _connector(state, tenant, "whatsapp")
    query = dict(request.query_params)
    try:
        challenge = connector.handshake(WebhookRequest(method="GET", query=query, path=request.url.path))
    except WebhookRejected as exc:
        he = "אימות ה-webhook נכשל" if exc.status != 400 else "חסר hub.challenge"
        raise ApiError(
            exc.status if exc.status in (400, 401, 403) else 403, exc.code or "handshake", he, exc.message
        ) from None
    if len(challenge) > _MAX_CHALLENGE:
        raise ApiError(400, "handshake_challenge", "hub.challenge ארוך מדי", "hub.challenge is too long")
    return PlainTextResponse(challenge, headers={"X-Content-Type-Options": "nosniff"})


@router.post(
    "/whatsapp/{tenant}",
    response_model=WebhookAck,
    summary="קבלת הודעות וסטטוסים מ-WhatsApp / WhatsApp deliveries",
    description="החתימה X-Hub-Signature-256 נבדקת על הבתים הגולמיים; כל הודעה וסטטוס נשמרים פעם אחת לפני "
    "התשובה 200, ומשלוח חוזר נענה 200 בלי לשמור דבר. / X-Hub-Signature-256 is verified over the raw "
    "bytes with the tenant's app secret; each message and status is stored once (deduplicated on the "
    "message id, or status id + status) before the 200; a redelivery is acknowledged and dropped.",
    responses=ERROR_RESPONSES(400, 401, 403, 404, 409, 413, 415),
)
async def whatsapp_webhook(tenant: str, request: Request, state: ApiState = Depends(get_state)) -> JSONResponse:
    """A delivery from Meta."""
    return await _deliver(request, state, tenant, "whatsapp")


@router.post(
    "/n8n/{tenant}",
    response_model=WebhookAck,
    summary="קריאה נכנסת מ-n8n / a call from n8n",
    description="גוף JSON חתום (sha256=HMAC בכותרת החתימה של חיבור n8n); מזהה האירוע מהכותרת "
    "X-Sochen-Event-Id, משדה event_id בגוף, או גיבוב הגוף. / A signed JSON body (the n8n connector's "
    "signature header, sha256=<hex HMAC>); the event id comes from X-Sochen-Event-Id, the body's "
    "event_id, or a hash of the body; stored once, then queued.",
    responses=ERROR_RESPONSES(400, 401, 403, 404, 409, 413, 415),
)
async def n8n_webhook(tenant: str, request: Request, state: ApiState = Depends(get_state)) -> JSONResponse:
    """A call from an n8n workflow."""
    return await _deliver(request, state, tenant, "n8n")


@router.post(
    "/{channel}/{tenant}",
    response_model=WebhookAck,
    summary="משלוח מחיבור אחר / a delivery to any connector that receives webhooks",
    description="כל חיבור (גם תוסף) שיודע לקבל webhook: החתימה נבדקת על הבתים הגולמיים, כל פריט נשמר פעם "
    "אחת לפני התשובה. / Any installed connector with the receive-webhook capability (third-party channels "
    "too): its own signature check over the raw bytes, each item stored once before the 200.",
    responses=ERROR_RESPONSES(400, 401, 403, 404, 409, 413, 415),
)
async def connector_webhook(
    channel: str, tenant: str, request: Request, state: ApiState = Depends(get_state)
) -> JSONResponse:
    """A delivery to a connector named in the path (a plugin channel needs no route of its own)."""
    return await _deliver(request, state, tenant, channel)
