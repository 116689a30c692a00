"""``sochen db``: database migrations."""

from __future__ import annotations

import typer

from ..config import get_settings
from .app import app, console

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Bring the database schema up to date."""
    from ..db.migrate import upgrade as run_upgrade

    settings = get_settings()
    settings.ensure_home()
    run_upgrade(settings.database_url, revision)
    console.print(f"database at revision {revision}: {_safe_url(settings.database_url)}")


@db_app.command("downgrade")
def downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. 'base'.")) -> None:
    """Take the database schema back to `revision`."""
    from ..db.migrate import downgrade as run_downgrade

    run_downgrade(get_settings().database_url, revision)
    console.print(f"database at revision {revision}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
