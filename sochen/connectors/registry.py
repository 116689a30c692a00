"""Finding connectors: the ``sochen.connectors`` entry-point group, checked before anything runs.

Built-ins are declared in Sochen's own ``pyproject.toml`` exactly like a third-party package's.
Nothing is imported unless asked for: :func:`discover` reads entry-point metadata for all, and
loads only the names the allow-list (argument, else the ``connectors_allow`` setting) admits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, distributions
from typing import Any

from .base import Capability, Connector, implemented_capabilities, partially_implemented
from .errors import ConnectorConfigError, ConnectorRegistryError

__all__ = [
    "ENTRY_POINT_GROUP",
    "ConnectorInfo",
    "build_config",
    "discover",
    "installed_names",
    "load_connector",
    "secret_fields",
    "validate_connector_class",
]

ENTRY_POINT_GROUP = "sochen.connectors"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class ConnectorInfo:
    """One loaded, checked connector class and where it came from."""

    name: str
    cls: type[Connector[Any]]
    entry_point: str
    distribution: str | None
    version: str | None
    capabilities: frozenset[Capability] = field(default_factory=frozenset)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (for ``sochen connectors list --json``)."""
        return {
            "name": self.name,
            "title": self.cls.title,
            "entry_point": self.entry_point,
            "distribution": self.distribution,
            "version": self.version,
            "capabilities": sorted(c.value for c in self.capabilities),
            "actions": sorted(self.cls.actions()),
        }


def _group(eps: Iterable[EntryPoint] | None) -> list[EntryPoint]:
    if eps is not None:
        return [ep for ep in eps if ep.group == ENTRY_POINT_GROUP]
    # Walk every metadata copy on sys.path, not only the first of each distribution: a stale
    # `*.egg-info` left in a source tree must not hide entry points the installed copy declares.
    found: dict[tuple[str, str], EntryPoint] = {}
    for dist in distributions():
        owner = re.sub(r"[-_.]+", "-", str(dist.metadata["Name"] or "")).lower()
        for ep in dist.entry_points:
            if ep.group == ENTRY_POINT_GROUP:
                found.setdefault((owner, ep.name), ep)
    return list(found.values())


def _dist(ep: EntryPoint) -> tuple[str | None, str | None]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None, None
    return dist.metadata["Name"], dist.version


def installed_names(eps: Iterable[EntryPoint] | None = None) -> list[str]:
    """Names of every connector entry point, without importing anything."""
    return sorted({ep.name for ep in _group(eps)})


def validate_connector_class(name: str, obj: object, *, origin: str) -> list[str]:
    """Problems that stop ``obj`` from being connector ``name`` (empty when it is fine)."""
    if not (isinstance(obj, type) and issubclass(obj, Connector)):
        return [f"{origin}: entry point '{name}' does not point at a Connector subclass"]
    problems = []
    if obj.name != name:
        problems.append(
            f"{origin}: entry point '{name}' loads {obj.__name__} whose name is '{obj.name}'; "
            f"set name = '{name}' or rename the entry point"
        )
    parts = obj.__module__.split(".")
    if name not in parts and f"sochen_{name}" not in parts:
        problems.append(
            f"{origin}: {obj.__name__} lives in module '{obj.__module__}'; its package folder "
            f"must be named '{name}' or 'sochen_{name}'"
        )
    if obj.config_model.model_config.get("extra") != "forbid":
        problems.append(f"{origin}: {obj.config_model.__name__} must reject unknown keys (extra='forbid')")
    declared = frozenset(obj.capabilities)
    implemented = implemented_capabilities(obj)
    for cap in sorted(declared - implemented):
        problems.append(f"{origin}: declares capability '{cap}' but does not implement it")
    for cap in sorted(implemented - declared):
        problems.append(f"{origin}: implements capability '{cap}' but does not declare it")
    for cap, missing in partially_implemented(obj).items():
        problems.append(f"{origin}: implements part of '{cap}'; missing {', '.join(missing)}")
    return problems


def discover(
    allow: Iterable[str] | None = None,
    *,
    eps: Iterable[EntryPoint] | None = None,
    use_settings: bool = True,
) -> dict[str, ConnectorInfo]:
    """Load and check the allowed connectors; raise ConnectorRegistryError listing every problem.

    ``allow`` None means the ``connectors_allow`` setting (when ``use_settings``), and when that is
    unset too, every installed connector. Names in the allow-list that are not installed are errors.
    """
    if allow is None and use_settings:
        from sochen.config import get_settings

        allow = get_settings().connectors_allow
    group = _group(eps)
    by_name: dict[str, list[EntryPoint]] = {}
    for ep in group:
        by_name.setdefault(ep.name, []).append(ep)
    wanted = set(by_name) if allow is None else set(allow)
    problems: list[str] = []
    for missing in sorted(wanted - set(by_name)):
        problems.append(
            f"connector '{missing}' is allowed but not installed (installed: {', '.join(sorted(by_name)) or 'none'})"
        )
    found: dict[str, ConnectorInfo] = {}
    for name in sorted(wanted & set(by_name)):
        candidates = by_name[name]
        if not _NAME.match(name):
            problems.append(f"entry point '{name}': names are lower-case letters, digits and '_'")
            continue
        if len({_dist(ep)[0] or ep.value for ep in candidates}) > 1:
            who = "; ".join(f"{_dist(ep)[0] or '?'} ({ep.value})" for ep in candidates)
            problems.append(f"connector name '{name}' is claimed by more than one distribution: {who}")
            continue
        ep = candidates[0]
        dist, version = _dist(ep)
        origin = f"{dist or 'unknown distribution'} ({ep.value})"
        try:
            obj = ep.load()
        except Exception as exc:  # an integrator's import error must not hide the others
            problems.append(f"{origin}: cannot be imported: {type(exc).__name__}: {exc}")
            continue
        issues = validate_connector_class(name, obj, origin=origin)
        if issues:
            problems.extend(issues)
            continue
        found[name] = ConnectorInfo(name, obj, ep.value, dist, version, frozenset(obj.capabilities))
    if problems:
        raise ConnectorRegistryError(problems)
    return found


def load_connector(name: str, *, eps: Iterable[EntryPoint] | None = None) -> ConnectorInfo:
    """Load exactly one connector by name (ignores the allow-list: the caller asked for it)."""
    return discover([name], eps=eps, use_settings=False)[name]


def build_config(cls: type[Connector[Any]], raw: Mapping[str, Any], *, environ: Mapping[str, str] | None = None) -> Any:
    """Validate tenant-file settings for ``cls``; ``secret_env: VAR`` is read from ``environ``.

    Raises ConnectorConfigError listing every problem with how to fix it.
    """
    import difflib
    import os

    from pydantic import ValidationError

    env = os.environ if environ is None else environ
    model = cls.config_model
    secrets = secret_fields(model)
    data: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        base = key[:-4] if key.endswith("_env") else None
        if base in secrets:
            if not isinstance(value, str) or value not in env:
                problems.append(f"`{key}`: environment variable {value!r} is not set; export it or fix the name")
            else:
                data[base] = env[value]
        else:
            data[key] = value
    try:
        config = model.model_validate(data)
    except ValidationError as exc:
        allowed = sorted(set(model.model_fields) | {f"{s}_env" for s in secrets})
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            if err["type"] == "extra_forbidden":
                hint = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1)
                tip = f" — did you mean `{hint[0]}`?" if hint else ""
                problems.append(f"`{where}`: unknown key{tip} (allowed: {', '.join(allowed)})")
            elif err["type"] == "missing":
                if f"{where}_env" in raw:
                    continue  # already reported: its environment variable is not set
                alt = f" (or `{where}_env: VARIABLE`)" if where in secrets else ""
                problems.append(f"`{where}`: required key is missing{alt}")
            else:
                problems.append(f"`{where}`: {err['msg']}")
        raise ConnectorConfigError(cls.name, problems) from None
    if problems:
        raise ConnectorConfigError(cls.name, problems)
    return config


def secret_fields(model: type[Any]) -> set[str]:
    """Names of the settings typed ``SecretStr`` (optional ones included)."""
    from pydantic import SecretStr

    return {n for n, f in model.model_fields.items() if _mentions(f.annotation, SecretStr)}


def _mentions(annotation: Any, target: type) -> bool:
    if annotation is target:
        return True
    return any(_mentions(arg, target) for arg in getattr(annotation, "__args__", ()) or ())
