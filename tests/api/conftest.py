"""API tests: a migrated database (SQLite; PostgreSQL when integration tests run), tenants, an app."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest
from fastapi.testclient import TestClient

from sochen.api import ApiSettings, create_app
from sochen.config import get_settings
from sochen.db.migrate import upgrade

from ._support import ENV, apply_tenant


class RecordingQueue:
    """An InboundQueue that only remembers what it was given."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def enqueue(self, event_ids: Sequence[str]) -> None:
        self.calls.append(list(event_ids))

    @property
    def ids(self) -> list[str]:
        return [i for call in self.calls for i in call]


@pytest.fixture
def db_url(any_database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database with the tenant 'clinic' (WhatsApp and n8n) and 'bare' (no connectors)."""
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    upgrade(any_database_url)
    apply_tenant(any_database_url, "clinic")
    apply_tenant(any_database_url, "bare", connectors=False)
    return any_database_url


def api_settings(**overrides: object) -> ApiSettings:
    # Threads, not a worker process: these tests replace turns and connectors inside this process.
    base: dict[str, object] = {"tenant_cache_s": 0, "metrics_cache_s": 0, "embedded_worker": "thread"}
    return ApiSettings(**{**base, **overrides})  # type: ignore[arg-type]


@pytest.fixture
def queue() -> RecordingQueue:
    return RecordingQueue()


@pytest.fixture
def make_client(db_url: str) -> Iterator[Callable[..., TestClient]]:
    """Build apps (lifespan running) on the test database; closed at the end."""
    opened: list[TestClient] = []

    def make(**kwargs: object) -> TestClient:
        api = kwargs.pop("api", None) or api_settings()
        app = create_app(get_settings(), api_settings=api, **kwargs)  # type: ignore[arg-type]
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient], queue: RecordingQueue) -> TestClient:
    return make_client(queue=queue)
