"""The HTTP service: WhatsApp and n8n webhooks, ask, documents, jobs, health and metrics.

``create_app(settings)`` builds the FastAPI app (``sochen serve`` runs it under uvicorn). The seams
the rest of Sochen plugs into is :class:`~sochen.api.queues.InboundQueue` (which wakes whatever runs
the stored inbound events' jobs: :mod:`sochen.workflows.inbound`). The api is assembled from every
other package; nothing imports it.
"""

from .app import create_app
from .queues import CeleryQueue, EmbeddedQueue, InboundQueue, NullQueue
from .settings import ApiSettings

__all__ = ["ApiSettings", "CeleryQueue", "EmbeddedQueue", "InboundQueue", "NullQueue", "create_app"]
