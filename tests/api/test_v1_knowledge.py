"""/v1/{tenant}/documents (upload through `sochen ingest`'s code, list, delete) and /v1/{tenant}/ask."""

from __future__ import annotations

import json
import re

import pytest

from sochen.api.documents import safe_filename
from sochen.config.sections.models import ProviderConfig
from sochen.llm.providers.base import Message
from sochen.llm.providers.scripted import ScriptedProvider, ScriptRule
from tests.rag.samples import PRICES_MD

from ._support import apply_tenant
from .test_v1_auth_jobs import bearer, make_key

pytestmark = pytest.mark.unit

MODELS = """
models:
  providers:
    local: {kind: scripted, model: double, locality: local}
  policy: {mode: local_only, local: [local]}
"""


def quoting(needle: str):
    """A scripted reply quoting the passage line that contains `needle`, or not found."""

    def reply(messages: list[Message]) -> str:
        user = next(m.content for m in reversed(messages) if m.role == "user")
        for block in re.split(r"\n\n(?=\[\d+\])", user.split("קטעים:", 1)[-1]):
            m = re.match(r"\s*\[(\d+)\][^\n]*\n(.*)", block, re.S)
            if m and needle in m.group(2):
                line = next(x for x in m.group(2).split("\n") if needle in x).strip()
                citation = {"n": int(m.group(1)), "quote": line}
                return json.dumps({"found": True, "answer": f"לפי המחירון: {line}", "citations": [citation]})
        return json.dumps({"found": False, "answer": "", "citations": []})

    return reply


@pytest.fixture
def kb(client, db_url):
    """The clinic with scripted models and an admin and tenant key."""
    apply_tenant(db_url, "clinic", extra=MODELS)
    _, admin = make_key(db_url, None)
    _, clinic = make_key(db_url, "clinic")
    return client, bearer(admin), bearer(clinic)


def upload(client, headers, name: str, data: bytes, tags=()):
    return client.post("/v1/clinic/documents", headers=headers, files={"file": (name, data)}, data={"tags": list(tags)})


def test_upload_list_replace_delete(kb):
    client, _, clinic = kb
    created = upload(client, clinic, "מחירון.md", PRICES_MD.encode(), tags=["public", "dept:teeth"])
    assert created.status_code == 201, created.text
    doc = created.json()["document"]
    assert created.json()["outcome"] == "added"
    assert doc["title"] == "מחירון המרפאה" and doc["filename"] == "מחירון.md" and doc["chunk_count"] >= 1
    assert doc["tags"] == ["dept:teeth", "public"] and doc["status"] == "indexed"

    same = upload(client, clinic, "מחירון.md", PRICES_MD.encode(), tags=["public", "dept:teeth"])
    assert same.status_code == 200 and same.json()["outcome"] == "unchanged"
    changed = upload(client, clinic, "מחירון.md", (PRICES_MD + "\nחניה בחינם.\n").encode(), tags=["public"])
    assert changed.json()["outcome"] == "updated" and changed.json()["document"]["id"] == doc["id"]

    listed = client.get("/v1/clinic/documents", headers=clinic).json()
    assert [d["id"] for d in listed] == [doc["id"]]

    gone = client.delete(f"/v1/clinic/documents/{doc['id']}", headers=clinic)
    assert gone.status_code == 200 and gone.json()["id"] == doc["id"]
    assert client.get("/v1/clinic/documents", headers=clinic).json() == []
    missing = client.delete(f"/v1/clinic/documents/{doc['id']}", headers=clinic)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "document_not_found"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("empty.md", b"", "document_empty"),
        ("broken.pdf", b"%PDF-1.7 this is not really a pdf", "document_corrupt"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "document_unsupported"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "document_unsupported"),
        ("old.docx", b"not a zip", "document_corrupt"),
    ],
)
def test_bad_upload_is_422_with_its_reason_and_nothing_is_kept(kb, name, data, code):
    client, _, clinic = kb
    response = upload(client, clinic, name, data)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message_he"] and error["message_en"]
    assert client.get("/v1/clinic/documents", headers=clinic).json() == []


def test_a_bad_replacement_keeps_the_previous_version(kb):
    client, _, clinic = kb
    assert upload(client, clinic, "prices.md", PRICES_MD.encode()).status_code == 201
    assert upload(client, clinic, "prices.md", b"").status_code == 422
    [doc] = client.get("/v1/clinic/documents", headers=clinic).json()
    assert doc["title"] == "מחירון המרפאה"


def test_upload_needs_a_key_for_that_tenant(kb, db_url):
    client, admin, _ = kb
    apply_tenant(db_url, "lawfirm", connectors=False)
    lawfirm = bearer(make_key(db_url, "lawfirm")[1])
    assert upload(client, {}, "prices.md", PRICES_MD.encode()).status_code == 401
    assert upload(client, lawfirm, "prices.md", PRICES_MD.encode()).status_code == 404
    assert upload(client, admin, "prices.md", PRICES_MD.encode(), tags=["bad tag!"]).status_code == 422


def test_ask_answers_from_the_documents_with_citations(kb):
    client, admin, clinic = kb
    provider = ScriptedProvider(
        "local",
        ProviderConfig(kind="scripted", model="double", locality="local"),
        rules=[ScriptRule("כמה עולה", quoting("1,200"))],
        default=json.dumps({"found": False, "answer": "", "citations": []}),
    )
    client.app.state.sochen.ask_providers = {"local": provider}
    assert upload(client, admin, "prices.md", PRICES_MD.encode()).status_code == 201

    answer = client.post("/v1/clinic/ask", headers=clinic, json={"question": "כמה עולה הלבנת שיניים?", "top_k": 3})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["status"] == "answered" and "1,200" in data["answer"]
    assert data["citations"][0]["title"] == "מחירון המרפאה" and "1,200" in data["citations"][0]["quote"]
    assert data["route"]["route"] == "local" and data["route"]["provider"] == "local"
    assert len(provider.calls) == 1

    unknown = client.post("/v1/clinic/ask", headers=clinic, json={"question": "האם יש חניה לאופנועים?"})
    assert unknown.status_code == 200 and unknown.json()["status"] == "not_found"

    assert client.post("/v1/clinic/ask", headers=clinic, json={"question": ""}).status_code == 422
    assert client.post("/v1/clinic/ask", headers=clinic, json={"q": "x"}).status_code == 422
    bad = client.post("/v1/clinic/ask", headers={**clinic, "Content-Type": "application/json"}, content=b"{oops")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"


def test_ask_with_the_tenants_own_scripted_provider(kb, db_url, tmp_path):
    client, admin, clinic = kb
    rules = tmp_path / "rules.yaml"
    rules.write_text('- match: "."\n  json: {"found": false, "answer": "", "citations": []}\n', encoding="utf-8")
    models = MODELS.replace("locality: local}", f'locality: local, model_path: "{rules.as_posix()}"}}')
    apply_tenant(db_url, "clinic", extra=models)
    assert upload(client, admin, "prices.md", PRICES_MD.encode()).status_code == 201
    answer = client.post("/v1/clinic/ask", headers=clinic, json={"question": "מה שעות הפעילות?"})
    assert answer.status_code == 200 and answer.json()["status"] == "not_found"
    assert answer.json()["route"]["provider"] == "local"


def test_safe_filename():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\docs\\חוזה.pdf") == "חוזה.pdf"
    assert safe_filename(".hidden.md") == "hidden.md"
    assert safe_filename("a\x00b\n.md") == "ab.md"
    assert safe_filename("") == "document"
    assert len(safe_filename("א" * 400 + ".pdf")) == 150
