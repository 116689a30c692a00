"""The public helpers of sochen.connectors.http: the classification every connector needs, written once."""

from __future__ import annotations

import pytest
import requests
from pydantic import ValidationError
from requests.adapters import HTTPAdapter

from sochen.connectors.errors import ConnectorError, ErrorKind
from sochen.connectors.http import (
    ActionParams,
    idempotency_marker,
    json_body,
    phone_e164,
    phone_variants,
    request,
)

pytestmark = pytest.mark.unit


class Canned(HTTPAdapter):
    """Answers every request with one status, headers and body (no network)."""

    def __init__(
        self, status: int, body: bytes = b"{}", headers: dict[str, str] | None = None, raise_: Exception | None = None
    ):
        super().__init__()
        self.status, self.body, self.headers, self.raise_ = status, body, headers or {}, raise_

    def send(self, request, **kwargs):  # type: ignore[override]
        if self.raise_ is not None:
            raise self.raise_
        response = requests.Response()
        response.status_code, response._content, response.url = self.status, self.body, request.url
        response.headers.update(self.headers)
        return response


def session_with(adapter: Canned) -> requests.Session:
    session = requests.Session()
    session.mount("http://", adapter)
    return session


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, ErrorKind.AUTH_INVALID),
        (403, ErrorKind.MISCONFIGURED),
        (404, ErrorKind.MISCONFIGURED),
        (422, ErrorKind.INVALID_REQUEST),
        (500, ErrorKind.UNREACHABLE),
        (503, ErrorKind.UNREACHABLE),
    ],
)
def test_statuses_become_the_contracts_kinds(status, kind):
    with pytest.raises(ConnectorError) as err:
        request(session_with(Canned(status)), "GET", "http://127.0.0.1:9/api?token=s3cret", timeout=1, service="קרם")
    assert err.value.kind is kind and err.value.status == status
    assert "s3cret" not in str(err.value)  # the query string is never shown


def test_429_carries_the_services_retry_after_or_a_default():
    with pytest.raises(ConnectorError) as err:
        request(
            session_with(Canned(429, headers={"Retry-After": "7"})),
            "GET",
            "http://127.0.0.1:9/x",
            timeout=1,
            service="s",
        )
    assert (err.value.kind, err.value.retry_after) == (ErrorKind.RATE_LIMITED, 7.0)
    with pytest.raises(ConnectorError) as err:
        request(session_with(Canned(429)), "GET", "http://127.0.0.1:9/x", timeout=1, service="s")
    assert err.value.retry_after == 60.0


def test_passthrough_statuses_and_network_failures():
    response = request(
        session_with(Canned(404)), "GET", "http://127.0.0.1:9/x", timeout=1, service="s", passthrough=(404,)
    )
    assert response.status_code == 404
    with pytest.raises(ConnectorError) as err:
        request(
            session_with(Canned(200, raise_=requests.ReadTimeout())),
            "GET",
            "http://127.0.0.1:9/x",
            timeout=1,
            service="s",
        )
    assert err.value.kind is ErrorKind.UNREACHABLE


def test_json_body_refuses_what_is_not_json():
    ok = request(
        session_with(Canned(200, '{"id": "ז-1"}'.encode())), "GET", "http://127.0.0.1:9/x", timeout=1, service="s"
    )
    assert json_body(ok, service="s") == {"id": "ז-1"}
    html = request(
        session_with(Canned(200, b"<html>proxy</html>")), "GET", "http://127.0.0.1:9/x", timeout=1, service="s"
    )
    with pytest.raises(ConnectorError) as err:
        json_body(html, service="s")
    assert err.value.kind is ErrorKind.PERMANENT


def test_phone_e164_and_strict_action_params():
    assert phone_e164("050-123-4567") == "+972501234567"
    with pytest.raises(ConnectorError) as err:
        phone_e164("+972 6 123 4567")
    assert err.value.kind is ErrorKind.INVALID_REQUEST

    class Params(ActionParams):
        name: str

    with pytest.raises(ValidationError, match="nme"):
        Params.model_validate({"name": "דנה", "nme": "x"})


def test_a_header_that_http_cannot_carry_is_misconfiguration_not_a_crash():
    from sochen.connectors.http import send

    with requests.Session() as session, pytest.raises(ConnectorError) as caught:
        send(session, "GET", "http://127.0.0.1:9/x?token=secret", timeout=1, headers={"Authorization": "Bearer טוקן"})
    assert caught.value.kind is ErrorKind.MISCONFIGURED
    assert "secret" not in str(caught.value) and "טוקן" not in str(caught.value)


def test_refine_sees_the_error_answer_and_decides_what_is_raised():
    body = b'{"category": "VALIDATION_ERROR", "errors": [{"context": {"propertyName": ["email"]}}]}'
    seen: list[tuple[int, ErrorKind]] = []

    def refine(response: requests.Response, error: ConnectorError) -> ConnectorError:
        seen.append((response.status_code, error.kind))
        field = response.json()["errors"][0]["context"]["propertyName"][0]
        return ConnectorError(error.kind, f"השדה {field} נדחה | field {field} refused", code="VALIDATION_ERROR")

    with pytest.raises(ConnectorError) as err:
        request(session_with(Canned(400, body)), "POST", "http://127.0.0.1:9/x", timeout=1, service="s", refine=refine)
    assert seen == [(400, ErrorKind.INVALID_REQUEST)]
    assert (err.value.code, "email" in err.value.message) == ("VALIDATION_ERROR", True)


def test_phone_variants_and_the_idempotency_marker_are_public():
    assert phone_variants("050-123-4567")[:3] == ["+972501234567", "050-123-4567", "0501234567"]
    with pytest.raises(ConnectorError) as err:
        phone_variants("לא מספר")
    assert err.value.kind is ErrorKind.INVALID_REQUEST
    marker = idempotency_marker("job-1")
    assert marker.startswith(" #s") and len(marker) == 13 and marker == idempotency_marker("job-1")
    assert marker != idempotency_marker("job-2")
