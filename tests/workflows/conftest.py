"""Workflow tests: a migrated database on SQLite and (integration) PostgreSQL."""

from __future__ import annotations

import pytest

from sochen.db.migrate import upgrade

from ._support import FakeClock


@pytest.fixture
def db_url(any_database_url: str) -> str:
    """A migrated database: SQLite, and PostgreSQL when integration tests run."""
    upgrade(any_database_url)
    return any_database_url


@pytest.fixture
def sqlite_url(isolated_home, monkeypatch) -> str:
    """A migrated SQLite database only."""
    from sochen.config import reset_settings

    url = f"sqlite:///{(isolated_home / 'sochen.db').as_posix()}"
    monkeypatch.setenv("SOCHEN_DATABASE_URL", url)
    reset_settings()
    upgrade(url)
    return url


@pytest.fixture
def pg_url(postgres_url: str, monkeypatch) -> str:
    """A migrated, brand-new PostgreSQL database."""
    from sochen.config import reset_settings

    monkeypatch.setenv("SOCHEN_DATABASE_URL", postgres_url)
    reset_settings()
    upgrade(postgres_url)
    return postgres_url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
