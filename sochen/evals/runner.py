"""The scenario runner: a tenant's suite through the real graph, in the sandbox, checked and measured.

:func:`run_suite` is the entry point (``sochen evals run``, ``sochen demo``)::

    run = run_suite(get_settings(), "clinic", base_dir=Path("examples/tenants/clinic"))
    run.passed, run.gate_failures, run.reports["html"]

It evaluates one exact stored version (default: the newest) — its configuration, prompts and models
as stored, the tenant's documents as they are now (``kb_revision``) — and records the run against
``(tenant, version, digest, kb_revision, suite digest)`` for the gate (:mod:`sochen.evals.gate`).
Each scenario × repetition is its own conversation (:mod:`sochen.evals.drive`); they run in a
thread pool against one sandbox (:mod:`sochen.evals.sandbox`). Models are whatever the version
configures; the run reports which answer modes ran (a model-free run answers extractively, quoting
documents, and says so). Conversations, then API-leak attribution, then checks (judge calls
included, also in the pool), then metrics, gate, reports and storage.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import Settings, TenantConfig, get_settings
from ..config.sections.models import ModelsConfig
from ..db.models import Tenant, new_id
from ..db.session import session_scope
from ..llm import HealthBoard, Provider
from ..rag.retriever import Retriever
from .assertions import check_end, check_turn
from .drive import Driver, evaluated_tenant
from .gate import evaluate_thresholds
from .judge import Judge
from .leaks import attribute_api_leaks
from .loading import SuiteError, channel_problems, load_suite, suite_digest
from .metrics import compute_metrics
from .records import Check, ScenarioResult
from .sandbox import Sandbox
from .schema import Scenario
from .store import finish_run, resolve_version, start_run

__all__ = ["SuiteRun", "execute", "run_suite"]

log = logging.getLogger("sochen.evals")
Progress = Callable[[ScenarioResult], None]


@dataclass
class SuiteRun:
    """A finished run: results, metrics, the gate's verdict on them, and the reports written."""

    tenant: str
    version: int | None
    digest: str
    kb_revision: int
    suite_digest: str
    repeat: int
    results: list[ScenarioResult]
    metrics: dict[str, Any]
    gate_failures: list[str]
    info: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None
    label: str = "run"
    started_at: str = ""
    finished_at: str = ""
    reports: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Whether the run met every gate threshold."""
        return not self.gate_failures

    def as_dict(self) -> dict[str, Any]:
        """The JSON report."""
        return {
            "run_id": self.run_id,
            "label": self.label,
            "tenant": self.tenant,
            "version": self.version,
            "digest": self.digest,
            "kb_revision": self.kb_revision,
            "suite_digest": self.suite_digest,
            "repeat": self.repeat,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "passed": self.passed,
            "gate_failures": self.gate_failures,
            "metrics": self.metrics,
            "info": self.info,
            "reports": self.reports,
            "results": [r.as_dict() for r in self.results],
        }


def execute(
    settings: Settings,
    slug: str,
    config: TenantConfig,
    scenarios: Sequence[Scenario],
    *,
    version: int | None = None,
    repeat: int = 1,
    jobs: int = 4,
    providers: dict[str, Provider] | None = None,
    api_fakes: Sequence[Any] = (),
    judge: bool = True,
    sandbox_database_url: str | None = None,
    progress: Progress | None = None,
    inspect_sandbox: Callable[[Sandbox], None] | None = None,
) -> tuple[list[ScenarioResult], dict[str, Any], dict[str, Any]]:
    """Run ``scenarios`` on ``config`` in a sandbox: (results with checks, metrics, run info). Stores nothing."""
    from ..agents.ask import build_available_providers
    from ..agents.nodes import Deps, business_terms

    if repeat < 1 or jobs < 1:
        raise ValueError("repeat and jobs must be at least 1")
    unknown_channels = channel_problems(scenarios, config)
    if unknown_channels:  # before anything starts: its replies would go through a channel the tenant lacks
        raise SuiteError(unknown_channels)
    health = HealthBoard()
    problems: dict[str, str] = {}
    if providers is None:
        providers, problems = build_available_providers(config.models, settings, None, health)
    marks = [(fake, len(fake.requests)) for fake in api_fakes]
    executions = [
        (s, rep, seq)
        for seq, (s, rep) in enumerate(((s, rep) for rep in range(1, repeat + 1) for s in scenarios), start=1)
    ]
    folder = (settings.home / "evals" / "sandbox" / new_id()[:12]).resolve()
    with Sandbox(config, folder=folder, database_url=sandbox_database_url) as sandbox:
        retriever = Retriever(settings)
        tenant = evaluated_tenant(settings, slug, config, version)
        driver = Driver(sandbox.settings(settings), slug, config, retriever, sandbox, providers, health, tenant)

        def drive(item: tuple[Scenario, int, int]) -> ScenarioResult:
            scenario, repetition, _ = item
            try:
                result = driver.run(*item)
            except Exception as exc:  # e.g. start.crm_records naming a module the CRM does not have
                result = ScenarioResult(
                    scenario.id,
                    scenario.title,
                    scenario.category,
                    repetition,
                    list(scenario.tags),
                    error=f"{type(exc).__name__}: {exc}",
                )
            log.info(
                "eval scenario %s #%d: %d turns%s",
                result.scenario_id,
                result.repetition,
                len(result.turns),
                f" (error: {result.error})" if result.error else "",
            )
            return result

        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="sochen-eval") as pool:
            results = list(pool.map(drive, executions))
        # The tenant's own terms: a value its documents or configuration contain is the business's, not a leak.
        business = business_terms(Deps(settings, tenant, retriever)) if marks else None
        if inspect_sandbox is not None:  # tests look at what the fakes received before they stop
            inspect_sandbox(sandbox)
        sandbox_info = {
            "whatsapp_sent": len(sandbox.graph.sent),
            "webchat_sent": len(sandbox.webchat_sent()),
            "crm_requests": len(sandbox.zoho.crm.requests),
            "n8n_executions": len(sandbox.n8n.executions),
            "database": "throwaway (not the tenant's)",
        }
    requests = [(type(fake).__name__, r.body) for fake, mark in marks for r in fake.chat_requests()[mark:]]
    unattributed = attribute_api_leaks(results, requests, business=business)
    by_id = {s.id: s for s in scenarios}
    uses_judge = any(t.expect.judge for s in scenarios for t in s.turns) or any(s.expect_end.judge for s in scenarios)
    judge_fn = Judge(config, providers, settings=settings) if judge and uses_judge else None
    check_judge = judge_fn if judge else _judge_disabled
    not_found = config.persona.not_found_reply

    def check(result: ScenarioResult) -> ScenarioResult:
        scenario = by_id[result.scenario_id]
        done = {t.n: t for t in result.scored_turns}
        for n, spec in enumerate(scenario.turns, start=1):
            record = done.get(n)
            if record is None or record.error is not None:
                reason = record.error if record is not None else "not reached"
                result.checks.append(
                    Check("turn", "fail", n, f"הודעה {n} · לא הושלמה: {reason} | turn {n}: did not complete: {reason}")
                )
                continue
            result.checks.extend(check_turn(spec.expect, record, not_found_reply=not_found, judge=check_judge))
        if result.error is None:
            result.checks.extend(
                check_end(scenario.expect_end, result.turns, not_found_reply=not_found, judge=check_judge)
            )
        if progress is not None:
            progress(result)
        return result

    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="sochen-eval-check") as pool:
        results = list(pool.map(check, results))
    metrics = compute_metrics(scenarios, results, not_found_reply=not_found, unattributed_leaks=unattributed)
    info = {
        "answer_modes": metrics["answer_modes"],
        "answer_mode_note": _mode_note(metrics["answer_modes"]),
        "answer_mode_setting": config.agent.answer_mode,
        "understanding": config.agent.understanding,
        "providers": {
            name: {"kind": p.kind, "model": p.model, "locality": p.locality} for name, p in providers.items()
        },
        "provider_problems": problems,
        "judge": judge_fn.description
        if judge_fn is not None
        else ("not used" if not uses_judge else "disabled for this run (judge checks skipped)"),
        "sandbox": sandbox_info,
        "api_fakes_checked": len(marks),
    }
    return results, metrics, info


def _judge_disabled(criterion: str, view: Any) -> tuple[str, str]:
    return "skip", "judge checks were disabled for this run"


def _mode_note(modes: dict[str, int]) -> str:
    if modes.get("generative"):
        return "model-written answers ran (generative), with verified citations"
    if modes.get("extractive"):
        return "no model wrote an answer: answers quote the documents (extractive mode) with their citations"
    return "no question was answered from the documents"


def run_suite(
    settings: Settings | None,
    slug: str,
    *,
    version: int | None = None,
    scenarios: Sequence[Scenario] | None = None,
    base_dir: Path | None = None,
    repeat: int = 1,
    jobs: int = 4,
    report_dir: Path | None = None,
    providers: dict[str, Provider] | None = None,
    api_fakes: Sequence[Any] = (),
    judge: bool = True,
    sandbox_database_url: str | None = None,
    store: bool = True,
    progress: Progress | None = None,
    inspect_sandbox: Callable[[Sandbox], None] | None = None,
    models: ModelsConfig | None = None,
) -> SuiteRun:
    """Run the suite of ``slug`` on an exact stored version, gate it, write reports and store it.

    ``version`` defaults to the newest. ``scenarios`` default to the version's ``evals.scenarios``,
    relative to ``base_dir`` (default: the folder of the YAML file the version was applied from).
    ``models`` replaces the version's models section (``evals run --provider``); such a run is not the
    version's own and is never stored (``store`` must be False).
    """
    if models is not None and store:
        raise ValueError("a run with replaced models is not the version's own: it cannot be stored (store=False)")
    from .reports import write_reports

    settings = settings or get_settings()
    with session_scope(settings.database_url) as session:
        tenant, row = resolve_version(session, slug, version)
        config = TenantConfig.model_validate(row.config)
        if models is not None:
            config = config.model_copy(update={"models": models})
        number, digest, kb_revision, source = row.version, row.digest, tenant.kb_revision, row.source_path
        tenant_id = tenant.id
    if scenarios is None:
        folder = base_dir or (Path(source).parent if source else None)
        if folder is None:
            raise ValueError(f"version {number} of '{slug}' was not applied from a file: pass base_dir or scenarios")
        scenarios = load_suite(config, folder)
    scenarios = list(scenarios)
    digest_of_suite = suite_digest(scenarios)
    started = datetime.now(UTC)
    run_id = None
    if store:
        with session_scope(settings.database_url) as session:
            run_id = start_run(
                session,
                tenant=slug,
                tenant_id=tenant_id,
                version=number,
                digest=digest,
                kb_revision=kb_revision,
                suite_digest=digest_of_suite,
                scenario_count=len(scenarios),
                repetitions=repeat,
            ).id
    try:
        results, metrics, info = execute(
            settings,
            slug,
            config,
            scenarios,
            version=number,
            repeat=repeat,
            jobs=jobs,
            providers=providers,
            api_fakes=api_fakes,
            judge=judge,
            sandbox_database_url=sandbox_database_url,
            progress=progress,
            inspect_sandbox=inspect_sandbox,
        )
    except BaseException as exc:
        if store and run_id is not None:
            with session_scope(settings.database_url) as session:
                finish_run(
                    session,
                    run_id,
                    results=[],
                    metrics={},
                    gate={},
                    passed=False,
                    report_paths={},
                    error=f"{type(exc).__name__}: {exc}",
                )
        raise
    failures = evaluate_thresholds(metrics, config.evals.gate)
    with session_scope(settings.database_url) as session:
        now_revision = session.query(Tenant.kb_revision).filter(Tenant.slug == slug).scalar()
    if now_revision != kb_revision:
        failures.append(
            f"המסמכים השתנו במהלך ההרצה | the documents changed during the run "
            f"(kb_revision {kb_revision} → {now_revision})"
        )
    run = SuiteRun(
        slug,
        number,
        digest,
        kb_revision,
        digest_of_suite,
        repeat,
        results,
        metrics,
        failures,
        info,
        run_id=run_id,
        started_at=started.isoformat(),
        finished_at=datetime.now(UTC).isoformat(),
    )
    folder = report_dir or settings.home / "evals" / "reports" / slug / f"v{number}-{(run_id or new_id())[:8]}"
    run.reports = write_reports(run, folder)
    if store and run_id is not None:
        gate = {"thresholds": config.evals.gate.model_dump(mode="json"), "failures": failures}
        with session_scope(settings.database_url) as session:
            finish_run(
                session,
                run_id,
                results=results,
                metrics=metrics,
                gate=gate,
                passed=run.passed,
                report_paths=run.reports,
            )
    return run
