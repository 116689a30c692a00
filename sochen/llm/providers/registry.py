"""Finding provider kinds: the ``sochen.providers`` entry-point group, as connectors are found.

A kind is a :class:`~.base.Provider` subclass registered under its ``kind``; Sochen's built-ins
(``ollama``, ``openai``, ``llamacpp``, ``scripted``) are declared in its own ``pyproject.toml``
exactly as a third-party package declares ``vllm = "my_pkg.providers:VllmProvider"``. Entry-point
metadata is read once per ``sys.path`` (a package installed at run time is seen); a class is
imported only when its kind is asked for. The configuration layer never imports this: tenant files
are checked against each kind's options model by ``sochen tenant apply`` through
:func:`models_problems`, and again whenever a provider is built.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, distributions
from typing import Any

from ...config.sections.models import ModelsConfig, ProviderConfig
from .base import Provider, ProviderConfigError, ProviderOptions, parse_options, secret_fields

__all__ = [
    "ENTRY_POINT_GROUP",
    "ProviderKind",
    "discover",
    "installed_kinds",
    "load_kind",
    "models_problems",
    "provider_problems",
    "validate_provider_class",
]

ENTRY_POINT_GROUP = "sochen.providers"
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class ProviderKind:
    """One loaded, checked provider class and where it came from."""

    kind: str
    cls: type[Provider]
    entry_point: str
    distribution: str | None
    version: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (for ``sochen providers list --json``)."""
        model = self.cls.options_model
        secrets = secret_fields(model)
        return {
            "kind": self.kind,
            "entry_point": self.entry_point,
            "distribution": self.distribution,
            "version": self.version,
            "options": {
                (f"{n}_env" if n in secrets else n): (f.description or "") for n, f in model.model_fields.items()
            },
        }


_cache_lock = threading.Lock()
_eps_cache: dict[tuple[str, ...], list[EntryPoint]] = {}
_loaded: dict[tuple[str, str], ProviderKind] = {}
_by_kind: dict[tuple[tuple[str, ...], str], ProviderKind] = {}


def _group(eps: Iterable[EntryPoint] | None) -> list[EntryPoint]:
    if eps is not None:
        return [ep for ep in eps if ep.group == ENTRY_POINT_GROUP]
    key = tuple(sys.path)
    with _cache_lock:
        cached = _eps_cache.get(key)
        if cached is not None:
            return cached
    # Every metadata copy on sys.path, not only the first of each distribution (as for connectors):
    # a stale `*.egg-info` in a source tree must not hide entry points the installed copy declares.
    found: dict[tuple[str, str], EntryPoint] = {}
    for dist in distributions():
        owner = re.sub(r"[-_.]+", "-", str(dist.metadata["Name"] or "")).lower()
        for ep in dist.entry_points:
            if ep.group == ENTRY_POINT_GROUP:
                found.setdefault((owner, ep.name), ep)
    group = list(found.values())
    with _cache_lock:
        _eps_cache.clear()
        _eps_cache[key] = group
    return group


def _dist(ep: EntryPoint) -> tuple[str | None, str | None]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None, None
    return dist.metadata["Name"], dist.version


def installed_kinds(eps: Iterable[EntryPoint] | None = None) -> list[str]:
    """Every registered kind, without importing anything."""
    return sorted({ep.name for ep in _group(eps)})


def validate_provider_class(kind: str, obj: object, *, origin: str) -> list[str]:
    """Problems that stop `obj` from being provider kind `kind` (empty when it is fine)."""
    if not (isinstance(obj, type) and issubclass(obj, Provider)):
        return [f"{origin}: entry point '{kind}' does not point at a Provider subclass"]
    problems = []
    if getattr(obj, "kind", None) != kind:
        problems.append(
            f"{origin}: entry point '{kind}' loads {obj.__name__} whose kind is "
            f"'{getattr(obj, 'kind', None)}'; set kind = '{kind}' or rename the entry point"
        )
    model = obj.options_model
    if not (isinstance(model, type) and issubclass(model, ProviderOptions)):
        return [*problems, f"{origin}: options_model must be a ProviderOptions subclass"]
    if model.model_config.get("extra") != "forbid":
        problems.append(f"{origin}: {model.__name__} must reject unknown keys (extra='forbid')")
    for field_name, info in model.model_fields.items():
        if not (info.description or "").strip():
            problems.append(f"{origin}: option '{field_name}' of {model.__name__} has no description")
    reserved = {"kind", "model", "locality"} & set(model.model_fields)
    if reserved:
        problems.append(f"{origin}: {model.__name__} redefines {', '.join(sorted(reserved))} (common to every kind)")
    return problems


def _load(ep: EntryPoint) -> ProviderKind:
    dist, version = _dist(ep)
    origin = f"{dist or 'unknown distribution'} ({ep.value})"
    key = (origin, ep.name)
    with _cache_lock:
        done = _loaded.get(key)
    if done is not None:
        return done
    if not _KIND.match(ep.name):
        raise ProviderConfigError(f"entry point '{ep.name}': kinds are lower-case letters, digits and '_'")
    try:
        obj = ep.load()
    except Exception as exc:  # an integrator's import error must name its package
        raise ProviderConfigError(f"{origin}: cannot be imported: {type(exc).__name__}: {exc}") from None
    problems = validate_provider_class(ep.name, obj, origin=origin)
    if problems:
        raise ProviderConfigError("; ".join(problems), problems=problems)
    info = ProviderKind(ep.name, obj, ep.value, dist, version)
    with _cache_lock:
        _loaded[key] = info
    return info


def load_kind(kind: str, *, eps: Iterable[EntryPoint] | None = None) -> ProviderKind:
    """Load the provider class registered as `kind`; :class:`ProviderConfigError` says what to install.

    Found kinds are remembered per ``sys.path`` (building a provider happens on every turn).
    """
    if eps is None:
        key = (tuple(sys.path), kind)
        with _cache_lock:
            known = _by_kind.get(key)
        if known is not None:
            return known
        info = _load_kind(kind, None)
        with _cache_lock:
            if len(_by_kind) > 256:
                _by_kind.clear()
            _by_kind[key] = info
        return info
    return _load_kind(kind, eps)


def _load_kind(kind: str, eps: Iterable[EntryPoint] | None) -> ProviderKind:
    candidates = [ep for ep in _group(eps) if ep.name == kind]
    if not candidates:
        known = installed_kinds(eps)
        if not known:
            raise ProviderConfigError(
                f"provider kind '{kind}' is not registered, and no provider kinds are registered at all: the "
                f"installed sochen metadata predates the '{ENTRY_POINT_GROUP}' entry points; reinstall it "
                "(pip install -e . or scripts/setup.sh)"
            )
        raise ProviderConfigError(
            f"provider kind '{kind}' is not registered (registered: {', '.join(known)}); install the package "
            f"that provides it (it declares an entry point in the '{ENTRY_POINT_GROUP}' group)"
        )
    if len({_dist(ep)[0] or ep.value for ep in candidates}) > 1:
        who = "; ".join(f"{_dist(ep)[0] or '?'} ({ep.value})" for ep in candidates)
        raise ProviderConfigError(f"provider kind '{kind}' is claimed by more than one distribution: {who}")
    return _load(candidates[0])


def discover(eps: Iterable[EntryPoint] | None = None) -> tuple[dict[str, ProviderKind], list[str]]:
    """Load every registered kind: the good ones by kind, and the problems of the others."""
    found: dict[str, ProviderKind] = {}
    problems: list[str] = []
    for kind in installed_kinds(eps):
        try:
            found[kind] = load_kind(kind, eps=eps)
        except ProviderConfigError as exc:
            problems.extend(exc.problems)
    return found, problems


class _AnyEnvironment(Mapping[str, str]):
    """At apply time secrets are only referenced: every variable counts as set (it is read at run time)."""

    def __getitem__(self, key: str) -> str:
        return "set-at-run-time"

    def get(self, key: str, default: Any = None) -> str:
        return "set-at-run-time"

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def provider_problems(name: str, config: ProviderConfig, *, eps: Iterable[EntryPoint] | None = None) -> list[str]:
    """What is wrong with ``models.providers.<name>`` for its kind (environment variables are not read)."""
    try:
        info = load_kind(config.kind, eps=eps)
        parse_options(info.cls.options_model, config.options, name=name, environ=_AnyEnvironment())
    except ProviderConfigError as exc:
        return list(exc.problems)
    return []


def models_problems(models: ModelsConfig, *, eps: Iterable[EntryPoint] | None = None) -> list[str]:
    """Every problem of a tenant's ``models.providers``, each prefixed with where it is."""
    return [
        f"`models.providers.{name}`: {problem}"
        for name, cfg in models.providers.items()
        for problem in provider_problems(name, cfg, eps=eps)
    ]
