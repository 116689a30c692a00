"""The ``webchat`` connector: a chat widget on the business's own site (see :mod:`.connector`)."""

from ._config import WebchatConfig
from ._token import TokenError, new_visitor_id, sign_token, verify_token
from .connector import WINDOW_CLOSED, StreamMessage, VisitorSession, WebchatConnector, phone_in

__all__ = [
    "WINDOW_CLOSED",
    "StreamMessage",
    "TokenError",
    "VisitorSession",
    "WebchatConfig",
    "WebchatConnector",
    "new_visitor_id",
    "phone_in",
    "sign_token",
    "verify_token",
]
