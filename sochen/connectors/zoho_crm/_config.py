"""Settings of the Zoho CRM connector."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from ..base import ConnectorConfig

__all__ = ["ACCOUNTS_HOSTS", "API_DOMAINS", "ZohoCrmConfig"]

DataCentre = Literal["us", "eu", "in", "au", "jp", "ca", "sa", "cn"]

# protocols.md §2.2 (from the official SDK's data-centre classes). Canada is zohocloud.ca, not zoho.ca.
ACCOUNTS_HOSTS: dict[str, str] = {
    "us": "https://accounts.zoho.com",
    "eu": "https://accounts.zoho.eu",
    "in": "https://accounts.zoho.in",
    "au": "https://accounts.zoho.com.au",
    "jp": "https://accounts.zoho.jp",
    "ca": "https://accounts.zohocloud.ca",
    "sa": "https://accounts.zoho.sa",
    "cn": "https://accounts.zoho.com.cn",
}
API_DOMAINS: dict[str, str] = {
    "us": "https://www.zohoapis.com",
    "eu": "https://www.zohoapis.eu",
    "in": "https://www.zohoapis.in",
    "au": "https://www.zohoapis.com.au",
    "jp": "https://www.zohoapis.jp",
    "ca": "https://www.zohoapis.ca",
    "sa": "https://www.zohoapis.sa",
    "cn": "https://www.zohoapis.com.cn",
}

_URL = r"^https?://[^\s/]+(:\d+)?$"


class ZohoCrmConfig(ConnectorConfig):
    """One Zoho CRM organisation of one tenant, reached through a self-client refresh token."""

    data_centre: DataCentre = Field(
        default="us", description="Where the Zoho account lives: us, eu, in, au, jp, ca, sa or cn."
    )
    client_id: str = Field(min_length=1, description="OAuth client id (Zoho API console).")
    client_secret: SecretStr = Field(description="OAuth client secret.")
    refresh_token: SecretStr = Field(description="Refresh token (scopes ZohoCRM.modules.ALL, ZohoCRM.users.READ).")
    accounts_url: str | None = Field(
        default=None, pattern=_URL, description="Override of the accounts host (a fake's URL in tests)."
    )
    api_domain: str | None = Field(
        default=None,
        pattern=_URL,
        description="Override of the API domain; normally the one returned with the access token is used.",
    )
    max_attempts: int = Field(
        default=5, ge=1, le=10, description="Tries per call while Zoho fails or limits (safe calls only)."
    )
    backoff_base_s: float = Field(default=1.0, gt=0, le=60, description="First backoff wait (doubles).")
    backoff_max_s: float = Field(default=60.0, gt=0, le=900, description="Longest single backoff wait.")
    lead_duplicate_check_fields: list[str] = Field(
        default_factory=lambda: ["Phone", "Email"],
        min_length=1,
        description="Fields that identify an existing lead, in order: searched first (phones in every format "
        "staff type), and sent as Zoho's duplicate_check_fields where Zoho marks them unique. `sochen connectors "
        "check` says which ones Zoho will honour.",
    )
    contact_duplicate_check_fields: list[str] = Field(
        default_factory=lambda: ["Phone", "Email"],
        min_length=1,
        description="Fields that identify an existing contact, in order (as lead_duplicate_check_fields).",
    )
    phone_fields: list[str] = Field(
        default_factory=lambda: ["Phone", "Mobile"],
        description="Fields normalised to E.164 (+972...) before they are written or used as keys.",
    )
    default_owner_id: str | None = Field(
        default=None, pattern=r"^\d+$", description="Zoho user id that owns tasks when a job names none."
    )
    trigger: list[Literal["workflow", "approval", "blueprint"]] | None = Field(
        default=None,
        description="Which Zoho automations run on records Sochen writes. Left out (the default), Zoho runs all of "
        "them, as for a record staff type in; [workflow] runs workflow rules only (approval processes and "
        "blueprints do not start); [] runs none.",
    )

    def token_url(self) -> str:
        """The token endpoint for this data centre (or the override)."""
        return f"{self.accounts_url or ACCOUNTS_HOSTS[self.data_centre]}/oauth/v2/token"
