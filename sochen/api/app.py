"""The app factory: ``create_app(settings)`` assembles routes, limits, errors and background threads.

Nothing heavy happens at import or in the factory: Qdrant opens on the first request that needs
it, the Celery app is imported when the first message is sent, the queue thread starts with the
app's lifespan (``uvicorn`` or ``with TestClient(app)``).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ..config import Settings, get_settings
from ..console import router as console_router
from ..workflows.dispatcher import Executor
from .errors import install_error_handlers
from .limits import BodyLimitMiddleware
from .queues import InboundQueue
from .routes import conversations, jobs, ops, privacy, tenants, webchat, webhooks
from .settings import ApiSettings
from .state import ApiState

__all__ = ["create_app"]

DESCRIPTION = """\
**סוכן** — שירות ה-HTTP: webhooks של WhatsApp ו-n8n, שאלות למאגר הידע, מסמכים ומשימות.

*Sochen's HTTP service: WhatsApp and n8n webhooks, questions to a tenant's knowledge base, its
documents, and the connector jobs of the outbox.*

- **Webhooks** (`/webhooks/...`) מאומתים בחתימה על הבתים הגולמיים; כל פריט נשמר פעם אחת לפני
  התשובה 200. / *authenticated by their signatures over the raw bytes; every item is stored once
  before the 200.*
- **`/v1/...`** דורשים `Authorization: Bearer sk_sochen_...` (`sochen keys create`). מפתח של דייר
  רואה רק את הדייר שלו. / *need an API key; a tenant key sees only its own tenant.*
- שגיאות / *errors*: `{"error": {"code", "message", "message_he", "message_en"}}`.
"""

TAGS = [
    {"name": "webhooks", "description": "ספקים שולחים אירועים / providers deliver events"},
    {"name": "knowledge", "description": "שאלות ומסמכים של דייר / a tenant's questions and documents"},
    {"name": "webchat", "description": "צ'אט באתר העסק / the web chat widget and its visitors"},
    {"name": "jobs", "description": "משימות החיבורים ב-outbox / connector jobs in the outbox"},
    {"name": "operations", "description": "בריאות ומדדים / health and metrics"},
    {"name": "privacy", "description": "זכויות אדם על המידע שלו ויומן הגישה / a person's rights and the access log"},
]


def create_app(
    settings: Settings | None = None,
    *,
    api_settings: ApiSettings | None = None,
    queue: InboundQueue | None = None,
    job_executor: Executor | None = None,
) -> FastAPI:
    """A new app. ``queue`` replaces the configured inbound queue, ``job_executor`` the connectors (tests)."""
    settings = settings or get_settings()
    api = api_settings or ApiSettings()
    state = ApiState.build(settings, api, queue=queue, job_executor=job_executor)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from ..db.crypto import encryption_enabled, lookup_keyed

        if encryption_enabled() and not lookup_keyed():
            logging.getLogger("sochen.api").warning(
                "מספרי הטלפון של השיחות מוצפנים אך ה-hash שלהם אינו מפתחי | conversations' phone numbers are "
                "encrypted but hashed for lookups with the built-in key: set SOCHEN_LOOKUP_KEYS and run sochen "
                "privacy encrypt"
            )
        if not encryption_enabled():
            logging.getLogger("sochen.api").warning(
                "הודעות ותמלילים נשמרים ללא הצפנה | message bodies, transcripts and job parameters are NOT "
                "encrypted at rest: set SOCHEN_DATA_KEYS (sochen privacy new-key) and run sochen privacy encrypt"
            )
        state.start()
        if api.freeze_gc_at_start:
            # Everything loaded so far (the modules, the settings, the connectors) lives as long as the
            # server: frozen, a full collection scans what requests allocate instead of ~250,000
            # long-lived objects (a 30-100 ms pause under whichever acknowledgements were in flight).
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            state.stop()

    app = FastAPI(
        title="Sochen API — סוכן",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.sochen = state
    install_error_handlers(app)

    def limit_for(path: str) -> int:
        if path.startswith("/webhooks/"):
            return api.max_webhook_bytes
        if path.startswith("/webchat/"):
            return webchat.MAX_BODY_BYTES
        if path.endswith("/documents"):
            return api.max_upload_bytes + 1024 * 1024  # room for the multipart envelope
        return api.max_json_bytes

    app.add_middleware(BodyLimitMiddleware, limit_for=limit_for)
    app.include_router(webhooks.router)
    app.include_router(webchat.router)
    app.include_router(tenants.router)
    app.include_router(jobs.router)
    app.include_router(conversations.router)
    app.include_router(privacy.router)
    app.include_router(ops.router)
    app.include_router(console_router)  # the web console (/console/...)
    return app
