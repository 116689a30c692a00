"""The first-party Google Calendar plugin (connectors/sochen-google-calendar) is built and installed as its own
distribution, then run through the conformance kit by its own test suite, exactly as an integrator's would."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sochen.connectors import discover

from ._support import installed_package, run_pytest

pytestmark = pytest.mark.unit

EXAMPLE = Path(__file__).resolve().parents[2] / "connectors" / "sochen-google-calendar"


@pytest.fixture(scope="module")
def installed_example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with installed_package(EXAMPLE, tmp_path_factory.mktemp("site") / "packages", "sochen_google_calendar") as target:
        yield target


def test_installed_as_its_own_distribution(installed_example: Path) -> None:
    info = discover(["google_calendar"], use_settings=False)["google_calendar"]
    assert (info.distribution, info.version) == ("sochen-google-calendar", "0.2.0")
    assert info.to_dict()["capabilities"] == ["read_records", "receive_webhook", "write_records"]
    assert {"propose_slots", "create_event", "cancel_event"} <= set(info.cls.actions())
    assert Path(sys.modules[info.cls.__module__].__file__ or "").is_relative_to(installed_example)


def test_its_own_suite_passes_the_conformance_kit(installed_example: Path, tmp_path: Path) -> None:
    # Run from elsewhere than the example folder: the installed copy is what gets tested.
    result = run_pytest(EXAMPLE / "tests", pythonpath=installed_example, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed" not in result.stdout and " passed" in result.stdout


def test_its_jobs_run_in_an_eval_sandbox(installed_example: Path, tmp_path: Path) -> None:
    """The plugin provides its sandbox fake through the contract: its jobs run, not 'planned, never run'."""
    from datetime import UTC, datetime

    from sochen.config import TenantConfig
    from sochen.db.models_outbox import Job
    from sochen.db.session import session_scope
    from sochen.evals.sandbox import Sandbox

    appointment = {
        "module": "events",
        "fields": {
            "appointment_id": "appt-2026-0107",
            "summary": "הלבנת שיניים — רונית לוי",
            "start": {"dateTime": "2026-03-05T09:00:00+02:00", "timeZone": "Asia/Jerusalem"},
            "end": {"dateTime": "2026-03-05T09:45:00+02:00", "timeZone": "Asia/Jerusalem"},
        },
        "key_fields": ["appointment_id"],
    }
    config = TenantConfig.model_validate(
        {
            "slug": "clinic",
            "name": "מרפאת שיניים",
            "connectors": {
                "google_calendar": {
                    "calendar_id": "clinic@group.calendar.google.com",
                    "access_token_env": "CLINIC_CALENDAR_TOKEN",  # not set: the sandbox never reads real secrets
                    "channel_token_env": "CLINIC_CHANNEL_TOKEN",
                }
            },
            "workflows": {
                "rules": [{"on": "appointment.requested", "do": [{"action": "google_calendar.upsert_record"}]}]
            },
        }
    )
    with Sandbox(config, folder=tmp_path / "sandbox") as sandbox:
        fake = sandbox.fakes["google_calendar"].fake
        assert fake.url.startswith("http://127.0.0.1:")
        with session_scope(sandbox.database_url) as session:
            job = Job(key="eval-appt-0107", tenant="clinic", action="google_calendar.upsert_record", params=appointment)
            session.add(job)
            session.flush()
            job_id = job.id
        (record,) = sandbox.run_jobs([job_id], datetime.now(UTC))
        assert (record.status, record.error) == ("succeeded", None)
        (event,) = fake.events["clinic@group.calendar.google.com"].values()
        assert event["summary"] == "הלבנת שיניים — רונית לוי"
        assert all(r.headers["Authorization"] == f"Bearer {fake.access_token}" for r in fake.requests)


def test_a_connector_without_a_sandbox_fake_is_planned_not_run(tmp_path: Path) -> None:
    from sochen.config import TenantConfig
    from sochen.connectors import ConnectorError
    from sochen.evals.assertions import NO_FAKE
    from sochen.evals.sandbox import Sandbox

    config = TenantConfig.model_validate({"slug": "clinic", "name": "מרפאה", "connectors": {"sample": {}}})
    with Sandbox(config, folder=tmp_path / "sandbox") as sandbox:
        assert sandbox.fakes == {}
        with pytest.raises(ConnectorError, match=NO_FAKE):
            sandbox.connector("clinic", "sample")
