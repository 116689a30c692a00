"""The ``sochen`` command. Each area registers its commands from its own module; heavy imports stay inside commands."""

from __future__ import annotations

from . import ask as _ask  # noqa: F401
from . import chat as _chat  # noqa: F401
from . import connectors as _connectors  # noqa: F401

# Command modules register themselves on `app` when imported.
from . import db as _db  # noqa: F401
from . import demo as _demo  # noqa: F401
from . import evals as _evals  # noqa: F401
from . import inbound as _inbound  # noqa: F401
from . import jobs as _jobs  # noqa: F401
from . import llm as _llm  # noqa: F401
from . import models as _models  # noqa: F401
from . import privacy as _privacy  # noqa: F401
from . import rag as _rag  # noqa: F401
from . import serve as _serve  # noqa: F401
from . import tenant as _tenant  # noqa: F401
from . import users as _users  # noqa: F401
from .app import app

__all__ = ["app", "configure_logging", "main"]


def main() -> None:
    """Entry point of the ``sochen`` console script: logging (always through redaction), then the command."""
    configure_logging()
    app()


def configure_logging() -> None:
    """Log to standard error at SOCHEN_LOG_LEVEL, every record passing through the personal-data redactor."""
    import logging

    from ..config import get_settings
    from ..privacy import install_log_redaction

    logging.basicConfig(
        level=getattr(logging, get_settings().log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    install_log_redaction()
