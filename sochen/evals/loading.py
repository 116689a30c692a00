"""Loading a tenant's scenario suite: files or folders of ``*.yaml`` named by ``evals.scenarios``.

Every problem is reported at once, each naming the file, the scenario id (when it can be read) and
the field, so a colleague fixing sixty scenarios sees all of them in one run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..config import LoadedTenant, TenantConfig
from .schema import Scenario, ScenarioFile

__all__ = ["SuiteError", "json_schema", "load_scenario_file", "load_suite", "suite_digest", "suite_paths"]


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
    """Every scenario of the tenant's suite, in file order; :class:`SuiteError` lists every problem."""
    return load_files(suite_paths(tenant, base_dir))


def load_files(paths: Iterable[Path]) -> list[Scenario]:
    """Scenarios from these files; ids must be unique across all of them."""
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
        message = "unknown key (see `sochen evals schema` for the allowed keys)"
    elif err["type"] == "missing":
        message = "required key is missing"
    parts = [str(path), scenario, f"`{field}`"] if scenario else [str(path), f"`{field}`"]
    return ": ".join(parts) + f": {message}"


def suite_digest(scenarios: Sequence[Scenario]) -> str:
    """A stable hash of the scenarios' content (changes when any scenario is edited, added or removed)."""
    data = [s.model_dump(mode="json") for s in scenarios]
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
