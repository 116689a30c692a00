"""Metrics of a run, computed from the scenarios and what their turns produced.

- ``pass_rate``: share of scenario executions (scenario × repetition) with no failed check; also per
  category and per scenario (its pass rate over repetitions).
- ``intent_accuracy``: share of turns with an expected intent that got it.
- ``slot_precision`` / ``slot_recall``: over the slots the scenarios name. A named slot set to the
  expected value is a true positive; set to another value, a false positive and a false negative;
  not set, a false negative; a slot in ``slots_not_set`` that is set, a false positive.
- ``job_precision`` / ``job_recall``: over the actions the scenarios name (expected or ``jobs_not``).
  An expected job planned with matching parameters is a true positive (up to ``count``); one not
  planned a false negative; a planned job of a named action that no expectation matches, a false
  positive. Replies' ``whatsapp.send_message`` jobs only count where a scenario names them.
- ``handoff_rate``: conversations with a person at the end; ``grounded_answer_rate``: answers
  (generative or extractive) that carry a verified citation, among the answers that are not refusals;
  an answer whose turn failed a ``cites``, ``reply`` or ``refuses`` check does not count (a quote of
  the wrong row or clause carries a citation, but it is not grounded in the right one). Where a
  scenario says nothing about the content, a citation is all that can be checked.
- ``jobs_planned`` / ``jobs_ran``: connector jobs planned in scored turns, and those that ran in the
  sandbox; ``jobs_not_run`` counts the others by reason (no sandbox fake, waiting on such a step, failed).
- latency p50/p95 per turn (wall time through ``handle_message``), tokens and cost per conversation
  (the ledger), ``personal_data_leaks`` (turns with a sensitive ledger row to an API provider or a
  captured API request carrying their data, plus leaking requests no turn explains), and the answer
  modes that ran — so a run of extractive answers is never read as a model's.
Undefined ratios (nothing expected) are ``None``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from .assertions import is_refusal
from .matchers import lookup, match_value
from .records import JobRecord, ScenarioResult, TurnRecord
from .schema import Expectations, Scenario

__all__ = ["compute_metrics", "percentile"]


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


class _Counts:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)


def _slots(exp: Expectations, slots: dict[str, Any], counts: _Counts) -> None:
    for name, matcher in exp.slots.items():
        if matcher == {"any": False}:
            counts.fp += int(slots.get(name) not in (None, "", [], {}))
        elif name in slots and match_value(matcher, slots[name]):
            counts.tp += 1
        elif slots.get(name) not in (None, ""):
            counts.fp += 1
            counts.fn += 1
        else:
            counts.fn += 1
    counts.fp += sum(1 for name in exp.slots_not_set if slots.get(name) not in (None, "", [], {}))


def _jobs(exp: Expectations, jobs: list[JobRecord], counts: _Counts) -> None:
    named = {e.action for e in exp.jobs} | set(exp.jobs_not)
    if not named:
        return
    used: set[str] = set()
    for want in exp.jobs:
        matching = [
            j
            for j in jobs
            if j.action == want.action
            and j.id not in used
            and all(
                match_value(m, j.params[k] if k in j.params else lookup(j.params, k)) for k, m in want.params.items()
            )
        ]
        limit = want.count if want.count is not None else max(len(matching), 1)
        taken = matching[:limit]
        used.update(j.id for j in taken)
        wanted = want.count if want.count is not None else 1
        counts.tp += min(len(taken), wanted)
        counts.fn += max(wanted - len(taken), 0)
    counts.fp += sum(1 for j in jobs if j.action in named and j.id not in used)


def compute_metrics(
    scenarios: Sequence[Scenario],
    results: Sequence[ScenarioResult],
    *,
    not_found_reply: str,
    unattributed_leaks: int = 0,
) -> dict[str, Any]:
    """The run's metrics (see the module docstring)."""
    by_id = {s.id: s for s in scenarios}
    runs = len(results)
    passed = sum(1 for r in results if r.passed)
    categories: dict[str, list[bool]] = {}
    per_scenario: dict[str, dict[str, Any]] = {}
    for r in results:
        categories.setdefault(r.category, []).append(r.passed)
        entry = per_scenario.setdefault(
            r.scenario_id, {"title": r.title, "category": r.category, "runs": 0, "passed": 0}
        )
        entry["runs"] += 1
        entry["passed"] += int(r.passed)
    for entry in per_scenario.values():
        entry["pass_rate"] = _ratio(entry["passed"], entry["runs"])
    intents_expected = intents_right = 0
    slots, jobs = _Counts(), _Counts()
    answers = grounded = refusals = 0
    latencies: list[float] = []
    modes: Counter[str] = Counter()
    routes: Counter[str] = Counter()
    leak_turns = 0
    costs, tokens = [], []
    for r in results:
        scenario = by_id.get(r.scenario_id)
        turns: list[TurnRecord] = r.turns
        for turn in turns:
            if turn.error is None and turn.latency_ms > 0:
                latencies.append(turn.latency_ms)
            if turn.reply_mode:
                modes[turn.reply_mode] += 1
            if turn.latency_ms > 0:
                routes[turn.route_name] += 1
            if turn.ledger_leaks or turn.api_leaks:
                leak_turns += 1
            if turn.reply_mode in ("generative", "extractive"):
                if is_refusal(turn.reply, not_found_reply):
                    refusals += 1
                else:
                    answers += 1
                    grounded += int(bool(turn.citations) and not _content_failed(r.checks, turn.n))
        costs.append(r.cost_usd)
        tokens.append(sum(t.tokens for t in turns))
        if scenario is None:
            continue
        scored = {t.n: t for t in r.scored_turns}
        for n, spec in enumerate(scenario.turns, start=1):
            done = scored.get(n)
            exp = spec.expect
            if exp.intent is not None:
                intents_expected += 1
                intents_right += int(done is not None and done.intent == exp.intent)
            _slots(exp, done.slots if done else {}, slots)
            _jobs(exp, done.jobs if done else [], jobs)
        end = scenario.expect_end
        if turns:
            _slots(end, turns[-1].slots, slots)
            _jobs(end, [j for t in turns for j in t.jobs], jobs)
        elif end.slots or end.jobs:
            _slots(end, {}, slots)
            _jobs(end, [], jobs)
    checks = Counter(c.status for r in results for c in r.checks)
    judge = Counter(c.status for r in results for c in r.checks if c.kind == "judge")
    return {
        "scenarios": len(per_scenario),
        "runs": runs,
        "passed": passed,
        "pass_rate": _ratio(passed, runs),
        "per_category": {
            k: {"runs": len(v), "passed": sum(v), "pass_rate": _ratio(sum(v), len(v))}
            for k, v in sorted(categories.items())
        },
        "per_scenario": per_scenario,
        "errors": sum(1 for r in results if r.error),
        "intent_accuracy": _ratio(intents_right, intents_expected),
        "intents_expected": intents_expected,
        "slot_precision": slots.precision(),
        "slot_recall": slots.recall(),
        "job_precision": jobs.precision(),
        "job_recall": jobs.recall(),
        **job_outcomes(results),
        "handoff_rate": _ratio(sum(1 for r in results if r.turns and r.turns[-1].status == "handoff"), runs),
        "grounded_answer_rate": _ratio(grounded, answers),
        "answers": answers,
        "grounded_answers": grounded,
        "refusals": refusals,
        "latency_ms": {
            "p50": _round(percentile(latencies, 50)),
            "p95": _round(percentile(latencies, 95)),
            "max": _round(max(latencies) if latencies else None),
            "turns": len(latencies),
        },
        "turn_latencies_ms": [round(x, 1) for x in latencies],
        "tokens_per_conversation": _round(sum(tokens) / runs if runs else None),
        "cost_per_conversation_usd": round(sum(costs) / runs, 6) if runs else None,
        "cost_total_usd": round(sum(costs), 6),
        "personal_data_leaks": leak_turns + unattributed_leaks,
        "unattributed_api_leaks": unattributed_leaks,
        "answer_modes": dict(sorted(modes.items())),
        "routes": dict(sorted(routes.items())),
        "model_answered": modes.get("generative", 0) > 0,
        "checks": {"pass": checks.get("pass", 0), "fail": checks.get("fail", 0), "skip": checks.get("skip", 0)},
        "judge": {"pass": judge.get("pass", 0), "fail": judge.get("fail", 0), "skip": judge.get("skip", 0)},
    }


_CONTENT_CHECKS = ("cites", "reply", "refuses")


def _content_failed(checks: Sequence[Any], turn: int) -> bool:
    return any(c.kind in _CONTENT_CHECKS and c.status == "fail" and c.turn == turn for c in checks)


def job_outcomes(results: Sequence[Any]) -> dict[str, Any]:
    """How the jobs of scored turns went in the sandbox: planned, ran, and why the others did not."""
    from .assertions import NO_FAKE

    planned = ran = 0
    not_run: Counter[str] = Counter()
    for r in results:
        for turn in r.scored_turns:
            for job in turn.jobs:
                planned += 1
                if job.status == "succeeded":
                    ran += 1
                elif NO_FAKE in (job.error or ""):
                    waits = (job.error or "").startswith("waits on")
                    not_run["waits on a step without a sandbox fake" if waits else "no sandbox fake"] += 1
                else:
                    not_run[job.status] += 1
    return {"jobs_planned": planned, "jobs_ran": ran, "jobs_not_run": dict(sorted(not_run.items()))}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
