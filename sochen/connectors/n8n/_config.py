"""Settings of the n8n connector."""

from __future__ import annotations

from pydantic import Field, SecretStr

from ..base import ConnectorConfig

__all__ = ["N8nConfig"]


class N8nConfig(ConnectorConfig):
    """One n8n instance: workflows we trigger, and calls it makes to us."""

    base_url: str = Field(
        pattern=r"^https?://[^\s/]+(:\d+)?(/[^\s]*)?$",
        description="Where n8n listens, e.g. https://n8n.example.co.il (with N8N_PATH if it has one).",
    )
    webhook_prefix: str = Field(
        default="webhook",
        pattern=r"^[A-Za-z0-9_\-]+$",
        description="Production webhook prefix (N8N_ENDPOINT_WEBHOOK); never the test prefix.",
    )
    signing_secret: SecretStr = Field(
        description="Shared secret of the HMAC-SHA256 signature, on our calls and on n8n's calls to us."
    )
    signature_header: str = Field(
        default="X-Sochen-Signature", description="Header carrying sha256=<hex HMAC of the raw body>."
    )
    auth_header_name: str = Field(
        default="X-Sochen-Token", description="Header name of the Webhook node's Header Auth credential."
    )
    auth_header_value: SecretStr | None = Field(
        default=None, description="Header value of that credential; none when the Webhook node has no auth."
    )
    workflows: list[str] = Field(
        default_factory=list,
        description="Webhook paths that may be triggered; empty allows any path the tenant's rules name.",
    )
