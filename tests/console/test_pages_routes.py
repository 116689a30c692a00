"""The lawyer's archive and the owner's pages over HTTP: scoping, roles, CSRF, escaping, the services' results."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from sochen.config import get_settings
from sochen.db.models import Document, Tenant
from sochen.db.models_outbox import Job
from sochen.db.session import session_scope
from sochen.evals import run_suite
from tests.api._support import ENV
from tests.api.test_v1_auth_jobs import add_job

from ._pages import BROKEN_PDF, LAWFIRM, add_ledger_row, broken_yaml, make_world
from ._support import login, make_user

pytestmark = pytest.mark.unit

QUESTION = "כמה עולה פגישת ייעוץ ראשונה?"


@pytest.fixture
def world(any_database_url, tmp_path, monkeypatch):
    """The clinic of tests/evals (version 1, no run yet) and the example law firm with its fee schedule."""
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    yield make_world(any_database_url, tmp_path / "world")
    from sochen.agents.graph import forget_checkpointers

    forget_checkpointers()


@pytest.fixture
def db_url(world, any_database_url):
    """The database of ``world`` (replaces the console conftest's two bare tenants)."""
    return any_database_url


@pytest.fixture
def as_user(db_url, make_client):
    """``as_user(role, tenant)``: a client signed in as a new account of that tenant."""
    made = [0]

    def make(role: str, tenant: str = "lawfirm"):
        made[0] += 1
        name = f"{role}{made[0]}@{tenant}.example"
        make_user(db_url, name, role, tenant, name=f"עו״ד {role}")
        return login(make_client(), name)

    return make


def _doc_id(url: str, tenant: str) -> str:
    with session_scope(url) as session:
        tid = session.scalar(select(Tenant.id).where(Tenant.slug == tenant))
        return session.scalar(select(Document.id).where(Document.tenant_id == tid).limit(1))


def _run(tenant: str = "clinic"):
    return run_suite(get_settings(), tenant, jobs=2)


# -- the archive ---------------------------------------------------------------------------------


def test_ask_shows_the_answer_with_clause_citations_that_open_in_the_document(as_user, db_url):
    lawyer = as_user("agent")
    page = lawyer.get("/console/t/lawfirm/archive")
    assert page.status_code == 200 and 'dir="rtl"' in page.text and "תעריף שכר טרחה" in page.text
    answered = lawyer.post("/console/t/lawfirm/archive/ask", data={"question": QUESTION, "csrf_token": lawyer.csrf})
    assert answered.status_code == 200, answered.text
    assert "₪600" in answered.text and 'class="citation"' in answered.text
    link = re.search(r'href="(/console/t/lawfirm/archive/documents/[^"]+)"', answered.text)
    assert link, answered.text
    href = link.group(1).replace("&amp;", "&")
    document = lawyer.get(href)
    assert document.status_code == 200
    cited = re.search(r'<article id="chunk-([^"]+)" class="passage cited"', document.text)
    assert cited and f"chunk={cited.group(1)}" in href
    assert "<mark>" in document.text and "₪600" in document.text.split('class="passage cited"', 1)[1]

    # HTMX asks get the answer fragment only.
    fragment = lawyer.post(
        "/console/t/lawfirm/archive/ask",
        data={"question": QUESTION, "csrf_token": lawyer.csrf},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text and "₪600" in fragment.text


def test_search_with_document_and_tag_filters(as_user, db_url):
    lawyer = as_user("viewer")
    doc = _doc_id(db_url, "lawfirm")
    hits = lawyer.get("/console/t/lawfirm/archive/search", params={"q": "ריטיינר בסיסי"})
    assert hits.status_code == 200 and "ריטיינר" in hits.text and 'class="hit"' in hits.text
    only_doc = lawyer.get("/console/t/lawfirm/archive/search", params={"q": "ריטיינר", "document": doc})
    assert 'class="hit"' in only_doc.text
    other_doc = lawyer.get("/console/t/lawfirm/archive/search", params={"q": "ריטיינר", "document": "0" * 32})
    assert 'class="hit"' not in other_doc.text and "לא נמצאו תוצאות" in other_doc.text
    no_tag = lawyer.get("/console/t/lawfirm/archive/search", params={"q": "ריטיינר", "tag": "client:1234"})
    assert 'class="hit"' not in no_tag.text


def test_upload_a_docx_and_a_broken_pdf_one_ingested_one_refused_with_its_reason(as_user, db_url):
    lawyer = as_user("agent")
    before = _doc_id(db_url, "lawfirm")
    docx = (LAWFIRM / "docs" / "engagement_agreement.docx").read_bytes()
    response = lawyer.post(
        "/console/t/lawfirm/archive/documents",
        data={"csrf_token": lawyer.csrf, "tags": "client:1234"},
        files=[
            ("files", ("הסכם התקשרות.docx", docx, "application/octet-stream")),
            ("files", ("חוזה פגום.pdf", BROKEN_PDF, "application/pdf")),
        ],
    )
    assert response.status_code == 200, response.text
    assert 'data-outcome="added"' in response.text and 'data-outcome="failed"' in response.text
    failed = response.text.split('data-outcome="failed"', 1)[1]
    assert "הקובץ פגום או קטוע" in failed and "חוזה פגום.pdf" in failed
    with session_scope(db_url) as session:
        names = sorted(d.source.rsplit("/", 1)[-1] for d in session.scalars(select(Document)))
    assert "הסכם התקשרות.docx" in names and "חוזה פגום.pdf" not in names
    assert _doc_id(db_url, "lawfirm") and before  # the documents already there are still there
    upload_dir = get_settings().home.resolve() / "uploads" / "lawfirm"
    assert sorted(p.name for p in upload_dir.iterdir()) == ["הסכם התקשרות.docx"]
    tagged = lawyer.get("/console/t/lawfirm/archive/search", params={"q": "שכר טרחה", "tag": "client:1234"})
    assert "הסכם התקשרות" in tagged.text


def test_viewer_cannot_upload(as_user):
    viewer = as_user("viewer")
    refused = viewer.post(
        "/console/t/lawfirm/archive/documents",
        data={"csrf_token": viewer.csrf},
        files=[("files", ("a.md", "# שלום".encode(), "text/markdown"))],
    )
    assert refused.status_code == 403
    assert 'class="upload-form"' not in viewer.get("/console/t/lawfirm/archive").text


def test_untrusted_questions_and_document_text_render_as_text(as_user, db_url):
    lawyer = as_user("agent")
    evil = "<script>alert('x')</script>\u202eמה עולה <b>ריטיינר</b>?"
    answered = lawyer.post("/console/t/lawfirm/archive/ask", data={"question": evil, "csrf_token": lawyer.csrf})
    assert answered.status_code == 200
    assert "<script>alert" not in answered.text and "&lt;script&gt;alert" in answered.text
    assert "\u202e" not in answered.text and "<b>ריטיינר</b>" not in answered.text
    hostile = "# מסמך עוין\n\nסעיף 1. <script>alert('doc')</script> <img src=x onerror=alert(1)> \u202eטקסט הפוך\n"
    uploaded = lawyer.post(
        "/console/t/lawfirm/archive/documents",
        data={"csrf_token": lawyer.csrf},
        files=[("files", ("<b>עוין</b>.md", hostile.encode(), "text/markdown"))],
    )
    assert uploaded.status_code == 200 and "<b>עוין</b>" not in uploaded.text
    with session_scope(db_url) as session:
        doc = session.scalar(select(Document).where(Document.title == "מסמך עוין"))
        assert doc is not None
        doc_id = doc.id
    page = lawyer.get(f"/console/t/lawfirm/archive/documents/{doc_id}")
    assert "<script>alert('doc')" not in page.text and "&lt;script&gt;" in page.text
    assert "<img src=x" not in page.text and "\u202e" not in page.text


# -- scoping, roles, CSRF ------------------------------------------------------------------------


def _every_route(doc: str, run: str, job: str) -> list[tuple[str, str]]:
    return [
        ("GET", "/archive"),
        ("POST", "/archive/ask"),
        ("GET", "/archive/search?q=ריטיינר"),
        ("GET", f"/archive/documents/{doc}"),
        ("POST", "/archive/documents"),
        ("GET", "/owner/"),
        ("GET", "/owner/versions/1/promote"),
        ("POST", "/owner/versions/1/promote"),
        ("GET", f"/owner/runs/{run}/report"),
        ("GET", "/owner/jobs"),
        ("POST", f"/owner/jobs/{job}/retry"),
        ("POST", f"/owner/jobs/{job}/cancel"),
        ("GET", "/owner/usage"),
    ]


def _call(client, method: str, url: str, **data: str):
    if method == "GET":
        return client.get(url, follow_redirects=False)
    files = [("files", ("a.md", b"# x", "text/markdown"))] if url.endswith("/documents") else None
    return client.post(url, data={"question": "שאלה", **data}, files=files, follow_redirects=False)


def test_another_tenants_user_gets_404_on_every_route(as_user, db_url):
    run = _run("clinic")
    clinic_job, law_job = add_job(db_url, "clinic"), add_job(db_url, "lawfirm")
    clinic_doc, law_doc = _doc_id(db_url, "clinic"), _doc_id(db_url, "lawfirm")
    lawyer = as_user("owner", "lawfirm")
    # The clinic's URLs, as the law firm's owner: every one is 404, and nothing changed.
    for method, path in _every_route(clinic_doc, run.run_id, clinic_job):
        response = _call(lawyer, method, f"/console/t/clinic{path}", csrf_token=lawyer.csrf)
        assert response.status_code == 404, (method, path, response.status_code)
    # The law firm's own URLs with the clinic's ids in them: 404 too.
    for method, path in [
        ("GET", f"/archive/documents/{clinic_doc}"),
        ("GET", f"/owner/runs/{run.run_id}/report"),
        ("POST", f"/owner/jobs/{clinic_job}/retry"),
        ("POST", f"/owner/jobs/{clinic_job}/cancel"),
        ("GET", "/owner/versions/7/promote"),
        ("POST", "/owner/versions/7/promote"),
    ]:
        response = _call(lawyer, method, f"/console/t/lawfirm{path}", csrf_token=lawyer.csrf)
        assert response.status_code == 404, (method, path, response.status_code)
    with session_scope(db_url) as session:
        assert session.get(Job, clinic_job).status == "dead"
        assert session.scalar(select(Tenant.live_version).where(Tenant.slug == "clinic")) is None
    assert law_job and law_doc


def test_every_post_needs_the_csrf_token(as_user, db_url):
    job = add_job(db_url, "lawfirm")
    owner = as_user("owner", "lawfirm")
    for method, path in _every_route(_doc_id(db_url, "lawfirm"), "x" * 32, job):
        if method != "POST":
            continue
        missing = _call(owner, method, f"/console/t/lawfirm{path}")
        wrong = _call(owner, method, f"/console/t/lawfirm{path}", csrf_token="not-the-token")
        assert missing.status_code == 403 and wrong.status_code == 403, path
    with session_scope(db_url) as session:
        assert session.get(Job, job).status == "dead"


def test_viewer_cannot_promote_retry_or_cancel_and_an_agent_cannot_promote(as_user, db_url):
    run = _run("clinic")
    assert run.passed
    job = add_job(db_url, "clinic")
    viewer, agent = as_user("viewer", "clinic"), as_user("agent", "clinic")
    for client in (viewer, agent):
        assert (
            _call(client, "POST", "/console/t/clinic/owner/versions/1/promote", csrf_token=client.csrf).status_code
            == 403
        )
        confirm = client.get("/console/t/clinic/owner/versions/1/promote")
        assert confirm.status_code == 200 and 'id="confirm-promote"' not in confirm.text
        assert "רק בעלים" in confirm.text
    for action in ("retry", "cancel"):
        response = _call(viewer, "POST", f"/console/t/clinic/owner/jobs/{job}/{action}", csrf_token=viewer.csrf)
        assert response.status_code == 403
    assert "/retry" not in viewer.get("/console/t/clinic/owner/jobs").text
    with session_scope(db_url) as session:
        assert session.get(Job, job).status == "dead"
        assert session.scalar(select(Tenant.live_version).where(Tenant.slug == "clinic")) is None
    # The agent may retry and cancel (the same services as `sochen jobs`).
    retried = _call(agent, "POST", f"/console/t/clinic/owner/jobs/{job}/retry", csrf_token=agent.csrf)
    assert retried.status_code == 303
    with session_scope(db_url) as session:
        assert session.get(Job, job).status == "pending"
    again = _call(agent, "POST", f"/console/t/clinic/owner/jobs/{job}/retry", csrf_token=agent.csrf)
    assert again.status_code == 409 and "only dead, cancelled or held" in again.text
    cancelled = _call(agent, "POST", f"/console/t/clinic/owner/jobs/{job}/cancel", csrf_token=agent.csrf)
    assert cancelled.status_code == 303
    with session_scope(db_url) as session:
        assert session.get(Job, job).status == "cancelled"


# -- the owner: versions, the gate, promotion, reports ------------------------------------------


def _live(url: str) -> int | None:
    with session_scope(url) as session:
        return session.scalar(select(Tenant.live_version).where(Tenant.slug == "clinic"))


def test_promotion_is_refused_with_the_reason_then_allowed_after_a_passing_run(as_user, db_url, world):
    owner = as_user("owner", "clinic")
    refused = _call(owner, "POST", "/console/t/clinic/owner/versions/1/promote", csrf_token=owner.csrf)
    assert refused.status_code == 409 and "version 1 has no eval run" in refused.text
    assert _live(db_url) is None

    run = _run("clinic")
    assert run.passed
    overview = owner.get("/console/t/clinic/owner/")
    assert overview.status_code == 200 and 'data-version="1" data-passed="true"' in overview.text
    assert 'data-threshold="min_pass_rate" class="ok"' in overview.text
    assert f"/console/t/clinic/owner/runs/{run.run_id}/report" in overview.text
    report = owner.get(f"/console/t/clinic/owner/runs/{run.run_id}/report")
    assert report.status_code == 200 and 'dir="rtl"' in report.text
    assert "script-src" not in report.headers["content-security-policy"]
    assert report.headers["content-security-policy"].startswith("default-src 'none'")
    confirm = owner.get("/console/t/clinic/owner/versions/1/promote")
    assert 'id="confirm-promote"' in confirm.text
    done = _call(owner, "POST", "/console/t/clinic/owner/versions/1/promote", csrf_token=owner.csrf)
    assert done.status_code == 303 and _live(db_url) == 1
    assert "גרסה 1 חיה כעת" in owner.get(done.headers["location"]).text

    # Version 2 breaks the lead scenarios: its run fails the gate, promotion says which thresholds.
    assert world.apply(broken_yaml()) == 2
    failing = _run("clinic")
    assert not failing.passed
    page = owner.get("/console/t/clinic/owner/")
    assert (
        'data-version="2" data-passed="false"' in page.text
        and 'data-threshold="min_pass_rate" class="bad"' in page.text
    )
    confirm = owner.get("/console/t/clinic/owner/versions/2/promote")
    assert 'id="confirm-promote"' not in confirm.text and "(min_pass_rate)" in confirm.text
    refused = _call(owner, "POST", "/console/t/clinic/owner/versions/2/promote", csrf_token=owner.csrf)
    assert refused.status_code == 409 and "(min_pass_rate)" in refused.text and "ההעלאה לאוויר נדחתה" in refused.text
    assert _live(db_url) == 1


# -- the owner: usage and build vs. buy ---------------------------------------------------------


def test_usage_per_provider_local_share_and_the_build_vs_buy_chart(as_user, db_url):
    for month, spend in ((9, 300.0), (10, 700.0), (11, 1100.0)):
        add_ledger_row(
            db_url,
            "clinic",
            datetime(2026, month, 10, 12, tzinfo=UTC),
            locality="api",
            cost=spend,
            request=f"api{month}",
        )
        for i in range(3):
            add_ledger_row(
                db_url,
                "clinic",
                datetime(2026, month, 11, 12, tzinfo=UTC),
                locality="local",
                cost=0,
                request=f"l{month}{i}",
            )
    owner = as_user("owner", "clinic")
    page = owner.get("/console/t/clinic/owner/usage", params={"month": "2026-11"})
    assert page.status_code == 200, page.text
    assert "75%" in page.text  # 3 of the 4 requests of November went to the local model
    assert "<svg" in page.text and page.text.count('class="bar"') == 6 and 'class="server"' in page.text
    assert 'class="trend"' in page.text
    assert "בעוד כ-6.2 חודשים" in page.text  # $1,100 now; least squares over Jun–Nov: +$225.7 a month; $2,500
    assert "openai" in page.text and "ollama-local" in page.text
    # The English console (an integrator): the same pages, left to right, English strings.
    owner.get("/console/lang", params={"to": "en"})
    for path, text in (
        ("/owner/usage?month=2026-11", "Build vs. buy"),
        ("/owner/", "Configuration versions"),
        ("/owner/jobs", "Jobs and dead letters"),
        ("/owner/versions/1/promote", "does not pass the gate"),
        ("/archive", "Ask the documents"),
    ):
        english = owner.get(f"/console/t/clinic{path}")
        assert english.status_code == 200 and 'dir="ltr"' in english.text and text in english.text, path
    owner.get("/console/lang", params={"to": "he"})
    bad = owner.get("/console/t/clinic/owner/usage", params={"month": "נובמבר"})
    assert bad.status_code == 422 and "2026-11" in bad.text
