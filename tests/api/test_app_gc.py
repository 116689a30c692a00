"""A started server freezes its long-lived objects, so full collections do not pause acknowledgements."""

from __future__ import annotations

import gc

import pytest
from fastapi.testclient import TestClient

from sochen.api import create_app
from sochen.config import get_settings

from .conftest import RecordingQueue, api_settings

pytestmark = pytest.mark.unit


def test_the_started_app_freezes_what_it_loaded_and_a_test_build_does_not(db_url):
    gc.unfreeze()
    try:
        with TestClient(
            create_app(get_settings(), api_settings=api_settings(freeze_gc_at_start=False), queue=RecordingQueue())
        ):
            assert gc.get_freeze_count() == 0
        with TestClient(
            create_app(get_settings(), api_settings=api_settings(freeze_gc_at_start=True), queue=RecordingQueue())
        ):
            assert gc.get_freeze_count() > 10_000  # the modules, settings and routes of the server
    finally:
        gc.unfreeze()


def test_the_default_freezes(monkeypatch):
    monkeypatch.delenv("SOCHEN_API_FREEZE_GC_AT_START", raising=False)
    from sochen.api.settings import ApiSettings

    assert ApiSettings().freeze_gc_at_start is True
