"""Settings of the web console (environment prefix ``SOCHEN_CONSOLE_``)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ConsoleSettings", "session_secret"]


class ConsoleSettings(BaseSettings):
    """How the console signs sessions and throttles logins."""

    model_config = SettingsConfigDict(env_prefix="SOCHEN_CONSOLE_", env_file=".env", extra="ignore", frozen=True)

    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that signs session cookies. Unset: a random key generated once into "
        "SOCHEN_HOME/console_secret (set it explicitly when several API processes serve the console).",
    )
    session_hours: float = Field(default=12.0, gt=0, description="A session ends this many hours after sign-in.")
    secure_cookies: bool | None = Field(
        default=None,
        description="Send cookies only over HTTPS. Unset: on in production, off elsewhere (plain http on loopback).",
    )
    login_failures_per_login: int = Field(
        default=5, ge=1, description="Failed sign-ins of one login within the window before it is refused."
    )
    login_failures_per_address: int = Field(
        default=20, ge=1, description="Failed sign-ins from one address within the window before it is refused."
    )
    login_window_minutes: int = Field(default=15, ge=1, description="The throttling window, in minutes.")
    sse_poll_s: float = Field(default=1.0, gt=0, description="How often the live feed looks for changes.")
    sse_max_s: float = Field(
        default=300.0, gt=0, description="A live feed ends after this long; the browser reconnects by itself."
    )


def session_secret(console: ConsoleSettings, home: Path) -> bytes:
    """The session-signing key: the configured one, else a random one kept in ``home/console_secret`` (0600)."""
    if console.secret_key is not None:
        value = console.secret_key.get_secret_value().encode()
        if len(value) < 32:
            raise ValueError(
                "SOCHEN_CONSOLE_SECRET_KEY קצר מדי (לפחות 32 תווים) | is too short: use at least 32 characters"
            )
        return value
    path = home / "console_secret"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()
