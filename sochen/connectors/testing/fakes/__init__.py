"""Local fake servers that speak the real wire protocols, for tests, the conformance kit and the eval sandbox.

Each is a real HTTP server on 127.0.0.1 (a free port) in a background thread. It records every
request (``fake.requests``) and can be scripted to fail (``fail_next``, ``hang_next``).
"""

from ._server import FakeResponse, FakeServer, RecordedRequest
from .graph import FakeGraphApi, graph_error, signed_webhook, text_webhook
from .n8n import FakeN8n, FakeWorkflow
from .zoho import FakeZoho, FakeZohoAccounts, FakeZohoCrm, zoho_error

__all__ = [
    "FakeGraphApi",
    "FakeN8n",
    "FakeResponse",
    "FakeServer",
    "FakeWorkflow",
    "FakeZoho",
    "FakeZohoAccounts",
    "FakeZohoCrm",
    "RecordedRequest",
    "graph_error",
    "signed_webhook",
    "text_webhook",
    "zoho_error",
]
