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
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, delete
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ..connectors.base import Connector
from ..connectors.errors import ConnectorError, WebhookRejected
from ..connectors.types import REJECTED_ITEM, WebhookRequest
from ..db.models import new_id
from ..db.models_api import InboundDelivery, InboundEventRow
from ..db.models_outbox import Job
from ..db.session import get_engine, session_scope, sqlite_pragmas
from ..workflows.inbound import inbound_job
from .errors import ApiError

__all__ = [
    "Item",
    "StoreResult",
    "delivery_row",
    "event_key",
    "event_row",
    "items_of",
    "json_depth_exceeds",
    "parse_delivery",
    "receive",
    "store_delivery",
    "store_items",
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
    rejected: int = 0
    """Items that could not be read: stored as ``rejected`` with the reason, never processed."""
    kinds: Counter[str] = field(default_factory=Counter)
    """New rows per kind (message, status, notice, workflow_event)."""
    journaled: int = 0
    """New items stored in the inbound journal (:mod:`.journal`): their rows, jobs and ids come at import."""

    @property
    def new(self) -> int:
        """Items stored now (as rows, or in the journal)."""
        return len(self.new_ids) + self.journaled

    @property
    def total(self) -> int:
        """Items in the delivery."""
        return self.new + self.duplicates + self.rejected


def event_key(event_id: str) -> str:
    """The stored dedupe key: the connector's event id, hashed when long or not printable.

    Hashed past 200 characters, or when it holds control characters (PostgreSQL text cannot hold NUL).
    """
    if len(event_id) <= 200 and event_id.isprintable():
        return event_id
    return "sha256:" + hashlib.sha256(event_id.encode("utf-8")).hexdigest()


@lru_cache(maxsize=4)
def _statements(dialect: str) -> tuple[Any, Any, Any]:
    # Built once: compiled-statement caching then makes each insert cheap (this is the hot path).
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table: Any = InboundEventRow.__table__
    event = (
        insert(table).on_conflict_do_nothing(index_elements=["tenant", "channel", "event_key"]).returning(table.c.id)
    )
    deliveries: Any = InboundDelivery.__table__
    jobs: Any = Job.__table__
    return insert(deliveries), event, insert(jobs)


def _rejection(event: Any) -> str:
    errors = getattr(event, "errors", None) or []
    return (errors[0].message if errors else "unreadable item")[:500]


@dataclass(frozen=True)
class Item:
    """One parsed webhook item as it is stored: kind, dedupe key, payload; ``error`` marks it rejected."""

    kind: str
    key: str
    payload: dict[str, Any]
    error: str | None = None


def items_of(events: Sequence[Any]) -> list[Item]:
    """The storable form of a connector's parsed events (rejected items keep their reason)."""
    items = []
    for event in events:
        rejected = event.type == "notice" and getattr(event, "field", "") == REJECTED_ITEM
        items.append(
            Item(
                kind=event.type,
                key=event_key(event.event_id),
                payload=event.model_dump(mode="json"),
                error=_rejection(event) if rejected else None,
            )
        )
    return items


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
    if not events:
        return StoreResult()
    return store_items(conn, tenant=tenant, channel=channel, body=body, items=items_of(events), now=now)


def delivery_row(
    delivery_id: str, *, tenant: str, channel: str, body: bytes, count: int, now: datetime, sha256: str | None = None
) -> dict[str, Any]:
    """The ``inbound_deliveries`` row of one acknowledged body (shared with the journal's import)."""
    return {
        "id": delivery_id,
        "tenant": tenant,
        "channel": channel,
        "body": body,
        "body_sha256": sha256 or hashlib.sha256(body).hexdigest(),
        "event_count": count,
        "received_at": now,
    }


def event_row(item: Item, *, tenant: str, channel: str, delivery_id: str, now: datetime) -> dict[str, Any]:
    """The ``inbound_events`` row of one item, pending or rejected with its reason (shared with the journal)."""
    return {
        "id": new_id(),
        "tenant": tenant,
        "channel": channel,
        "kind": item.kind,
        "event_key": item.key,
        "delivery_id": delivery_id,
        "payload": item.payload,
        "status": "rejected" if item.error is not None else "pending",
        "attempts": 0,
        "error": item.error,
        "enqueued_at": now,
        "created_at": now,
        "updated_at": now,
    }


def store_items(
    conn: Connection | Session,
    *,
    tenant: str,
    channel: str,
    body: bytes,
    items: Sequence[Item],
    now: datetime | None = None,
) -> StoreResult:
    """:func:`store_delivery` for items already in their stored form (:func:`items_of`).

    Safe to run twice for one delivery: an item whose key is stored already is a duplicate, and a
    delivery with nothing new leaves no row at all. (The inbound journal's import does the same for
    many deliveries at once, :mod:`.journal`.)
    """
    now = now or datetime.now(UTC)
    result = StoreResult()
    if not items:
        return result
    dialect = conn.get_bind().dialect.name if isinstance(conn, Session) else conn.dialect.name
    insert_delivery, insert_event, insert_job = _statements(dialect)
    delivery_id = new_id()
    conn.execute(
        insert_delivery,
        delivery_row(delivery_id, tenant=tenant, channel=channel, body=body, count=len(items), now=now),
    )
    for item in items:
        row = event_row(item, tenant=tenant, channel=channel, delivery_id=delivery_id, now=now)
        inserted = conn.execute(insert_event, row).scalar()
        if inserted is None:
            result.duplicates += 1
        elif item.error is not None:
            result.rejected += 1
            result.kinds["rejected"] += 1
        else:
            conn.execute(insert_job, inbound_job(inserted, tenant, now))
            result.new_ids.append(inserted)
            result.kinds[item.kind] += 1
    if not result.new_ids and not result.rejected:  # a pure redelivery: not even its body is kept
        conn.execute(delete(InboundDelivery).where(InboundDelivery.id == delivery_id))
    return result


AlsoStore = Callable[[Connection, Sequence[Any], set[str]], None]
"""A channel's own writes in the acknowledgement's transaction: ``(conn, events, event ids stored now)``."""


def receive(
    url: str,
    connector: Connector[Any],
    *,
    tenant: str,
    channel: str,
    request: WebhookRequest,
    also: AlsoStore | None = None,
) -> StoreResult:
    """Verify, parse and store one delivery (steps 1-3 of the module docstring); ApiError on rejection.

    ``also`` runs in the same transaction after the items are stored (the web chat adds the visitor's
    message to their stream), so the delivery and what the channel keeps of it commit together.
    """
    events = parse_delivery(connector, request)

    def write(conn: Connection) -> StoreResult:
        result = store_delivery(conn, tenant=tenant, channel=channel, body=request.body, events=events)
        if also is not None and result.new_ids:
            new = _new_event_ids(conn, result.new_ids)
            also(conn, events, new)
        return result

    return stored(url, write)


def parse_delivery(connector: Connector[Any], request: WebhookRequest) -> list[Any]:
    """Steps 1-2 of the module docstring: verify and parse one delivery; ApiError on rejection."""
    try:
        connector.verify_webhook(request)
    except WebhookRejected as exc:
        status = exc.status if exc.status in (400, 401, 403) else 403
        he = "חסרה חתימה" if status == 401 else "החתימה אינה תקינה"
        raise ApiError(status, exc.code or "signature_invalid", he, exc.message) from None
    depth = json_depth_exceeds(request.body, MAX_JSON_DEPTH)
    if depth:
        raise ApiError(
            400,
            "payload_too_deep",
            "גוף הבקשה מקונן לעומק רב מדי",
            f"JSON nested deeper than {MAX_JSON_DEPTH} levels; nothing was stored",
        )
    try:
        events = connector.parse_webhook(request)
    except ConnectorError as exc:
        raise ApiError(400, "invalid_payload", "גוף הבקשה אינו משלוח תקין", exc.message) from None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:  # a parser surprised by a shape
        # The caller learns that the body was unreadable, never Python's words about why.
        raise ApiError(
            400, "invalid_payload", "גוף הבקשה אינו משלוח תקין", f"unreadable delivery ({type(exc).__name__})"
        ) from None
    return list(events)


def _new_event_ids(conn: Connection, row_ids: list[str]) -> set[str]:
    """The connector event ids of the rows stored now (their keys; long ids are stored hashed)."""
    from sqlalchemy import select

    rows = conn.execute(select(InboundEventRow.payload).where(InboundEventRow.id.in_(row_ids)))
    return {str((payload or {}).get("event_id", "")) for (payload,) in rows}


def stored(url: str, write: Callable[[Connection], StoreResult]) -> StoreResult:
    """Run the acknowledgement's write in one transaction; on SQLite, never sleep behind another writer.

    SQLite has one writer at a time and its busy handler sleeps in growing steps (up to 100 ms) while
    a turn or a job holds the lock, which is what made the embedded stack's acknowledgement slow under
    load. The webhook's own connections therefore do not wait inside SQLite (busy timeout 0): a write
    that finds the database locked is rolled back and tried again after a short pause (0.5 ms,
    doubling to 4 ms), bounded to 30 s, so the acknowledgement waits for the lock holder's commit, not
    for a sleep that outlasts it. Nothing is stored twice: the whole transaction is retried.
    """
    if not url.startswith("sqlite"):
        with write_connection(url) as conn:
            return write(conn)
    engine = _ack_engine(url)
    pause, deadline = 0.0005, time.monotonic() + 30.0
    while True:
        try:
            with _SQLITE_WRITES, engine.begin() as conn:
                return write(conn)
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.004)


@lru_cache(maxsize=4)
def _ack_engine(url: str) -> Engine:
    get_engine(url)  # creates the file's folder
    ack = create_engine(url, connect_args={"timeout": 0})
    sa_event.listen(ack, "connect", sqlite_pragmas)  # the same pragmas (WAL, foreign keys) as every connection
    sa_event.listen(ack, "connect", _no_busy_wait)
    return ack


def _no_busy_wait(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=0")
    cur.close()


MAX_JSON_DEPTH = 64
"""Deepest JSON nesting a webhook body may have: real deliveries use fewer than 10 levels, and deeper
bodies make parsers and serialisers recurse (a RecursionError, or pydantic's depth limit) instead of
failing cleanly."""

_OPEN, _CLOSE, _QUOTE, _ESCAPE = frozenset(b"[{"), frozenset(b"]}"), 0x22, 0x5C


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether the JSON text ``body`` nests arrays/objects deeper than ``limit`` (strings are skipped).

    Counting brackets first keeps the common case cheap: a body with fewer than ``limit`` opening
    brackets cannot be too deep, and only a suspicious one is scanned byte by byte.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _ESCAPE:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSE:
            depth -= 1
    return False
