"""The HTTP service: WhatsApp and n8n webhooks, ask, documents, jobs, health and metrics.

``create_app(settings)`` builds the FastAPI app (``sochen serve`` runs it under uvicorn). The seams
the rest of Sochen plugs into are :class:`~sochen.api.queues.InboundQueue` (where stored inbound
events go) and the processor ``processor(settings, event_id)`` the embedded queue calls
(``sochen.agents.inbound.process_inbound`` when it exists). The api is assembled from every
other package; nothing imports it.
"""

from .app import create_app
from .queues import CeleryQueue, EmbeddedQueue, InboundQueue, NullQueue, Processor
from .settings import ApiSettings

__all__ = ["ApiSettings", "CeleryQueue", "EmbeddedQueue", "InboundQueue", "NullQueue", "Processor", "create_app"]
