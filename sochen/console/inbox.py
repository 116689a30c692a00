"""The receptionist's inbox: the list, one conversation, a person's actions, and the live feed (SSE).

Routes stay thin: they call :mod:`sochen.workflows.inbox` and :mod:`sochen.workflows.conversations`
(the same services as ``sochen handoff ...``) with the path's tenant, which :func:`require_role` has
checked; a conversation id of another tenant is not found (404), whoever asks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from ..db.session import session_scope
from ..workflows import inbox as service
from .auth import ConsoleError, ConsoleUser, console_context, require_role
from .render import ConsoleRoute, render

__all__ = ["router"]

router = APIRouter(prefix="/console/t/{tenant}", route_class=ConsoleRoute, include_in_schema=False)

Viewer = Annotated[ConsoleUser, Depends(require_role("viewer"))]
Agent = Annotated[ConsoleUser, Depends(require_role("agent"))]
_FLASHES = {"taken", "released", "closed", "sent", "noted"}


def _url(request: Request) -> str:
    url: str = request.app.state.sochen.settings.database_url
    return url


def _state(value: str) -> str:
    return value if value in service.FILTERS else "all"


def _before(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _inbox_context(request: Request, user: ConsoleUser, state: str, before: str) -> dict[str, Any]:
    assert user.tenant is not None
    with session_scope(_url(request)) as session:
        page = service.list_inbox(session, user.tenant, user_id=user.id, state=state, before=_before(before))
        counts = service.state_counts(session, user.tenant)
    return {"page": page, "counts": counts, "state": state, "filters": service.FILTERS}


@router.get("/inbox")
def inbox_page(request: Request, user: Viewer, state: str = "all", before: str = "") -> Response:
    """Conversations, newest first, filtered by where they stand; updated live."""
    context = _inbox_context(request, user, _state(state), before)
    return render(request, "inbox.html", user=user, active="inbox", **context)


@router.get("/inbox/list")
def inbox_list(request: Request, user: Viewer, state: str = "all", before: str = "") -> Response:
    """The list alone (HTMX swaps it in when the live feed says something changed)."""
    context = _inbox_context(request, user, _state(state), before)
    return render(request, "_inbox_list.html", user=user, **context)


@router.get("/inbox/badge")
def inbox_badge(request: Request, user: Viewer) -> Response:
    """How many conversations wait for a person (the nav's badge)."""
    assert user.tenant is not None
    with session_scope(_url(request)) as session:
        waiting = service.state_counts(session, user.tenant)["needs_person"]
    return render(request, "_badge.html", user=user, waiting=waiting)


def _detail_context(request: Request, user: ConsoleUser, conversation_id: str) -> dict[str, Any]:
    from ..workflows.conversations import reply_window

    assert user.tenant is not None
    try:
        with session_scope(_url(request)) as session:
            detail = service.conversation_detail(session, user.tenant, conversation_id)
            service.mark_read(session, user.tenant, conversation_id, user.id)
    except LookupError:
        raise ConsoleError(404, "error.not_found") from None
    settings = request.app.state.sochen.settings
    window = reply_window(settings, user.tenant, detail.channel, detail.contact_id)
    return {"conv": detail, "window": window}


def _log_read(request: Request, user: ConsoleUser, conversation_id: str) -> None:
    from ..workflows.privacy_log import Actor, record_access

    assert user.tenant is not None
    host = request.client.host if request.client else ""
    record_access(_url(request), user.tenant, Actor("user", user.id, host), "read", "conversation", conversation_id)


@router.get("/conversations/{conversation_id}")
def conversation_page(
    request: Request, conversation_id: str, user: Viewer, done: str = "", error: str = ""
) -> Response:
    """The transcript (with each agent turn's route, reason and citations), its events and jobs, and the actions."""
    context = _detail_context(request, user, conversation_id)
    _log_read(request, user, conversation_id)
    flash = done if done in _FLASHES else ""
    return render(request, "conversation.html", user=user, active="inbox", flash=flash, error="", draft="", **context)


@router.get("/conversations/{conversation_id}/panel")
def conversation_panel(request: Request, conversation_id: str, user: Viewer) -> Response:
    """The transcript and jobs alone (swapped in live)."""
    context = _detail_context(request, user, conversation_id)
    return render(request, "_conversation_panel.html", user=user, **context)


@router.get("/conversations/{conversation_id}/actions")
def conversation_actions(request: Request, conversation_id: str, user: Agent) -> Response:
    """The state, the buttons and the window alone (swapped in live: a handoff that arrives shows at once)."""
    context = _detail_context(request, user, conversation_id)
    return render(request, "_conversation_actions.html", user=user, **context)


def _back(user: ConsoleUser, conversation_id: str, done: str) -> Response:
    return RedirectResponse(f"/console/t/{user.tenant}/conversations/{conversation_id}?done={done}", status_code=303)


def _person(user: ConsoleUser) -> str:
    return user.name or user.login


@router.post("/conversations/{conversation_id}/take")
def take(request: Request, conversation_id: str, user: Agent) -> Response:
    """A person takes the conversation; the agent stays silent."""
    from ..workflows.conversations import take_over

    try:
        take_over(request.app.state.sochen.settings, str(user.tenant), conversation_id, by=_person(user))
    except LookupError:
        raise ConsoleError(404, "error.not_found") from None
    return _back(user, conversation_id, "taken")


@router.post("/conversations/{conversation_id}/release")
def release(request: Request, conversation_id: str, user: Agent) -> Response:
    """Back to the agent: it answers the next message."""
    from ..workflows.conversations import release_handoff

    try:
        release_handoff(request.app.state.sochen.settings, str(user.tenant), conversation_id)
    except LookupError:
        raise ConsoleError(404, "error.not_found") from None
    return _back(user, conversation_id, "released")


@router.post("/conversations/{conversation_id}/close")
def close(request: Request, conversation_id: str, user: Agent) -> Response:
    """File the conversation as closed."""
    try:
        with session_scope(_url(request)) as session:
            service.close_conversation(session, str(user.tenant), conversation_id)
    except LookupError:
        raise ConsoleError(404, "error.not_found") from None
    return _back(user, conversation_id, "closed")


@router.post("/conversations/{conversation_id}/note")
def note(
    request: Request, conversation_id: str, user: Agent, text: Annotated[str, Form(max_length=8000)] = ""
) -> Response:
    """An internal note: in the transcript for people, never sent to the customer."""
    try:
        with session_scope(_url(request)) as session:
            service.add_note(session, str(user.tenant), conversation_id, text, author=_person(user))
    except LookupError:
        raise ConsoleError(404, "error.not_found") from None
    except ValueError as exc:
        return _with_error(request, user, conversation_id, str(exc), "")
    return _back(user, conversation_id, "noted")


@router.post("/conversations/{conversation_id}/reply")
def reply(
    request: Request, conversation_id: str, user: Agent, text: Annotated[str, Form(max_length=8000)] = ""
) -> Response:
    """A person's reply: through the outbox and the conversation's own channel (refused outside its window)."""
    from ..workflows.conversations import ConversationError, reply_as_person

    state = request.app.state.sochen
    try:
        reply_as_person(
            state.settings, str(user.tenant), conversation_id, text, author=_person(user), publish=state.job_publisher
        )
    except LookupError:
        raise ConsoleError(404, "error.not_found") from None
    except ConversationError as exc:
        return _with_error(request, user, conversation_id, str(exc), text)
    except Exception as exc:  # the tenant is not live, a connector cannot be built: say why, keep the text
        return _with_error(request, user, conversation_id, str(exc)[:300], text)
    return _back(user, conversation_id, "sent")


def _with_error(request: Request, user: ConsoleUser, conversation_id: str, message: str, draft: str) -> Response:
    context = _detail_context(request, user, conversation_id)
    return render(
        request,
        "conversation.html",
        user=user,
        active="inbox",
        status=409,
        flash="",
        error=message,
        draft=draft,
        **context,
    )


@router.get("/events")
async def events(request: Request, user: Viewer, conversation: str = "") -> StreamingResponse:
    """Server-sent events: ``inbox`` when any conversation of the tenant changed, ``conv`` when ``conversation`` did.

    The feed polls :func:`sochen.workflows.inbox.changes_since` (so changes made by any process reach
    it), sends a comment as a heartbeat, and ends after ``sse_max_s`` or when the client goes away (the
    browser's EventSource reconnects by itself).
    """
    ctx = console_context(request)
    url, tenant = ctx.settings.database_url, str(user.tenant)
    poll, limit = ctx.console.sse_poll_s, ctx.console.sse_max_s

    def step(cursor: service.ChangeCursor | None) -> tuple[service.ChangeCursor, set[str]]:
        with session_scope(url) as session:
            return service.changes_since(session, tenant, cursor)

    async def stream() -> AsyncIterator[str]:
        cursor, _ = await anyio.to_thread.run_sync(step, None)
        started = last_beat = time.monotonic()
        # One refresh at once: whatever changed between the page's render and this cursor is not lost.
        yield "retry: 3000\n\nevent: inbox\ndata: connected\n\n"
        if conversation:
            yield "event: conv\ndata: connected\n\n"
        while time.monotonic() - started < limit:
            if await request.is_disconnected():
                return
            await asyncio.sleep(poll)
            cursor, changed = await anyio.to_thread.run_sync(step, cursor)
            if changed:
                yield "event: inbox\ndata: changed\n\n"
                if conversation and conversation in changed:
                    yield "event: conv\ndata: changed\n\n"
            if time.monotonic() - last_beat >= 15:
                last_beat = time.monotonic()
                yield ": heartbeat\n\n"

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
