"""The connector contract. This docstring is the source of truth; everything else links here.

A connector is one class per external service (WhatsApp, Zoho CRM, n8n, a calendar, ...). Ours and
third-party ones are found the same way, checked the same way and run the same way.

Identity and discovery
    A connector is registered under the ``sochen.connectors`` entry-point group. The entry-point
    name, the class attribute ``name``, the package folder (``NAME`` or ``sochen_NAME``) and the key
    of its settings in the tenant file are one and the same lower-case identifier. A mismatch, two
    distributions claiming one name, or a capability declared but not implemented stops start-up
    with a :class:`~sochen.connectors.errors.ConnectorRegistryError` naming the distributions.
    The ``connectors_allow`` setting limits which entry points are loaded at all.

Configuration
    ``config_model`` is a :class:`ConnectorConfig` subclass: frozen, unknown keys rejected, every
    field described, secrets typed ``SecretStr`` (never printed, never logged; in the tenant file a
    secret ``token`` is written ``token_env: VARIABLE``). ``timeout_s`` bounds every HTTP call.

Lifecycle
    ``Connector(config, session=..., clock=..., sleep=...)``. Construction validates the config and
    stores its arguments; it does **no I/O** (no HTTP, no DNS, no files). ``clock`` and ``sleep``
    may be passed as ``None`` (the real ones are used), so a subclass with extra keyword arguments
    passes its own straight through: ``super().__init__(config, session=session, clock=clock,
    sleep=sleep)``, then sets up what is its own. A connector whose service *is* Sochen (a web chat
    keeps its visitors' messages in Sochen's own database) sets ``uses_host = True``; whoever builds
    it for a tenant then passes ``host=ConnectorHost(tenant, database_url)`` (:class:`ConnectorHost`),
    and it reaches nothing else of Sochen. Connectors are
    synchronous. All HTTP goes through the injected ``requests.Session`` (the caller owns it; the
    connector closes only a session it created itself, in :meth:`Connector.close`). Time comes from
    ``clock`` (seconds since the epoch) and waiting goes through ``sleep``, so tests never wait.
    Every loop and retry inside a connector is bounded; a connector sleeps only for backoff.

Capabilities
    ``capabilities`` declares what the connector does; each capability is a set of methods, and the
    declared set must equal the set implemented (overridden from this base):

    ``RECEIVE_WEBHOOK``  ``verify_webhook(request)`` raises :class:`WebhookRejected` unless the raw
                         bytes and headers are authentic (constant-time comparison);
                         ``parse_webhook(request)`` returns normalised events. Parsing is
                         deterministic: a duplicate delivery yields the same ``event_id`` values,
                         which are the dedupe keys. ``handshake(request)`` answers a verification
                         GET where the vendor has one (returns the body to send, or raises).
    ``SEND_MESSAGE``     ``send_message(message)`` → :class:`SendResult`. Accepted is not delivered:
                         delivery arrives later as a ``DeliveryStatus`` event.
    ``READ_RECORDS``     ``get_record(ref)`` → ``Record | None``; ``search_records(query)`` →
                         ``list[Record]`` (empty when nothing matches; never an error).
    ``WRITE_RECORDS``    ``upsert_record(upsert)`` → :class:`RecordRef`. Idempotent on
                         ``key_fields``: repeating it creates one record.
    ``TRIGGER_WORKFLOW`` ``trigger_workflow(trigger)`` → :class:`WorkflowRunRef`.

    Capability methods, and methods marked with :func:`action`, are the connector's *actions*: one
    typed parameter (a pydantic model) in, a pydantic model out, so the dispatcher can store a job
    as JSON and run it later with :meth:`Connector.run_action`. Each action says whether repeating
    it is safe (``idempotent``).

``check()``
    Returns a :class:`CheckResult`: ``ok``, or one of ``auth_invalid`` (401, expired token),
    ``unreachable`` (timeout, refused, 5xx), ``rate_limited`` (429, with ``retry_after`` from the
    response) or ``misconfigured``. It makes at most a few cheap calls and never raises for
    these outcomes.

Errors
    Every failure of an action is a :class:`ConnectorError` with a kind from a closed set
    (:class:`ErrorKind`); ``retryable`` is true only for ``unreachable`` and ``rate_limited``.
    Connectors retry internally only what is safe to repeat (an idempotent write, a refused
    token) and only a bounded number of times; everything else is left to the dispatcher.
    Requests exceptions never escape: they are mapped (timeouts → ``unreachable``).

Testing
    :mod:`sochen.connectors.testing` is the conformance kit that checks all of the above; every
    connector, the built-ins included, passes it against a fake of its service.

Sandbox fake
    ``sandbox_fake(settings, planned=...)`` (a classmethod) starts a fake of the service on
    loopback for the eval sandbox and returns a :class:`SandboxFake`: the running fake, the config
    overrides that point the connector at it (base URLs, no enforced windows), and the secrets the
    fake accepts, by config field name. ``settings`` is the tenant's section for this connector
    (secrets as ``*_env`` names, never values); ``planned`` lists ``(action, params)`` of the tenant
    rules that call this connector, so a fake can be ready for them (n8n registers the workflow
    paths). The default returns ``None``: the connector has no fake, and in evals its jobs are
    planned and checked, never run. The sandbox builds the connector from the tenant's settings
    merged with the overrides and refuses any URL in them that is not loopback.

Only :mod:`sochen.config` and :mod:`sochen.db` (and :mod:`sochen.privacy` where a connector must
honour it) may be imported from the rest of Sochen.
"""

from __future__ import annotations

import inspect
import time
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

import requests
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from .errors import ConnectorError, ErrorKind
from .types import (
    CheckResult,
    CheckStatus,
    InboundEvent,
    OutboundMessage,
    Record,
    RecordQuery,
    RecordRef,
    RecordUpsert,
    SendResult,
    WebhookRequest,
    WorkflowRunRef,
    WorkflowTrigger,
)

__all__ = [
    "CAPABILITY_METHODS",
    "ActionSpec",
    "Capability",
    "Connector",
    "ConnectorConfig",
    "ConnectorHost",
    "SandboxFake",
    "action",
    "check_result_from_error",
    "host_arguments",
    "implemented_capabilities",
    "partially_implemented",
]


class Capability(StrEnum):
    """What a connector can do; each is a set of methods of :class:`Connector`."""

    RECEIVE_WEBHOOK = "receive_webhook"
    SEND_MESSAGE = "send_message"
    READ_RECORDS = "read_records"
    WRITE_RECORDS = "write_records"
    TRIGGER_WORKFLOW = "trigger_workflow"


CAPABILITY_METHODS: dict[Capability, tuple[str, ...]] = {
    Capability.RECEIVE_WEBHOOK: ("verify_webhook", "parse_webhook"),
    Capability.SEND_MESSAGE: ("send_message",),
    Capability.READ_RECORDS: ("get_record", "search_records"),
    Capability.WRITE_RECORDS: ("upsert_record",),
    Capability.TRIGGER_WORKFLOW: ("trigger_workflow",),
}
"""The methods that make up each capability."""

# Capability methods that are actions, and whether repeating them is safe.
_CAPABILITY_ACTIONS: dict[str, bool] = {
    "send_message": False,
    "get_record": True,
    "search_records": True,
    "upsert_record": True,
    "trigger_workflow": False,
}


class ConnectorConfig(BaseModel):
    """Base of every connector's settings: frozen, strict, described, secrets as ``SecretStr``."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    timeout_s: float = Field(
        default=10.0, gt=0, le=120, description="Seconds before one HTTP call to the service is abandoned."
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        missing = [name for name, f in cls.model_fields.items() if not f.description]
        if missing:
            raise TypeError(f"{cls.__name__}: every config field needs a description; missing on {missing}")


ConfigT = TypeVar("ConfigT", bound=ConnectorConfig)


@dataclass(frozen=True)
class ActionSpec:
    """One action a connector offers: typed parameters in, a pydantic model out."""

    name: str
    params_type: Any
    idempotent: bool
    description: str

    def validate(self, params: Any) -> Any:
        """Turn JSON-like parameters into the typed parameter object."""
        return TypeAdapter(self.params_type).validate_python(params)

    def params_schema(self) -> dict[str, Any]:
        """JSON Schema of the parameters."""
        return TypeAdapter(self.params_type).json_schema()


def action(*, idempotent: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a connector method taking one typed parameter as an action the dispatcher may run."""

    def mark(func: Callable[..., Any]) -> Callable[..., Any]:
        func.__sochen_action__ = {"idempotent": idempotent}  # type: ignore[attr-defined]
        return func

    return mark


@dataclass
class SandboxFake:
    """A running loopback fake of a connector's service, and how to point the connector at it.

    ``overrides`` are merged over the tenant's settings; ``secrets`` are the values the fake
    accepts, by config field name (``access_token``), given to the tenant's ``access_token_env``;
    ``urls`` are every base URL the connector will reach (the sandbox refuses any not on loopback);
    ``fake`` is the fake object itself (a test or a scenario reads what it received); ``stop``
    stops it.
    """

    fake: Any
    overrides: dict[str, Any]
    urls: list[str]
    stop: Callable[[], None]
    secrets: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ConnectorHost:
    """What Sochen hands a connector that keeps its state in Sochen's own database (``uses_host``).

    ``tenant`` is the slug the instance serves (it must never read or write another tenant's rows);
    ``database_url`` is Sochen's database. Only :mod:`sochen.db` may be used with it.
    """

    tenant: str
    database_url: str


def host_arguments(cls: type[Connector[Any]], *, tenant: str, database_url: str) -> dict[str, Any]:
    """The constructor keywords a factory adds for ``cls``: ``host=...`` when it ``uses_host``, else none."""
    return {"host": ConnectorHost(tenant, database_url)} if cls.uses_host else {}


class Connector(Generic[ConfigT]):
    """Base class of every connector; see the module docstring for the contract."""

    name: ClassVar[str] = ""
    """Entry-point name = folder = config key."""
    title: ClassVar[str] = ""
    """Human name, e.g. 'WhatsApp Business'."""
    config_model: ClassVar[type[ConnectorConfig]] = ConnectorConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    uses_host: ClassVar[bool] = False
    """True when the connector needs ``host=ConnectorHost(...)`` (its service is Sochen's own database)."""

    def __init__(
        self,
        config: ConfigT | Mapping[str, Any],
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        host: ConnectorHost | None = None,
    ) -> None:
        if isinstance(config, self.config_model):
            self.config: ConfigT = typing.cast(ConfigT, config)
        else:
            self.config = typing.cast(ConfigT, self.config_model.model_validate(config))
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()
        self.clock: Callable[[], float] = clock if clock is not None else time.time
        self.sleep: Callable[[float], None] = sleep if sleep is not None else time.sleep
        self.host: ConnectorHost | None = host

    # -- lifecycle ---------------------------------------------------------------------------------

    def close(self) -> None:
        """Release the HTTP session if the connector created it."""
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> Connector[ConfigT]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, config={self.config!r})"

    # -- the contract ------------------------------------------------------------------------------

    @classmethod
    def sandbox_fake(
        cls, settings: Mapping[str, Any], *, planned: Sequence[tuple[str, Mapping[str, Any]]] = ()
    ) -> SandboxFake | None:
        """Start a loopback fake of the service for the eval sandbox; None when there is none."""
        return None

    def check(self) -> CheckResult:
        """Credentials and reachability: ok, or auth_invalid / unreachable / rate_limited / misconfigured."""
        raise NotImplementedError

    def handshake(self, request: WebhookRequest) -> str:
        """Answer a vendor's webhook verification request: the body to return, or WebhookRejected."""
        raise NotImplementedError(f"{self.name} has no webhook handshake")

    def verify_webhook(self, request: WebhookRequest) -> None:
        """Raise WebhookRejected unless the request is authentic."""
        raise NotImplementedError

    def parse_webhook(self, request: WebhookRequest) -> list[InboundEvent]:
        """Normalised events of a verified delivery, deterministically (same delivery, same ids)."""
        raise NotImplementedError

    def receive_webhook(self, request: WebhookRequest) -> list[InboundEvent]:
        """Verify, then parse."""
        self.verify_webhook(request)
        return self.parse_webhook(request)

    def send_message(self, message: OutboundMessage) -> SendResult:
        """Send a message; accepted is not delivered."""
        raise NotImplementedError

    def get_record(self, ref: RecordRef) -> Record | None:
        """One record, or None when it does not exist."""
        raise NotImplementedError

    def search_records(self, query: RecordQuery) -> list[Record]:
        """Records whose fields equal the query's values; empty when none."""
        raise NotImplementedError

    def upsert_record(self, upsert: RecordUpsert) -> RecordRef:
        """Create or update by key fields; repeating creates one record."""
        raise NotImplementedError

    def trigger_workflow(self, trigger: WorkflowTrigger) -> WorkflowRunRef:
        """Start a workflow."""
        raise NotImplementedError

    # -- actions -----------------------------------------------------------------------------------

    @classmethod
    def actions(cls) -> dict[str, ActionSpec]:
        """The actions this connector offers, by name."""
        found: dict[str, ActionSpec] = {}
        implemented = implemented_capabilities(cls)
        for capability in implemented:
            for method in CAPABILITY_METHODS[capability]:
                if method in _CAPABILITY_ACTIONS:
                    found[method] = _spec(method, getattr(Connector, method), _CAPABILITY_ACTIONS[method])
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                meta = getattr(value, "__sochen_action__", None)
                if meta is not None:
                    found[attr] = _spec(attr, value, bool(meta["idempotent"]))
        return dict(sorted(found.items()))

    def run_action(self, name: str, params: Any) -> Any:
        """Validate JSON-like ``params`` for action ``name`` and run it."""
        spec = self.actions().get(name)
        if spec is None:
            raise ConnectorError(
                ErrorKind.INVALID_REQUEST,
                f"connector '{self.name}' has no action '{name}' (actions: {', '.join(self.actions())})",
            )
        return getattr(self, name)(spec.validate(params))


def _spec(name: str, func: Callable[..., Any], idempotent: bool) -> ActionSpec:
    hints = typing.get_type_hints(func, include_extras=True)
    params = [p for p in inspect.signature(func).parameters.values() if p.name != "self"]
    if len(params) != 1 or params[0].name not in hints:
        raise TypeError(f"action {name} must take exactly one annotated parameter")
    doc = (inspect.getdoc(func) or "").split("\n", 1)[0]
    return ActionSpec(name=name, params_type=hints[params[0].name], idempotent=idempotent, description=doc)


def implemented_capabilities(cls: type[Connector[Any]]) -> frozenset[Capability]:
    """Capabilities whose methods ``cls`` overrides, every one of them."""
    return frozenset(cap for cap, methods in CAPABILITY_METHODS.items() if all(_overrides(cls, m) for m in methods))


def partially_implemented(cls: type[Connector[Any]]) -> dict[Capability, list[str]]:
    """Capabilities some of whose methods are overridden but not all: the missing method names."""
    out: dict[Capability, list[str]] = {}
    for cap, methods in CAPABILITY_METHODS.items():
        done = [m for m in methods if _overrides(cls, m)]
        if done and len(done) < len(methods):
            out[cap] = [m for m in methods if m not in done]
    return out


def _overrides(cls: type, method: str) -> bool:
    return getattr(cls, method, None) is not getattr(Connector, method)


_KIND_TO_STATUS = {
    ErrorKind.AUTH_INVALID: CheckStatus.AUTH_INVALID,
    ErrorKind.UNREACHABLE: CheckStatus.UNREACHABLE,
    ErrorKind.RATE_LIMITED: CheckStatus.RATE_LIMITED,
}


def check_result_from_error(error: ConnectorError) -> CheckResult:
    """The ``check()`` outcome for a classified failure (anything else is misconfiguration)."""
    status = _KIND_TO_STATUS.get(error.kind, CheckStatus.MISCONFIGURED)
    return CheckResult(status=status, detail=str(error), retry_after=error.retry_after)
