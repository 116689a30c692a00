"""Shared plumbing for commands: settings, a migrated database, sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from ..config import get_settings
from ..db.migrate import ensure_schema
from ..db.session import session_scope
from .app import fail

__all__ = ["db_session", "ready_database_url"]

_checked: set[str] = set()


def ready_database_url() -> str:
    """The database URL with its schema current (SQLite is upgraded automatically)."""
    settings = get_settings()
    url = settings.database_url
    if url not in _checked:
        settings.ensure_home()
        try:
            ensure_schema(url, auto_upgrade=settings.is_sqlite)
        except RuntimeError as exc:
            fail(str(exc))
        _checked.add(url)
    return url


@contextmanager
def db_session() -> Iterator[Session]:
    """A committed-on-success session on the current database."""
    with session_scope(ready_database_url()) as session:
        yield session
