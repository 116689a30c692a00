"""The conformance kit: pytest mixins that check a connector against the contract in ``base.py``.

Subclass :class:`ConnectorConformance` (or the mixins you want) in a ``Test...`` class, set
``connector_class``, provide a ``fake_api`` fixture and ``valid_config``, and implement the hooks
of the capabilities your connector declares. Capabilities it does not declare are skipped, not
failed. The fake must be a local server; the hooks' defaults assume a
:class:`~sochen.connectors.testing.fakes.FakeServer` and can be overridden one by one.
"""

from __future__ import annotations

import logging
import socket
import typing
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
import requests
from pydantic import SecretStr, ValidationError

from ..base import Capability, Connector, implemented_capabilities, partially_implemented
from ..errors import ConnectorError, WebhookRejected
from ..registry import discover, validate_connector_class
from ..types import (
    CheckResult,
    CheckStatus,
    OutboundMessage,
    RecordQuery,
    RecordUpsert,
    WebhookRequest,
    WorkflowTrigger,
)
from .fakes import FakeServer

__all__ = [
    "ConnectorConformance",
    "ConnectorContractTests",
    "MessageSenderContractTests",
    "RecordsContractTests",
    "WebhookContractTests",
    "WorkflowContractTests",
]


def _no_sleep(seconds: float) -> None:
    return None


class _KitBase:
    """Fixtures and hooks shared by every mixin."""

    connector_class: ClassVar[type[Connector[Any]]]
    """The connector under test."""
    entry_point_name: ClassVar[str | None] = None
    """Its name in the ``sochen.connectors`` group (default: ``connector_class.name``)."""
    timeout_for_tests_s: ClassVar[float] = 0.2
    """``timeout_s`` used by the timeout test; the fake holds its answer longer than this."""

    # -- hooks every integrator provides -----------------------------------------------------------

    @pytest.fixture
    def fake_api(self) -> Iterator[Any]:
        """Override: start your fake service and yield it."""
        raise NotImplementedError("define a `fake_api` fixture that yields your running fake service")
        yield  # pragma: no cover

    def valid_config(self, fake_api: Any) -> dict[str, Any]:
        """Override: settings that work against ``fake_api`` (secrets inline, as SecretStr values)."""
        raise NotImplementedError("implement valid_config(fake_api) returning a settings dict")

    # -- hooks with defaults for FakeServer-based fakes ---------------------------------------------

    def make_connector(self, config: dict[str, Any], session: requests.Session) -> Connector[Any]:
        """Build the connector (override to pass extra constructor arguments)."""
        return self.connector_class(config, session=session, sleep=_no_sleep)

    def script_auth_failure(self, fake_api: Any) -> None:
        """Make the service refuse our credentials on the next calls (default: HTTP 401)."""
        self._server(fake_api).fail_next(401, json_body={"error": "unauthorized"}, times=10)

    def script_rate_limit(self, fake_api: Any, retry_after: int) -> None:
        """Make the service answer 429 with ``Retry-After`` on the next calls."""
        headers = {"Retry-After": str(retry_after)}
        self._server(fake_api).fail_next(429, json_body={"error": "rate limited"}, headers=headers, times=10)

    def script_server_error(self, fake_api: Any) -> None:
        """Make the service fail with a 5xx on the next calls (default: HTTP 503)."""
        self._server(fake_api).fail_next(503, json_body={"error": "unavailable"}, times=10)

    def script_timeout(self, fake_api: Any) -> None:
        """Make the service hold its answers longer than ``timeout_for_tests_s``."""
        self._server(fake_api).hang_next(seconds=3 * self.timeout_for_tests_s + 1, times=10)

    def requests_seen(self, fake_api: Any) -> int:
        """How many requests the fake has received."""
        return len(fake_api.requests)

    def _server(self, fake_api: Any) -> FakeServer:
        if not isinstance(fake_api, FakeServer):
            raise NotImplementedError(
                f"{type(fake_api).__name__} is not a FakeServer: override script_auth_failure, "
                "script_rate_limit and script_timeout"
            )
        return fake_api

    # -- kit fixtures -------------------------------------------------------------------------------

    @pytest.fixture
    def config(self, fake_api: Any) -> dict[str, Any]:
        """The valid settings."""
        return dict(self.valid_config(fake_api))

    @pytest.fixture
    def connector(self, config: dict[str, Any]) -> Iterator[Connector[Any]]:
        """A connector on a fresh session."""
        with requests.Session() as session:
            yield self.make_connector(config, session)

    def _require_remote(self) -> None:
        if self.connector_class.uses_host:
            pytest.skip(
                f"{self.connector_class.name}: its service is Sochen's own database (uses_host), "
                "nothing remote can refuse credentials, time out or rate-limit it"
            )

    def _require(self, capability: Capability) -> None:
        if capability not in self.connector_class.capabilities:
            pytest.skip(f"{self.connector_class.name} does not declare {capability.value}")


def _check(connector: Connector[Any]) -> CheckResult:
    """``connector.check()``, failing with the fix when it raises instead of returning its outcome."""
    try:
        return connector.check()
    except Exception as exc:
        pytest.fail(
            f"check() must return a CheckResult, never raise: catch ConnectorError and return "
            f"check_result_from_error(exc) (it raised {type(exc).__name__}: {exc})"
        )


def _is_model(annotation: Any, *, none_ok: bool = False) -> bool:
    """A pydantic model, a (discriminated) union of models, or ``Annotated`` around one; ``None`` if allowed."""
    import types

    from pydantic import BaseModel

    if annotation is type(None):
        return none_ok
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_model(typing.get_args(annotation)[0], none_ok=none_ok)
    if origin in (typing.Union, types.UnionType):
        return all(_is_model(a, none_ok=none_ok) for a in typing.get_args(annotation))
    return False


class ConnectorContractTests(_KitBase):
    """Identity, configuration, secrets, capabilities, construction and ``check()``."""

    def test_entry_point_resolves(self) -> None:
        name = self.entry_point_name or self.connector_class.name
        info = discover([name], use_settings=False)[name]
        assert info.cls is self.connector_class, f"entry point '{name}' loads {info.cls!r}"
        assert info.name == self.connector_class.name == name, (
            f"one name everywhere: entry point '{name}', connector_class.name '{self.connector_class.name}', "
            f"registry '{info.name}'"
        )

    def test_class_is_consistent(self) -> None:
        name = self.connector_class.name
        problems = validate_connector_class(name, self.connector_class, origin="under test")
        assert not problems, "the connector class breaks the contract:\n- " + "\n- ".join(problems)

    def test_declared_capabilities_equal_implemented(self) -> None:
        cls = self.connector_class
        partial = partially_implemented(cls)
        assert not partial, "capabilities implemented only in part (methods missing): " + "; ".join(
            f"{cap.value}: {', '.join(methods)}" for cap, methods in partial.items()
        )
        implemented, declared = implemented_capabilities(cls), frozenset(cls.capabilities)
        assert implemented == declared, (
            f"declared capabilities must equal the implemented ones: declared but not implemented "
            f"{sorted(c.value for c in declared - implemented)}, implemented but not declared "
            f"{sorted(c.value for c in implemented - declared)}"
        )

    def test_config_rejects_unknown_keys(self, config: dict[str, Any]) -> None:
        with pytest.raises(ValidationError) as err:
            self.connector_class.config_model.model_validate({**config, "surely_not_a_setting": 1})
        assert any(e["type"] == "extra_forbidden" for e in err.value.errors()), (
            "an unknown setting must be refused by name: give the config model extra='forbid' "
            f"(inherit ConnectorConfig); got {err.value.errors()}"
        )

    def test_config_is_frozen_described_and_has_a_schema(self, config: dict[str, Any]) -> None:
        model = self.connector_class.config_model
        parsed = model.model_validate(config)
        assert model.model_config.get("frozen") is True, f"{model.__name__} must be frozen (inherit ConnectorConfig)"
        undescribed = [n for n, f in model.model_fields.items() if not f.description]
        assert not undescribed, f"{model.__name__}: every setting needs a description; missing on {undescribed}"
        schema = model.model_json_schema()
        assert set(schema["properties"]) == set(model.model_fields), (
            f"the JSON Schema of {model.__name__} must list every setting: schema "
            f"{sorted(schema['properties'])}, fields {sorted(model.model_fields)}"
        )
        with pytest.raises(ValidationError):
            parsed.timeout_s = 1  # type: ignore[misc]

    def test_secrets_hidden_from_repr_and_logs(
        self, config: dict[str, Any], fake_api: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        model = self.connector_class.config_model
        parsed = model.model_validate(config)
        secrets = [
            v.get_secret_value()
            for v in (getattr(parsed, n) for n in model.model_fields)
            if isinstance(v, SecretStr) and len(v.get_secret_value()) >= 4
        ]
        assert secrets, "the kit needs at least one secret setting with a value of 4+ characters"
        caplog.set_level(logging.DEBUG)
        with requests.Session() as session:
            connector = self.make_connector(config, session)
            texts = {
                "repr(config)": repr(parsed),
                "str(config)": str(parsed),
                "config.model_dump_json()": parsed.model_dump_json(),
                "repr(connector)": repr(connector),
                "str(connector)": str(connector),
                "check() result": str(connector.check()),
            }
            if not self.connector_class.uses_host:  # nothing remote to refuse a connector whose service is Sochen
                self.script_auth_failure(fake_api)
                texts["check() result after refused credentials"] = str(connector.check())
        texts["the logs"] = caplog.text
        leaks = [
            f"{where}: …{text[max(0, text.index(secret) - 40) : text.index(secret)]}<SECRET>…"
            for secret in secrets
            for where, text in texts.items()
            if secret in text
        ]
        assert not leaks, "a secret leaked (type it SecretStr and never format it):\n- " + "\n- ".join(leaks)

    def test_construction_does_no_io(self, config: dict[str, Any], fake_api: Any) -> None:
        calls: list[str] = []

        class RecordingSession(requests.Session):
            def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
                calls.append(f"{method!r} {url!r}")
                raise AssertionError("HTTP during construction")

        def no_connect(sock: socket.socket, address: Any) -> None:
            calls.append(f"connect {address!r}")
            raise AssertionError("socket connect during construction")

        before = self.requests_seen(fake_api)
        with RecordingSession() as session, pytest.MonkeyPatch.context() as patch:
            patch.setattr(socket.socket, "connect", no_connect)
            self.make_connector(config, session)
        assert calls == [], f"construction must do no I/O; it did: {calls}"
        assert self.requests_seen(fake_api) == before, "construction reached the fake service"

    def test_check_ok(self, connector: Connector[Any]) -> None:
        result = _check(connector)
        assert result.status is CheckStatus.OK, result.detail

    def test_check_maps_refused_credentials_to_auth_invalid(self, connector: Connector[Any], fake_api: Any) -> None:
        self._require_remote()
        self.script_auth_failure(fake_api)
        result = _check(connector)
        assert result.status is CheckStatus.AUTH_INVALID, f"refused credentials must be auth_invalid, got {result}"

    def test_check_maps_timeouts_to_unreachable(self, config: dict[str, Any], fake_api: Any) -> None:
        self._require_remote()
        self.script_timeout(fake_api)
        with requests.Session() as session:
            connector = self.make_connector({**config, "timeout_s": self.timeout_for_tests_s}, session)
            result = _check(connector)
            assert result.status is CheckStatus.UNREACHABLE, f"a timeout must be unreachable, got {result}"

    def test_check_maps_5xx_to_unreachable(self, connector: Connector[Any], fake_api: Any) -> None:
        self._require_remote()
        self.script_server_error(fake_api)
        result = _check(connector)
        assert result.status is CheckStatus.UNREACHABLE, f"a 5xx must be unreachable (retried later), got {result}"

    def test_check_maps_429_to_rate_limited_with_retry_after(self, connector: Connector[Any], fake_api: Any) -> None:
        self._require_remote()
        self.script_rate_limit(fake_api, retry_after=7)
        result = _check(connector)
        assert (result.status, result.retry_after) == (CheckStatus.RATE_LIMITED, 7.0), (
            f"429 with Retry-After: 7 must be rate_limited with retry_after 7.0, got {result}"
        )

    def test_actions_are_typed(self) -> None:
        """An action takes one pydantic model and returns one (or a list of them), so jobs store as JSON."""
        problems: list[str] = []
        for name, spec in self.connector_class.actions().items():
            if not spec.description:
                problems.append(f"action {name} needs a docstring")
            if not _is_model(spec.params_type):
                problems.append(f"action {name} must take one pydantic model, not {spec.params_type!r}")
            returned = typing.get_type_hints(getattr(self.connector_class, name), include_extras=True).get("return")
            if not _is_model(returned, none_ok=True) and not (
                typing.get_origin(returned) is list and all(_is_model(a) for a in typing.get_args(returned))
            ):
                problems.append(f"action {name} must return a pydantic model (or a list of them), not {returned!r}")
        assert not problems, "\n".join(problems)

    def test_sandbox_fake_points_the_connector_at_loopback(self, config: dict[str, Any]) -> None:
        """``sandbox_fake()`` (optional): a fake on loopback that accepts the connector it configures."""
        from urllib.parse import urlsplit

        from ..registry import secret_fields

        secrets = secret_fields(self.connector_class.config_model)
        settings = {k: v for k, v in config.items() if k not in secrets}  # as a tenant file has them, less secrets
        settings.update({f"{k}_env": f"TENANT_{k.upper()}" for k in secrets if k in config})
        fake = self.connector_class.sandbox_fake(settings)
        if fake is None and self.connector_class.uses_host:
            pytest.skip(
                f"{self.connector_class.name}: its service is Sochen's own database; the eval sandbox builds it "
                "on the sandbox's database, so its jobs run there"
            )
        if fake is None:
            pytest.skip(f"{self.connector_class.name} provides no sandbox fake: in evals its jobs are planned, not run")
        try:
            assert fake.urls, "SandboxFake.urls must list every URL the connector will reach"
            for url in fake.urls:
                assert urlsplit(url).hostname in ("127.0.0.1", "::1", "localhost"), url
            built = {k: v for k, v in settings.items() if not k.endswith("_env")}
            built.update({k: f"sandbox-{k}" for k in secrets if k in config})
            built.update(fake.secrets)
            built.update(fake.overrides)
            with requests.Session() as session:
                connector = self.make_connector(built, session)
                result = connector.check()
                assert result.ok, f"the connector pointed at its sandbox fake does not pass check(): {result}"
        finally:
            fake.stop()


class WebhookContractTests(_KitBase):
    """``RECEIVE_WEBHOOK``: authentic deliveries parse; tampered ones are rejected; duplicates dedupe."""

    signature_header: ClassVar[str | None] = None
    """Header that authenticates a delivery (default: the one whose name contains 'signature')."""
    signs_body: ClassVar[bool] = True
    """Whether the authenticating header covers the body (False for shared-token schemes, which then
    skip the tampered-body test; prefer an HMAC over the raw body whenever the vendor offers one)."""

    def make_webhook(self, fake_api: Any, config: dict[str, Any]) -> WebhookRequest:
        """Override: one authentic delivery, exactly as the service would send it."""
        raise NotImplementedError("implement make_webhook(fake_api, config) returning a signed WebhookRequest")

    def _signed(self, fake_api: Any, config: dict[str, Any]) -> tuple[WebhookRequest, str]:
        request = self.make_webhook(fake_api, config)
        name = self.signature_header or next((h for h in request.headers if "signature" in h.lower()), None)
        assert name is not None, "set signature_header on the test class"
        assert request.header(name), f"make_webhook must set {name}"
        return request, name

    def test_authentic_delivery_parses(self, connector: Connector[Any], fake_api: Any, config: dict[str, Any]) -> None:
        self._require(Capability.RECEIVE_WEBHOOK)
        request, _ = self._signed(fake_api, config)
        events = connector.receive_webhook(request)
        assert events and all(e.event_id for e in events)
        assert all(e.connector == connector.name for e in events)

    def test_tampered_body_is_rejected(self, connector: Connector[Any], fake_api: Any, config: dict[str, Any]) -> None:
        self._require(Capability.RECEIVE_WEBHOOK)
        if not self.signs_body:
            pytest.skip(f"{self.connector_class.name}: deliveries are authenticated by a token, not a body signature")
        request, _ = self._signed(fake_api, config)
        body = bytearray(request.body)
        assert body, "the delivery must have a body"
        middle = len(body) // 2
        body[middle] = ord("0") if body[middle] != ord("0") else ord("1")
        with pytest.raises(WebhookRejected):
            connector.verify_webhook(WebhookRequest(request.method, bytes(body), request.headers, request.query))

    def test_tampered_or_missing_signature_is_rejected(
        self, connector: Connector[Any], fake_api: Any, config: dict[str, Any]
    ) -> None:
        self._require(Capability.RECEIVE_WEBHOOK)
        request, name = self._signed(fake_api, config)
        value = request.header(name) or ""
        forged = value[:-1] + ("0" if value[-1:] != "0" else "1")
        others = {k: v for k, v in request.headers.items() if k.lower() != name.lower()}
        for headers in ({**others, name: forged}, others):
            with pytest.raises(WebhookRejected):
                connector.verify_webhook(WebhookRequest(request.method, request.body, headers, request.query))

    def test_duplicate_delivery_yields_the_same_event_ids(self, config: dict[str, Any], fake_api: Any) -> None:
        self._require(Capability.RECEIVE_WEBHOOK)
        request, _ = self._signed(fake_api, config)
        with requests.Session() as one, requests.Session() as two:
            first = self.make_connector(config, one).receive_webhook(request)
            again = self.make_connector(config, two).receive_webhook(request)
        assert [e.event_id for e in first] == [e.event_id for e in again]


class MessageSenderContractTests(_KitBase):
    """``SEND_MESSAGE``: a message goes out and comes back with the provider's id."""

    def make_message(self) -> OutboundMessage:
        """Override: a message the fake accepts."""
        raise NotImplementedError("implement make_message() returning an OutboundMessage")

    def before_send(self, connector: Connector[Any], fake_api: Any, config: dict[str, Any]) -> None:
        """Override when sending needs state first (e.g. an open customer-service window)."""

    def test_send_returns_the_provider_message_id(
        self, connector: Connector[Any], fake_api: Any, config: dict[str, Any]
    ) -> None:
        self._require(Capability.SEND_MESSAGE)
        self.before_send(connector, fake_api, config)
        before = self.requests_seen(fake_api)
        result = connector.send_message(self.make_message())
        assert result.message_id and result.to
        assert self.requests_seen(fake_api) > before


class RecordsContractTests(_KitBase):
    """``WRITE_RECORDS`` / ``READ_RECORDS``: upserts are idempotent on their key; reads find them."""

    def make_upsert(self) -> RecordUpsert:
        """Override: a record to write, with its key fields."""
        raise NotImplementedError("implement make_upsert() returning a RecordUpsert")

    def count_records(self, fake_api: Any, module: str) -> int:
        """Override: how many records of ``module`` the fake holds."""
        raise NotImplementedError("implement count_records(fake_api, module)")

    def test_upsert_repeated_with_the_same_key_creates_one_record(
        self, connector: Connector[Any], fake_api: Any
    ) -> None:
        self._require(Capability.WRITE_RECORDS)
        upsert = self.make_upsert()
        first = connector.upsert_record(upsert)
        again = connector.upsert_record(upsert)
        assert first.id and first.id == again.id and first.module == upsert.module, (
            f"a second upsert with the same key_fields {upsert.key_fields} must find the first record and update "
            f"it (search then update, or the service's own upsert), not create another: got ids {first.id!r} then "
            f"{again.id!r}"
        )
        count = self.count_records(fake_api, upsert.module)
        assert count == 1, f"two upserts with the same key_fields left {count} records in the fake, not 1"

    def script_lost_write(self, fake_api: Any) -> None:
        """Make the service do the next write but lose its answer (default: the next non-GET request).

        Override when every call is a POST (GraphQL, RPC): match the create itself, e.g. by its operation.
        """
        self._server(fake_api).hang_next(
            seconds=3 * self.timeout_for_tests_s + 1, match=lambda r: r.method != "GET", after_routing=True
        )

    def test_upsert_whose_answer_was_lost_creates_one_record(self, config: dict[str, Any], fake_api: Any) -> None:
        """A create that the service did although its answer never arrived is found, not repeated, on retry."""
        self._require(Capability.WRITE_RECORDS)
        upsert = self.make_upsert()
        try:
            self.script_lost_write(fake_api)
        except NotImplementedError as exc:
            pytest.skip(f"{exc} (and script_lost_write)")
        with requests.Session() as session:
            connector = self.make_connector({**config, "timeout_s": self.timeout_for_tests_s}, session)
            with pytest.raises(ConnectorError) as lost:
                connector.upsert_record(upsert)
            assert lost.value.retryable, f"a lost answer must be a retryable error (unreachable), got {lost.value!r}"
        with requests.Session() as session:  # the dispatcher's retry of the same job
            again = self.make_connector(config, session).upsert_record(upsert)
        count = self.count_records(fake_api, upsert.module)
        assert again.id and count == 1, (
            f"the service did the first write although its answer was lost; the retry must find that record "
            f"(search by key_fields {upsert.key_fields} first, or a key the service enforces), not create another: "
            f"{count} records in the fake"
        )

    def test_search_without_match_is_empty(self, connector: Connector[Any]) -> None:
        self._require(Capability.READ_RECORDS)
        upsert = self.make_upsert()  # not written: the fake starts empty
        key = upsert.key_fields[0]
        query = RecordQuery(module=upsert.module, equals={key: str(upsert.fields[key])})
        assert connector.search_records(query) == []

    def test_written_record_can_be_read_back(self, connector: Connector[Any]) -> None:
        self._require(Capability.READ_RECORDS)
        self._require(Capability.WRITE_RECORDS)
        upsert = self.make_upsert()
        ref = connector.upsert_record(upsert)
        record = connector.get_record(ref)
        assert record is not None and record.id == ref.id
        key = upsert.key_fields[0]
        found = connector.search_records(RecordQuery(module=upsert.module, equals={key: str(upsert.fields[key])}))
        assert [r.id for r in found] == [ref.id]


class WorkflowContractTests(_KitBase):
    """``TRIGGER_WORKFLOW``: a trigger returns a run reference."""

    def make_trigger(self, fake_api: Any) -> WorkflowTrigger:
        """Override: a trigger for a workflow the fake knows (register it here if needed)."""
        raise NotImplementedError("implement make_trigger(fake_api) returning a WorkflowTrigger")

    def test_trigger_returns_a_run_reference(self, connector: Connector[Any], fake_api: Any) -> None:
        self._require(Capability.TRIGGER_WORKFLOW)
        trigger = self.make_trigger(fake_api)
        run = connector.trigger_workflow(trigger)
        assert run.run_id and run.workflow and run.status in ("accepted", "completed")


class ConnectorConformance(
    ConnectorContractTests,
    WebhookContractTests,
    MessageSenderContractTests,
    RecordsContractTests,
    WorkflowContractTests,
):
    """Everything: subclass this once per connector."""
