"""The inbound journal: embedded SQLite acknowledges webhooks without waiting on the database's writer.

SQLite has one writer per database file. In the embedded mode the worker process (:mod:`.worker_process`)
writes the same file for every turn, at a lower CPU priority: when the machine is busy it is descheduled
*while holding the write lock*, and an acknowledgement that needed that lock waited for it (priority
inversion; p99 of 25-150 ms at 200 messages a second on two cores). So the acknowledgement writes
somewhere else:

- **Acknowledge.** The delivery (its body and its parsed items, both encrypted at rest like the
  columns they end up in) is one row of a second SQLite file beside the database,
  ``<name>-inbound.db``, in WAL mode, with each item's dedupe key. Only the serving process writes
  it, in short transactions serialised by one lock of this process (and by SQLite between
  processes), so an acknowledgement never waits on a turn. The 200 follows the commit:
  acknowledged means stored.
- **Dedupe.** A key is in the journal until its delivery is imported, and in ``inbound_events`` from
  the import on; the import commits the database before it deletes from the journal, and an
  acknowledgement reads ``inbound_events`` inside its journal transaction, so every key is found
  in one of the two and a redelivery is acknowledged as a duplicate and stored nowhere.
- **Import.** A thread of the serving process (:class:`JournalImporter`) moves journaled deliveries
  into the database as :func:`~.inbound.store_items` would (rows, their outbox jobs, the body), oldest
  first, up to 200 in one transaction of a few set-wise statements, then deletes them from the
  journal and wakes the queue. It may wait on the worker's lock; no acknowledgement waits on it.
  An import interrupted between the two commits runs again: the keys are found and nothing is
  stored twice. It runs on every start (work left by a stopped or killed server) and, before the server stops,
  until the journal is empty.
- **Durability.** Both files run ``synchronous=NORMAL`` in WAL mode: a commit is in the operating
  system's file cache before COMMIT returns, so it survives the crash or kill of any process;
  only an operating-system crash or power loss can lose the last commits since the WAL was last
  synced. That is the guarantee the embedded database has always given its acknowledgements
  (``sqlite_pragmas``), so the journal weakens nothing; ``inbound_journal_sync=full`` syncs the
  journal on every commit for deployments that need power-loss durability on one machine (one
  fsync per acknowledgement; production runs PostgreSQL with synchronous commits).

The journal is used with SQLite and the embedded worker process (``ApiSettings.inbound_journal``);
the web chat, whose acknowledgement also writes the visitor's stream, stores directly. PostgreSQL may
opt in (``inbound_journal=on``; the file is then ``HOME/run/inbound-journal.db``): the acknowledgement
then costs no round trip and no fsync of PostgreSQL, but acknowledged means "on this machine's disk"
until the import, and a redelivery of an item already imported is not looked up in PostgreSQL at the
acknowledgement (it is counted new there and dropped, by the unique key, at import).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ..db.crypto import EncryptedBytes
from ..db.models import new_id
from ..db.models_api import InboundDelivery, InboundEventRow
from ..db.models_outbox import Job
from ..workflows.inbound import inbound_job
from .inbound import Item, StoreResult, delivery_row, event_row, items_of, write_connection

__all__ = ["InboundJournal", "JournalImporter", "journal_path"]

log = logging.getLogger(__name__)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS deliveries (seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, "
    "channel TEXT NOT NULL, body BLOB NOT NULL, body_sha256 TEXT NOT NULL, items BLOB NOT NULL, "
    "received_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS keys (tenant TEXT NOT NULL, channel TEXT NOT NULL, event_key TEXT NOT NULL, "
    "seq INTEGER NOT NULL, PRIMARY KEY (tenant, channel, event_key)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS keys_seq ON keys (seq)",
)
_CRYPT = EncryptedBytes()
_EVENTS = InboundEventRow.__tablename__


def journal_path(database_url: str, home: Path | None = None) -> Path:
    """``<stem>-inbound<suffix>`` beside a SQLite database file; ``<home>/run/inbound-journal.db`` otherwise."""
    if not database_url.startswith("sqlite"):
        return (home or Path.cwd()) / "run" / "inbound-journal.db"
    db = Path(database_url.split("///", 1)[-1])
    return db.with_name(f"{db.stem}-inbound{db.suffix or '.db'}")


@dataclass(frozen=True)
class Journaled:
    """One delivery waiting in the journal."""

    seq: int
    tenant: str
    channel: str
    body: bytes
    """Encrypted when a data key is configured (handed to the database as it is)."""
    body_sha256: str
    items: list[Item]
    received_at: datetime


class InboundJournal:
    """The journal file of one SQLite database (see the module docstring). Thread-safe."""

    def __init__(self, database_url: str, *, synchronous: str = "normal", home: Path | None = None) -> None:
        self.database_url = database_url
        self.path = journal_path(database_url, home)
        self.synchronous = "full" if synchronous == "full" else "normal"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = self._connect(synchronous)
        self._read: sqlite3.Connection | None = None
        self._main: sqlite3.Connection | None = None
        if database_url.startswith("sqlite"):
            # Reads of inbound_events for the dedupe: a WAL reader never waits on the database's writer.
            self._main = sqlite3.connect(
                database_url.split("///", 1)[-1], check_same_thread=False, isolation_level=None
            )
            self._main.execute("PRAGMA query_only=1")
            self._main.execute("PRAGMA busy_timeout=30000")
        self.wake = threading.Event()
        """Set after each commit that journaled something new (the importer waits on it)."""

    def _connect(self, synchronous: str) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={'FULL' if synchronous == 'full' else 'NORMAL'}")
        # Checkpoints run in the importer's thread (checkpoint()), never inside an acknowledgement's commit.
        conn.execute("PRAGMA wal_autocheckpoint=0")
        with self._lock:
            for statement in _SCHEMA:
                conn.execute(statement)
        return conn

    def close(self) -> None:
        """Close the connections."""
        with self._lock:
            self._conn.close()
            if self._main is not None:
                self._main.close()
            if self._read is not None:
                self._read.close()

    # -- acknowledging ---------------------------------------------------------------------------
    def store(self, *, tenant: str, channel: str, body: bytes, events: Sequence[Any]) -> StoreResult:
        """Journal the new items of one parsed delivery; committed when this returns."""
        result = StoreResult()
        items = items_of(events)
        if not items:
            return result
        record = json.dumps(
            [[i.kind, i.key, i.payload, i.error] for i in items], ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")
        sealed_body, sealed_items = _seal(body), _seal(record)
        digest = hashlib.sha256(body).hexdigest()
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                seq = conn.execute(
                    "INSERT INTO deliveries (tenant, channel, body, body_sha256, items, received_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (tenant, channel, sealed_body, digest, sealed_items, time.time()),
                ).lastrowid
                for item in items:
                    if self._stored_already(tenant, channel, item.key):
                        result.duplicates += 1
                        continue
                    added = conn.execute(
                        "INSERT OR IGNORE INTO keys (tenant, channel, event_key, seq) VALUES (?, ?, ?, ?)",
                        (tenant, channel, item.key, seq),
                    ).rowcount
                    if not added:
                        result.duplicates += 1
                    elif item.error is not None:
                        result.rejected += 1
                        result.kinds["rejected"] += 1
                    else:
                        result.journaled += 1
                        result.kinds[item.kind] += 1
                if result.journaled or result.rejected:
                    conn.execute("COMMIT")
                else:  # a pure redelivery: nothing is kept
                    conn.execute("ROLLBACK")
                    return result
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        self.wake.set()
        return result

    def _stored_already(self, tenant: str, channel: str, key: str) -> bool:
        if self._main is None:  # PostgreSQL: not asked here (a round trip); the import drops a stored key
            return False
        row = self._main.execute(
            f"SELECT 1 FROM {_EVENTS} WHERE tenant = ? AND channel = ? AND event_key = ?",
            (tenant, channel, key),
        ).fetchone()
        return row is not None

    # -- importing -------------------------------------------------------------------------------
    def _reader(self) -> sqlite3.Connection:
        # The importer's own connection: its reads and checkpoints never hold up an acknowledgement
        # (a WAL reader and a PASSIVE checkpoint run beside the writer).
        if self._read is None:
            self._read = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._read.execute("PRAGMA busy_timeout=30000")
        return self._read

    def pending(self, limit: int = 200) -> list[Journaled]:
        """The oldest journaled deliveries (up to ``limit``); the importer's thread only."""
        rows = (
            self._reader()
            .execute(
                "SELECT seq, tenant, channel, body, body_sha256, items, received_at FROM deliveries "
                "ORDER BY seq LIMIT ?",
                (limit,),
            )
            .fetchall()
        )
        out = []
        for seq, tenant, channel, body, digest, items, received in rows:
            record = json.loads(_open(items))
            out.append(
                Journaled(
                    seq=seq,
                    tenant=tenant,
                    channel=channel,
                    body=bytes(body),
                    body_sha256=digest,
                    items=[Item(kind=k, key=key, payload=p, error=e) for k, key, p, e in record],
                    received_at=datetime.fromtimestamp(received, tz=UTC),
                )
            )
        return out

    def backlog(self) -> int:
        """Deliveries waiting to be imported."""
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM deliveries").fetchone()[0])

    def forget(self, seqs: Sequence[int]) -> None:
        """Delete imported deliveries and their keys (after the database committed them)."""
        if not seqs:
            return
        marks = ",".join("?" * len(seqs))
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(f"DELETE FROM keys WHERE seq IN ({marks})", tuple(seqs))
                conn.execute(f"DELETE FROM deliveries WHERE seq IN ({marks})", tuple(seqs))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def checkpoint(self) -> None:
        """Copy the journal's WAL back into its file (PASSIVE: never waits on, nor blocks, a writer)."""
        self._reader().execute("PRAGMA wal_checkpoint(PASSIVE)")

    def import_once(self, limit: int = 200) -> tuple[int, list[str]]:
        """Import the oldest journaled deliveries; (deliveries imported, new event ids).

        One database transaction for the batch; when it fails, each delivery in its own, so one that
        cannot be stored (it stays in the journal, logged, tried again later) never holds up the rest.
        """
        batch = self.pending(limit)
        if not batch:
            return 0, []
        try:
            new_ids = self._import(batch)
        except Exception:
            if len(batch) == 1:
                raise
            log.warning("importing %d journaled deliveries failed; importing them one by one", len(batch))
            done: list[Journaled] = []
            new_ids = []
            for delivery in batch:
                try:
                    new_ids += self._import([delivery])
                    done.append(delivery)
                except Exception:
                    log.exception("journaled delivery %d could not be imported; it stays in the journal", delivery.seq)
            batch = done
        self.forget([d.seq for d in batch])
        return len(batch), new_ids

    def _import(self, batch: Sequence[Journaled]) -> list[str]:
        """Store a batch in one transaction, a few statements for all of it; the new events' ids.

        What :func:`~.inbound.store_items` does per delivery, set-wise: every item is offered with a
        fresh id (``ON CONFLICT DO NOTHING`` on its key), the ids that landed are read back, the
        pending ones get their outbox job, and a delivery none of whose items landed is not kept.
        """
        deliveries: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for delivery in batch:
            delivery_id, now = new_id(), delivery.received_at
            tenant, channel = delivery.tenant, delivery.channel
            deliveries.append(
                delivery_row(
                    delivery_id,
                    tenant=tenant,
                    channel=channel,
                    body=delivery.body,
                    count=len(delivery.items),
                    now=now,
                    sha256=delivery.body_sha256,
                )
            )
            events += [
                event_row(item, tenant=tenant, channel=channel, delivery_id=delivery_id, now=now)
                for item in delivery.items
            ]
        with write_connection(self.database_url) as conn:
            insert_delivery, insert_event, insert_job = _bulk_statements(conn.dialect.name)
            conn.execute(insert_delivery, deliveries)
            conn.execute(insert_event, events)
            landed: set[str] = set()
            ids = [e["id"] for e in events]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                landed.update(conn.scalars(select(InboundEventRow.id).where(InboundEventRow.id.in_(chunk))))
            new = [e for e in events if e["id"] in landed and e["status"] == "pending"]
            if new:
                conn.execute(insert_job, [inbound_job(e["id"], e["tenant"], e["created_at"]) for e in new])
            kept = {e["delivery_id"] for e in events if e["id"] in landed}
            empty = [d["id"] for d in deliveries if d["id"] not in kept]  # pure redeliveries: nothing is kept
            for start in range(0, len(empty), 500):
                conn.execute(delete(InboundDelivery).where(InboundDelivery.id.in_(empty[start : start + 500])))
        return [e["id"] for e in new]


@lru_cache(maxsize=4)
def _bulk_statements(dialect: str) -> tuple[Any, Any, Any]:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    events: Any = InboundEventRow.__table__
    deliveries: Any = InboundDelivery.__table__
    jobs: Any = Job.__table__
    on_key = insert(events).on_conflict_do_nothing(index_elements=["tenant", "channel", "event_key"])
    return insert(deliveries), on_key, insert(jobs)


def _seal(data: bytes) -> bytes:
    sealed = _CRYPT.process_bind_param(data, None)
    return data if sealed is None else sealed


def _open(data: bytes) -> bytes:
    opened = _CRYPT.process_result_value(bytes(data), None)
    return b"" if opened is None else opened


class JournalImporter:
    """The thread that moves journaled deliveries into the database and wakes the queue."""

    def __init__(
        self,
        journal: InboundJournal,
        enqueue: Callable[[Sequence[str]], None],
        *,
        poll_s: float = 1.0,
        checkpoint_s: float = 1.0,
        batch: int = 200,
    ) -> None:
        self.journal = journal
        self.enqueue = enqueue
        self.poll_s = poll_s
        self.checkpoint_s = checkpoint_s
        self.batch = batch
        self.imported: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> JournalImporter:
        """Start the thread (once); it imports what an earlier server left first."""
        if self._thread is None:
            self.journal.wake.set()
            self._thread = threading.Thread(target=self._run, name="sochen-inbound-import", daemon=True)
            self._thread.start()
        return self

    def drain(self, timeout: float = 30.0) -> bool:
        """Import until the journal is empty (bounded by ``timeout``); True when it is."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done, new_ids = self.journal.import_once(self.batch)
            self._handed(done, new_ids)
            if not done:
                return True
        return self.journal.backlog() == 0

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the thread, then import what is left; True when the journal is empty."""
        self._stop.set()
        self.journal.wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        try:
            return self.drain(timeout)
        finally:
            self.journal.close()

    def _handed(self, done: int, new_ids: list[str]) -> None:
        if done:
            self.imported["deliveries"] += done
        if new_ids:
            self.imported["events"] += len(new_ids)
            try:
                self.enqueue(new_ids)
            except Exception:  # a wake-up only: the worker's poll finds the committed jobs anyway
                log.exception("could not wake the inbound queue")

    def _run(self) -> None:
        last_checkpoint, pause = time.monotonic(), 0.0
        while not self._stop.is_set():
            self.journal.wake.wait(pause or self.poll_s)
            self.journal.wake.clear()
            if self._stop.is_set():
                return
            try:
                while not self._stop.is_set():  # bounded by the journal: each round deletes what it imported
                    done, new_ids = self.journal.import_once(self.batch)
                    self._handed(done, new_ids)
                    if done < self.batch:
                        break
                if time.monotonic() - last_checkpoint >= self.checkpoint_s:
                    self.journal.checkpoint()
                    last_checkpoint = time.monotonic()
                pause = 0.0
            except Exception:  # the database is unavailable for now: the deliveries wait in the journal
                log.exception("importing the inbound journal failed; retrying")
                pause = min(max(pause * 2, 0.1), 5.0)
