"""Driving one scenario through the real conversation graph, in the sandbox.

Each scenario, and each repetition of it, is its own conversation: the runner gives it a synthetic
WhatsApp id (``97255`` + seven digits, unique in the run) so no two share a thread, while the
scenario's own contact number is the sender's phone (``contact_phone``, where a lead's phone
defaults from). In what the checks read — job parameters, event payloads — the synthetic id is
written back as the scenario's contact id, so ``to: {e164: ...}`` matches what the scenario says.
The clock starts at ``start.now`` (default :data:`DEFAULT_NOW`) and advances one minute a message.

A scenario's ``channel`` (default ``whatsapp``) is the channel of its conversation id, its messages and
its conversation row, so its replies go out through that connector's sandbox. On ``webchat`` the
person is a visitor of the clinic's site, met the way the widget meets them (:class:`_WebchatVisitor`):
the sandbox's web chat opens an anonymous visitor session (a ``wc_...`` visitor id is the contact id),
and each message is received and stored for the visitor's stream by the connector itself, so the
visitor has no phone until they write one (then it is the lead's phone, as in production). In what
the checks read the visitor id is written back as the scenario's ``contact.id``.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..config import Settings, TenantConfig
from ..connectors.types import InboundMessage, WebhookRequest
from ..db.models import LlmCall
from ..db.models_conversations import Conversation
from ..db.session import get_engine, session_scope
from ..llm import HealthBoard, Provider
from ..rag.retriever import Retriever
from ..tenancy import ResolvedTenant
from ..workflows.conversations import Inbound, TurnResult, conversation_id_for, handle_message
from .records import ScenarioResult, TurnRecord
from .sandbox import Sandbox
from .schema import Scenario, Turn

__all__ = ["DEFAULT_NOW", "Driver", "evaluated_tenant"]

log = logging.getLogger("sochen.evals")

DEFAULT_NOW = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Asia/Jerusalem"))
"""Sunday 22 November 2026, 10:00 in Israel: a business day, when a scenario does not set ``start.now``."""

_LEAD_EVENTS = ("lead.captured", "appointment.requested")


def evaluated_tenant(settings: Settings, slug: str, config: TenantConfig, version: int | None) -> ResolvedTenant:
    """The tenant an eval run serves, resolved once and handed to every turn.

    The stored version's ids and knowledge base, with ``config``: that version's own, or a compared
    variant that was never stored.
    """
    from ..tenancy import resolver_for

    return replace(resolver_for(settings).version(slug, version), config=config)


@dataclass
class Driver:
    """Everything needed to drive scenarios of one run (shared by the worker threads)."""

    settings: Settings
    """The sandbox settings (its database)."""
    slug: str
    config: TenantConfig
    retriever: Retriever
    sandbox: Sandbox
    providers: dict[str, Provider]
    health: HealthBoard = field(default_factory=HealthBoard)
    tenant: ResolvedTenant | None = None
    """The tenant (version and configuration) every turn serves; resolved from the other fields if None."""

    def __post_init__(self) -> None:
        from ..agents.graph import build_graph, checkpointer_for

        if self.tenant is None:
            raise ValueError("the driver needs the evaluated tenant (evaluated_tenant(...))")
        self._tenant: ResolvedTenant = self.tenant

        self.graph = build_graph(checkpointer_for(self.settings))

    def run(self, scenario: Scenario, repetition: int, seq: int) -> ScenarioResult:
        """Drive the scenario's conversation; the result holds its turns (checks come later)."""
        result = ScenarioResult(scenario.id, scenario.title, scenario.category, repetition, list(scenario.tags))
        channel = scenario.channel
        visitor: _WebchatVisitor | None = None
        if channel == "webchat":
            visitor = _WebchatVisitor.open(self.sandbox.connector(self.slug, "webchat"), self.slug)
            contact, synthetic = str(scenario.contact.get("id") or "visitor"), visitor.id
        else:
            contact = "".join(ch for ch in str(scenario.contact.get("id") or "") if ch.isdigit()) or "972501234567"
            synthetic = f"97255{seq:07d}"
        result.conversation_id = conversation_id_for(self.slug, channel, synthetic)
        tz = ZoneInfo(self.config.timezone)
        now = scenario.start.now or DEFAULT_NOW
        now = now if now.tzinfo is not None else now.replace(tzinfo=tz)
        self._open(result.conversation_id, synthetic, scenario, with_name=visitor is None)
        if scenario.start.crm_records:
            self.sandbox.seed_crm(list(scenario.start.crm_records))
        script: list[tuple[int, Turn | None, str]] = [(0, None, text) for text in scenario.start.history]
        script += [(i, turn, _text_of(turn)) for i, turn in enumerate(scenario.turns, start=1)]
        seen: set[str] = set()
        slots: dict[str, Any] = {}
        for step, (n, turn, text) in enumerate(script):
            at = now + timedelta(minutes=step)
            record = TurnRecord(n=n, user=text, kind=_kind_of(turn), at=at.isoformat())
            result.turns.append(record)
            if turn is not None and turn.media and not turn.user:
                # The agent reads text: a media message without a caption is stored by the webhook, not a turn.
                record.reply_mode, record.slots = "none", dict(slots)
                record.status = (
                    result.turns[-2].status
                    if len(result.turns) > 1
                    else ("handoff" if scenario.start.handoff else "active")
                )
                continue
            started = time.perf_counter()
            try:
                if visitor is not None:
                    inbound = visitor.receive(self.settings.database_url, text, f"eval-{seq}-{step}", at)
                else:
                    inbound = Inbound(
                        tenant=self.slug,
                        channel=channel,
                        contact_id=synthetic,
                        text=text,
                        message_id=f"wamid.eval.{seq}.{step}",
                        received_at=at,
                        contact_name=scenario.contact.get("name"),
                        contact_phone=f"+{contact}",
                    )
                turn_result = handle_message(
                    self.settings,
                    inbound,
                    retriever=self.retriever,
                    providers=self.providers,
                    health=self.health,
                    tenant=self._tenant,
                )
                record.latency_ms = (time.perf_counter() - started) * 1e3
                slots = self._record(record, turn_result, result.conversation_id, seen, slots, synthetic, contact, at)
            except Exception as exc:  # a crash in the agent is a failed scenario, not a failed run
                record.latency_ms = record.latency_ms or (time.perf_counter() - started) * 1e3
                record.error = f"{type(exc).__name__}: {exc}"
                result.error = f"turn {n}: {record.error}"
                log.warning("eval scenario %s: turn %d failed: %s", scenario.id, n, type(exc).__name__)
                break
        return result

    def _record(
        self,
        record: TurnRecord,
        turn_result: TurnResult,
        conversation_id: str,
        seen: set[str],
        slots: dict[str, Any],
        synthetic: str,
        contact: str,
        at: datetime,
    ) -> dict[str, Any]:
        """Fill the turn's record from the outcome, the graph state, the ledger and the sandbox jobs."""
        outcome = _translate(dict(turn_result.outcome), synthetic, contact)
        record.intent = outcome.get("intent")
        record.reply = outcome.get("reply")
        record.reply_mode = outcome.get("reply_mode")
        record.route = dict(outcome.get("route") or {})
        record.citations = list(outcome.get("citations") or [])
        record.events = list(outcome.get("events") or [])
        record.sensitive = bool(outcome.get("sensitive"))
        record.sensitivity_types = list(outcome.get("sensitivity_types") or [])
        record.status = turn_result.status
        for event in record.events:
            if event.get("type") in _LEAD_EVENTS:
                slots.update((event.get("payload") or {}).get("slots") or {})
        state = self.graph.get_state({"configurable": {"thread_id": conversation_id}}).values or {}
        slots = {**slots, **(state.get("slots") or {})}
        record.slots = dict(slots)
        record.llm = self._ledger(conversation_id, seen)
        jobs = self.sandbox.run_jobs(list(turn_result.jobs), at)
        for job in jobs:
            job.params = _translate(job.params, synthetic, contact)
        record.jobs = jobs
        return slots

    def _open(self, conversation_id: str, synthetic: str, scenario: Scenario, *, with_name: bool = True) -> None:
        """Create the conversation row first: its status is ``start.handoff``'s, and the first turn writes less.

        ``with_name``: the channel tells the contact's profile name (WhatsApp does; a web chat visitor has none).
        """
        with session_scope(self.settings.database_url) as session:
            session.add(
                Conversation(
                    id=conversation_id,
                    tenant=self.slug,
                    channel=scenario.channel,
                    contact_id=synthetic,
                    contact_name=scenario.contact.get("name") if with_name else None,
                    status="handoff" if scenario.start.handoff else "active",
                    handoff_reason="eval_start" if scenario.start.handoff else None,
                    turns=0,
                )
            )

    def _ledger(self, conversation_id: str, seen: set[str]) -> list[dict[str, Any]]:
        with session_scope(self.settings.database_url) as session:
            rows = list(
                session.scalars(
                    select(LlmCall).where(LlmCall.conversation_id == conversation_id).order_by(LlmCall.created_at)
                )
            )
            fresh = [r for r in rows if r.id not in seen]
            seen.update(r.id for r in fresh)
            return [
                {
                    "provider": r.provider,
                    "model": r.model,
                    "locality": r.locality,
                    "route": r.route,
                    "task": r.task,
                    "sensitive": r.sensitive,
                    "sensitivity_types": list(r.sensitivity_types or []),
                    "tokens_in": r.tokens_in,
                    "tokens_out": r.tokens_out,
                    "cost_usd": r.cost_usd,
                    "latency_ms": r.latency_ms,
                    "outcome": r.outcome,
                    "reason_code": r.reason_code,
                }
                for r in fresh
            ]


@dataclass
class _WebchatVisitor:
    """A web chat visitor as the widget makes one: an anonymous session, then signed messages.

    Each message goes through the sandbox connector's own ``receive_webhook`` (the visitor's token and
    an allowed origin) and ``store_inbound`` (the visitor's stream, and the phone once written), exactly
    what the ``/webchat/{tenant}/messages`` route does before the message is handled.
    """

    connector: Any
    tenant: str
    id: str
    token: str

    @classmethod
    def open(cls, connector: Any, tenant: str) -> _WebchatVisitor:
        """A new anonymous visitor of the tenant's site."""
        session = connector.open_session(None)
        return cls(connector, tenant, session.visitor, session.token)

    def receive(self, database_url: str, text: str, client_id: str, at: datetime) -> Inbound:
        """Receive and store the visitor's message; the Inbound the agent handles (``at``: the scenario's time)."""
        origin = self.connector.config.allowed_origins[0]
        request = WebhookRequest(
            method="POST",
            body=json.dumps({"id": client_id, "text": text}, ensure_ascii=False).encode("utf-8"),
            headers={"Origin": origin, "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            path=f"/webchat/{self.tenant}/messages",
        )
        events = self.connector.receive_webhook(request)
        with get_engine(database_url).begin() as conn:
            self.connector.store_inbound(conn, events, {e.event_id for e in events})
        message = next(e for e in events if isinstance(e, InboundMessage))
        return Inbound(
            tenant=self.tenant,
            channel="webchat",
            contact_id=message.contact.id,
            text=message.text or text,
            message_id=message.message_id,
            received_at=at,
            contact_name=None,
            contact_phone=message.contact.phone,
        )


def _text_of(turn: Turn) -> str:
    """What the person sends: text, a tapped button's or list row's title, or a media caption."""
    if turn.button:
        return turn.button
    if turn.list_reply:
        return turn.list_reply
    return turn.user or f"[{turn.media}]"


def _kind_of(turn: Turn | None) -> str:
    if turn is None:
        return "history"
    if turn.button:
        return "button"
    if turn.list_reply:
        return "list_reply"
    return turn.media or "text"


def _translate(data: dict[str, Any], synthetic: str, contact: str) -> dict[str, Any]:
    """Write the synthetic WhatsApp id back as the scenario's contact id."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    return dict(json.loads(text.replace(synthetic, contact))) if synthetic in text else data
