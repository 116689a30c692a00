"""Connector tests: no network beyond loopback, no connector loaded unless a test asks for it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from ._support import APP_SECRET, N8N_SECRET, VERIFY_TOKEN, FakeClock

_LOOPBACK = {"127.0.0.1", "::1", "localhost", "0:0:0:0:0:0:0:1"}


@pytest.fixture(autouse=True)
def _resolve_loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The root conftest refuses non-loopback connects; this also refuses DNS lookups, loudly."""
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and str(host) not in _LOOPBACK:
            raise RuntimeError(f"tests may only resolve loopback names, not {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield


@pytest.fixture
def graph() -> Iterator[Any]:
    from sochen.connectors.testing.fakes import FakeGraphApi

    with FakeGraphApi() as fake:
        yield fake


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def whatsapp(graph: Any, clock: FakeClock) -> Iterator[Any]:
    import requests

    from sochen.connectors.whatsapp import WhatsAppConnector

    config = {
        "phone_number_id": graph.phone_number_id,
        "access_token": graph.access_token,
        "app_secret": APP_SECRET,
        "verify_token": VERIFY_TOKEN,
        "graph_url": graph.url,
        "timeout_s": 2,
    }
    with requests.Session() as session:
        yield WhatsAppConnector(config, session=session, clock=clock, sleep=clock.sleep)


@pytest.fixture
def zoho_fake() -> Iterator[Any]:
    from sochen.connectors.testing.fakes import FakeZoho

    with FakeZoho() as fake:
        yield fake


@pytest.fixture
def zoho(zoho_fake: Any, clock: FakeClock) -> Iterator[Any]:
    import requests

    from sochen.connectors.zoho_crm import TokenCache, ZohoCrmConnector

    config = {
        "client_id": zoho_fake.client_id,
        "client_secret": zoho_fake.client_secret,
        "refresh_token": zoho_fake.refresh_token,
        "accounts_url": zoho_fake.accounts_url,
        "timeout_s": 2,
    }
    with requests.Session() as session:
        yield ZohoCrmConnector(config, session=session, clock=clock, sleep=clock.sleep, token_cache=TokenCache())


@pytest.fixture
def n8n_fake() -> Iterator[Any]:
    from sochen.connectors.testing.fakes import FakeN8n

    with FakeN8n() as fake:
        yield fake


@pytest.fixture
def n8n(n8n_fake: Any, clock: FakeClock) -> Iterator[Any]:
    import requests

    from sochen.connectors.n8n import N8nConnector

    config = {
        "base_url": n8n_fake.url,
        "signing_secret": N8N_SECRET,
        "auth_header_name": "X-Agent-Token",
        "auth_header_value": "s3cret",
        "timeout_s": 2,
    }
    with requests.Session() as session:
        yield N8nConnector(config, session=session, clock=clock, sleep=clock.sleep)
