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
    version: int | None = typer.Option(
        None, "--version", help="Talk to this configuration version (default: the newest applied)."
    ),
    live: bool = typer.Option(
        False,
        "--live",
        help="Record the conversation and plan its jobs in the real database: a running `sochen serve` or "
        "worker will then send the replies and write the leads for real. Without it, chat runs in a sandbox.",
    ),
) -> None:
    """Write to the agent in the terminal; see its reply, route, citations and the jobs it plans.

    By default the conversation, its checkpoints and the jobs it plans live in a sandbox database
    (SOCHEN_HOME/chat/sandbox.db) that nothing sends from; the tenant's documents are the real ones.
    `--live` records into the real database instead (the jobs will run).
    """
    from ..db.migrate import upgrade
    from ..db.tenants import TenantNotFoundError
    from ..rag.retriever import Retriever
    from ..tenancy import VersionNotFoundError
    from ..workflows.conversations import Inbound, handle_message

    ready_database_url()
    settings = get_settings()
    retriever = Retriever(settings)
    try:
        resolved = retriever.tenant(tenant, version=version)
    except (TenantNotFoundError, VersionNotFoundError) as exc:
        fail(str(exc))
    turn_settings = settings
    if not live:
        folder = settings.home / "chat"
        folder.mkdir(parents=True, exist_ok=True)
        turn_settings = settings.model_copy(update={"database_url": f"sqlite:///{(folder / 'sandbox.db').as_posix()}"})
        upgrade(turn_settings.database_url)
    where = "LIVE: jobs will run" if live else "sandbox: nothing is sent"
    console.print(
        f"[bold]{resolved.config.name}[/] — גרסה {resolved.version} ({where}) — כתבו הודעה (Ctrl-D ליציאה)",
        highlight=False,
    )
    for number, line in enumerate(sys.stdin, start=1):
        text = line.strip()
        if not text:
            continue
        message_id = f"chat.{datetime.now(UTC).timestamp():.6f}.{number}"
        inbound = Inbound(tenant, "whatsapp", contact, text, message_id, datetime.now(UTC), name, f"+{contact}")
        result = handle_message(turn_settings, inbound, retriever=retriever, tenant=resolved)
        _show(result, turn_settings.database_url)


def _show(result: Any, database_url: str) -> None:
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
        from ..db.session import session_scope

        with session_scope(database_url) as session:
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
    from ..workflows.privacy_log import Actor, record_access

    record_access(ready_database_url(), str(data["tenant"]), Actor.cli(), "read", "conversation", conversation_id)
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
    by: str = typer.Option("", "--by", help="Who takes it (shown in the console's inbox)."),
) -> None:
    """A person takes a conversation: the agent stays silent until it is released."""
    from ..workflows.conversations import take_over

    ready_database_url()
    try:
        take_over(get_settings(), tenant, conversation_id, by=by or None)
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


@handoff_app.command("reply")
def handoff_reply(
    conversation_id: str = typer.Argument(..., help="Conversation id (see `sochen conversations list`)."),
    text: str = typer.Argument(..., help="What the person answers (Hebrew welcome)."),
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant slug."),
    author: str = typer.Option("נציג/ה", help="Who answers (shown in the transcript)."),
) -> None:
    """Answer the customer as a person: the reply leaves through the conversation's own channel (outbox job)."""
    from ..workflows.conversations import ConversationError, reply_as_person

    ready_database_url()
    try:
        job_id = reply_as_person(get_settings(), tenant, conversation_id, text, author=author)
    except (LookupError, ConversationError) as exc:
        fail(str(exc))
    console.print(f"התשובה נשמרה ותישלח בערוץ השיחה (משימה {job_id}).", highlight=False)


@handoff_app.command("close")
def handoff_close(
    conversation_id: str = typer.Argument(..., help="Conversation id (see `sochen conversations list`)."),
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant slug."),
) -> None:
    """File a conversation as closed (the customer's next message reopens it for the agent)."""
    from ..workflows.inbox import close_conversation

    try:
        with db_session() as session:
            close_conversation(session, tenant, conversation_id)
    except LookupError as exc:
        fail(str(exc))
    console.print(f"השיחה {conversation_id} נסגרה.", highlight=False)


@handoff_app.command("note")
def handoff_note(
    conversation_id: str = typer.Argument(..., help="Conversation id (see `sochen conversations list`)."),
    text: str = typer.Argument(..., help="The internal note (never sent to the customer)."),
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant slug."),
    author: str = typer.Option("נציג/ה", help="Who writes it (shown in the transcript)."),
) -> None:
    """An internal note in the transcript: people read it, the customer never gets it."""
    from ..workflows.inbox import add_note

    try:
        with db_session() as session:
            add_note(session, tenant, conversation_id, text, author=author)
    except (LookupError, ValueError) as exc:
        fail(str(exc))
    console.print(f"ההערה נשמרה בשיחה {conversation_id}.", highlight=False)
