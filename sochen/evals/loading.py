"""Loading a tenant's scenario suite: files or folders of ``*.yaml`` named by ``evals.scenarios``.

Every problem is reported at once, each naming the file, the scenario id (when it can be read) and
the field, so a colleague fixing sixty scenarios sees all of them in one run.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import typing
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..config import LoadedTenant, TenantConfig
from .schema import Expectations, ReplyExpectation, Scenario, ScenarioFile

__all__ = [
    "SuiteError",
    "action_problems",
    "channel_problems",
    "installed_actions",
    "json_schema",
    "load_scenario_file",
    "load_suite",
    "suite_digest",
    "suite_paths",
]


class SuiteError(ValueError):
    """The suite cannot be loaded; ``problems`` lists each one (file, scenario id, field, what is wrong)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid scenario suite:\n{lines}")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (``sochen evals schema``), for editor validation."""
    schema = ScenarioFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Sochen scenario file"
    return schema


def suite_paths(tenant: LoadedTenant | TenantConfig, base_dir: Path | None = None) -> list[Path]:
    """The YAML files the tenant's ``evals.scenarios`` name, folders expanded (sorted), relative to base_dir."""
    config = tenant.config if isinstance(tenant, LoadedTenant) else tenant
    base = tenant.base_dir if isinstance(tenant, LoadedTenant) and base_dir is None else base_dir
    files: list[Path] = []
    problems: list[str] = []
    for entry in config.evals.scenarios:
        path = Path(entry).expanduser()
        if not path.is_absolute():
            if base is None:
                problems.append(f"`evals.scenarios`: {entry!r} is relative but the tenant file's folder is unknown")
                continue
            path = (base / path).resolve()
        if path.is_dir():
            found = sorted({*path.glob("*.yaml"), *path.glob("*.yml")})
            if not found:
                problems.append(f"{path}: the folder holds no *.yaml scenario files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}: not found (named in `evals.scenarios`)")
    if problems:
        raise SuiteError(problems)
    return list(dict.fromkeys(files))


def load_suite(tenant: LoadedTenant | TenantConfig, base_dir: Path | None = None) -> list[Scenario]:
    """Every scenario of the tenant's suite, in file order; :class:`SuiteError` lists every problem.

    Expected actions are checked against the installed connectors' actions, and each scenario's
    ``channel`` against the tenant's connectors.
    """
    config = tenant.config if isinstance(tenant, LoadedTenant) else tenant
    scenarios = load_files(suite_paths(tenant, base_dir), actions=installed_actions())
    problems = channel_problems(scenarios, config)
    if problems:
        raise SuiteError(problems)
    return scenarios


def channel_problems(scenarios: Iterable[Scenario], config: TenantConfig) -> list[str]:
    """Scenarios whose ``channel`` the tenant has no connector for (Hebrew first), one line each.

    Only a channel the scenario names: one that does not (WhatsApp, the default) runs as it always did,
    also for a tenant without a WhatsApp connector (its replies are then planned and reported, not sent).
    """
    have = sorted(config.connectors)
    problems = []
    for scenario in scenarios:
        if "channel" not in scenario.model_fields_set or scenario.channel in config.connectors:
            continue
        listed = ", ".join(have) or "—"
        problems.append(
            f"scenario `{scenario.id}`: `channel: {scenario.channel}` — לעסק אין מחבר '{scenario.channel}' "
            f"(המחברים שלו: {listed}); הוסיפו `connectors.{scenario.channel}` לקובץ העסק או תקנו את הערוץ | "
            f"the tenant has no '{scenario.channel}' connector (it has: {listed}); add "
            f"`connectors.{scenario.channel}` to the tenant file or fix the channel"
        )
    return problems


def installed_actions() -> list[str] | None:
    """Every 'connector.action' of the installed connectors (None when they cannot be listed)."""
    from ..connectors.errors import ConnectorRegistryError
    from ..connectors.registry import discover

    try:
        found = discover(use_settings=False)
    except ConnectorRegistryError:
        return None  # a broken plugin is reported by `sochen connectors list`; do not hide the suite's problems
    return sorted(f"{name}.{action}" for name, info in found.items() for action in info.cls.actions())


def action_problems(scenarios: Iterable[tuple[Path, Scenario]], actions: Collection[str]) -> list[str]:
    """Expected actions (``jobs`` / ``jobs_not``) that no installed connector offers, with suggestions."""
    problems: list[str] = []
    for path, scenario in scenarios:
        places = [(f"turns.{i}.expect", t.expect) for i, t in enumerate(scenario.turns)]
        places.append(("expect_end", scenario.expect_end))
        for where, exp in places:
            named = [(f"{where}.jobs.{j}.action", e.action) for j, e in enumerate(exp.jobs)]
            named += [(f"{where}.jobs_not.{j}", a) for j, a in enumerate(exp.jobs_not)]
            for field, action in named:
                if action in actions:
                    continue
                msg = f"{path}: scenario `{scenario.id}`: `{field}`: no installed connector offers '{action}'"
                if "." not in action:
                    full = sorted(a for a in actions if a.split(".", 1)[1] == action)
                    msg = f"{path}: scenario `{scenario.id}`: `{field}`: '{action}' needs its connector prefix"
                    if full:
                        msg += " — did you mean " + " or ".join(f"'{a}'" for a in full) + "?"
                else:
                    close = difflib.get_close_matches(action, list(actions), n=1, cutoff=0.6)
                    if close:
                        msg += f" — did you mean '{close[0]}'?"
                problems.append(msg + " (see `sochen connectors list`)")
    return problems


def _uninstalled_channels(scenarios: Iterable[tuple[Path, Scenario]], actions: Collection[str]) -> list[str]:
    """Named channels that no installed connector can send through (checked without a tenant)."""
    problems = []
    for path, scenario in scenarios:
        channel = scenario.channel
        if "channel" in scenario.model_fields_set and f"{channel}.send_message" not in actions:
            problems.append(
                f"{path}: scenario `{scenario.id}`: `channel: {channel}` — אין מחבר מותקן בשם '{channel}' "
                f"ששולח הודעות | no installed connector '{channel}' sends messages (see `sochen connectors list`)"
            )
    return problems


def load_files(paths: Iterable[Path], *, actions: Collection[str] | None = None) -> list[Scenario]:
    """Scenarios from these files; ids must be unique across all of them.

    With ``actions`` ('connector.action' names), every expected action must be one of them.
    """
    scenarios: list[Scenario] = []
    problems: list[str] = []
    where: dict[str, Path] = {}
    for path in paths:
        try:
            loaded = load_scenario_file(path)
        except SuiteError as exc:
            problems.extend(exc.problems)
            continue
        for scenario in loaded:
            if scenario.id in where:
                problems.append(f"{path}: scenario `{scenario.id}`: id already used in {where[scenario.id]}")
                continue
            where[scenario.id] = path
            scenarios.append(scenario)
    if actions is not None:
        problems.extend(action_problems(((where[sc.id], sc) for sc in scenarios), set(actions)))
        problems.extend(_uninstalled_channels(((where[sc.id], sc) for sc in scenarios), set(actions)))
    if problems:
        raise SuiteError(problems)
    if not scenarios:
        raise SuiteError(["the suite holds no scenarios"])
    return scenarios


def load_scenario_file(path: Path) -> list[Scenario]:
    """The scenarios of one YAML file, validated against :class:`ScenarioFile`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SuiteError([f"{path}: file not found"]) from None
    except UnicodeDecodeError:
        raise SuiteError([f"{path}: not UTF-8 text"]) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SuiteError([f"{path}: YAML syntax error{at}: {getattr(exc, 'problem', None) or exc}"]) from None
    if not isinstance(raw, dict) or "scenarios" not in raw:
        raise SuiteError([f"{path}: the file must be a mapping with a `scenarios:` list"])
    try:
        return list(ScenarioFile.model_validate(raw).scenarios)
    except ValidationError as exc:
        raise SuiteError([_describe(path, raw, err) for err in exc.errors()]) from None


def _describe(path: Path, raw: Any, err: Any) -> str:
    loc = list(err["loc"])
    scenario = ""
    if len(loc) >= 2 and loc[0] == "scenarios" and isinstance(loc[1], int):
        items = raw.get("scenarios") if isinstance(raw, dict) else None
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        ident = item.get("id") if isinstance(item, dict) else None
        scenario = f"scenario `{ident}` (#{loc[1] + 1})" if ident else f"scenario #{loc[1] + 1}"
        loc = loc[2:]
    field = ".".join(str(p) for p in loc) or "(the scenario)"
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        message = "unknown key" + _suggest_key(loc) + " (see `sochen evals schema`)"
    elif err["type"] == "missing":
        message = "required key is missing"
    parts = [str(path), scenario, f"`{field}`"] if scenario else [str(path), f"`{field}`"]
    return ": ".join(parts) + f": {message}"


_REPLY_KEYS = set(ReplyExpectation.model_fields)


def _suggest_key(loc: list[Any]) -> str:
    """' — did you mean ...?' and the allowed keys, for an unknown key at ``loc`` below a scenario."""
    model: Any = Scenario
    for part in loc[:-1]:
        fields = getattr(model, "model_fields", None)
        if fields is None or isinstance(part, int):
            continue
        if part not in fields:
            return ""
        model = _inner_model(fields[part].annotation)
    fields = getattr(model, "model_fields", None)
    if not fields:
        return ""
    key = str(loc[-1])
    allowed = sorted(f.alias or name for name, f in fields.items())
    hint = difflib.get_close_matches(key, allowed, n=1)
    if model is Expectations and key in _REPLY_KEYS:
        tip = f" — `{key}` belongs under `reply:` (write `reply: {{{key}: ...}}`)"
    elif hint:
        tip = f" — did you mean `{hint[0]}`?"
    else:
        tip = ""
    return f"{tip} (allowed here: {', '.join(allowed)})"


def _inner_model(annotation: Any) -> Any:
    for arg in reversed(typing.get_args(annotation)):
        if hasattr(arg, "model_fields"):
            return arg
        inner = _inner_model(arg)
        if hasattr(inner, "model_fields"):
            return inner
    return annotation


def suite_digest(scenarios: Sequence[Scenario]) -> str:
    """A stable hash of the scenarios' content (changes when any scenario is edited, added or removed).

    The default ``channel: whatsapp`` is left out, so suites written before scenarios had a channel keep
    their digest (and the runs the gate accepted for them).
    """
    data = [_without_default_channel(s.model_dump(mode="json")) for s in scenarios]
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _without_default_channel(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("channel") == "whatsapp":
        data.pop("channel")
    return data
