"""monday.com connector for Sochen: items, column values and updates on a board, over the GraphQL API."""

from .connector import (
    API_VERSION,
    AddUpdateParams,
    CreateItemParams,
    ItemResult,
    MondayConfig,
    MondayConnector,
    UpdateColumnsParams,
    UpdateResult,
    idempotency_marker,
)

__all__ = [
    "API_VERSION",
    "AddUpdateParams",
    "CreateItemParams",
    "ItemResult",
    "MondayConfig",
    "MondayConnector",
    "UpdateColumnsParams",
    "UpdateResult",
    "idempotency_marker",
]
