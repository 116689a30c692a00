"""The access log: who read, exported or erased which person's data or which conversation, when and from where.

The contract:
- **Append-only, tamper-evident.** Entries are numbered per tenant (``seq`` 1, 2, 3…, unique) and each
  one's ``hash`` is SHA-256 over the previous entry's hash and this entry's canonical fields, so
  editing, deleting or reordering an entry breaks the chain at that point; :func:`verify_chain` finds
  the first broken entry. (A chain shows tampering; it does not prevent someone with write access to
  the database from rewriting the whole tail — export the head hash regularly to keep that honest.)
- **No personal data in the log.** A person is named by a salted slow hash (``subject_ref``), a
  conversation by its id; details hold counts and ids only.
- Appends from several processes are safe: the unique ``(tenant, seq)`` makes a racing writer retry.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..db.models_privacy import AccessLogEntry
from ..db.session import session_scope

__all__ = ["GENESIS", "Actor", "ChainReport", "export_log", "record_access", "verify_chain"]

log = logging.getLogger("sochen.workflows.privacy")

GENESIS = "0" * 64
"""The previous hash of a tenant's first entry."""

ACTIONS = ("read", "find", "export", "erase", "correct", "purge")
TARGETS = ("person", "conversation", "inbound", "tenant")


@dataclass(frozen=True)
class Actor:
    """Who is acting and from where: ``kind`` cli, api_key, user or system."""

    kind: str
    id: str
    origin: str = ""

    @classmethod
    def cli(cls) -> Actor:
        """The person at this terminal (OS user at host)."""
        import getpass
        import socket

        try:
            user = getpass.getuser()
        except Exception:  # no login name in some containers
            user = "unknown"
        return cls("cli", user[:100], f"cli@{socket.gethostname()}"[:200])


def _canonical(entry: AccessLogEntry) -> bytes:
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    fields = [
        entry.tenant,
        entry.seq,
        at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        entry.actor_kind,
        entry.actor,
        entry.origin,
        entry.action,
        entry.target_kind,
        entry.target,
        entry.detail,
        entry.prev_hash,
    ]
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _hash(entry: AccessLogEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def record_access(
    database_url: str,
    tenant: str,
    actor: Actor,
    action: str,
    target_kind: str,
    target: str,
    detail: dict[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> AccessLogEntry:
    """Append one entry to ``tenant``'s chain (its own transaction; retried when another writer raced it)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access action {action!r}; one of {', '.join(ACTIONS)}")
    if target_kind not in TARGETS:
        raise ValueError(f"unknown access target {target_kind!r}; one of {', '.join(TARGETS)}")
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    for _ in range(20):
        try:
            with session_scope(database_url) as session:
                last = session.execute(
                    select(AccessLogEntry.seq, AccessLogEntry.hash)
                    .where(AccessLogEntry.tenant == tenant)
                    .order_by(AccessLogEntry.seq.desc())
                    .limit(1)
                ).first()
                entry = AccessLogEntry(
                    tenant=tenant,
                    seq=(last.seq + 1) if last else 1,
                    at=stamp,
                    actor_kind=actor.kind,
                    actor=actor.id[:200],
                    origin=actor.origin[:200],
                    action=action,
                    target_kind=target_kind,
                    target=target[:64],
                    detail=dict(detail or {}),
                    prev_hash=last.hash if last else GENESIS,
                    hash="",
                )
                entry.hash = _hash(entry)
                session.add(entry)
            return entry
        except IntegrityError:
            continue  # another writer took this seq: read the new head and try again
    raise RuntimeError(f"could not append to the access log of tenant {tenant}: too many concurrent writers")


@dataclass(frozen=True)
class ChainReport:
    """The result of :func:`verify_chain`."""

    tenant: str
    entries: int
    ok: bool
    head: str
    broken_at: int | None = None
    problem: str | None = None


def _entries(database_url: str, tenant: str, batch: int = 1000) -> Iterator[AccessLogEntry]:
    after = 0
    while True:
        with session_scope(database_url) as session:
            rows = list(
                session.scalars(
                    select(AccessLogEntry)
                    .where(AccessLogEntry.tenant == tenant, AccessLogEntry.seq > after)
                    .order_by(AccessLogEntry.seq)
                    .limit(batch)
                )
            )
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def verify_chain(database_url: str, tenant: str) -> ChainReport:
    """Recompute every hash of ``tenant``'s log in order; report the first entry that does not hold."""
    prev, expected, count = GENESIS, 1, 0
    for entry in _entries(database_url, tenant):
        count += 1
        if entry.seq != expected:
            return ChainReport(
                tenant, count, False, prev, entry.seq, f"entry {expected} is missing (found {entry.seq})"
            )
        if entry.prev_hash != prev:
            return ChainReport(tenant, count, False, prev, entry.seq, "does not follow the previous entry")
        if _hash(entry) != entry.hash:
            return ChainReport(tenant, count, False, prev, entry.seq, "was changed after it was written")
        prev, expected = entry.hash, expected + 1
    return ChainReport(tenant, count, True, prev)


def export_log(database_url: str, tenant: str) -> list[dict[str, Any]]:
    """Every entry of ``tenant``'s log as JSON-ready dicts, in order (for an auditor)."""
    return [
        {
            "seq": e.seq,
            "at": (e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)).isoformat(),
            "actor_kind": e.actor_kind,
            "actor": e.actor,
            "origin": e.origin,
            "action": e.action,
            "target_kind": e.target_kind,
            "target": e.target,
            "detail": e.detail,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }
        for e in _entries(database_url, tenant)
    ]
