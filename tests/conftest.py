"""Shared fixtures: isolated settings per test, SQLite and PostgreSQL databases, a loopback-only network.

- Every test gets its own ``SOCHEN_HOME`` in a temporary folder (``isolated_home``, autouse).
- ``database_url`` is SQLite by default; tests that take ``any_database_url`` run on SQLite and,
  marked ``integration``, on a fresh PostgreSQL database on 127.0.0.1:5432 (``SOCHEN_TEST_PG_URL``
  overrides the server).
- Sockets may only connect to loopback addresses: a test that tries anything else fails loudly.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models load from local paths only; no hub at test time
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# The suite builds hundreds of apps in one process: frozen objects would never be freed (tests/api/test_app_gc.py checks the default).
os.environ.setdefault("SOCHEN_API_FREEZE_GC_AT_START", "false")

PG_ADMIN_URL = os.environ.get("SOCHEN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check_address(address: object) -> None:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str) or host.startswith("/"):
        return  # unix sockets
    if host in ("localhost", ""):
        return
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        raise RuntimeError(f"tests may only connect to loopback addresses, not {host!r}") from None
    if not ip.is_loopback:
        raise RuntimeError(f"tests may only connect to loopback addresses, not {host}")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check_address(address)
    return _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check_address(address)
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh SOCHEN_HOME (SQLite, Qdrant folder) for every test; caches reset around it."""
    home = tmp_path / "sochen-home"
    monkeypatch.setenv("SOCHEN_HOME", str(home))
    monkeypatch.setenv("SOCHEN_ENVIRONMENT", "test")
    monkeypatch.delenv("SOCHEN_DATABASE_URL", raising=False)
    monkeypatch.delenv("SOCHEN_QDRANT_URL", raising=False)
    monkeypatch.delenv("SOCHEN_QDRANT_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    _reset_caches()
    yield home
    _reset_caches()


def _reset_caches() -> None:
    from sochen.config import reset_settings

    reset_settings()
    try:
        from sochen.rag.catalog import forget_catalogs
        from sochen.rag.store import close_clients
    except ImportError:  # the knowledge base may not be importable in a partial checkout
        return
    close_clients()
    forget_catalogs()
    from sochen.cli import context

    context._checked.clear()
    from sochen.workflows import conversations

    conversations._HEALTH.clear()


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """The PostgreSQL server used for integration tests; skips nothing: a missing server is an error."""
    return PG_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A brand-new PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"sochen_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        from sochen.db.session import get_engine

        get_engine(url).dispose()
        get_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def any_database_url(request: pytest.FixtureRequest, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test on the embedded SQLite and (integration) on PostgreSQL; SOCHEN_DATABASE_URL is set."""
    if request.param == "sqlite":
        url = f"sqlite:///{(isolated_home / 'sochen.db').as_posix()}"
    else:
        url = request.getfixturevalue("postgres_url")
    monkeypatch.setenv("SOCHEN_DATABASE_URL", url)
    from sochen.config import reset_settings

    reset_settings()
    return url


REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples" / "tenants"
