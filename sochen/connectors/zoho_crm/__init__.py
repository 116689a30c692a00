"""The ``zoho_crm`` connector: Zoho CRM REST API v8 with OAuth refresh tokens."""

from ._auth import SHARED_TOKENS, AccessToken, TokenCache
from ._client import error_from_zoho
from ._config import ACCOUNTS_HOSTS, API_DOMAINS, ZohoCrmConfig
from ._criteria import criteria_equals, escape_value
from .connector import (
    BATCH_LIMIT,
    BatchResult,
    BatchUpsert,
    ContactParams,
    CorrectContactParams,
    CorrectContactResult,
    EraseContactParams,
    EraseContactResult,
    ItemResult,
    LeadParams,
    NoteParams,
    SearchParams,
    TaskParams,
    ZohoCrmConnector,
)

__all__ = [
    "ACCOUNTS_HOSTS",
    "API_DOMAINS",
    "BATCH_LIMIT",
    "SHARED_TOKENS",
    "AccessToken",
    "BatchResult",
    "BatchUpsert",
    "ContactParams",
    "CorrectContactParams",
    "CorrectContactResult",
    "EraseContactParams",
    "EraseContactResult",
    "ItemResult",
    "LeadParams",
    "NoteParams",
    "SearchParams",
    "TaskParams",
    "TokenCache",
    "ZohoCrmConfig",
    "ZohoCrmConnector",
    "criteria_equals",
    "error_from_zoho",
    "escape_value",
]
