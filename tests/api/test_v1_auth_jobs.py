"""/v1 authentication (admin and tenant keys, hashed, revocable) and the jobs endpoints."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from sochen.api.keys import KEY_PREFIX, create_key, hash_key, revoke_key
from sochen.db.models_api import ApiKey
from sochen.db.models_outbox import Job, JobAttempt
from sochen.db.session import session_scope

from ._support import apply_tenant

pytestmark = pytest.mark.unit


def make_key(url: str, tenant: str | None) -> tuple[str, str]:
    with session_scope(url) as session:
        row, key = create_key(session, tenant=tenant, label="test")
        return row.id, key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def add_job(url: str, tenant: str, status: str = "dead") -> str:
    now = datetime.now(UTC)
    with session_scope(url) as session:
        job = Job(
            key=f"{tenant}-{status}-{now.timestamp()}",
            tenant=tenant,
            action="zoho_crm.upsert_lead",
            params={"fields": {"Last_Name": "כהן"}},
            status=status,
            attempts=2,
            max_attempts=2,
            last_error="unreachable: HTTP 503",
        )
        session.add(job)
        session.flush()
        session.add(JobAttempt(job_id=job.id, number=1, worker="w:1", outcome="retry", error_kind="unreachable"))
        return job.id


def test_keys_are_stored_hashed(db_url):
    key_id, key = make_key(db_url, "clinic")
    assert key.startswith(KEY_PREFIX) and len(key) > len(KEY_PREFIX) + 40
    with session_scope(db_url) as session:
        row = session.get(ApiKey, key_id)
        assert row is not None and row.key_hash == hash_key(key) and key not in (row.key_hash, row.prefix)


def test_v1_auth(client, db_url):
    _, admin = make_key(db_url, None)
    clinic_id, clinic = make_key(db_url, "clinic")
    apply_tenant(db_url, "lawfirm", connectors=False)

    missing = client.get("/v1/clinic/jobs")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["error"]["code"] == "unauthorized"
    assert client.get("/v1/clinic/jobs", headers=bearer("sk_sochen_made_up")).status_code == 401
    assert client.get("/v1/clinic/jobs", headers={"Authorization": f"Basic {clinic}"}).status_code == 401

    assert client.get("/v1/clinic/jobs", headers=bearer(clinic)).status_code == 200
    # Another tenant looks exactly like a tenant that does not exist.
    other = client.get("/v1/lawfirm/jobs", headers=bearer(clinic))
    nobody = client.get("/v1/nobody/jobs", headers=bearer(clinic))
    assert other.status_code == nobody.status_code == 404
    assert other.json()["error"]["code"] == nobody.json()["error"]["code"] == "unknown_tenant"

    assert client.get("/v1/lawfirm/jobs", headers=bearer(admin)).status_code == 200
    assert client.get("/v1/nobody/jobs", headers=bearer(admin)).status_code == 404

    with session_scope(db_url) as session:
        assert session.scalar(select(ApiKey.last_used_at).where(ApiKey.id == clinic_id)) is not None
        revoke_key(session, clinic_id)
    revoked = client.get("/v1/clinic/jobs", headers=bearer(clinic))
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "unauthorized"


def test_jobs_list_show_retry_cancel(client, db_url):
    _, admin = make_key(db_url, None)
    _, clinic = make_key(db_url, "clinic")
    apply_tenant(db_url, "lawfirm", connectors=False)
    dead = add_job(db_url, "clinic", "dead")
    pending = add_job(db_url, "clinic", "pending")
    foreign = add_job(db_url, "lawfirm", "dead")

    listed = client.get("/v1/clinic/jobs", headers=bearer(clinic)).json()
    assert {j["id"] for j in listed} == {dead, pending}
    assert [j["id"] for j in client.get("/v1/clinic/jobs?status=dead", headers=bearer(clinic)).json()] == [dead]
    assert client.get("/v1/clinic/jobs?status=bogus", headers=bearer(clinic)).status_code == 422

    shown = client.get(f"/v1/jobs/{dead}", headers=bearer(clinic)).json()
    assert shown["status"] == "dead" and shown["attempt_log"][0]["error_kind"] == "unreachable"
    assert client.get(f"/v1/jobs/{dead[:8]}", headers=bearer(admin)).json()["id"] == dead  # admins may use prefixes
    assert client.get(f"/v1/jobs/{dead[:8]}", headers=bearer(clinic)).status_code == 404
    assert client.get(f"/v1/jobs/{foreign}", headers=bearer(clinic)).status_code == 404
    assert client.post(f"/v1/jobs/{foreign}/retry", headers=bearer(clinic)).status_code == 404
    assert client.get("/v1/jobs/nope", headers=bearer(admin)).status_code == 404

    retried = client.post(f"/v1/jobs/{dead}/retry", headers=bearer(clinic), json={"attempts": 2})
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    assert retried.json()["max_attempts"] == 4
    again = client.post(f"/v1/jobs/{dead}/retry", headers=bearer(clinic))
    assert again.status_code == 409 and again.json()["error"]["code"] == "job_state"

    cancelled = client.post(f"/v1/jobs/{pending}/cancel", headers=bearer(clinic))
    assert cancelled.status_code == 200 and cancelled.json() == {"cancelled": [pending]}
    assert client.post(f"/v1/jobs/{pending}/cancel", headers=bearer(clinic)).status_code == 409
    assert client.post(f"/v1/jobs/{foreign}/cancel", headers=bearer(admin)).status_code == 200


def test_retried_jobs_are_published_when_a_publisher_is_set(client, db_url):
    _, admin = make_key(db_url, None)
    dead = add_job(db_url, "clinic", "dead")
    published: list[list[str]] = []
    client.app.state.sochen.job_publisher = lambda ids: published.append(list(ids))
    assert client.post(f"/v1/jobs/{dead}/retry", headers=bearer(admin)).status_code == 200
    assert published == [[dead]]
