"""The ``n8n`` connector: trigger n8n workflows and receive their calls."""

from ._config import N8nConfig
from .connector import EVENT_ID_HEADER, IDEMPOTENCY_HEADER, RUN_ID_HEADER, N8nConnector, sign_body

__all__ = ["EVENT_ID_HEADER", "IDEMPOTENCY_HEADER", "RUN_ID_HEADER", "N8nConfig", "N8nConnector", "sign_body"]
