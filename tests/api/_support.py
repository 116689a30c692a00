"""Helpers of the API tests: tenants with connectors, signed requests, row counts."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from sochen.config import parse_tenant_yaml
from sochen.db.models_api import InboundDelivery, InboundEventRow
from sochen.db.session import session_scope
from sochen.db.tenants import store_version

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "whatsapp"
VECTOR_SECRET = "1222e786b144d0e85b9f365372d93676"
VECTOR_SIGNATURE = "sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441"
VERIFY_TOKEN = "verify-me-please"
N8N_SECRET = "n8n-shared-secret"

ENV = {
    "WA_APP_SECRET": VECTOR_SECRET,
    "WA_ACCESS_TOKEN": "EAAG-test-token",
    "WA_VERIFY_TOKEN": VERIFY_TOKEN,
    "N8N_SIGNING_SECRET": N8N_SECRET,
}

CONNECTORS = """
connectors:
  whatsapp:
    phone_number_id: "277321005464405"
    access_token_env: WA_ACCESS_TOKEN
    app_secret_env: WA_APP_SECRET
    verify_token_env: WA_VERIFY_TOKEN
  n8n:
    base_url: http://127.0.0.1:5678
    signing_secret_env: N8N_SIGNING_SECRET
"""


def apply_tenant(url: str, slug: str, *, connectors: bool = True, extra: str = "") -> None:
    """Store a tenant version (validated like `sochen tenant apply`)."""
    text = f"slug: {slug}\nname: דייר {slug}\n{CONNECTORS if connectors else ''}{extra}"
    cfg = parse_tenant_yaml(text)
    with session_scope(url) as session:
        store_version(
            session,
            slug=cfg.slug,
            name=cfg.name,
            config=cfg.model_dump(mode="json"),
            digest=cfg.digest(),
            source_text=text,
            source_path=None,
        )


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def wa_headers(body: bytes, secret: str = VECTOR_SECRET) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Hub-Signature-256": sign(secret, body)}


def n8n_headers(body: bytes, **extra: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Sochen-Signature": sign(N8N_SECRET, body), **extra}


def vector_body() -> bytes:
    return (FIXTURES / "signature_vector.body").read_bytes()


def fixture_payloads() -> list[tuple[str, dict[str, Any]]]:
    """(file:variant, payload) for every variant of every WhatsApp fixture file."""
    out = []
    for path in sorted(FIXTURES.glob("*.json")):
        for variant, payload in json.loads(path.read_text(encoding="utf-8")).items():
            out.append((f"{path.stem}:{variant}", payload))
    return out


def text_message(message_id: str, text: str = "שלום, מה שעות הפעילות?") -> bytes:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "264937493375603",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550953877", "phone_number_id": "277321005464405"},
                            "contacts": [{"profile": {"name": "דנה"}, "wa_id": "972544401243"}],
                            "messages": [
                                {
                                    "from": "972544401243",
                                    "id": message_id,
                                    "timestamp": "1730231903",
                                    "text": {"body": text},
                                    "type": "text",
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def status_body(statuses: Sequence[tuple[str, str]]) -> bytes:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "264937493375603",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550953877", "phone_number_id": "277321005464405"},
                            "statuses": [
                                {"id": mid, "status": st, "timestamp": "1698266945", "recipient_id": "972987654321"}
                                for mid, st in statuses
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(payload).encode()


def count_events(url: str, **where: str) -> int:
    with session_scope(url) as session:
        query = select(func.count()).select_from(InboundEventRow)
        for key, value in where.items():
            query = query.where(getattr(InboundEventRow, key) == value)
        return int(session.scalar(query) or 0)


def count_deliveries(url: str) -> int:
    with session_scope(url) as session:
        return int(session.scalar(select(func.count()).select_from(InboundDelivery)) or 0)


def event_rows(url: str) -> list[InboundEventRow]:
    with session_scope(url) as session:
        return list(session.scalars(select(InboundEventRow).order_by(InboundEventRow.created_at)))
