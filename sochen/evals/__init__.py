"""Evals: Hebrew scenarios run against the real graph in a sandbox, checked, measured, and gating go-live.

- :mod:`.schema` — the scenario format (the contract); :mod:`.loading` reads a tenant's suite.
- :mod:`.runner` — :func:`run_suite` (one exact version, stored, gated, reported) and :func:`execute`.
- :mod:`.sandbox` — fakes for WhatsApp, Zoho and n8n on loopback, a throwaway database (where the web
  chat, whose service is Sochen's database, stores its replies).
- :mod:`.assertions` — the check vocabulary; :mod:`.judge` — model-judged checks; :mod:`.metrics`.
- :mod:`.gate` — thresholds, :func:`gate_status` and :func:`promote`; :mod:`.compare` — variants side by side.
- :mod:`.reports` / :mod:`.html` — terminal, JSON, JUnit XML and a right-to-left HTML report.
"""

from .compare import Comparison, compare_configs
from .gate import (
    GateResult,
    PromotionRefused,
    ThresholdVerdict,
    evaluate_thresholds,
    gate_of_version,
    gate_status,
    promote,
    promote_version,
    threshold_verdicts,
    version_suite_digest,
)
from .loading import SuiteError, json_schema, load_suite, suite_digest
from .records import Check, JobRecord, ScenarioResult, TurnRecord
from .reports import print_summary, write_reports
from .runner import SuiteRun, execute, run_suite
from .schema import Scenario, ScenarioFile

__all__ = [
    "Check",
    "Comparison",
    "GateResult",
    "JobRecord",
    "PromotionRefused",
    "Scenario",
    "ScenarioFile",
    "ScenarioResult",
    "SuiteError",
    "SuiteRun",
    "ThresholdVerdict",
    "TurnRecord",
    "compare_configs",
    "evaluate_thresholds",
    "execute",
    "gate_of_version",
    "gate_status",
    "json_schema",
    "load_suite",
    "print_summary",
    "promote",
    "promote_version",
    "run_suite",
    "suite_digest",
    "threshold_verdicts",
    "version_suite_digest",
    "write_reports",
]
