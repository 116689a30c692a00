"""Assertions: a scenario's expectations checked against what its turns produced.

Each check returns pass, fail or skip, with a message in Hebrew and English that names the turn and
says what was expected and what came. The vocabulary (from :mod:`sochen.evals.schema`, after Rasa's
end-to-end tests) and what each reads:

========================  ========================================================================
intent                    the intent the agent read
slots / slots_not_set     slots known after the turn (graph state plus the slots of lead events,
                          which include the sender's phone when it defaults from the channel)
events / events_not       event types in the outcome
jobs / jobs_not           the outbox rows planned in the turn, with the parameters the connector
                          received in the sandbox (planned ones when it did not run)
reply                     contains (= contains_all: every string) / contains_any (one of them) /
                          not_contains (after Hebrew normalisation), matches, silent
cites                     a citation whose title holds ``document`` and section holds ``clause``
refuses                   the persona's not-found reply, or a reply saying the documents do not cover it
route                     the outcome's route: local, api or none (template and extractive replies: none)
sensitive                 whether the privacy guard found personal data in the message
no_personal_data_to_api   no ledger row with locality 'api' and sensitive, and no request captured by
                          an API fake that carried this turn's personal data (always, unless false)
handoff                   the conversation is with a person after the turn
max_latency_ms/max_cost   the turn's wall time through handle_message; its ledger cost
judge                     grounded / relevant / polite_hebrew, asked of the judge model; skipped
                          with the reason when no judge model is reachable — never passed silently
(jobs_ran, always)        every job planned in the turn ran in the sandbox: a dead or stuck job (a
                          template that did not render, parameters a connector rejects, a workflow
                          n8n does not allow) fails the turn, as it would fail in production;
                          connectors without a sandbox fake are exempt (their jobs never run)
========================  ========================================================================

Under ``expect_end`` the same words apply to the whole conversation: intent, events, jobs, cites,
refuses and sensitive hold if some turn satisfies them; ``*_not`` if no turn does; slots and
handoff read the final state; reply contains/matches look at every reply, ``silent`` at the last;
route means every model-routed turn went there (``none``: no turn used a model); latency is the
slowest turn and cost the conversation's total; judge checks judge the last reply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .matchers import describe, is_missing, lookup, match_value, norm_text
from .records import Check, JobRecord, TurnRecord
from .schema import Expectations

__all__ = ["NO_FAKE", "JudgeFn", "View", "check_end", "check_turn", "is_refusal"]

NO_FAKE = "no sandbox fake for connector"
"""How the sandbox refuses a connector it has no fake for: such jobs are planned and checked, never run."""

JudgeFn = Callable[[str, "View"], tuple[str, str]]
"""``(criterion, view) -> (status, reason)`` with status pass, fail or skip."""

_REFUSAL_PHRASES = (
    "לא מצאתי",
    "אין במסמכים",
    "המסמכים לא",
    "המסמכים שברשותי לא",
    "אינו מופיע במסמכים",
    "לא מופיע במסמכים",
    "אין לי מידע",
    "not covered",
    "do not cover",
    "don't cover",
    "not in the documents",
)


@dataclass
class View:
    """What one turn (or the whole conversation) produced, as the checks read it."""

    turn: int | None
    turns: list[TurnRecord]

    @property
    def where(self) -> tuple[str, str]:
        """Hebrew and English names of the place checked."""
        if self.turn is None:
            return "סוף השיחה", "end of conversation"
        return f"הודעה {self.turn}", f"turn {self.turn}"

    @property
    def last(self) -> TurnRecord:
        """The turn itself, or the conversation's last turn."""
        return self.turns[-1]

    @property
    def jobs(self) -> list[JobRecord]:
        """Jobs planned in the turn(s)."""
        return [j for t in self.turns for j in t.jobs]

    @property
    def event_types(self) -> list[str]:
        """Event types emitted in the turn(s)."""
        return [e.get("type", "") for t in self.turns for e in t.events]

    @property
    def replies(self) -> list[str]:
        """Replies given in the turn(s)."""
        return [t.reply for t in self.turns if t.reply]


def _foreign_not_found() -> tuple[str, ...]:
    """The agent's built-in not-found replies in English, Arabic and Russian (said to a writer of that language)."""
    from ..agents.answering.language import wording

    return tuple(wording(lang, prefix="", source="", not_found="").not_found for lang in ("en", "ar", "ru"))


def is_refusal(reply: str | None, not_found_reply: str) -> bool:
    """Whether ``reply`` is a not-found reply (the persona's, or the built-in one in the writer's language).

    Or a reply saying the documents do not cover the question.
    """
    if not reply:
        return False
    text = norm_text(reply)
    if norm_text(not_found_reply) in text:
        return True
    return any(norm_text(p) in text for p in (*_REFUSAL_PHRASES, *_foreign_not_found()))


def _short(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Checker:
    def __init__(self, view: View) -> None:
        self.view = view
        self.checks: list[Check] = []

    def add(self, kind: str, ok: bool, he: str, en: str, expected: Any = "", got: Any = "") -> None:
        where_he, where_en = self.view.where
        message = f"{where_he} · {he} | {where_en} · {kind}: {en}"
        self.checks.append(
            Check(kind, "pass" if ok else "fail", self.view.turn, message, _short(expected), _short(got))
        )

    def skip(self, kind: str, he: str, en: str) -> None:
        where_he, where_en = self.view.where
        self.checks.append(Check(kind, "skip", self.view.turn, f"{where_he} · {he} | {where_en} · {kind}: {en}"))


def check_turn(
    exp: Expectations, turn: TurnRecord, *, not_found_reply: str, judge: JudgeFn | None = None
) -> list[Check]:
    """Check one turn's expectations, and that its connector jobs ran in the sandbox (always checked)."""
    checks = _check(exp, View(turn.n, [turn]), not_found_reply, judge)
    broken = [j for j in turn.jobs if j.status in ("dead", "pending", "running") and NO_FAKE not in (j.error or "")]
    if broken:
        c = _Checker(View(turn.n, [turn]))
        shown = [f"{j.action}: {j.status} ({_short(j.error or '', 120)})" for j in broken]
        c.add(
            "jobs_ran",
            False,
            f"משימות שנכשלו בארגז החול: {shown}",
            f"jobs failed in the sandbox: {shown}",
            "every planned job runs",
            shown,
        )
        checks.extend(c.checks)
    return checks


def check_end(
    exp: Expectations, turns: Sequence[TurnRecord], *, not_found_reply: str, judge: JudgeFn | None = None
) -> list[Check]:
    """Check ``expect_end`` against the whole conversation (history turns included in the state)."""
    return _check(exp, View(None, list(turns)), not_found_reply, judge) if turns else []


def _check(exp: Expectations, view: View, not_found_reply: str, judge: JudgeFn | None) -> list[Check]:
    c = _Checker(view)
    single = view.turn is not None
    got: Any
    if exp.intent is not None:
        intents = [t.intent for t in view.turns]
        ok = exp.intent in intents
        got = intents[-1] if single else intents
        c.add(
            "intent", ok, f"כוונה: צפוי {exp.intent}, התקבל {got}", f"expected {exp.intent}, got {got}", exp.intent, got
        )
    slots = view.last.slots
    for name, matcher in exp.slots.items():
        value = slots.get(name)
        unset = matcher == {"any": False}  # {any: false}: not set, like slots_not_set
        ok = value in (None, "", [], {}) if unset else name in slots and match_value(matcher, value)
        got = "לא הוגדר" if name not in slots else value
        c.add(
            "slots",
            ok,
            f"שדה {name}: צפוי {describe(matcher)}, התקבל {got!r}",
            f"slot {name}: expected {describe(matcher)}, got {'not set' if name not in slots else repr(value)}",
            {name: matcher},
            {name: value},
        )
    for name in exp.slots_not_set:
        value = slots.get(name)
        ok = value in (None, "", [], {})
        c.add(
            "slots",
            ok,
            f"שדה {name} היה אמור להישאר ריק, אבל הוא {value!r}",
            f"slot {name} should not be set, but is {value!r}",
            f"{name}: not set",
            {name: value},
        )
    types = view.event_types
    for wanted in exp.events:
        c.add(
            "events",
            wanted in types,
            f"אירוע {wanted}: צפוי, התקבלו {types}",
            f"event {wanted} expected, emitted {types}",
            wanted,
            types,
        )
    for unwanted in exp.events_not:
        c.add(
            "events",
            unwanted not in types,
            f"אירוע {unwanted} לא אמור היה להיווצר",
            f"event {unwanted} must not be emitted, emitted {types}",
            f"not {unwanted}",
            types,
        )
    _jobs(c, exp, view.jobs)
    if exp.reply is not None:
        _reply(c, exp, view, single)
    for cite in exp.cites:
        ok = any(_cites(cite.document, cite.clause, ci) for t in view.turns for ci in t.citations)
        got = [f"{ci.get('title')} / {ci.get('section')}" for t in view.turns for ci in t.citations]
        want = cite.document + (f" §{cite.clause}" if cite.clause else "")
        c.add(
            "cites",
            ok,
            f"ציטוט: צפוי מקור {want}, התקבלו {got or 'אין ציטוטים'}",
            f"expected a citation of {want}, got {got or 'no citations'}",
            want,
            got,
        )
    if exp.refuses is not None:
        refused = [is_refusal(t.reply, not_found_reply) for t in view.turns]
        ok = any(refused) if exp.refuses else not any(refused)
        got = view.last.reply if single else view.replies
        he = "צפוי סירוב (המסמכים אינם מכסים את השאלה)" if exp.refuses else "לא צפוי סירוב"
        en = "expected a refusal (the documents do not cover it)" if exp.refuses else "expected no refusal"
        c.add("refuses", ok, f"{he}, התקבל {_short(got, 80)!r}", f"{en}, got {_short(got, 80)!r}", exp.refuses, got)
    if exp.route is not None:
        routes = [t.route_name for t in view.turns]
        if single:
            ok, got = routes[0] == exp.route, routes[0]
        else:
            used = [r for r in routes if r != "none"]
            ok = not used if exp.route == "none" else bool(used) and all(r == exp.route for r in used)
            got = routes
        c.add(
            "route",
            ok,
            f"ניתוב: צפוי {exp.route}, התקבל {got}",
            f"expected route {exp.route}, got {got}",
            exp.route,
            got,
        )
    if exp.sensitive is not None:
        got_sensitive = any(t.sensitive for t in view.turns)
        c.add(
            "sensitive",
            got_sensitive == exp.sensitive,
            f"רגישות: צפוי {exp.sensitive}, התקבל {got_sensitive} ({view.last.sensitivity_types})",
            f"expected sensitive={exp.sensitive}, got {got_sensitive} ({view.last.sensitivity_types})",
            exp.sensitive,
            got_sensitive,
        )
    if exp.no_personal_data_to_api:
        rows = sum(t.ledger_leaks for t in view.turns)
        leaks = [x for t in view.turns for x in t.api_leaks]
        c.add(
            "privacy",
            rows == 0 and not leaks,
            f"מידע אישי נשלח לספק API: {rows} קריאות בספר החשבונות, {len(leaks)} בקשות שנלכדו",
            f"personal data sent to an API provider: {rows} ledger rows, {len(leaks)} captured requests",
            "no personal data to API providers",
            {"ledger_rows": rows, "requests": leaks},
        )
    if exp.handoff is not None:
        got_handoff = view.last.status == "handoff"
        c.add(
            "handoff",
            got_handoff == exp.handoff,
            f"העברה לנציג: צפוי {exp.handoff}, התקבל {got_handoff}",
            f"expected handoff={exp.handoff}, got {got_handoff} (status {view.last.status})",
            exp.handoff,
            got_handoff,
        )
    if exp.max_latency_ms is not None:
        latency = max(t.latency_ms for t in view.turns)
        c.add(
            "latency",
            latency <= exp.max_latency_ms,
            f"זמן תגובה {latency:.0f} ms מעל התקרה {exp.max_latency_ms:.0f} ms",
            f"latency {latency:.0f} ms, ceiling {exp.max_latency_ms:.0f} ms",
            exp.max_latency_ms,
            round(latency, 1),
        )
    if exp.max_cost_usd is not None:
        cost = sum(t.cost_usd for t in view.turns)
        c.add(
            "cost",
            cost <= exp.max_cost_usd,
            f"עלות ${cost:.5f} מעל התקרה ${exp.max_cost_usd:.5f}",
            f"cost ${cost:.5f}, ceiling ${exp.max_cost_usd:.5f}",
            exp.max_cost_usd,
            round(cost, 6),
        )
    for criterion in exp.judge:
        if judge is None:
            c.skip("judge", f"שופט {criterion}: אין מודל שופט", f"{criterion}: no judge model")
            continue
        status, reason = judge(criterion, View(view.last.n, [view.last]))
        if status == "skip":
            c.skip("judge", f"שופט {criterion} דולג: {reason}", f"{criterion} skipped: {reason}")
        else:
            c.add("judge", status == "pass", f"שופט {criterion}: {reason}", f"{criterion}: {reason}", criterion, reason)
    return c.checks


def _params(job: JobRecord, key: str) -> Any:
    return job.params[key] if key in job.params else lookup(job.params, key)


def _jobs(c: _Checker, exp: Expectations, jobs: list[JobRecord]) -> None:
    planned = [j.action for j in jobs]
    for want in exp.jobs:
        same = [j for j in jobs if j.action == want.action]
        matching = [j for j in same if all(match_value(m, _params(j, k)) for k, m in want.params.items())]
        ok = len(matching) == want.count if want.count is not None else bool(matching)
        expected: dict[str, Any] = {"action": want.action, "params": {k: describe(m) for k, m in want.params.items()}}
        if want.count is not None:
            expected["count"] = want.count
        got: Any = [
            {"action": j.action, "params": {k: _shown(_params(j, k)) for k in want.params} or j.params} for j in same
        ] or planned
        count_he = f" (בדיוק {want.count})" if want.count is not None else ""
        count_en = f" (exactly {want.count})" if want.count is not None else ""
        wanted = "{" + ", ".join(f"{k}: {describe(m)}" for k, m in want.params.items()) + "}"
        c.add(
            "jobs",
            ok,
            f"משימה {want.action}{count_he}: צפוי {wanted}, התקבל {_short(got)}",
            f"job {want.action}{count_en}: expected {wanted}, got {_short(got)} ({len(matching)} matching)",
            expected,
            got,
        )
    for action in exp.jobs_not:
        c.add(
            "jobs",
            action not in planned,
            f"משימה {action} לא אמורה הייתה להיות מתוכננת",
            f"job {action} must not be planned, planned {planned}",
            f"not {action}",
            planned,
        )


def _shown(value: Any) -> Any:
    return "(missing)" if is_missing(value) else value


def _reply(c: _Checker, exp: Expectations, view: View, single: bool) -> None:
    assert exp.reply is not None
    replies = view.replies
    joined = "\n".join(replies)
    got = view.last.reply if single else replies
    if exp.reply.contains_any:
        options = exp.reply.contains_any
        ok = any(norm_text(part) in norm_text(r) for part in options for r in replies)
        c.add(
            "reply",
            ok,
            f"התשובה אמורה לכלול אחד מ-{options!r}, התקבל {_short(got, 100)!r}",
            f"reply should contain one of {options!r}, got {_short(got, 100)!r}",
            f"any of {options}",
            got,
        )
    for part in [*exp.reply.contains, *exp.reply.contains_all]:
        ok = any(norm_text(part) in norm_text(r) for r in replies)
        c.add(
            "reply",
            ok,
            f"התשובה אמורה לכלול {part!r}, התקבל {_short(got, 100)!r}",
            f"reply should contain {part!r}, got {_short(got, 100)!r}",
            part,
            got,
        )
    for part in exp.reply.not_contains:
        ok = not any(norm_text(part) in norm_text(r) for r in replies)
        c.add(
            "reply",
            ok,
            f"התשובה לא אמורה לכלול {part!r}",
            f"reply must not contain {part!r}, got {_short(got, 100)!r}",
            f"not {part}",
            got,
        )
    if exp.reply.matches is not None:
        pattern = exp.reply.matches
        ok = any(re.search(pattern, r) or re.search(pattern, norm_text(r)) for r in replies)
        c.add(
            "reply",
            bool(ok),
            f"התשובה אמורה להתאים ל-/{pattern}/, התקבל {_short(joined, 100)!r}",
            f"reply should match /{pattern}/, got {_short(joined, 100)!r}",
            pattern,
            got,
        )
    if exp.reply.silent is not None:
        silent = not view.last.reply
        he = "צפויה שתיקה (נציג מטפל בשיחה)" if exp.reply.silent else "צפויה תשובה"
        en = "expected no reply (a person has the conversation)" if exp.reply.silent else "expected a reply"
        c.add(
            "reply",
            silent == exp.reply.silent,
            f"{he}, התקבל {_short(view.last.reply or '—', 80)!r}",
            f"{en}, got {_short(view.last.reply or '—', 80)!r}",
            exp.reply.silent,
            view.last.reply,
        )


def _cites(document: str, clause: str | None, citation: dict[str, Any]) -> bool:
    title = norm_text(str(citation.get("title") or ""))
    if norm_text(document) not in title:
        return False
    return clause is None or norm_text(clause) in norm_text(str(citation.get("section") or ""))
