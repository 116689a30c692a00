"""The web chat passes the conformance kit, like every connector; its "service" is Sochen's database.

The fake is a migrated SQLite database with one visitor; "requests seen" are the messages stored for
visitors. The kit's check-failure tests (refused credentials, timeouts, 429) do not apply to a
connector that reaches nothing remote (``uses_host``) and are skipped by the kit itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from sochen.connectors.base import Connector, ConnectorHost
from sochen.connectors.testing import ConnectorConformance
from sochen.connectors.types import TextMessage, WebhookRequest
from sochen.connectors.webchat import WebchatConnector
from sochen.db.migrate import upgrade
from sochen.db.models_webchat import WebchatMessage
from sochen.db.session import session_scope
from tests.api._webchat import ensure_entry_point

ORIGIN = "https://clinic.example.co.il"
SECRET = "conformance-webchat-secret-0123456789abcdef"


@dataclass
class Site:
    """The web chat's "service": the database, and a visitor with a fresh session."""

    url: str
    visitor: str = ""
    token: str = ""


class TestWebchatConformance(ConnectorConformance):
    connector_class = WebchatConnector
    signature_header = "Authorization"
    signs_body = False  # a visitor token authenticates the visitor, not each body

    @pytest.fixture(autouse=True)
    def _entry_point(self, tmp_path, monkeypatch):
        ensure_entry_point(tmp_path, monkeypatch)

    @pytest.fixture
    def fake_api(self, tmp_path) -> Iterator[Site]:
        url = f"sqlite:///{(tmp_path / 'webchat.db').as_posix()}"
        upgrade(url)
        site = Site(url)
        opened = WebchatConnector(
            {"allowed_origins": [ORIGIN], "token_secret": SECRET}, host=ConnectorHost("clinic", url)
        ).open_session(None)
        site.visitor, site.token = opened.visitor, opened.token
        yield site

    def valid_config(self, fake_api: Site) -> dict[str, Any]:
        return {"allowed_origins": [ORIGIN], "token_secret": SECRET}

    def make_connector(self, config: dict[str, Any], session: requests.Session) -> Connector[Any]:
        site = self._site
        return WebchatConnector(config, session=session, host=ConnectorHost("clinic", site.url))

    @pytest.fixture(autouse=True)
    def _remember(self, fake_api: Site) -> None:
        self._site = fake_api

    def requests_seen(self, fake_api: Site) -> int:
        with session_scope(fake_api.url) as session:
            return int(session.scalar(select(func.count()).select_from(WebchatMessage)) or 0)

    def make_webhook(self, fake_api: Site, config: dict[str, Any]) -> WebhookRequest:
        body = '{"id": "k1", "text": "שלום, מה שעות הפתיחה?"}'.encode()
        headers = {"Authorization": f"Bearer {fake_api.token}", "Origin": ORIGIN, "Content-Type": "application/json"}
        return WebhookRequest(method="POST", body=body, headers=headers, path="/webchat/clinic/messages")

    def make_message(self) -> TextMessage:
        return TextMessage(to=self._site.visitor, text="תודה שפנית! נחזור אלייך היום.")
