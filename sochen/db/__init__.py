"""SQLAlchemy 2 models, engines and sessions; migrations live in the top-level ``alembic/`` folder."""

from .models import Base, Chunk, Document, LlmCall, Tenant, TenantVersion, new_id, utcnow
from .session import get_engine, session_scope

__all__ = [
    "Base",
    "Chunk",
    "Document",
    "LlmCall",
    "Tenant",
    "TenantVersion",
    "get_engine",
    "new_id",
    "session_scope",
    "utcnow",
]
