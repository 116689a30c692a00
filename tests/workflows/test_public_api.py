"""The public surface of sochen.workflows is exactly what callers are meant to use."""

from __future__ import annotations

import pytest

import sochen.workflows as workflows

pytestmark = pytest.mark.unit


def test_all_is_the_intended_api():
    assert set(workflows.__all__) == {
        # events and planning (the agent graph)
        "Event", "event_key", "PlannedJob", "plan_jobs", "job_key", "emit", "ParamTemplateError",
        "BusinessCalendar", "validate_rules", "catalog_from_registry",
        # the outbox and operators
        "record_event_and_jobs", "RecordResult", "Publisher", "enqueue_due",
        "list_jobs", "get_job", "job_attempts", "job_dependencies", "job_dict", "retry_job", "cancel_job",
        "JobNotFoundError", "JobStateError",
        # running jobs
        "Dispatcher", "Executor", "Claim", "Outcome", "BackoffPolicy",
        "connector_executor", "ConnectorFactory", "tenant_connector_factory", "load_executor",
        "drain", "DrainResult", "EmbeddedWorker",
    }  # fmt: skip
    for name in workflows.__all__:
        assert getattr(workflows, name) is not None


def test_celery_stays_optional():
    import subprocess
    import sys

    code = "import sys, sochen.workflows; assert 'celery' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
