"""How long finding, exporting and erasing one person takes as a tenant's data grows (SQLite, embedded).

    python bench/privacy_erase.py --contacts 500,2000 --json-out bench/out/privacy_erase.json

Per size, a fresh SOCHEN_HOME gets a tenant with that many contacts, each with a conversation of four
turns (Hebrew, with an ID number and a phone), two domain events, two outbox jobs with an attempt, two
inbound items, three ledger rows, and a shared raw webhook body per five contacts. Then one person is
found, exported and erased; the figures are wall-clock seconds on this (shared) machine, printed and
written as JSON. Erasure scans the tenant's rows (phones and IDs can appear anywhere), so it grows with
the tenant, not with the person.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any


def seed(url: str, contacts: int) -> None:
    from sqlalchemy import insert

    from sochen.config import parse_tenant_yaml
    from sochen.db.crypto import lookup_hash
    from sochen.db.models import LlmCall, new_id
    from sochen.db.models_api import InboundDelivery, InboundEventRow
    from sochen.db.models_conversations import Conversation, ConversationTurn
    from sochen.db.models_outbox import DomainEvent, Job, JobAttempt
    from sochen.db.session import session_scope
    from sochen.db.tenants import store_version
    from sochen.workflows.conversations import conversation_id_for

    cfg = parse_tenant_yaml("slug: clinic\nname: מרפאה\n")
    with session_scope(url) as session:
        store_version(
            session,
            slug="clinic",
            name=cfg.name,
            config=cfg.model_dump(mode="json"),
            digest=cfg.digest(),
            source_text="",
            source_path=None,
        )
    rows: dict[Any, list[dict[str, Any]]] = {}

    def add(model: Any, **values: Any) -> str:
        values.setdefault("id", new_id())
        rows.setdefault(model, []).append(values)
        return str(values["id"])

    delivery = ""
    for i in range(contacts):
        wa = f"97250{1000000 + i:07d}"
        conv = conversation_id_for("clinic", "whatsapp", wa)
        if i % 5 == 0:
            body = {"entry": [{"changes": [{"value": {"contacts": [], "messages": []}}]}]}
            for j in range(i, i + 5):
                other = f"97250{1000000 + j:07d}"
                value = body["entry"][0]["changes"][0]["value"]
                value["contacts"].append({"profile": {"name": f"לקוח {j}"}, "wa_id": other})
                value["messages"].append({"from": other, "id": f"wamid.{j}", "text": {"body": f'שלום, ת"ז {j}'}})
            raw = json.dumps(body).encode()
            delivery = add(
                InboundDelivery, tenant="clinic", channel="whatsapp", body=raw, body_sha256="x", event_count=5
            )
        add(
            Conversation,
            id=conv,
            tenant="clinic",
            channel="whatsapp",
            contact_value=wa,  # a bulk insert bypasses the contact_id attribute: the hash is set here
            contact_key=lookup_hash(wa),
            contact_name=f"לקוח {i}",
            status="active",
            turns=2,
        )
        for turn, (role, text) in enumerate(
            [
                ("user", f'שלום, שמי לקוח {i}, ת"ז {100000000 + i}'),
                ("agent", f"שלום לקוח {i}, במה אפשר לעזור?"),
                ("user", f"אפשר לחזור אליי ל-050-{1000000 + i:07d}"),
                ("agent", "בטח, נחזור אליך"),
            ]
        ):
            add(
                ConversationTurn,
                conversation_id=conv,
                turn=turn // 2,
                role=role,
                text=text,
                message_id=f"m.{i}.{turn}" if role == "user" else None,
                details={},
            )
        for k in range(2):
            event = add(
                DomainEvent,
                key=new_id(),
                tenant="clinic",
                type="reply",
                conversation_id=conv,
                payload={"to": wa, "text": f"תשובה {k} ללקוח {i}"},
            )
            job = add(
                Job,
                key=new_id(),
                tenant="clinic",
                event_id=event,
                action="whatsapp.send_message",
                params={"to": wa, "text": f"תשובה {k} ללקוח {i}"},
                status="succeeded",
                attempts=1,
            )
            add(JobAttempt, job_id=job, number=1, worker="bench", outcome="succeeded", message=None)
            add(
                InboundEventRow,
                tenant="clinic",
                channel="whatsapp",
                kind="message",
                event_key=f"wamid.{i}.{k}",
                delivery_id=delivery,
                status="processed",
                payload={"type": "message", "contact": {"id": wa, "name": f"לקוח {i}"}, "text": f"הודעה {k}"},
            )
        for _ in range(3):
            add(
                LlmCall,
                tenant_slug="clinic",
                conversation_id=conv,
                route="local",
                reason="bench",
                outcome="ok",
                tokens_in=100,
                tokens_out=20,
            )
    with session_scope(url) as session:
        for model in (
            InboundDelivery,
            Conversation,
            ConversationTurn,
            DomainEvent,
            Job,
            JobAttempt,
            InboundEventRow,
            LlmCall,
        ):
            for start in range(0, len(rows.get(model, [])), 2000):
                session.execute(insert(model), rows[model][start : start + 2000])


def run(contacts: int) -> dict[str, Any]:
    home = tempfile.mkdtemp(prefix="sochen-bench-privacy-")
    os.environ["SOCHEN_HOME"] = home
    os.environ.pop("SOCHEN_DATABASE_URL", None)
    from sochen.config import get_settings, reset_settings
    from sochen.db.migrate import upgrade

    reset_settings()
    settings = get_settings()
    upgrade(settings.database_url)
    t0 = time.perf_counter()
    seed(settings.database_url, contacts)
    seeded = time.perf_counter() - t0

    from sochen.workflows.privacy_log import Actor
    from sochen.workflows.privacy_rights import erase, export, find, parse_contact

    subject = parse_contact("clinic", f"+97250{1000000 + contacts // 2:07d}")
    actor = Actor("cli", "bench", "bench")
    t0 = time.perf_counter()
    found = find(settings, subject)
    t_find = time.perf_counter() - t0
    t0 = time.perf_counter()
    export(settings, subject, actor=actor)
    t_export = time.perf_counter() - t0
    t0 = time.perf_counter()
    receipt = erase(settings, subject, actor=actor)
    t_erase = time.perf_counter() - t0
    db_mb = Path(settings.database_url.split("///", 1)[-1]).stat().st_size / 1e6
    return {
        "contacts": contacts,
        "db_mb": round(db_mb, 1),
        "seed_s": round(seeded, 2),
        "find_s": round(t_find, 2),
        "export_s": round(t_export, 2),
        "erase_s": round(t_erase, 2),
        "found": found.summary(),
        "erase_status": receipt["status"],
        "encrypted": bool(os.environ.get("SOCHEN_DATA_KEYS")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", default="500,2000", help="Tenant sizes (contacts), comma-separated.")
    parser.add_argument("--json-out", default="bench/out/privacy_erase.json")
    args = parser.parse_args()
    results = [run(int(n)) for n in args.contacts.split(",") if n.strip()]
    out = Path(args.json_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
