"""``sochen chat``, ``sochen conversations`` and ``sochen handoff``: talk to a tenant's agent as on WhatsApp."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

import typer

from ..config import get_settings
from .app import app, console, fail, print_json
from .context import db_session, ready_database_url

conversations_app = typer.Typer(help="Conversations and their transcripts.", no_args_is_help=True)
handoff_app = typer.Typer(help="Hand conversations to people and back.", no_args_is_help=True)
app.add_typer(conversations_app, name="conversations")
app.add_typer(handoff_app, name="handoff")


@app.command("chat")
def chat(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant slug."),
    contact: str = typer.Option("972500000000", help="The WhatsApp number you pretend to write from."),
    name: str = typer.Option("לקוח/ה", help="Your WhatsApp profile name."),
) -> None:
    """Write to the agent in the terminal; see its reply, route, citations and the jobs it plans.

    Jobs are planned in the outbox but not run here (no message or CRM write leaves the machine);
    `sochen jobs list` shows them.
    """
    from ..db.tenants import TenantNotFoundError
    from ..rag.retriever import Retriever
    from ..workflows.conversations import Inbound, handle_message

    ready_database_url()
    settings = get_settings()
    retriever = Retriever(settings)
    try:
        cfg = retriever.tenant(tenant).config
    except TenantNotFoundError as exc:
        fail(str(exc))
    console.print(f"[bold]{cfg.name}[/] — כתבו הודעה (Ctrl-D ליציאה)", highlight=False)
    for number, line in enumerate(sys.stdin, start=1):
        text = line.strip()
        if not text:
            continue
        message_id = f"chat.{datetime.now(UTC).timestamp():.6f}.{number}"
        inbound = Inbound(tenant, "whatsapp", contact, text, message_id, datetime.now(UTC), name, f"+{contact}")
        result = handle_message(settings, inbound, retriever=retriever)
        _show(result)


def _show(result: Any) -> None:
    outcome = result.outcome
    reply = outcome.get("reply")
    if reply:
        for line in reply.split("\n"):
            console.print(f"  🤖 \u2067{line}\u2069", highlight=False, markup=False)
    else:
        console.print("  (שקט: נציג אנושי מטפל בשיחה)", highlight=False)
    route = outcome.get("route") or {}
    console.print(
        f"     intent={outcome.get('intent')} mode={outcome.get('reply_mode')} status={result.status} "
        f"route={route.get('route', '—')}:{route.get('reason', '—')} sensitive={outcome.get('sensitive')}",
        style="dim",
        highlight=False,
        markup=False,
    )
    for c in outcome.get("citations") or []:
        console.print(
            f"     [{c['n']}] {c['title']} {c.get('section') or ''}", style="dim", highlight=False, markup=False
        )
    if result.jobs:
        from sqlalchemy import select

        from ..db.models_outbox import Job

        with db_session() as session:
            actions = list(session.scalars(select(Job.action).where(Job.id.in_(result.jobs))))
        console.print(f"     jobs planned: {', '.join(actions)}", style="dim", highlight=False, markup=False)


@conversations_app.command("list")
def conversations_list(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant slug."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """A tenant's conversations, newest first."""
    from sqlalchemy import select

    from ..db.models_conversations import Conversation

    with db_session() as session:
        rows = [
            {
                "id": c.id,
                "channel": c.channel,
                "status": c.status,
                "handoff_reason": c.handoff_reason,
                "turns": c.turns,
                "updated_at": c.updated_at.isoformat(),
            }
            for c in session.scalars(
                select(Conversation).where(Conversation.tenant == tenant).order_by(Conversation.updated_at.desc())
            )
        ]
    if json_out:
        print_json(rows)
        return
    for r in rows:
        console.print(f"{r['id']}  {r['status']:8} {r['turns']:3} turns  {r['updated_at']}", highlight=False)


@conversations_app.command("show")
def conversations_show(
    conversation_id: str = typer.Argument(..., help="Conversation id."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """A conversation's transcript."""
    from sqlalchemy import select

    from ..db.models_conversations import Conversation, ConversationTurn

    with db_session() as session:
        conv = session.get(Conversation, conversation_id)
        if conv is None:
            fail(f"no conversation {conversation_id}")
        turns = [
            {"turn": t.turn, "role": t.role, "text": t.text, "intent": t.intent, "details": t.details}
            for t in session.scalars(
                select(ConversationTurn)
                .where(ConversationTurn.conversation_id == conversation_id)
                .order_by(ConversationTurn.turn, ConversationTurn.role.desc())
            )
        ]
        data = {"id": conv.id, "tenant": conv.tenant, "status": conv.status, "turns": turns}
    if json_out:
        print_json(data)
        return
    for t in turns:
        who = "👤" if t["role"] == "user" else "🤖"
        console.print(f"{who} \u2067{t['text']}\u2069", highlight=False, markup=False)


@handoff_app.command("take")
def handoff_take(
    conversation_id: str = typer.Argument(..., help="Conversation id (see `sochen conversations list`)."),
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant slug."),
) -> None:
    """A person takes a conversation: the agent stays silent until it is released."""
    from ..workflows.conversations import take_over

    ready_database_url()
    try:
        take_over(get_settings(), tenant, conversation_id)
    except LookupError as exc:
        fail(str(exc))
    console.print(f"השיחה {conversation_id} אצל נציג; הסוכן שותק עד `sochen handoff release`.", highlight=False)


@handoff_app.command("release")
def handoff_release(
    conversation_id: str = typer.Argument(..., help="Conversation id (see `sochen conversations list`)."),
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant slug."),
) -> None:
    """Give a conversation back to the agent after a person handled it."""
    from ..workflows.conversations import release_handoff

    ready_database_url()
    try:
        release_handoff(get_settings(), tenant, conversation_id)
    except LookupError as exc:
        fail(str(exc))
    console.print(f"השיחה {conversation_id} חזרה לסוכן.", highlight=False)
