"""The inbound journal (embedded SQLite): acknowledged means journaled; every journaled item becomes
exactly one row and one job; the acknowledgement never waits on the database's writer."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from sochen.api.inbound import parse_delivery
from sochen.api.journal import InboundJournal, JournalImporter, journal_path
from sochen.api.tenants import TenantConnectors
from sochen.config import get_settings
from sochen.connectors.types import WebhookRequest
from sochen.db.crypto import reset_keys
from sochen.db.models_api import InboundDelivery, InboundEventRow
from sochen.db.models_outbox import Job
from sochen.db.session import session_scope
from sochen.tenancy import resolver_for
from sochen.workflows.inbound import INBOUND_ACTION

from ._support import count_deliveries, count_events, status_body, text_message, wa_headers
from .conftest import api_settings

pytestmark = pytest.mark.unit

TEXT = "שלום, אפשר לקבוע תור לניקוי אבנית ביום חמישי?"


@pytest.fixture
def sqlite_url(db_url: str) -> str:
    if not db_url.startswith("sqlite"):
        pytest.skip("the inbound journal belongs to the embedded SQLite database")
    return db_url


def parsed(body: bytes) -> list[Any]:
    """The clinic's WhatsApp connector verifies and parses ``body`` as the webhook route does."""
    settings = get_settings()
    connectors = TenantConnectors(settings.database_url, ttl_s=0, resolver=resolver_for(settings))
    connector = connectors.get("clinic", "whatsapp")
    request = WebhookRequest(method="POST", body=body, headers=wa_headers(body), query={}, path="/")
    return parse_delivery(connector, request)


def inbound_jobs(url: str) -> int:
    with session_scope(url) as session:
        return int(session.scalar(select(func.count()).select_from(Job).where(Job.action == INBOUND_ACTION)) or 0)


def journal_for(url: str) -> InboundJournal:
    return InboundJournal(url)


def test_a_journaled_delivery_becomes_one_row_and_one_job_and_leaves_the_journal(sqlite_url):
    journal = journal_for(sqlite_url)
    body = text_message("wamid.j-1", TEXT)
    first = journal.store(tenant="clinic", channel="whatsapp", body=body, events=parsed(body))
    assert (first.new, first.duplicates, first.new_ids) == (1, 0, [])
    assert count_events(sqlite_url) == 0 and journal.backlog() == 1  # journaled, not yet a row
    again = journal.store(tenant="clinic", channel="whatsapp", body=body, events=parsed(body))
    assert (again.new, again.duplicates) == (0, 1)  # a redelivery before the import: found in the journal
    assert journal.backlog() == 1

    done, new_ids = journal.import_once()
    assert done == 1 and len(new_ids) == 1
    assert journal.backlog() == 0
    [row_id] = new_ids
    with session_scope(sqlite_url) as session:
        job = session.get(Job, row_id)
        assert job is not None and job.action == INBOUND_ACTION and job.status == "pending"
    assert count_events(sqlite_url) == 1 and count_deliveries(sqlite_url) == 1
    later = journal.store(tenant="clinic", channel="whatsapp", body=body, events=parsed(body))
    assert (later.new, later.duplicates) == (0, 1)  # after the import: found in inbound_events
    assert journal.backlog() == 0
    journal.close()


def test_an_import_interrupted_before_the_journal_forgot_it_stores_nothing_twice(sqlite_url):
    journal = journal_for(sqlite_url)
    bodies = [text_message(f"wamid.j-{n}", TEXT) for n in range(3)] + [status_body([("wamid.sent-1", "sent")])]
    for body in bodies:
        assert journal.store(tenant="clinic", channel="whatsapp", body=body, events=parsed(body)).new == 1
    batch = journal.pending()
    journal._import(batch)  # the database committed; the process died before the journal was told
    assert journal.backlog() == 4 and count_events(sqlite_url) == 4
    done, new_ids = journal.import_once()  # the next start imports again
    assert done == 4 and new_ids == []
    assert journal.backlog() == 0
    assert count_events(sqlite_url) == 4 and inbound_jobs(sqlite_url) == 4 and count_deliveries(sqlite_url) == 4
    journal.close()


def test_acknowledging_does_not_wait_for_the_databases_writer(sqlite_url):
    journal = journal_for(sqlite_url)
    body = text_message("wamid.j-locked", TEXT)
    events = parsed(body)
    holder = sqlite3.connect(sqlite_url.split("///", 1)[-1], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a turn's transaction holds the write lock
    holder.execute("UPDATE outbox_jobs SET updated_at = updated_at")
    try:
        result = journal.store(tenant="clinic", channel="whatsapp", body=body, events=events)
        assert result.new == 1  # committed while the database's write lock is held
        assert journal.backlog() == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    importer = JournalImporter(journal, lambda ids: None)
    assert importer.stop(10)  # imports what is left before it ends
    assert count_events(sqlite_url) == 1 and inbound_jobs(sqlite_url) == 1


def test_the_importer_thread_imports_and_wakes_the_queue_and_resumes_after_a_restart(sqlite_url):
    leftover = journal_for(sqlite_url)
    body = text_message("wamid.j-left", TEXT)
    assert leftover.store(tenant="clinic", channel="whatsapp", body=body, events=parsed(body)).new == 1
    leftover.close()  # the server stopped (or was killed) before importing it

    woken: list[list[str]] = []
    done = threading.Event()

    def enqueue(ids):
        woken.append(list(ids))
        if sum(len(w) for w in woken) >= 2:
            done.set()

    journal = journal_for(sqlite_url)
    importer = JournalImporter(journal, enqueue, poll_s=5.0).start()
    try:
        body = text_message("wamid.j-new", TEXT)
        assert journal.store(tenant="clinic", channel="whatsapp", body=body, events=parsed(body)).new == 1
        assert done.wait(20)
    finally:
        assert importer.stop(10)
    ids = [i for w in woken for i in w]
    assert len(ids) == 2 == len(set(ids))
    assert count_events(sqlite_url) == 2 and inbound_jobs(sqlite_url) == 2


def test_the_journal_keeps_message_text_encrypted_when_a_key_is_configured(sqlite_url, monkeypatch):
    monkeypatch.setenv("SOCHEN_DATA_KEYS", f"k1:{Fernet.generate_key().decode()}")
    reset_keys()
    try:
        journal = journal_for(sqlite_url)
        body = text_message("wamid.j-secret", TEXT)
        assert journal.store(tenant="clinic", channel="whatsapp", body=body, events=parsed(body)).new == 1
        with sqlite3.connect(journal.path) as conn:
            stored = b"".join(bytes(b) + bytes(i) for b, i in conn.execute("SELECT body, items FROM deliveries"))
        assert TEXT.encode() not in stored and stored
        journal.import_once()
        journal.close()
        with session_scope(sqlite_url) as session:
            [row] = session.scalars(select(InboundEventRow))
            assert row.payload["text"] == TEXT
            [delivery] = session.scalars(select(InboundDelivery))
            assert delivery.body == body
    finally:
        monkeypatch.delenv("SOCHEN_DATA_KEYS")
        reset_keys()


def test_the_app_acknowledges_into_the_journal_and_stops_with_it_imported(make_client, sqlite_url):
    client = make_client(api=api_settings(inbound_journal="on", inbound_queue="embedded"))
    state = client.app.state.sochen
    assert state.journal is not None and journal_path(sqlite_url).exists()
    body = status_body([("wamid.unknown-1", "delivered")])
    first = client.post("/webhooks/whatsapp/clinic", content=body, headers=wa_headers(body))
    assert first.status_code == 200 and first.json()["new"] == 1, first.text
    again = client.post("/webhooks/whatsapp/clinic", content=body, headers=wa_headers(body))
    assert again.status_code == 200 and again.json()["duplicates"] == 1, again.text
    client.__exit__(None, None, None)  # stopping imports what is left
    assert count_events(sqlite_url) == 1 and inbound_jobs(sqlite_url) == 1
    with sqlite3.connect(journal_path(sqlite_url)) as conn:
        assert conn.execute("SELECT count(*) FROM deliveries").fetchone()[0] == 0


def test_without_the_journal_webhooks_store_directly(make_client, sqlite_url):
    client = make_client(api=api_settings(inbound_journal="off"))
    assert client.app.state.sochen.journal is None
    body = status_body([("wamid.unknown-2", "read")])
    assert client.post("/webhooks/whatsapp/clinic", content=body, headers=wa_headers(body)).json()["new"] == 1
    assert count_events(sqlite_url) == 1


def test_a_fully_synced_journal_acknowledges_the_same_way(make_client, sqlite_url):
    client = make_client(api=api_settings(inbound_journal="on", inbound_journal_sync="full"))
    journal = client.app.state.sochen.journal.journal
    assert journal.synchronous == "full"
    assert journal._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: an fsync per commit
    body = status_body([("wamid.unknown-3", "sent")])
    answer = client.post("/webhooks/whatsapp/clinic", content=body, headers=wa_headers(body))
    assert answer.status_code == 200 and answer.json()["new"] == 1, answer.text
    client.__exit__(None, None, None)
    assert count_events(sqlite_url) == 1 and inbound_jobs(sqlite_url) == 1
