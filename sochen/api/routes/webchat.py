"""The web chat channel's HTTP surface: the widget script, visitor sessions, messages in, a stream out.

The visitor's message takes the webhooks' durable path (:func:`sochen.api.inbound.receive` with the
``webchat`` connector): verified (origin + signed visitor token), parsed, stored as an inbound item and
its outbox job — and added to the visitor's stream — in one transaction before the widget hears
"received"; then the inbound queue is woken. Replies reach the visitor through the connector's
``send_message`` (run by the dispatcher), which stores them for :func:`stream`.

Every request but the script is checked against the tenant's ``allowed_origins`` (CORS answers only
those; no cookies, the token travels in ``Authorization``) and counted per IP address; messages also
per visitor. Errors are the API's JSON shape, Hebrew first, and never carry exception text.

Why SSE (over ``fetch``) and POST rather than a WebSocket: the visitor's message needs an HTTP answer
that means "stored" (the same acknowledgement as a webhook), and the reverse direction is a one-way
push that resumes from ``Last-Event-ID``; both are plain HTTP, so the body limit, CORS, rate limits and
any proxy in front apply unchanged, and no extra server dependency is needed. ``fetch`` streaming
(not ``EventSource``) lets the token travel in a header rather than in the URL, where logs keep it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from ...connectors.base import Connector
from ...connectors.errors import WebhookRejected
from ...connectors.types import WebhookRequest
from ...connectors.webchat.connector import WAKEUPS, WebchatConnector
from ..errors import ERROR_RESPONSES, ApiError
from ..inbound import receive
from ..ratelimit import RateLimiter
from ..state import ApiState, get_state

__all__ = ["MAX_BODY_BYTES", "router"]

router = APIRouter(prefix="/webchat", tags=["webchat"])

CHANNEL = "webchat"
MAX_BODY_BYTES = 32 * 1024
"""Largest body a widget request may have (a message is at most 4,096 characters)."""
_MAX_STREAM_S = 300
_TOUCH_EVERY_S = 30.0


class SessionRequest(BaseModel):
    """What the widget sends when it loads."""

    token: str | None = Field(default=None, max_length=400, description="The token kept from an earlier visit.")


def _limiter(request: Request) -> RateLimiter:
    limiter = getattr(request.app.state, "webchat_limiter", None)
    if limiter is None:
        limiter = request.app.state.webchat_limiter = RateLimiter()
    return limiter


async def _channel(state: ApiState, tenant: str) -> Any:
    cached = state.connectors.peek(tenant, CHANNEL)
    connector: Connector[Any] = (
        cached if cached is not None else await run_in_threadpool(state.connectors.get, tenant, CHANNEL)
    )
    if not isinstance(connector, WebchatConnector):  # a plugin took the name: not this web chat
        raise ApiError(404, "not_found", "לא נמצא", "no web chat for this tenant")
    if not connector.secret_ok:
        raise ApiError(
            409,
            "connector_misconfigured",
            "הצ'אט של העסק אינו מוגדר כראוי",
            "the tenant's connectors.webchat.token_secret is shorter than 32 characters",
        )
    return connector


def _cors(origin: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Headers": "Authorization, Content-Type, Last-Event-ID",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }


def _with(headers: dict[str, str], exc: ApiError) -> ApiError:
    return ApiError(exc.status, exc.code, exc.he, exc.en, headers={**(exc.headers or {}), **headers})


async def _guard(request: Request, state: ApiState, tenant: str) -> tuple[Any, dict[str, str]]:
    """The tenant's web chat, the CORS headers for this origin; 403 for any other origin, 429 past the IP limit."""
    origin = request.headers.get("origin", "")
    try:
        connector = await _channel(state, tenant)
    except ApiError as exc:
        if exc.code == "connector_not_configured":  # the tenant has no web chat: only "not found" to a browser
            raise ApiError(404, "not_found", "לא נמצא צ'אט לעסק הזה", "no web chat for this tenant") from None
        raise
    if not connector.allows_origin(origin):
        raise ApiError(
            403,
            "origin_not_allowed",
            "האתר הזה אינו מורשה להשתמש בצ'אט של העסק",
            "this site's origin is not allowed for the tenant's web chat (connectors.webchat.allowed_origins)",
            headers={"Vary": "Origin"},
        )
    headers = _cors(origin)
    ip = request.client.host if request.client else "unknown"
    wait = _limiter(request).hit(f"ip\x1f{tenant}\x1f{ip}", connector.config.ip_per_min)
    if wait:
        raise _too_many(wait, headers)
    return connector, headers


def _too_many(wait: float, headers: dict[str, str]) -> ApiError:
    return ApiError(
        429,
        "rate_limited",
        f"יותר מדי הודעות; נסו שוב בעוד {int(wait)} שניות",
        f"too many requests; try again in {int(wait)} s",
        headers={**headers, "Retry-After": str(int(wait))},
    )


def _visitor(connector: Any, request: Request, headers: dict[str, str]) -> str:
    from ...connectors.webchat import TokenError

    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    try:
        if scheme.lower() != "bearer":
            raise TokenError("visitor token missing")
        return str(connector.visitor_of(token.strip()))
    except TokenError:
        raise ApiError(
            401,
            "token_invalid",
            "השיחה פגה או אינה תקינה; טענו את הדף מחדש",
            "the visitor token is missing, altered, expired or of another tenant; open a new session",
            headers=headers,
        ) from None


@router.get(
    "/{tenant}/widget.js",
    summary="סקריפט הצ'אט להטמעה באתר / the web chat widget script",
    description='<script src=".../webchat/{tenant}/widget.js" defer></script> באתר של העסק. / Paste into the '
    "business's site; it draws the chat in a shadow DOM and talks to this server.",
    responses={200: {"content": {"application/javascript": {}}}, **ERROR_RESPONSES(404)},
)
async def widget(tenant: str, request: Request, state: ApiState = Depends(get_state)) -> Response:
    """The widget, configured for this tenant and this server."""
    try:
        connector = await _channel(state, tenant)
    except ApiError:
        raise ApiError(404, "not_found", "לא נמצא צ'אט לעסק הזה", "no web chat for this tenant") from None
    settings = {
        "api": (state.api.public_url or str(request.base_url)).rstrip("/") + f"/webchat/{tenant}",
        "tenant": tenant,
        "title": connector.config.title,
        "greeting": connector.config.greeting,
        "maxChars": connector.config.max_message_chars,
    }
    script = resources.files("sochen.connectors.webchat").joinpath("static/widget.js").read_text(encoding="utf-8")
    config = json.dumps(settings, ensure_ascii=False).replace("<", "\\u003c")
    body = f"/* Sochen web chat — סוכן */\n(function(SOCHEN_WEBCHAT){{\n{script}\n}})({config});\n"
    return Response(
        body,
        media_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


@router.options("/{tenant}/{path:path}", include_in_schema=False)
async def preflight(tenant: str, path: str, request: Request, state: ApiState = Depends(get_state)) -> Response:
    """CORS preflight: only the tenant's allowed origins get the CORS headers."""
    _, headers = await _guard(request, state, tenant)
    return Response(status_code=204, headers=headers)


@router.post(
    "/{tenant}/session",
    summary="פתיחת שיחה או חידושה / open or resume a visitor's session",
    description="מחזיר טוקן חתום חדש והיסטוריית השיחה (טוקן תקף מחדש את אותו מבקר). / A fresh signed token and "
    "the history; a valid token resumes the same visitor, anything else starts a new anonymous one.",
    responses=ERROR_RESPONSES(400, 403, 404, 413, 415, 422, 429),
)
async def session(
    tenant: str, body: SessionRequest, request: Request, state: ApiState = Depends(get_state)
) -> JSONResponse:
    """Open or resume a session."""
    connector, headers = await _guard(request, state, tenant)
    opened = await run_in_threadpool(connector.open_session, body.token)
    return JSONResponse(
        {
            "token": opened.token,
            "resumed": opened.resumed,
            "messages": [m.as_json() for m in opened.messages],
        },
        headers={**headers, "Cache-Control": "no-store"},
    )


@router.post(
    "/{tenant}/messages",
    summary="הודעה של מבקר / a visitor's message",
    description="נשמרת כפריט נכנס ומשימה לפני התשובה 200, כמו webhook. / Stored as an inbound item and its job "
    "before the 200, like a webhook; the same client id again is acknowledged and dropped.",
    responses=ERROR_RESPONSES(400, 401, 403, 404, 413, 415, 429),
)
async def message(tenant: str, request: Request, state: ApiState = Depends(get_state)) -> JSONResponse:
    """A visitor's message: acknowledged only once stored."""
    started, status = time.perf_counter(), 500
    try:
        connector, headers = await _guard(request, state, tenant)
        try:
            visitor = _visitor(connector, request, headers)
            wait = _limiter(request).hit(f"visitor\x1f{tenant}\x1f{visitor}", connector.config.visitor_per_min)
            if wait:
                raise _too_many(wait, headers)
            kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if kind != "application/json":
                raise ApiError(
                    415,
                    "unsupported_media_type",
                    "סוג התוכן חייב להיות application/json",
                    "Content-Type must be application/json",
                )
            try:
                raw = await request.body()
            except ClientDisconnect:
                raise ApiError(400, "client_disconnected", "השולח התנתק", "the client disconnected") from None
            _check_text(raw, connector.config.max_message_chars)
            webhook = WebhookRequest(
                method="POST", body=raw, headers=dict(request.headers), query={}, path=request.url.path
            )
            result = await run_in_threadpool(_store, state, connector, tenant, webhook)
        except ApiError as exc:
            raise _with(headers, exc) from None
        status = 200
        if result.new_ids:
            state.queue.enqueue(result.new_ids)
            WAKEUPS.wake(visitor)  # the visitor's other tabs show it too
        return JSONResponse(
            {"ok": True, "new": len(result.new_ids), "duplicates": result.duplicates},
            headers={**headers, "Cache-Control": "no-store"},
        )
    except ApiError as exc:
        status = exc.status
        raise
    finally:
        state.metrics.webhook_requests.labels(CHANNEL, str(status)).inc()
        state.metrics.webhook_latency.labels(CHANNEL).observe(time.perf_counter() - started)


def _check_text(raw: bytes, limit: int) -> None:
    """Clear Hebrew-first answers for what a visitor can get wrong (the connector checks the rest)."""
    try:
        body = json.loads(raw.decode("utf-8")) if raw.count(b"{") + raw.count(b"[") < 64 else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        return  # the connector's parser answers "unreadable" without echoing why
    if isinstance(body, dict) and isinstance(body.get("text"), str):
        text = body["text"].strip()
        if not text:
            raise ApiError(400, "empty_message", "ההודעה ריקה", "the message is empty")
        if len(text) > limit:
            raise ApiError(
                400,
                "message_too_long",
                f"ההודעה ארוכה מ-{limit:,} תווים",
                f"the message is longer than {limit:,} characters",
            )


def _store(state: ApiState, connector: Any, tenant: str, webhook: WebhookRequest) -> Any:
    try:
        result = receive(
            state.settings.database_url,
            connector,
            tenant=tenant,
            channel=CHANNEL,
            request=webhook,
            also=connector.store_inbound,
        )
    except WebhookRejected:  # the visitor was erased between the check and the write
        raise ApiError(
            401, "token_invalid", "השיחה אינה קיימת עוד; טענו את הדף מחדש", "the session no longer exists"
        ) from None
    for kind, n in result.kinds.items():
        state.metrics.messages.labels(tenant, CHANNEL, kind).inc(n)
    if result.duplicates:
        state.metrics.duplicates.labels(tenant, CHANNEL).inc(result.duplicates)
    return result


@router.get(
    "/{tenant}/stream",
    summary="זרם ההודעות למבקר / the visitor's message stream (SSE)",
    description="text/event-stream: כל הודעה של המבקר מ-seq שאחרי Last-Event-ID (או after), פעם אחת. / Every message "
    "of the visitor after Last-Event-ID (or `after`), once each; the stream ends after `wait` seconds and the widget "
    "reconnects from the last id.",
    responses={200: {"content": {"text/event-stream": {}}}, **ERROR_RESPONSES(401, 403, 404, 429)},
)
async def stream(
    tenant: str,
    request: Request,
    after: int = Query(default=0, ge=0, le=2**31, description="Send messages with a larger seq."),
    wait: int = Query(default=_MAX_STREAM_S, ge=1, le=_MAX_STREAM_S, description="Seconds before the stream ends."),
    state: ApiState = Depends(get_state),
) -> StreamingResponse:
    """Server-sent events: the visitor's messages, as they are stored."""
    connector, headers = await _guard(request, state, tenant)
    try:
        visitor = _visitor(connector, request, headers)
    except ApiError as exc:
        raise _with(headers, exc) from None
    last = request.headers.get("last-event-id", "")
    cursor = int(last) if last.isdigit() and len(last) < 10 else after
    poll = connector.config.stream_poll_s

    async def events() -> AsyncIterator[str]:
        nonlocal cursor
        await run_in_threadpool(connector.touch, visitor)
        touched = ends = time.monotonic()
        ends += wait
        wake = WAKEUPS.listen(visitor)
        try:
            yield "retry: 2000\n\n"
            while time.monotonic() < ends and not await request.is_disconnected():
                wake.clear()
                for m in await run_in_threadpool(connector.messages_after, visitor, cursor, limit=50):
                    cursor = m.seq
                    yield f"id: {m.seq}\nevent: message\ndata: {json.dumps(m.as_json(), ensure_ascii=False)}\n\n"
                if time.monotonic() - touched > _TOUCH_EVERY_S:
                    await run_in_threadpool(connector.touch, visitor)
                    touched = time.monotonic()
                    yield ": keep-alive\n\n"
                # Woken at once by a reply stored in this process; otherwise the next poll finds it.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=min(poll, max(0.0, ends - time.monotonic())))
        finally:
            WAKEUPS.forget(visitor, wake)

    return StreamingResponse(
        events(),
        media_type="text/event-stream; charset=utf-8",
        headers={**headers, "Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
