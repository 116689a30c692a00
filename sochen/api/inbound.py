"""Inbound webhooks as a service: verify, parse, store once, hand the new ids to a queue.

The route (:mod:`.routes.webhooks`) only reads the raw bytes and maps errors; everything here is a
plain function tests call directly. The flow of one delivery:

1. ``connector.verify_webhook`` over the raw bytes (constant time) — WebhookRejected → 401/403.
2. ``connector.parse_webhook`` — deterministic event ids; not a delivery → 400.
3. :func:`store_delivery`: in one transaction, the raw body (``inbound_deliveries``) and one row per
   item (``inbound_events``) with ``INSERT ... ON CONFLICT DO NOTHING`` on (tenant, channel, key).
   When nothing is new the transaction is rolled back: a redelivery stores nothing at all.
4. After the commit the new ids go to the :class:`~.queues.InboundQueue`; the 200 follows.

Row statuses and what a processor must do are in :mod:`sochen.db.models_api`.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..config import Settings
from ..connectors.base import Connector
from ..connectors.errors import ConnectorError, WebhookRejected
from ..connectors.types import WebhookRequest
from ..db.models import new_id
from ..db.models_api import InboundDelivery, InboundEventRow
from ..db.session import get_engine, session_scope
from .errors import ApiError

__all__ = [
    "StoreResult",
    "event_key",
    "mark_received",
    "receive",
    "requeue_pending",
    "store_delivery",
    "write_connection",
    "write_scope",
]

_SQLITE_WRITES = threading.Lock()


@contextmanager
def write_scope(url: str) -> Iterator[Session]:
    """A session for a short write; on SQLite, writers of this process take turns.

    SQLite allows one writer at a time and its busy handler sleeps in growing steps (up to 100 ms)
    while it waits; a process-wide lock makes this process's writers queue instead of sleep.
    """
    if url.startswith("sqlite"):
        with _SQLITE_WRITES, session_scope(url) as session:
            yield session
    else:
        with session_scope(url) as session:
            yield session


@contextmanager
def write_connection(url: str) -> Iterator[Connection]:
    """Like :func:`write_scope`, a Core connection in a transaction: the hot paths skip the ORM.

    A Core transaction costs a fraction of an ORM session (no identity map, no unit of work), and
    webhooks and the default processor only ever run a few fixed statements.
    """
    lock = _SQLITE_WRITES if url.startswith("sqlite") else nullcontext()
    with lock, get_engine(url).begin() as conn:
        yield conn


@dataclass
class StoreResult:
    """What one delivery added."""

    new_ids: list[str] = field(default_factory=list)
    duplicates: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    """New rows per kind (message, status, notice, workflow_event)."""

    @property
    def total(self) -> int:
        """Items in the delivery."""
        return len(self.new_ids) + self.duplicates


def event_key(event_id: str) -> str:
    """The stored dedupe key: the connector's event id, hashed when long or not printable.

    Hashed past 200 characters, or when it holds control characters (PostgreSQL text cannot hold NUL).
    """
    if len(event_id) <= 200 and event_id.isprintable():
        return event_id
    return "sha256:" + hashlib.sha256(event_id.encode("utf-8")).hexdigest()


@lru_cache(maxsize=4)
def _statements(dialect: str) -> tuple[Any, Any]:
    # Built once: compiled-statement caching then makes each insert cheap (this is the hot path).
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table: Any = InboundEventRow.__table__
    event = (
        insert(table).on_conflict_do_nothing(index_elements=["tenant", "channel", "event_key"]).returning(table.c.id)
    )
    deliveries: Any = InboundDelivery.__table__
    return insert(deliveries), event


def store_delivery(
    conn: Connection | Session,
    *,
    tenant: str,
    channel: str,
    body: bytes,
    events: Sequence[Any],
    now: datetime | None = None,
) -> StoreResult:
    """Store the body and each new event in the caller's transaction (the body only if one is new)."""
    now = now or datetime.now(UTC)
    result = StoreResult()
    if not events:
        return result
    dialect = conn.get_bind().dialect.name if isinstance(conn, Session) else conn.dialect.name
    insert_delivery, insert_event = _statements(dialect)
    delivery_id = new_id()
    conn.execute(
        insert_delivery,
        {
            "id": delivery_id,
            "tenant": tenant,
            "channel": channel,
            "body": body,
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "event_count": len(events),
            "received_at": now,
        },
    )
    for event in events:
        row = {
            "id": new_id(),
            "tenant": tenant,
            "channel": channel,
            "kind": event.type,
            "event_key": event_key(event.event_id),
            "delivery_id": delivery_id,
            "payload": event.model_dump(mode="json"),
            "status": "pending",
            "attempts": 0,
            "enqueued_at": now,
            "created_at": now,
            "updated_at": now,
        }
        inserted = conn.execute(insert_event, row).scalar()
        if inserted is None:
            result.duplicates += 1
        else:
            result.new_ids.append(inserted)
            result.kinds[event.type] += 1
    if not result.new_ids:  # a pure redelivery: not even its body is kept
        conn.execute(delete(InboundDelivery).where(InboundDelivery.id == delivery_id))
    return result


def receive(url: str, connector: Connector[Any], *, tenant: str, channel: str, request: WebhookRequest) -> StoreResult:
    """Verify, parse and store one delivery (steps 1-3 of the module docstring); ApiError on rejection."""
    try:
        connector.verify_webhook(request)
    except WebhookRejected as exc:
        status = exc.status if exc.status in (400, 401, 403) else 403
        he = "חסרה חתימה" if status == 401 else "החתימה אינה תקינה"
        raise ApiError(status, exc.code or "signature_invalid", he, exc.message) from None
    try:
        events = connector.parse_webhook(request)
    except ConnectorError as exc:
        raise ApiError(400, "invalid_payload", "גוף הבקשה אינו משלוח תקין", exc.message) from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # a parser surprised by a shape
        raise ApiError(400, "invalid_payload", "גוף הבקשה אינו משלוח תקין", f"unreadable delivery: {exc}") from None
    with write_connection(url) as conn:
        return store_delivery(conn, tenant=tenant, channel=channel, body=request.body, events=events)


_MARK_RECEIVED = (
    update(InboundEventRow)
    .where(InboundEventRow.id == bindparam("event_id"), InboundEventRow.status == "pending")
    .values(status="received", processed_at=bindparam("now"), updated_at=bindparam("now"))
)


def mark_received(settings: Settings, event_id: str) -> None:
    """The default processor: no conversation graph is wired, so the row is only marked ``received``."""
    with write_connection(settings.database_url) as conn:
        conn.execute(_MARK_RECEIVED, {"event_id": event_id, "now": datetime.now(UTC)})


def requeue_pending(
    session: Session, *, now: datetime, grace: timedelta = timedelta(seconds=30), limit: int = 500
) -> list[str]:
    """Ids of events still ``pending`` whose queue message is older than ``grace``; marks them sent now.

    The caller enqueues them after committing (messages are hints; processors claim rows atomically).
    """
    cutoff = now - grace
    ids = list(
        session.scalars(
            select(InboundEventRow.id)
            .where(
                InboundEventRow.status == "pending",
                InboundEventRow.created_at <= cutoff,
                or_(InboundEventRow.enqueued_at.is_(None), InboundEventRow.enqueued_at <= cutoff),
            )
            .order_by(InboundEventRow.created_at)
            .limit(limit)
        )
    )
    if ids:
        session.execute(update(InboundEventRow).where(InboundEventRow.id.in_(ids)).values(enqueued_at=now))
    return ids
