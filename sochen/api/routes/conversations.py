"""Conversations over HTTP: list a tenant's, read a transcript, take one over, give it back.

A tenant key sees only its own tenant; another tenant's conversation answers 404 as if it did not exist.
Transcripts hold what people wrote: they are served to the tenant's own keys only, never logged.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from ...db.models_conversations import Conversation, ConversationTurn
from ...db.session import session_scope
from ..deps import current_principal, is_id, tenant_for_caller
from ..errors import ERROR_RESPONSES, ApiError
from ..keys import Principal
from ..state import ApiState, get_state

__all__ = ["router"]

router = APIRouter(tags=["knowledge"])


def _row(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.id,
        "channel": c.channel,
        "status": c.status,
        "handoff_reason": c.handoff_reason,
        "turns": c.turns,
        "updated_at": c.updated_at.isoformat(),
    }


def _not_found(conversation_id: str) -> ApiError:
    return ApiError(404, "conversation_not_found", "השיחה לא נמצאה", f"no conversation '{conversation_id[:64]}'")


@router.get(
    "/v1/{tenant}/conversations",
    summary="שיחות הדייר / the tenant's conversations",
    responses=ERROR_RESPONSES(401, 404, 422),
)
def list_route(
    status: str | None = Query(None, pattern="^(active|handoff|closed)$", description="סינון לפי מצב / status"),
    limit: int = Query(100, ge=1, le=1000),
    tenant: str = Depends(tenant_for_caller),
    state: ApiState = Depends(get_state),
) -> list[dict[str, Any]]:
    """Conversations, most recently active first."""
    query = select(Conversation).where(Conversation.tenant == tenant)
    if status:
        query = query.where(Conversation.status == status)
    with session_scope(state.settings.database_url) as session:
        rows = session.scalars(query.order_by(Conversation.updated_at.desc()).limit(limit))
        return [_row(c) for c in rows]


@router.get(
    "/v1/{tenant}/conversations/{conversation_id}",
    summary="תמליל שיחה / a conversation's transcript",
    responses=ERROR_RESPONSES(401, 404),
)
def show_route(
    conversation_id: str,
    request: Request,
    tenant: str = Depends(tenant_for_caller),
    principal: Principal = Depends(current_principal),
    state: ApiState = Depends(get_state),
) -> dict[str, Any]:
    """The conversation with every turn: what the person wrote, what the agent answered and why.

    Every read is written to the tenant's access log (who, when, from where).
    """
    from ...workflows.privacy_log import record_access
    from .privacy import actor_for

    if not is_id(conversation_id):
        raise _not_found("…")
    with session_scope(state.settings.database_url) as session:
        if session.scalar(
            select(Conversation.id).where(Conversation.id == conversation_id, Conversation.tenant == tenant)
        ):
            record_access(
                state.settings.database_url,
                tenant,
                actor_for(request, principal),
                "read",
                "conversation",
                conversation_id,
            )
        conv = session.get(Conversation, conversation_id)
        if conv is None or conv.tenant != tenant:
            raise _not_found(conversation_id)
        turns = session.scalars(
            select(ConversationTurn)
            .where(ConversationTurn.conversation_id == conversation_id)
            .order_by(ConversationTurn.turn, ConversationTurn.role.desc())
        )
        return {
            **_row(conv),
            "transcript": [
                {"turn": t.turn, "role": t.role, "text": t.text, "intent": t.intent, "details": t.details}
                for t in turns
            ],
        }


def _status_route(action: str, tenant: str, conversation_id: str, state: ApiState) -> dict[str, Any]:
    from ...workflows.conversations import release_handoff, take_over

    if not is_id(conversation_id):
        raise _not_found("…")
    change = take_over if action == "take" else release_handoff
    try:
        conv = change(state.settings, tenant, conversation_id)
    except LookupError:
        raise _not_found(conversation_id) from None
    return _row(conv)


@router.post(
    "/v1/{tenant}/conversations/{conversation_id}/take-over",
    summary="נציג לוקח את השיחה / a person takes the conversation",
    responses=ERROR_RESPONSES(401, 404),
)
def take_route(
    conversation_id: str, tenant: str = Depends(tenant_for_caller), state: ApiState = Depends(get_state)
) -> dict[str, Any]:
    """The agent stays silent until the conversation is released."""
    return _status_route("take", tenant, conversation_id, state)


@router.post(
    "/v1/{tenant}/conversations/{conversation_id}/release",
    summary="החזרת השיחה לסוכן / give the conversation back to the agent",
    responses=ERROR_RESPONSES(401, 404),
)
def release_route(
    conversation_id: str, tenant: str = Depends(tenant_for_caller), state: ApiState = Depends(get_state)
) -> dict[str, Any]:
    """The next message is answered by the agent again."""
    return _status_route("release", tenant, conversation_id, state)
