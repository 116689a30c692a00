"""LangGraph checkpoints encrypted at rest with the project's data keys (:mod:`sochen.db.crypto`).

The contract:
- **The serializer.** Checkpoint savers get LangGraph's own ``EncryptedSerializer`` (the
  ``SerializerProtocol`` wrapper of ``langgraph.checkpoint.serde.encrypted``) around the default
  ``JsonPlusSerializer``, with :class:`FernetCipher`: with a data key every blob is a Fernet token
  under the current key and its type reads ``<type>+fernet``; without one the bytes are stored as
  they are under ``<type>+plain``. Rows written before (type without ``+``) stay readable.
- **PostgreSQL inlines text.** ``PostgresSaver`` keeps primitive channel values (the message text
  is a ``str``) inside the ``checkpoints.checkpoint`` JSONB, outside the serializer.
  :class:`EncryptingPostgresSaver` moves string values to ``checkpoint_blobs`` (through the
  serializer) whenever a key is configured; reading merges both, so nothing else changes.
- **Rotation and old rows.** :func:`reencrypt_checkpoints` (run by ``sochen privacy encrypt``)
  encrypts plain blobs, re-encrypts blobs under an older key, and on PostgreSQL moves inline
  strings out to encrypted blobs. Bounded batches, each its own transaction, idempotent.
- Metadata (step, source, parents) and the thread id (a hash of the conversation) are not personal
  and stay in clear.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langgraph.checkpoint.serde.encrypted import EncryptedSerializer
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from ..config import Settings
from ..db.crypto import MissingKeyError, decrypt_raw, encrypt_raw, encryption_enabled, is_current

__all__ = [
    "EncryptingPostgresSaver",
    "FernetCipher",
    "checkpoint_serde",
    "reencrypt_checkpoints",
    "sqlite_checkpoint_file",
]

FERNET = "fernet"
PLAIN = "plain"


class FernetCipher:
    """LangGraph's ``CipherProtocol`` over the project's Fernet keys (plain bytes without a key)."""

    def encrypt(self, plaintext: bytes) -> tuple[str, bytes]:
        """``("fernet", token)`` under the current key, or ``("plain", plaintext)`` without a key."""
        token = encrypt_raw(plaintext)
        return (PLAIN, plaintext) if token is None else (FERNET, token)

    def decrypt(self, ciphername: str, ciphertext: bytes) -> bytes:
        """The plaintext; :class:`~sochen.db.crypto.MissingKeyError` when no configured key opens it."""
        if ciphername == PLAIN:
            return ciphertext
        if ciphername == FERNET:
            return decrypt_raw(ciphertext)
        raise ValueError(f"a checkpoint is encrypted with an unknown cipher '{ciphername}'")


def checkpoint_serde() -> EncryptedSerializer:
    """The serializer every Sochen checkpoint saver uses."""
    return EncryptedSerializer(FernetCipher(), JsonPlusSerializer())


def sqlite_checkpoint_file(settings: Settings) -> Path:
    """Where the embedded checkpoints live: ``checkpoints.db`` beside the SQLite database."""
    return Path(settings.database_url.split("///", 1)[-1]).parent / "checkpoints.db"


class _Text:
    """A string channel value boxed so that ``PostgresSaver.put`` sends it to the (encrypted) blobs."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value


def _postgres_saver_class() -> type[Any]:
    from langgraph.checkpoint.postgres import PostgresSaver

    class _Saver(PostgresSaver):
        """``PostgresSaver`` that keeps no string channel value in clear when a data key is configured."""

        def put(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
            if not encryption_enabled():
                return super().put(config, checkpoint, metadata, new_versions)
            values = checkpoint["channel_values"]
            texts = [k for k, v in values.items() if isinstance(v, str)]
            if not texts:
                return super().put(config, checkpoint, metadata, new_versions)
            versions = checkpoint.get("channel_versions") or {}
            boxed = checkpoint.copy()
            boxed["channel_values"] = {k: _Text(v) if k in texts else v for k, v in values.items()}
            # An unchanged string channel has no new version: its blob is written now (a no-op if it exists).
            extra = {k: versions[k] for k in texts if k in versions and k not in new_versions}
            return super().put(config, boxed, metadata, {**new_versions, **extra})

        def _dump_blobs(
            self, thread_id: str, checkpoint_ns: str, values: dict[str, Any], versions: Any
        ) -> list[tuple[str, str, str, str, str, bytes | None]]:
            plain = {k: v.value if isinstance(v, _Text) else v for k, v in values.items()}
            return list(super()._dump_blobs(thread_id, checkpoint_ns, plain, versions))

    return _Saver


def EncryptingPostgresSaver(conn: Any) -> Any:
    """A ``PostgresSaver`` on ``conn`` with the encrypting serializer (see the module docstring)."""
    return _postgres_saver_class()(conn, serde=checkpoint_serde())


def _new_type(type_: str, blob: bytes | None) -> tuple[str, bytes] | None:
    """The (type, blob) a stored value becomes under the current key; None when it is current already."""
    from ..db.crypto import _load

    _, multi = _load()
    if multi is None:
        raise MissingKeyError("no data key is configured: set SOCHEN_DATA_KEYS (sochen privacy new-key makes one)")
    if type_ == "empty":  # PostgresSaver's marker of a channel without a value (no blob)
        return None
    raw = bytes(blob or b"")
    base, _, cipher = type_.partition("+")
    if cipher == FERNET:
        if is_current(raw):
            return None
        return f"{base}+{FERNET}", bytes(multi.rotate(raw))
    if cipher not in ("", PLAIN):
        raise ValueError(f"a checkpoint is encrypted with an unknown cipher '{cipher}'")
    return f"{base}+{FERNET}", bytes(multi.encrypt(raw))


def reencrypt_checkpoints(settings: Settings, *, batch: int = 500) -> dict[str, int]:
    """Encrypt plain checkpoint blobs and re-encrypt those under older keys (see the module docstring).

    Returns rows rewritten per table. Needs a data key.
    """
    if not encryption_enabled():
        raise MissingKeyError("no data key is configured: set SOCHEN_DATA_KEYS (sochen privacy new-key makes one)")
    if settings.is_sqlite:
        return _reencrypt_sqlite(sqlite_checkpoint_file(settings), batch)
    return _reencrypt_postgres(settings, batch)


def _reencrypt_sqlite(path: Path, batch: int) -> dict[str, int]:
    out = {"checkpoints": 0, "writes": 0}
    if not path.exists():
        return out
    conn = sqlite3.connect(str(path), timeout=30)
    try:
        conn.execute("PRAGMA secure_delete=ON")  # the clear bytes leave the file, not only the row
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table, column in (("checkpoints", "checkpoint"), ("writes", "value")):
            if table not in tables:
                continue
            after = 0
            while True:
                rows = conn.execute(
                    f"SELECT rowid, type, {column} FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                    (after, batch),
                ).fetchall()
                if not rows:
                    break
                with conn:
                    for rowid, type_, blob in rows:
                        new = _new_type(type_, blob) if type_ else None
                        if new is not None:
                            conn.execute(
                                f"UPDATE {table} SET type = ?, {column} = ? WHERE rowid = ?",
                                (new[0], new[1], rowid),
                            )
                            out[table] += 1
                after = rows[-1][0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return out


def _reencrypt_postgres(settings: Settings, batch: int) -> dict[str, int]:
    from psycopg import Connection
    from psycopg.types.json import Jsonb
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url).set(drivername="postgresql")
    out = {"checkpoints_inline_moved": 0, "checkpoint_blobs": 0, "checkpoint_writes": 0}
    serde = checkpoint_serde()
    with Connection.connect(url.render_as_string(hide_password=False), prepare_threshold=0) as conn:
        exists = conn.execute("SELECT to_regclass('checkpoints') IS NOT NULL").fetchone()
        if not exists or not exists[0]:
            return out
        # 1. Strings PostgresSaver inlined in the checkpoint JSONB go to encrypted blobs.
        keys = conn.execute(
            "SELECT thread_id, checkpoint_ns, checkpoint_id FROM checkpoints ORDER BY 1, 2, 3"
        ).fetchall()
        for chunk in _chunks(keys, batch):
            with conn.transaction():
                for thread_id, ns, checkpoint_id in chunk:
                    row = conn.execute(
                        "SELECT checkpoint FROM checkpoints WHERE thread_id = %s AND checkpoint_ns = %s "
                        "AND checkpoint_id = %s FOR UPDATE",
                        (thread_id, ns, checkpoint_id),
                    ).fetchone()
                    if row is None:
                        continue
                    checkpoint = dict(row[0])
                    values = dict(checkpoint.get("channel_values") or {})
                    versions = checkpoint.get("channel_versions") or {}
                    moved = [k for k, v in values.items() if isinstance(v, str) and k in versions]
                    if not moved:
                        continue
                    for k in moved:
                        type_, blob = serde.dumps_typed(values.pop(k))
                        conn.execute(
                            "INSERT INTO checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob) "
                            "VALUES (%s, %s, %s, %s, %s, %s) "
                            "ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING",
                            (thread_id, ns, k, str(versions[k]), type_, blob),
                        )
                    checkpoint["channel_values"] = values
                    conn.execute(
                        "UPDATE checkpoints SET checkpoint = %s WHERE thread_id = %s AND checkpoint_ns = %s "
                        "AND checkpoint_id = %s",
                        (Jsonb(checkpoint), thread_id, ns, checkpoint_id),
                    )
                    out["checkpoints_inline_moved"] += 1
        # 2. Blobs and writes: encrypt plain ones, rotate old keys.
        for table, pk in (
            ("checkpoint_blobs", "thread_id, checkpoint_ns, channel, version"),
            ("checkpoint_writes", "thread_id, checkpoint_ns, checkpoint_id, task_id, idx"),
        ):
            cols = [c.strip() for c in pk.split(",")]
            where = " AND ".join(f"{c} = %s" for c in cols)
            keys = conn.execute(f"SELECT {pk} FROM {table} ORDER BY {pk}").fetchall()
            for chunk in _chunks(keys, batch):
                with conn.transaction():
                    for key in chunk:
                        row = conn.execute(
                            f"SELECT type, blob FROM {table} WHERE {where} FOR UPDATE",
                            key,
                        ).fetchone()
                        if row is None or not row[0]:
                            continue
                        new = _new_type(row[0], row[1])
                        if new is not None:
                            conn.execute(
                                f"UPDATE {table} SET type = %s, blob = %s WHERE {where}",
                                (new[0], new[1], *key),
                            )
                            out[table] += 1
    return out


def _chunks(rows: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]
