"""Driving one scenario through the real conversation graph, in the sandbox.

Each scenario, and each repetition of it, is its own conversation: the runner gives it a synthetic
WhatsApp id (``97255`` + seven digits, unique in the run) so no two share a thread, while the
scenario's own contact number is the sender's phone (``contact_phone``, where a lead's phone
defaults from). In what the checks read — job parameters, event payloads — the synthetic id is
written back as the scenario's contact id, so ``to: {e164: ...}`` matches what the scenario says.
The clock starts at ``start.now`` (default :data:`DEFAULT_NOW`) and advances one minute a message.
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
from ..db.models import LlmCall
from ..db.models_conversations import Conversation
from ..db.session import session_scope
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
        contact = "".join(ch for ch in str(scenario.contact.get("id") or "") if ch.isdigit()) or "972501234567"
        synthetic = f"97255{seq:07d}"
        result.conversation_id = conversation_id_for(self.slug, "whatsapp", synthetic)
        tz = ZoneInfo(self.config.timezone)
        now = scenario.start.now or DEFAULT_NOW
        now = now if now.tzinfo is not None else now.replace(tzinfo=tz)
        self._open(result.conversation_id, synthetic, scenario)
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
            inbound = Inbound(
                tenant=self.slug,
                channel="whatsapp",
                contact_id=synthetic,
                text=text,
                message_id=f"wamid.eval.{seq}.{step}",
                received_at=at,
                contact_name=scenario.contact.get("name"),
                contact_phone=f"+{contact}",
            )
            started = time.perf_counter()
            try:
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

    def _open(self, conversation_id: str, synthetic: str, scenario: Scenario) -> None:
        """Create the conversation row first: its status is ``start.handoff``'s, and the first turn writes less."""
        with session_scope(self.settings.database_url) as session:
            session.add(
                Conversation(
                    id=conversation_id,
                    tenant=self.slug,
                    channel="whatsapp",
                    contact_id=synthetic,
                    contact_name=scenario.contact.get("name"),
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
