"""Settings of the web chat channel (``connectors.webchat`` in the tenant file)."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator

from ..base import ConnectorConfig

__all__ = ["MIN_SECRET_CHARS", "WebchatConfig"]

MIN_SECRET_CHARS = 32
"""Shortest token secret the chat works with (checked when it runs: ``tenant apply`` sees placeholders)."""

_ORIGIN = re.compile(r"^https?://[a-z0-9.\-]+(:\d{1,5})?$")


class WebchatConfig(ConnectorConfig):
    """One tenant's web chat: where the widget may run, how visitors are signed and limited."""

    allowed_origins: list[str] = Field(
        min_length=1,
        max_length=50,
        description="Sites the widget may be embedded in, as browser origins ('https://clinic.co.il', "
        "'http://127.0.0.1:8080'): scheme, host and port, no path. Every request's Origin header must be one "
        "of them (CORS answers only these); anything else is refused with 403.",
    )
    token_secret: SecretStr = Field(
        description="Key that signs visitor tokens (`token_secret_env: VAR`; at least 32 characters, or the chat "
        "answers 409 and `sochen connectors check` says why). Changing it ends every visitor's session."
    )
    title: str = Field(
        default="שיחה איתנו", min_length=1, max_length=60, description="The widget's header (Hebrew first)."
    )
    greeting: str = Field(
        default="שלום! איך אפשר לעזור?",
        min_length=1,
        max_length=300,
        description="Shown to a visitor whose conversation is empty (not stored, not sent to the agent).",
    )
    session_days: int = Field(
        default=30, ge=1, le=365, description="Days a visitor token stays valid: a reload within them resumes."
    )
    reply_window_min: int = Field(
        default=60,
        ge=1,
        le=7 * 24 * 60,
        description="Minutes after the visitor's last message or open widget during which a reply can reach "
        "them (the channel's messaging window): later, a person's reply is refused with the reason.",
    )
    max_message_chars: int = Field(
        default=2000, ge=1, le=4096, description="Longest message a visitor may send, in characters."
    )
    visitor_per_min: int = Field(
        default=12, ge=1, le=600, description="Messages one visitor may send per minute (429 beyond)."
    )
    ip_per_min: int = Field(
        default=60,
        ge=1,
        le=6000,
        description="Requests (sessions, messages, streams) one IP address may make per minute (429 beyond).",
    )
    stream_poll_s: float = Field(
        default=1.0, gt=0, le=10, description="How often an open stream looks for new messages, in seconds."
    )

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        out = []
        for origin in value:
            cleaned = origin.strip().lower().rstrip("/")
            if not _ORIGIN.match(cleaned):
                raise ValueError(
                    f"{origin!r} is not a browser origin: write scheme://host[:port] with no path, "
                    "e.g. 'https://clinic.co.il'"
                )
            out.append(cleaned)
        return out
