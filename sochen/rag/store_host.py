"""One process owns the embedded store; another reaches it through a local socket.

Qdrant Edge holds a shard's write-ahead log under an exclusive lock: one process at a time. On one
machine ``sochen serve`` keeps its store (``/v1/ask``, documents) and runs conversation turns in a
worker *process* (:mod:`sochen.api.worker_process`) so that turns never share the acknowledging
process's GIL. The worker's retriever reaches the server's store through :class:`RemoteStore`, which
forwards each call of the store interface (``dense_search``, ``sparse_search``, ``point_ids``, …)
over a Unix socket to a :class:`StoreHost` thread in the owning process. The socket lives in the
Sochen home with mode 0600 and every connection proves the shared secret (``multiprocessing``'s HMAC
handshake); calls and answers are plain values (ids, scores, vectors).

A Qdrant server needs none of this: every process opens its own client.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import threading
from collections.abc import Callable
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any

__all__ = ["CALLS", "RemoteStore", "StoreHost", "use_remote_store"]

log = logging.getLogger("sochen.rag")

CALLS = frozenset(
    {
        "collections",
        "ensure_collection",
        "has_sparse",
        "has_sentences",
        "upsert",
        "update_sparse",
        "delete",
        "point_ids",
        "vectors",
        "dense_search",
        "sparse_search",
        "sentence_search",
        "drop",
    }
)
"""The store interface a remote caller may use (nothing else of the owning process is reachable)."""
_ATTRIBUTES = ("is_server", "filters_in_engine", "kind")


class StoreHost:
    """Serves one store object to local worker processes (a thread per connection)."""

    def __init__(self, store: Any, folder: Path, *, authkey: bytes | None = None) -> None:
        self.store = store
        self.authkey = authkey or secrets.token_bytes(32)
        folder.mkdir(parents=True, exist_ok=True)
        # A short path: Unix socket paths are limited to ~100 bytes.
        self.address = str(folder / f"store-{os.getpid()}-{secrets.token_hex(3)}.sock")
        self._listener: Listener | None = None
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> StoreHost:
        """Listen (socket readable by this user only) and accept connections in a daemon thread."""
        old = os.umask(0o177)
        try:
            self._listener = Listener(self.address, family="AF_UNIX", authkey=self.authkey)
        finally:
            os.umask(old)
        thread = threading.Thread(target=self._accept, name="sochen-store-host", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop accepting and remove the socket (open connections end with their peer)."""
        self._stopped.set()
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.address)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            listener = self._listener
            if listener is None:
                return
            try:
                conn = listener.accept()
            except (OSError, EOFError):
                if self._stopped.is_set():
                    return
                log.warning("store host: a connection failed its handshake")
                continue
            except Exception:  # multiprocessing.AuthenticationError and friends
                log.warning("store host: a connection was refused (wrong secret)")
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), name="sochen-store-conn", daemon=True)
            thread.start()

    def _serve(self, conn: Connection) -> None:
        with conn:
            while not self._stopped.is_set():
                try:
                    request = conn.recv()
                except (EOFError, OSError):
                    return
                conn.send(self._answer(request))

    def _answer(self, request: Any) -> tuple[bool, Any]:
        try:
            name, args, kwargs = request
            if name == "__attributes__":
                return True, {a: getattr(self.store, a) for a in _ATTRIBUTES}
            if name not in CALLS:
                raise AttributeError(f"the store host does not serve {name!r}")
            return True, getattr(self.store, name)(*args, **kwargs)
        except Exception as exc:  # the caller re-raises it; the connection stays usable
            try:
                import pickle

                pickle.dumps(exc)
                return False, exc
            except Exception:
                return False, RuntimeError(f"{type(exc).__name__}: {exc}")


class RemoteStore:
    """The store interface, answered by a :class:`StoreHost` in the process that owns the store."""

    def __init__(self, address: str, authkey: bytes) -> None:
        self.address, self._authkey = address, authkey
        self._local = threading.local()
        for name, value in self._call("__attributes__").items():
            setattr(self, name, value)

    def _conn(self) -> Connection:
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = Client(self.address, family="AF_UNIX", authkey=self._authkey)
        return conn

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        conn = self._conn()
        try:
            conn.send((name, args, kwargs))
            ok, value = conn.recv()
        except (EOFError, OSError):
            self._local.conn = None
            raise ConnectionError("the process that owns the embedded vector store is gone") from None
        if not ok:
            raise value
        return value

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name not in CALLS:
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._call(name, *args, **kwargs)

        call.__name__ = name
        return call


_REMOTE: tuple[str, bytes] | None = None


def use_remote_store(address: str | None, authkey: bytes = b"") -> None:
    """Make :func:`sochen.rag.store.open_store` return a :class:`RemoteStore` in this process (worker processes)."""
    global _REMOTE
    _REMOTE = (address, authkey) if address else None


def remote_store() -> RemoteStore | None:
    """The remote store this process was told to use, if any."""
    return RemoteStore(*_REMOTE) if _REMOTE is not None else None
