"""Settings of the WhatsApp Business Cloud API connector."""

from __future__ import annotations

from pydantic import Field, SecretStr

from ..base import ConnectorConfig

__all__ = ["DEFAULT_MEDIA_TYPES", "WhatsAppConfig"]

DEFAULT_MEDIA_TYPES = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "audio/",
    "video/mp4",
    "video/3gpp",
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.",
    "application/vnd.ms-excel",
    "text/plain",
]


class WhatsAppConfig(ConnectorConfig):
    """One WhatsApp business phone number of one tenant."""

    phone_number_id: str = Field(
        pattern=r"^\d{5,20}$", description="The Cloud API phone-number id (digits, from the App Dashboard)."
    )
    access_token: SecretStr = Field(description="System-user access token with whatsapp_business_messaging.")
    app_secret: SecretStr = Field(description="The Meta app secret: the key of X-Hub-Signature-256.")
    verify_token: SecretStr = Field(description="The verify token typed into the webhook settings of the app.")
    api_version: str = Field(default="v23.0", pattern=r"^v\d+\.\d+$", description="Graph API version, e.g. v23.0.")
    graph_url: str = Field(
        default="https://graph.facebook.com",
        pattern=r"^https?://[^\s/]+(:\d+)?$",
        description="Graph API base URL (a fake's URL in tests and sandboxes).",
    )
    enforce_service_window: bool = Field(
        default=True,
        description="Refuse free-form messages outside the 24-hour customer-service window "
        "(only templates may be sent then) instead of letting Meta reject them.",
    )
    max_media_bytes: int = Field(
        default=20_000_000, gt=0, le=100_000_000, description="Largest media download accepted, in bytes."
    )
    allowed_media_types: list[str] = Field(
        default_factory=lambda: list(DEFAULT_MEDIA_TYPES),
        description="MIME types (or prefixes ending in '/' or '.') that media downloads may have.",
    )
