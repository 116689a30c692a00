"""The first-party monday.com connector (connectors/sochen-monday) is built and installed as its own
distribution, then its own suite runs the conformance kit against its graphql-core fake."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sochen.connectors import discover

from ._support import installed_package, run_pytest

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parents[2] / "connectors" / "sochen-monday"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    pytest.importorskip("graphql", reason="graphql-core (sochen's dev extra) runs the fake monday")
    with installed_package(PACKAGE, tmp_path_factory.mktemp("site") / "packages", "sochen_monday") as target:
        yield target


def test_installed_as_its_own_distribution(installed: Path) -> None:
    info = discover(["monday"], use_settings=False)["monday"]
    assert (info.distribution, info.version) == ("sochen-monday", "0.1.0")
    assert info.to_dict()["capabilities"] == ["read_records", "write_records"]
    assert sorted(info.cls.actions()) == [
        "add_update",
        "create_item",
        "get_record",
        "search_records",
        "update_columns",
        "upsert_record",
    ]
    module_file = Path(sys.modules[info.cls.__module__].__file__ or "")
    assert module_file.is_relative_to(installed)
    assert (module_file.parent / "schema.graphql").is_file(), "the schema the fake validates against must ship"


def test_its_own_suite_passes_the_conformance_kit(installed: Path, tmp_path: Path) -> None:
    result = run_pytest(PACKAGE / "tests", pythonpath=installed, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed" not in result.stdout and " passed" in result.stdout


def test_the_renovate_tenants_jobs_run_against_the_fake_monday(installed: Path, tmp_path: Path) -> None:
    """The example tenant's rule (a lead → an item, then an update on it) runs for real in the eval sandbox."""
    from datetime import UTC, datetime

    from sochen.config import load_tenant_file
    from sochen.db.models_outbox import Job
    from sochen.db.session import session_scope
    from sochen.evals.sandbox import Sandbox

    tenant = load_tenant_file(Path(__file__).resolve().parents[2] / "examples" / "tenants" / "renovate" / "tenant.yaml")
    params = {
        "item_name": "דנה כהן — שיפוץ אמבטיה",
        "values": {
            "phone_mkq1": "+972524567890",
            "status": "ליד חדש",
            "date4": "2026-11-24T10:00",
            "people_mk1": [41234567],
        },
        "idempotency_key": "eval-renovate-0001",
    }
    with Sandbox(tenant.config, folder=tmp_path / "sandbox") as sandbox:
        fake = sandbox.fakes["monday"].fake
        with session_scope(sandbox.database_url) as session:
            job = Job(key="eval-renovate-0001", tenant="renovate", action="monday.create_item", params=params)
            session.add(job)
            session.flush()
            job_id = job.id
        (record,) = sandbox.run_jobs([job_id], datetime.now(UTC))
        assert (record.status, record.error) == ("succeeded", None)
        (item,) = fake.items.values()
        assert item["board_id"] == "5091234567" and item["group_id"] == "topics"
        assert json.loads(item["values"]["phone_mkq1"][0]) == {"phone": "+972524567890", "countryShortName": "IL"}
        assert item["values"]["date4"][1] == "2026-11-24 08:00"  # 10:00 in Israel, kept in UTC
        assert {r.headers["API-Version"] for r in fake.requests} == {"2025-10"}
