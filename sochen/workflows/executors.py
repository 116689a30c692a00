"""Executors: how a job's ``connector.action`` reaches a connector (the dispatcher's one seam).

:func:`connector_executor` turns a connector factory into an :data:`~.dispatcher.Executor`; the
factory decides which instance serves a tenant (tests pass one returning a fake-backed connector).
:func:`tenant_connector_factory` is the production factory: it builds connectors from the
``connectors`` section of the tenant's live configuration. :func:`load_executor` reads the
``SOCHEN_JOB_EXECUTOR`` setting (``module:callable`` returning an executor) for worker processes.
"""

from __future__ import annotations

import importlib
import threading
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from ..connectors.base import Connector
from ..connectors.errors import ConnectorError, ErrorKind
from .dispatcher import Executor, JobHeld

__all__ = ["ConnectorFactory", "connector_executor", "load_executor", "tenant_connector_factory"]

ConnectorFactory = Callable[[str, str], Connector[Any]]
"""``(tenant slug, connector name) -> connector``; raises ConnectorError(misconfigured) when the
tenant has no such connector. The factory owns the instances (and closes them)."""


def connector_executor(factory: ConnectorFactory) -> Executor:
    """An executor that runs ``connector.action`` with :meth:`Connector.run_action`.

    The job's idempotency key is given to actions whose parameters have an ``idempotency_key``
    field (n8n's trigger, for one) unless the rule set it; upserts are idempotent by their keys.
    """

    def execute(tenant: str, action: str, params: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        name, _, action_name = action.partition(".")
        if not name or not action_name:
            raise ConnectorError(ErrorKind.INVALID_REQUEST, f"action must be 'connector.action', not {action!r}")
        connector = factory(tenant, name)
        spec = type(connector).actions().get(action_name)
        if spec is not None and _takes_idempotency_key(spec.params_type) and not params.get("idempotency_key"):
            params = {**params, "idempotency_key": idempotency_key}
        return _result_dict(connector.run_action(action_name, params))

    return execute


def _takes_idempotency_key(params_type: Any) -> bool:
    """Whether an action's parameters (a model, or a union of models such as ``OutboundMessage``) have the field."""
    if isinstance(params_type, type):
        return "idempotency_key" in getattr(params_type, "model_fields", {})
    members = [a for a in typing.get_args(params_type) if isinstance(a, type) or typing.get_args(a)]
    return bool(members) and all(_takes_idempotency_key(m) for m in members)


def _result_dict(result: Any) -> dict[str, Any]:
    if result is None:
        return {}
    if isinstance(result, BaseModel):
        return dict(result.model_dump(mode="json"))
    if isinstance(result, list):
        return {"items": [r.model_dump(mode="json") if isinstance(r, BaseModel) else r for r in result]}
    if isinstance(result, dict):
        return result
    return {"value": result}


def tenant_connector_factory(database_url: str, *, production: bool | None = None) -> ConnectorFactory:
    """Connectors built from ``connectors.<name>`` of the tenant's live configuration (:mod:`sochen.tenancy`).

    Instances are cached per tenant, configuration version and name, for the life of the process.
    A tenant with no live version (production) makes the job held until one is promoted;
    ``production`` defaults to the process settings' environment.
    """
    from ..config import get_settings
    from ..tenancy import TenantResolver

    if production is None:
        production = get_settings().environment == "production"
    resolver = TenantResolver(database_url, production=production)
    cache: dict[tuple[str, int, str], Connector[Any]] = {}
    lock = threading.Lock()

    def factory(tenant: str, name: str) -> Connector[Any]:
        from ..connectors.base import host_arguments
        from ..connectors.registry import build_config, load_connector
        from ..tenancy import TenantNotFoundError, TenantNotLiveError

        try:
            resolved = resolver.live(tenant)
        except TenantNotFoundError:
            raise ConnectorError(ErrorKind.MISCONFIGURED, f"no tenant '{tenant}'") from None
        except TenantNotLiveError as exc:
            raise JobHeld(str(exc), reason="tenant_not_live") from None
        settings = resolved.config.connectors.get(name)
        number = resolved.version
        if settings is None:
            raise ConnectorError(
                ErrorKind.MISCONFIGURED,
                f"tenant '{tenant}' (version {number}) has no settings for connector '{name}'; "
                f"add `connectors.{name}` to its YAML and apply it",
            )
        with lock:
            found = cache.get((tenant, number, name))
            if found is None:
                cls = load_connector(name).cls
                extra: dict[str, Any] = host_arguments(cls, tenant=tenant, database_url=database_url)
                if name == "whatsapp":  # the 24-hour window is known from the transcripts, in every process
                    extra["windows"] = TranscriptServiceWindows(database_url, tenant)
                found = cls(build_config(cls, settings), **extra)
                cache[(tenant, number, name)] = found
            return found

    return factory


def load_executor(path: str | None, database_url: str) -> Executor:
    """The executor made by calling ``module:callable`` with no arguments.

    Empty ``path``: the connectors of each tenant's live configuration.
    """
    if not path:
        return connector_executor(tenant_connector_factory(database_url))
    module_name, _, attr = path.partition(":")
    if not attr:
        raise ValueError(f"SOCHEN_JOB_EXECUTOR must be 'module:callable', not {path!r}")
    maker = getattr(importlib.import_module(module_name), attr)
    executor = maker()
    if not callable(executor):
        raise TypeError(f"{path} must return an executor (a callable), not {type(executor).__name__}")
    return executor


class TranscriptServiceWindows:
    """WhatsApp's 24-hour customer-service window, read from the conversation transcripts in the database.

    The time of a contact's newest message is that of its newest user turn, so every worker process
    sees the same window; recording is the transcript's job (nothing to do here).
    """

    def __init__(self, database_url: str, tenant: str) -> None:
        self.database_url = database_url
        self.tenant = tenant

    def last_inbound(self, wa_id: str) -> float | None:
        """Unix time of the contact's newest message in the tenant's WhatsApp conversations."""
        from datetime import UTC

        from sqlalchemy import func, select

        from ..db.models_conversations import Conversation, ConversationTurn
        from ..db.session import session_scope

        with session_scope(self.database_url) as session:
            newest = session.scalar(
                select(func.max(ConversationTurn.created_at))
                .join(Conversation, Conversation.id == ConversationTurn.conversation_id)
                .where(
                    Conversation.tenant == self.tenant,
                    Conversation.channel == "whatsapp",
                    Conversation.contact_id == wa_id,
                    ConversationTurn.role == "user",
                )
            )
        if newest is None:
            return None
        if newest.tzinfo is None:  # SQLite hands back naive UTC
            newest = newest.replace(tzinfo=UTC)
        return float(newest.timestamp())

    def record_inbound(self, wa_id: str, at: float) -> None:
        """Nothing: the transcript already holds the message."""
