"""Helpers of the web chat tests: the connector's entry point, tenants with a web chat, a visitor."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

SECRET = "webchat-secret-for-tests-0123456789abcdef"
OTHER_SECRET = "another-tenants-webchat-secret-0123456789"
ORIGIN = "https://clinic.example.co.il"


def ensure_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Register ``webchat`` when the installed Sochen predates it (an editable install made before it existed).

    After ``pip install -e .`` the entry point comes from pyproject.toml and nothing is added here.
    """
    from sochen.workflows.channels import is_channel_name

    is_channel_name.cache_clear()
    if any(ep.name == "webchat" for ep in entry_points(group="sochen.connectors")):
        return
    info = tmp_path / "webchat-ep" / "sochen-webchat-dev-0.0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: sochen\nVersion: 0.1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[sochen.connectors]\nwebchat = sochen.connectors.webchat:WebchatConnector\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(info.parent))


def webchat_yaml(origins: list[str], secret_env: str = "WEBCHAT_SECRET", **extra: Any) -> str:
    """A ``connectors:`` block with only a web chat."""
    lines = [
        "connectors:",
        "  webchat:",
        f"    allowed_origins: {json.dumps(origins)}",
        f"    token_secret_env: {secret_env}",
    ]
    lines += [f"    {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def headers(token: str | None = None, origin: str = ORIGIN) -> dict[str, str]:
    out = {"Origin": origin, "Content-Type": "application/json"}
    if token:
        out["Authorization"] = f"Bearer {token}"
    return out


def open_session(client: Any, tenant: str = "shop", token: str | None = None, origin: str = ORIGIN) -> dict[str, Any]:
    response = client.post(f"/webchat/{tenant}/session", json={"token": token}, headers={"Origin": origin})
    assert response.status_code == 200, response.text
    return response.json()


def say(client: Any, token: str, text: str, msg_id: str, tenant: str = "shop", origin: str = ORIGIN) -> Any:
    body = json.dumps({"id": msg_id, "text": text}, ensure_ascii=False).encode()
    return client.post(f"/webchat/{tenant}/messages", content=body, headers=headers(token, origin))


def read_stream(
    client: Any, token: str, *, tenant: str = "shop", last: int | None = None, wait: int = 1
) -> list[dict[str, Any]]:
    """Every message event of one bounded stream (it ends after ``wait`` seconds)."""
    h = headers(token)
    if last is not None:
        h["Last-Event-ID"] = str(last)
    events: list[dict[str, Any]] = []
    with client.stream("GET", f"/webchat/{tenant}/stream?wait={wait}", headers=h) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    return events
