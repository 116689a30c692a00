"""The ``whatsapp`` connector: WhatsApp Business Cloud API (Meta Graph API)."""

from ._config import WhatsAppConfig
from ._errors import ServiceWindowClosed, error_from_graph
from ._parse import parse_delivery
from ._window import SERVICE_WINDOW_S, InMemoryServiceWindows, ServiceWindowStore, advance_status
from .connector import MarkRead, MediaContent, ReadReceipt, WhatsAppConnector

__all__ = [
    "SERVICE_WINDOW_S",
    "InMemoryServiceWindows",
    "MarkRead",
    "MediaContent",
    "ReadReceipt",
    "ServiceWindowClosed",
    "ServiceWindowStore",
    "WhatsAppConfig",
    "WhatsAppConnector",
    "advance_status",
    "error_from_graph",
    "parse_delivery",
]
