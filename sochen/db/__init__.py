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
from . import models_api as _models_api  # noqa: F401
from . import models_console as _models_console  # noqa: F401
from . import models_conversations as _models_conversations  # noqa: F401
from . import models_evals as _models_evals  # noqa: F401
from . import models_outbox as _models_outbox  # noqa: F401
from . import models_privacy as _models_privacy  # noqa: F401
from . import models_webchat as _models_webchat  # noqa: F401
