"""The first-party HubSpot connector (connectors/sochen-hubspot) is built and installed as its own
distribution, runs its own suite (the conformance kit included) from the installed copy, and its jobs
run against its fake in an eval sandbox — the realestate example tenant's scenarios depend on it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from sochen.connectors import discover

from ._support import installed_package, run_pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "connectors" / "sochen-hubspot"
TENANT = ROOT / "examples" / "tenants" / "realestate"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with installed_package(PACKAGE, tmp_path_factory.mktemp("site") / "packages", "sochen_hubspot") as target:
        yield target


def test_installed_as_its_own_distribution_with_its_data(installed: Path) -> None:
    info = discover(["hubspot"], use_settings=False)["hubspot"]
    assert (info.distribution, info.version) == ("sochen-hubspot", "0.1.0")
    assert info.to_dict()["capabilities"] == ["read_records", "write_records"]
    module_file = Path(sys.modules[info.cls.__module__].__file__ or "")
    assert module_file.is_relative_to(installed)
    data = module_file.parent / "data"
    assert {p.name for p in data.iterdir()} >= {"hubspot_crm_openapi_subset.json", "properties.json", "SOURCE.md"}
    assert set(info.cls.actions()) >= {"upsert_contact", "create_task", "add_note", "set_stage"}


def test_its_own_suite_passes_the_conformance_kit(installed: Path, tmp_path: Path) -> None:
    result = run_pytest(PACKAGE / "tests", pythonpath=installed, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "failed" not in result.stdout and " passed" in result.stdout
    kit = run_pytest(PACKAGE / "tests" / "test_conformance.py", pythonpath=installed, cwd=tmp_path)
    assert kit.returncode == 0 and " passed" in kit.stdout and "skipped" in kit.stdout  # undeclared: skipped


def test_a_lead_becomes_a_contact_a_task_and_a_note_in_an_eval_sandbox(installed: Path, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from sochen.config import TenantConfig
    from sochen.db.models_outbox import Job
    from sochen.db.session import session_scope
    from sochen.evals.sandbox import Sandbox

    raw = yaml.safe_load((TENANT / "tenant.yaml").read_text(encoding="utf-8"))
    config = TenantConfig.model_validate(raw)
    with Sandbox(config, folder=tmp_path / "sandbox") as sandbox:
        fake = sandbox.fakes["hubspot"].fake
        assert fake.url.startswith("http://127.0.0.1:")
        staff = fake.add_contact(firstname="דנה", lastname="כהן", phone="052-456-1234")  # typed by the agency
        contact_params = {"phone": "+972524561234", "first_name": "דנה", "last_name": "כהן", "lifecycle_stage": "lead"}
        with session_scope(sandbox.database_url) as session:
            job = Job(key="eval-lead-1", tenant="realestate", action="hubspot.upsert_contact", params=contact_params)
            session.add(job)
            session.flush()
            first = job.id
        (record,) = sandbox.run_jobs([first], datetime.now(UTC))
        assert (record.status, record.error) == ("succeeded", None)
        assert list(fake.contacts) == [staff]  # found in the agency's format, not duplicated
        with session_scope(sandbox.database_url) as session:
            jobs = [
                Job(
                    key="eval-lead-1-task",
                    tenant="realestate",
                    action="hubspot.create_task",
                    params={"contact": {"id": staff}, "subject": "לחזור לדנה כהן — קניית דירה", "due": "2026-11-23"},
                ),
                Job(
                    key="eval-lead-1-note",
                    tenant="realestate",
                    action="hubspot.add_note",
                    params={"contact": {"id": staff}, "body": "פנייה בוואטסאפ: קניית דירה"},
                ),
            ]
            session.add_all(jobs)
            session.flush()
            ids = [j.id for j in jobs]
        records = sandbox.run_jobs(ids, datetime.now(UTC))
        assert [(r.status, r.error) for r in records] == [("succeeded", None), ("succeeded", None)]
        assert fake.associated("contacts", staff, "tasks") == list(fake.tasks)
        assert fake.associated("contacts", staff, "notes") == list(fake.notes)
        (task,) = fake.tasks.values()
        assert (
            task["properties"]["hs_task_subject"].startswith("לחזור לדנה כהן")
            and " #s" in task["properties"]["hs_task_subject"]
        )  # the dispatcher's job key became the idempotency marker
        assert all(r.headers["Authorization"] == f"Bearer {fake.access_token}" for r in fake.requests)


def test_the_realestate_scenarios_load_against_the_installed_actions(installed: Path) -> None:
    from sochen.config import TenantConfig
    from sochen.evals.loading import load_suite

    config = TenantConfig.model_validate(yaml.safe_load((TENANT / "tenant.yaml").read_text(encoding="utf-8")))
    before = set(sys.modules)
    try:
        suite = load_suite(config, base_dir=TENANT)  # SuiteError when a scenario names an action nobody offers
    finally:
        # load_suite imports every installed connector; leave no other distribution's package cached behind
        # (a later test that installs that distribution into its own target must import its own copy).
        for name in set(sys.modules) - before:
            if name.startswith("sochen_") and not name.startswith("sochen_hubspot"):
                del sys.modules[name]
    planned = {a for s in suite for t in s.turns for j in t.expect.jobs for a in [j.action] if a.startswith("hubspot.")}
    assert planned >= {"hubspot.upsert_contact", "hubspot.create_task", "hubspot.add_note"}


def test_it_is_built_only_on_the_public_connector_api() -> None:
    """As an outside integrator's package: sochen.connectors, its http helpers and the kit — nothing internal."""
    import ast

    public = {
        "sochen.connectors",
        "sochen.connectors.http",
        "sochen.connectors.testing",
        "sochen.connectors.testing.fakes",
    }
    used: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                if name == "sochen" or name.startswith("sochen."):
                    used.setdefault(name, set()).add(path.relative_to(PACKAGE).as_posix())
    assert used and set(used) <= public, {m: sorted(p) for m, p in used.items() if m not in public}
