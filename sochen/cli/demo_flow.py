"""The WhatsApp part of ``sochen demo``: a conversation through the real webhook and pipeline, vendors faked.

Local fakes of Meta's Graph API, Zoho (accounts + CRM), n8n and the plugins' own sandbox fakes (the
clinic's Google Calendar) listen on loopback; a copy of the
clinic's configuration points its connectors at them, with throwaway secrets set in this process only.
Signed webhook payloads go to the FastAPI app; each stored event runs the conversation graph; the
outbox jobs run through the real dispatcher and connectors over HTTP. Nothing leaves the machine.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from ..config import Settings
from ..connectors.base import SandboxFake

__all__ = ["DemoVendors", "demo_tenant_yaml", "play_whatsapp"]

APP_SECRET = "demo-app-secret-local-only"
CONTACT = "972501234567"


_BUILT_IN = ("whatsapp", "zoho_crm", "n8n")


class DemoVendors:
    """The fakes of Meta, Zoho and n8n, and of each plugin connector the tenant names, started and stopped together.

    A plugin's fake is the one it gives the eval sandbox (``Connector.sandbox_fake``): the clinic's Google
    Calendar books against it in the demo as in ``sochen evals run``.
    """

    def __init__(self, plugins: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        from ..connectors.errors import ConnectorRegistryError
        from ..connectors.registry import load_connector
        from ..connectors.testing.fakes import FakeGraphApi, FakeN8n, FakeZoho

        self.graph = FakeGraphApi().start()
        self.zoho = FakeZoho().start()
        self.n8n = FakeN8n().start()
        self.n8n.register("new-lead")
        self.plugins: dict[str, tuple[SandboxFake, dict[str, Any]]] = {}
        for name, raw in (plugins or {}).items():
            if name in _BUILT_IN:
                continue
            try:
                fake = load_connector(name).cls.sandbox_fake(dict(raw or {}))
            except ConnectorRegistryError:
                continue  # not installed: its jobs fail with the registry's reason, as anywhere
            if fake is not None:
                self.plugins[name] = (fake, dict(raw or {}))

    def stop(self) -> None:
        """Stop every server."""
        for fake in (self.graph, self.zoho, self.n8n):
            fake.stop()
        for plugin, _ in self.plugins.values():
            plugin.stop()

    def environment(self) -> dict[str, str]:
        """The secrets the demo configuration names, with the fakes' values (this process only)."""
        return {
            "CLINIC_WHATSAPP_TOKEN": self.graph.access_token,
            "CLINIC_WHATSAPP_APP_SECRET": APP_SECRET,
            "CLINIC_WHATSAPP_VERIFY_TOKEN": "demo-verify",
            "CLINIC_ZOHO_CLIENT_SECRET": self.zoho.client_secret,
            "CLINIC_ZOHO_REFRESH_TOKEN": self.zoho.refresh_token,
            "CLINIC_N8N_SECRET": "demo-n8n-secret",
            **self._plugin_environment(),
        }

    def _plugin_environment(self) -> dict[str, str]:
        env: dict[str, str] = {}
        for fake, raw in self.plugins.values():
            for key, variable in raw.items():
                if key.endswith("_env") and isinstance(variable, str):
                    field = key.removesuffix("_env")
                    env[variable] = fake.secrets.get(field, f"demo-{field.replace('_', '-')}-0001")
        return env


def demo_tenant_yaml(example: Path, vendors: DemoVendors) -> str:
    """The clinic example with its connectors pointed at the fakes and its paths made absolute."""
    data: dict[str, Any] = yaml.safe_load(example.read_text(encoding="utf-8"))
    base = example.parent
    data["knowledge"]["sources"] = [str((base / p).resolve()) for p in data["knowledge"].get("sources", [])]
    evals = data.setdefault("evals", {})
    evals["scenarios"] = [str((base / p).resolve()) for p in evals.get("scenarios", ["scenarios"])]
    connectors = data["connectors"]
    connectors["whatsapp"]["phone_number_id"] = vendors.graph.phone_number_id
    connectors["whatsapp"]["graph_url"] = vendors.graph.url
    connectors["zoho_crm"].update(
        client_id=vendors.zoho.client_id,
        accounts_url=vendors.zoho.accounts_url,
        api_domain=vendors.zoho.api_domain,
        max_attempts=1,
    )
    connectors["n8n"]["base_url"] = vendors.n8n.url
    for name, (fake, _) in vendors.plugins.items():
        for key, value in fake.overrides.items():
            connectors[name].pop(f"{key}_env", None)
            connectors[name][key] = value
    header = "# sochen demo: the clinic example, its connectors pointed at local fakes of Meta, Zoho and n8n.\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


class _Inline:
    """Runs each stored inbound event's job right away, through the dispatcher (the embedded queue uses a thread)."""

    def __init__(self, settings: Settings) -> None:
        from ..workflows import connector_executor, tenant_connector_factory
        from ..workflows.dispatcher import Dispatcher
        from ..workflows.inbound import INBOUND_ACTION, inbound_executor

        url = settings.database_url
        executor = inbound_executor(settings, connector_executor(tenant_connector_factory(url)))
        self.dispatcher = Dispatcher(url, executor, actions=[INBOUND_ACTION])

    def enqueue(self, event_ids: Sequence[str]) -> None:
        for event_id in event_ids:
            self.dispatcher.run_job(event_id)


def play_whatsapp(settings: Settings, vendors: DemoVendors, messages: Sequence[str]) -> list[dict[str, Any]]:
    """Send `messages` as signed WhatsApp webhooks, run the outbox, and return what happened per message."""
    from fastapi.testclient import TestClient

    from ..api.app import create_app
    from ..connectors.testing.fakes import signed_webhook, text_webhook
    from ..workflows import connector_executor, tenant_connector_factory
    from ..workflows.dispatcher import Dispatcher
    from ..workflows.worker import drain

    url = settings.database_url
    clock = [datetime.now(UTC)]
    dispatcher = Dispatcher(url, connector_executor(tenant_connector_factory(url)), clock=lambda: clock[0])
    steps: list[dict[str, Any]] = []
    with TestClient(create_app(settings, queue=_Inline(settings))) as client:
        for i, text in enumerate(messages, start=1):
            sent_before = len(vendors.graph.sent)
            body = text_webhook(
                text,
                wa_id=CONTACT,
                name="דנה",
                message_id=f"wamid.DEMO-{time.time_ns()}-{i}",
                timestamp=str(int(time.time()) - 5),
                phone_number_id=vendors.graph.phone_number_id,
            )
            response = client.post("/webhooks/whatsapp/clinic", content=body, headers=signed_webhook(body, APP_SECRET))
            ran: list[str] = []
            for _ in range(5):  # bounded: due jobs, then retries a simulated minute later
                ran.extend(o.status for o in drain(dispatcher, max_jobs=50, until_idle=True).outcomes)
                clock[0] += timedelta(minutes=1)
            replies = [m.get("text", {}).get("body", "") for m in vendors.graph.sent[sent_before:]]
            steps.append({"message": text, "status": response.status_code, "replies": replies, "jobs": ran})
    return steps


def with_environment(values: dict[str, str]) -> None:
    """Set the demo's throwaway secrets in this process (never written anywhere)."""
    for name, value in values.items():
        os.environ[name] = value
