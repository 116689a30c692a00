"""Migration 0011_privacy_rectify: conversations written before it are found by their keyed hash afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from sochen.db.crypto import reset_keys
from sochen.db.migrate import downgrade, upgrade
from sochen.db.models_conversations import Conversation
from sochen.db.session import get_engine, session_scope

pytestmark = pytest.mark.unit

ADDRESSES = {"c-dana": "972501234567", "c-yossi": "972501234568", "c-web": "web:שיחה-באתר-7f3a"}


def test_the_backfill_hashes_existing_addresses_and_every_lookup_finds_them(any_database_url, monkeypatch):
    url = any_database_url
    monkeypatch.setenv("SOCHEN_LOOKUP_KEYS", "k1:מפתח-חיפוש-לבדיקה-0123456789")
    reset_keys()
    try:
        upgrade(url, "0008")
        with get_engine(url).begin() as conn:
            for conv_id, address in ADDRESSES.items():
                conn.execute(
                    text(
                        "INSERT INTO conversations (id, tenant, channel, contact_id, status, turns, created_at, "
                        "updated_at) VALUES (:id, 'clinic', 'whatsapp', :address, 'active', 0, :now, :now)"
                    ),
                    {"id": conv_id, "address": address, "now": "2026-12-01 10:00:00"},
                )
        upgrade(url)
        with session_scope(url) as session:
            for conv_id, address in ADDRESSES.items():
                row = session.scalar(select(Conversation).where(Conversation.contact_id == address))
                assert row is not None and row.id == conv_id and row.contact_id == address
            assert session.scalar(select(Conversation).where(Conversation.contact_id == "97250123456")) is None
        # Back down and up again: nothing lost while the values are still plain.
        downgrade(url, "0008")
        with get_engine(url).connect() as conn:
            kept = dict(conn.execute(text("SELECT id, contact_id FROM conversations")).all())
        assert kept == ADDRESSES
        upgrade(url)
    finally:
        reset_keys()
