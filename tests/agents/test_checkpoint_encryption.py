"""The checkpoint serializer: encrypted with the data keys, old and plain checkpoints still read, rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from sochen.agents.checkpoints import checkpoint_serde
from sochen.db.crypto import MissingKeyError, reset_keys

pytestmark = pytest.mark.unit

STATE = {"text": 'יש לי כאב חזק בשן, ת"ז 039337423', "slots": {"name": "דנה כהן", "phone": "+972501234567"}}


@pytest.fixture
def keys(monkeypatch):
    made = {"a": Fernet.generate_key().decode(), "b": Fernet.generate_key().decode()}
    monkeypatch.setenv("SOCHEN_DATA_KEYS", f"a:{made['a']}")
    reset_keys()
    yield made
    reset_keys()


def test_with_a_key_no_byte_of_the_message_is_in_the_blob_and_it_reads_back(keys):
    serde = checkpoint_serde()
    type_, blob = serde.dumps_typed(STATE)
    assert type_ == "msgpack+fernet"
    for secret in ("כאב חזק בשן", "039337423", "דנה כהן", "972501234567"):
        assert secret.encode() not in blob
    assert serde.loads_typed((type_, blob)) == STATE


def test_checkpoints_written_before_encryption_or_without_a_key_are_still_read(keys, monkeypatch):
    legacy = JsonPlusSerializer().dumps_typed(STATE)  # written by LangGraph's default serializer
    assert "+" not in legacy[0] and checkpoint_serde().loads_typed(legacy) == STATE
    monkeypatch.delenv("SOCHEN_DATA_KEYS")
    reset_keys()
    plain = checkpoint_serde().dumps_typed(STATE)  # no key: stored as it is, and says so
    assert plain[0] == "msgpack+plain" and "כאב".encode() in plain[1]
    monkeypatch.setenv("SOCHEN_DATA_KEYS", f"a:{keys['a']}")
    reset_keys()
    encrypted = checkpoint_serde().dumps_typed(STATE)
    assert checkpoint_serde().loads_typed(plain) == STATE
    monkeypatch.delenv("SOCHEN_DATA_KEYS")
    reset_keys()
    with pytest.raises(MissingKeyError):  # refused with the reason, never handed over as ciphertext
        checkpoint_serde().loads_typed(encrypted)


def test_rotation_reads_old_blobs_and_an_unknown_cipher_is_refused(keys, monkeypatch):
    old = checkpoint_serde().dumps_typed(STATE)
    monkeypatch.setenv("SOCHEN_DATA_KEYS", f"b:{keys['b']},a:{keys['a']}")
    reset_keys()
    assert checkpoint_serde().loads_typed(old) == STATE
    with pytest.raises(ValueError, match="unknown cipher"):
        checkpoint_serde().loads_typed(("msgpack+rot13", old[1]))
