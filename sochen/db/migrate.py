"""Run the Alembic migrations from code (``sochen db upgrade``) and in tests."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config

from alembic import command

__all__ = ["alembic_config", "current_revision", "downgrade", "ensure_schema", "head_revision", "upgrade"]

_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(url: str) -> Config:
    """An Alembic config for `url` using the project's ``alembic/`` folder."""
    script_location = _ROOT / "alembic"
    if not script_location.is_dir():
        raise RuntimeError(
            f"migrations folder not found at {script_location}; install Sochen from a checkout (pip install -e .)"
        )
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision`."""
    from .session import ensure_sqlite_folder

    ensure_sqlite_folder(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Take the database at `url` down to `revision`."""
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at, or None when it has no schema yet."""
    from alembic.runtime.migration import MigrationContext

    from .session import get_engine

    with get_engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(url: str) -> str | None:
    """The newest revision in the migrations folder."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def ensure_schema(url: str, *, auto_upgrade: bool) -> None:
    """Make sure the schema is current: upgrade it when allowed, else explain what to run."""
    if current_revision(url) == head_revision(url):
        return
    if auto_upgrade:
        upgrade(url)
        return
    raise RuntimeError("the database schema is not up to date; run: sochen db upgrade")
