"""Fixtures for the model layer: fake servers, providers pointed at them, a migrated SQLite ledger.

Real model calls are blocked: the network is loopback-only (tests/conftest.py), client libraries
never see the developer's keys or hosts, and the embedded llama.cpp server only starts in tests
marked ``slow``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sochen.config.settings import Settings
from sochen.llm.providers.llamacpp import LlamaCppProvider
from sochen.llm.testing import FakeOllama, FakeOpenAI

_REAL_START = LlamaCppProvider._start


@pytest.fixture
def unblocked_llamacpp(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lift the unit-test block on starting the embedded llama.cpp server (for tests that prove loading fails cleanly)."""
    monkeypatch.setattr(LlamaCppProvider, "_start", _REAL_START)


@pytest.fixture(autouse=True)
def _no_real_models(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OLLAMA_HOST", "OLLAMA_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID"):
        monkeypatch.delenv(var, raising=False)
    if request.node.get_closest_marker("slow") is None:

        def blocked(self: object) -> None:
            raise RuntimeError("real model calls are blocked in unit tests; mark the test slow")

        monkeypatch.setattr(LlamaCppProvider, "_start", blocked)


@pytest.fixture
def settings() -> Settings:
    return Settings(environment="test")


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllama]:
    with FakeOllama(models=["llama3.2", "qwen2.5:7b"]) as server:
        yield server  # type: ignore[misc]


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(models=["gpt-4o-mini", "gpt-4o"], api_key="sk-test") as server:
        yield server  # type: ignore[misc]


@pytest.fixture
def ledger_url(isolated_home: Path) -> str:
    from sochen.db.migrate import upgrade

    url = f"sqlite:///{(isolated_home / 'ledger.db').as_posix()}"
    upgrade(url)
    return url
