"""Encryption at rest of the columns that carry what people wrote (Fernet from ``cryptography``).

The contract:
- **Keys never live in the database.** ``SOCHEN_DATA_KEYS`` holds ``id:key`` pairs separated by
  commas, or ``SOCHEN_DATA_KEY_FILE`` names a file with one ``id:key`` per line; each key is a Fernet
  key (``sochen privacy new-key`` prints one). The first key encrypts; every key decrypts, so a new
  key goes first and the old one stays until ``sochen privacy encrypt`` has re-encrypted every row
  (then it can be removed).
- **Transparent.** :class:`EncryptedText`, :class:`EncryptedJSON` and :class:`EncryptedBytes` are
  column types: code reads and writes plain values; the database holds ``enc:f1:<token>`` (text),
  ``{"_enc": "f1", "c": "<token>"}`` (JSON) or ``b"enc:f1:" + token`` (bytes). The column's own type in
  the schema does not change, so no migration is needed to switch encryption on.
- **Without a key** values are stored as they are (the embedded default keeps working; the service
  says at start-up that data is not encrypted) and rows written earlier with a key are refused with a
  clear error rather than shown as ciphertext.
- Only the values are protected: which rows exist, their ids and times stay in clear.
- **Blind index for lookups.** A value that must be found by equality (a conversation's channel
  address) is stored encrypted *and* as a keyed hash (:func:`lookup_hash`: HMAC-SHA256 under
  ``SOCHEN_LOOKUP_KEYS``, ``id:secret`` pairs like the data keys, the first one current). Queries
  compare hashes under every configured key (:func:`lookup_hashes`), so a new lookup key goes first
  and ``sochen privacy encrypt`` re-hashes the rows. Without a lookup key a built-in one is used:
  lookups work, but a phone number's hash can then be recomputed by anyone (start-up warns).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, LargeBinary, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = [
    "EncryptedBytes",
    "EncryptedJSON",
    "EncryptedText",
    "MissingKeyError",
    "current_key_id",
    "decrypt_raw",
    "encrypt_raw",
    "encryption_enabled",
    "is_current",
    "lookup_hash",
    "lookup_hashes",
    "lookup_keyed",
    "rehash_lookups",
    "reset_keys",
]

TEXT_PREFIX = "enc:f1:"
BYTES_PREFIX = b"enc:f1:"
JSON_MARK = "f1"

_lock = threading.Lock()
_cache: dict[str, Any] = {}


class MissingKeyError(RuntimeError):
    """A row is encrypted but no key that opens it is configured."""


def _load() -> tuple[list[str], Any]:
    """(key ids, MultiFernet or None) from the environment, read once per process (see :func:`reset_keys`)."""
    with _lock:
        if "keys" in _cache:
            return _cache["ids"], _cache["keys"]
        spec = os.environ.get("SOCHEN_DATA_KEYS", "")
        path = os.environ.get("SOCHEN_DATA_KEY_FILE", "")
        lines = [p.strip() for p in spec.split(",") if p.strip()]
        if path:
            lines += [ln.strip() for ln in Path(path).read_text(encoding="utf-8").splitlines() if ln.strip()]
        ids: list[str] = []
        fernets = []
        if lines:
            from cryptography.fernet import Fernet, MultiFernet

            for line in lines:
                key_id, sep, key = line.partition(":")
                if not sep or not key_id or not key:
                    raise ValueError("SOCHEN_DATA_KEYS: each key is written id:key (key from `sochen privacy new-key`)")
                try:
                    fernets.append(Fernet(key.encode()))
                except ValueError:
                    raise ValueError(f"SOCHEN_DATA_KEYS: key '{key_id}' is not a valid Fernet key") from None
                ids.append(key_id)
            multi: Any = MultiFernet(fernets)
            _cache["primary"] = fernets[0]
        else:
            multi = None
        _cache["ids"], _cache["keys"] = ids, multi
        return ids, multi


UNKEYED_LOOKUP = b"sochen-unkeyed-lookup/1"
"""The lookup key used when none is configured (no secrecy: see the module docstring)."""


def _lookup_keys() -> list[bytes]:
    """The configured lookup secrets, current first (read once per process, like the data keys)."""
    with _lock:
        if "lookup" in _cache:
            return list(_cache["lookup"])
        spec = os.environ.get("SOCHEN_LOOKUP_KEYS", "")
        path = os.environ.get("SOCHEN_LOOKUP_KEY_FILE", "")
        lines = [p.strip() for p in spec.split(",") if p.strip()]
        if path:
            lines += [ln.strip() for ln in Path(path).read_text(encoding="utf-8").splitlines() if ln.strip()]
        keys: list[bytes] = []
        for line in lines:
            key_id, sep, secret = line.partition(":")
            if not sep or not key_id or len(secret) < 16:
                raise ValueError("SOCHEN_LOOKUP_KEYS: each key is written id:secret, the secret 16 characters or more")
            keys.append(secret.encode("utf-8"))
        _cache["lookup"] = keys
        return list(keys)


def lookup_keyed() -> bool:
    """Whether a lookup key is configured (otherwise lookup hashes use the built-in key)."""
    return bool(_lookup_keys())


def _hmac(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def lookup_hash(value: str) -> str:
    """The blind-index hash of ``value`` under the current lookup key (64 hex characters)."""
    keys = _lookup_keys()
    return _hmac(keys[0] if keys else UNKEYED_LOOKUP, value)


def lookup_hashes(value: str) -> list[str]:
    """Its hash under every configured lookup key and the built-in one (rows not re-hashed yet are found)."""
    return [_hmac(key, value) for key in [*_lookup_keys(), UNKEYED_LOOKUP]]


def reset_keys() -> None:
    """Read the keys from the environment again (tests; a rotation in a long-lived process)."""
    with _lock:
        _cache.clear()


def encryption_enabled() -> bool:
    """Whether a key is configured (new values are encrypted)."""
    return _load()[1] is not None


def current_key_id() -> str | None:
    """The id of the key new values are encrypted with."""
    ids, _ = _load()
    return ids[0] if ids else None


def encrypt_raw(data: bytes) -> bytes | None:
    """A token for ``data`` under the current key; None without a key."""
    _, multi = _load()
    return None if multi is None else multi.encrypt(data)


def decrypt_raw(token: bytes) -> bytes:
    """The plaintext of ``token``; :class:`MissingKeyError` when no configured key opens it."""
    from cryptography.fernet import InvalidToken

    _, multi = _load()
    if multi is None:
        raise MissingKeyError(
            "this row is encrypted but no key is configured: set SOCHEN_DATA_KEYS (or SOCHEN_DATA_KEY_FILE)"
        )
    try:
        return bytes(multi.decrypt(token))
    except InvalidToken:
        raise MissingKeyError(
            "this row is encrypted with a key that is not configured: add it to SOCHEN_DATA_KEYS"
        ) from None


def is_current(token: bytes) -> bool:
    """Whether ``token`` opens with the current (first) key."""
    from cryptography.fernet import InvalidToken

    _load()
    primary = _cache.get("primary")
    if primary is None:
        return False
    try:
        primary.decrypt(token)
        return True
    except InvalidToken:
        return False


class EncryptedText(TypeDecorator[str]):
    """Text stored as ``enc:f1:<token>`` when a key is configured."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Encrypt on the way in (when a key is configured)."""
        if value is None or value.startswith(TEXT_PREFIX):
            return value
        token = encrypt_raw(value.encode("utf-8"))
        return value if token is None else TEXT_PREFIX + token.decode("ascii")

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        """Decrypt on the way out (plain values pass through)."""
        if value is None or not value.startswith(TEXT_PREFIX):
            return value
        return decrypt_raw(value[len(TEXT_PREFIX) :].encode("ascii")).decode("utf-8")


class EncryptedJSON(TypeDecorator[Any]):
    """JSON stored as ``{"_enc": "f1", "c": "<token>"}`` when a key is configured."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Encrypt on the way in (when a key is configured)."""
        if value is None or (isinstance(value, dict) and value.get("_enc") == JSON_MARK):
            return value
        token = encrypt_raw(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        return value if token is None else {"_enc": JSON_MARK, "c": token.decode("ascii")}

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """Decrypt on the way out (plain values pass through)."""
        if isinstance(value, dict) and value.get("_enc") == JSON_MARK and isinstance(value.get("c"), str):
            return json.loads(decrypt_raw(value["c"].encode("ascii")))
        return value


class EncryptedBytes(TypeDecorator[bytes]):
    """Bytes stored as ``b"enc:f1:" + token`` when a key is configured."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        """Encrypt on the way in (when a key is configured)."""
        if value is None or bytes(value).startswith(BYTES_PREFIX):
            return value
        token = encrypt_raw(bytes(value))
        return value if token is None else BYTES_PREFIX + token

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        """Decrypt on the way out (plain values pass through)."""
        if value is None:
            return None
        raw = bytes(value)
        if not raw.startswith(BYTES_PREFIX):
            return raw
        return decrypt_raw(raw[len(BYTES_PREFIX) :])


ENCRYPTED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("conversation_turns", "text"),
    ("conversations", "contact_name"),
    ("conversations", "contact_id"),
    ("inbound_deliveries", "body"),
    ("inbound_events", "payload"),
    ("domain_events", "payload"),
    ("outbox_jobs", "params"),
    ("outbox_jobs", "deferred"),
    ("outbox_jobs", "result"),
    ("outbox_job_attempts", "message"),
    ("privacy_operations", "request"),
)
"""Every column whose values are encrypted at rest (table, column)."""


def _token_of(raw: Any) -> bytes | None:
    if isinstance(raw, str) and raw.startswith(TEXT_PREFIX):
        return raw[len(TEXT_PREFIX) :].encode("ascii")
    if isinstance(raw, bytes | memoryview) and bytes(raw).startswith(BYTES_PREFIX):
        return bytes(raw)[len(BYTES_PREFIX) :]
    if isinstance(raw, dict) and raw.get("_enc") == JSON_MARK and isinstance(raw.get("c"), str):
        return str(raw["c"]).encode("ascii")
    return None


def _wrap(impl: Any, token: bytes) -> Any:
    if isinstance(impl, LargeBinary):
        return BYTES_PREFIX + token
    if isinstance(impl, JSON):
        return {"_enc": JSON_MARK, "c": token.decode("ascii")}
    return TEXT_PREFIX + token.decode("ascii")


def _plain_bytes(raw: Any) -> bytes:
    if isinstance(raw, bytes | memoryview):
        return bytes(raw)
    if isinstance(raw, str):
        return raw.encode("utf-8")
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def reencrypt_all(database_url: str, *, batch: int = 500) -> dict[str, int]:
    """Encrypt every plain value and re-encrypt every value under an older key with the current key.

    Bounded batches, each its own transaction, idempotent: a run killed mid-way is finished by the
    next. Returns rows rewritten per ``table.column``. Needs a key (:func:`encryption_enabled`).
    """
    from sqlalchemy import select, type_coerce, update

    from .models import Base
    from .session import session_scope

    _, multi = _load()
    if multi is None:
        raise MissingKeyError("no data key is configured: set SOCHEN_DATA_KEYS (sochen privacy new-key makes one)")
    out: dict[str, int] = {}
    for table_name, column in ENCRYPTED_COLUMNS:
        table = Base.metadata.tables[table_name]
        col = table.c[column]
        impl = col.type.impl if isinstance(col.type, TypeDecorator) else col.type
        raw_col = type_coerce(col, impl).label("raw")
        pk = table.c.id
        after, changed = "", 0
        while True:
            with session_scope(database_url) as session:
                rows = session.execute(
                    select(pk, raw_col).where(pk > after, col.is_not(None)).order_by(pk).limit(batch)
                ).all()
                if not rows:
                    break
                after = rows[-1][0]
                for row_id, raw in rows:
                    if raw is None:
                        continue
                    token = _token_of(raw)
                    if token is None:
                        new = _wrap(impl, multi.encrypt(_plain_bytes(raw)))
                    elif is_current(token):
                        continue
                    else:
                        new = _wrap(impl, multi.rotate(token))
                    session.execute(update(table).where(pk == row_id).values({column: new}))
                    changed += 1
        out[f"{table_name}.{column}"] = changed
    return out


def rehash_lookups(database_url: str, *, batch: int = 500) -> dict[str, int]:
    """Recompute every conversation's ``contact_key`` under the current lookup key (after a new key).

    Bounded batches, idempotent; works with or without a data key (values are decrypted to hash
    them). Returns rows re-hashed.
    """
    from sqlalchemy import select, update

    from .models_conversations import Conversation
    from .session import session_scope

    after, changed = "", 0
    while True:
        with session_scope(database_url) as session:
            rows = session.execute(
                select(Conversation.id, Conversation.contact_value, Conversation.contact_key)
                .where(Conversation.id > after)
                .order_by(Conversation.id)
                .limit(batch)
            ).all()
            if not rows:
                break
            after = rows[-1][0]
            for row_id, value, key in rows:
                fresh = lookup_hash(value)
                if fresh != key:
                    session.execute(update(Conversation).where(Conversation.id == row_id).values(contact_key=fresh))
                    changed += 1
    return {"conversations.contact_key": changed}
