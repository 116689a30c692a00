"""Rules against events (``when``) and against the installed connectors (:func:`validate_rules`).

The schema of a rule is :mod:`sochen.config.sections.workflows`; this module evaluates conditions
and checks, at ``tenant apply`` time, that every action exists and every parameter is one its
connector accepts, with messages that say where and how to fix it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from jinja2 import TemplateError
from pydantic import TypeAdapter, ValidationError

from ..config.sections.workflows import Condition, Rule, WorkflowsConfig
from .fields import Shape, check_path, event_shape, result_shape, template_reads
from .templating import CONTEXT_NAMES, is_template, parse_template, step_references, template_names

__all__ = [
    "Catalog",
    "catalog_from_registry",
    "condition_holds",
    "lookup",
    "results_from_registry",
    "rule_matches",
    "validate_rules",
]

Catalog = Mapping[str, Any]
"""'connector.action' → the type of its parameters (a pydantic model, or an annotated union of them)."""

MISSING: Any = object()


def lookup(view: Mapping[str, Any], path: str) -> Any:
    """The value at dotted ``path`` in ``view`` (list items by index), or ``MISSING``."""
    node: Any = view
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


def condition_holds(condition: Condition, view: Mapping[str, Any]) -> bool:
    """Whether one condition holds for an event view (see :meth:`Event.view`)."""
    value = lookup(view, condition.field)
    if condition.exists is not None:
        present = value is not MISSING and value not in (None, "", [], {})
        return present is condition.exists
    if value is MISSING:
        return False
    if condition.in_ is not None:
        return any(value == option for option in condition.in_)
    if condition.matches is not None:
        return re.search(condition.matches, str(value)) is not None
    return bool(value == condition.equals)


def rule_matches(rule: Rule, event_type: str, view: Mapping[str, Any]) -> bool:
    """Whether ``rule`` reacts to an event of ``event_type`` with this view."""
    return rule.on == event_type and all(condition_holds(c, view) for c in rule.when)


def catalog_from_registry(allow: Iterable[str] | None = None) -> dict[str, Any]:
    """Every action of the installed (allowed) connectors: 'connector.action' → parameter type."""
    from ..connectors.registry import discover

    catalog: dict[str, Any] = {}
    for name, info in discover(allow).items():
        for action, spec in info.cls.actions().items():
            catalog[f"{name}.{action}"] = spec.params_type
    return catalog


def results_from_registry(allow: Iterable[str] | None = None) -> dict[str, Any]:
    """Every action of the installed (allowed) connectors: 'connector.action' → its return annotation."""
    import typing

    from ..connectors.registry import discover

    results: dict[str, Any] = {}
    for name, info in discover(allow).items():
        for action in info.cls.actions():
            try:
                hints = typing.get_type_hints(getattr(info.cls, action))
            except Exception:  # an unresolvable annotation: the result is simply not checked
                continue
            if "return" in hints:
                results[f"{name}.{action}"] = hints["return"]
    return results


def validate_rules(
    rules: WorkflowsConfig | Sequence[Rule],
    catalog: Catalog | None = None,
    *,
    where: str = "workflows.rules",
    results: Mapping[str, Any] | None = None,
    slots: Sequence[tuple[str, bool]] | None = None,
) -> list[str]:
    """Every problem with ``rules`` given the available actions; empty when they are fine.

    ``catalog`` defaults to :func:`catalog_from_registry` (and ``results`` then to
    :func:`results_from_registry`). Checks: the action exists (else the closest names); the
    parameters are ones the action's schema has (a misspelt one is named with its suggestion),
    required ones are present and literal values are valid; templates compile, use only known
    names and refer only to earlier steps; every ``event.<field>`` a template or condition reads is
    one the event type carries (see :mod:`sochen.workflows.fields`; ``slots`` are the tenant's
    ``(name, required)`` pairs), and every ``steps.<id>.<field>`` one the step's action returns
    (when ``results`` knows that action's return type).
    """
    rule_list = rules.rules if isinstance(rules, WorkflowsConfig) else list(rules)
    if catalog is None:
        actions = dict(catalog_from_registry())
        returns = dict(results_from_registry() if results is None else results)
    else:
        actions = dict(catalog)
        returns = dict(results or {})
    _add_channel_actions(actions, returns)
    problems: list[str] = []
    for r, rule in enumerate(rule_list):
        event = event_shape(rule.on, slots)
        for c, condition in enumerate(rule.when):
            why = check_path(event, condition.field.split("."), shown="event", defaulted=True)
            if why:
                problems.append(f"`{where}[{r}].when[{c}].field`: {why}")
        earlier: dict[str, Shape | None] = {}
        for a, call in enumerate(rule.do):
            here = f"{where}[{r}].do[{a}]"
            params_type = actions.get(call.action)
            if params_type is None:
                problems.append(_unknown_action(here, call.action, actions))
            else:
                problems.extend(_check_params(here, call.action, call.params, params_type))
            problems.extend(_check_templates(here, call.params, earlier, event))
            if call.id is not None:
                returned = returns.get(call.action, _UNKNOWN)
                shape = None if returned is _UNKNOWN else result_shape(returned)
                if shape is not None:
                    shape = replace(shape, kind=f"the result of {call.action}, {shape.kind}")
                earlier[call.id] = shape
    return problems


_UNKNOWN: Any = object()


def _add_channel_actions(actions: dict[str, Any], returns: dict[str, Any]) -> None:
    """``channel.send_message``: the conversation's own channel (resolved when planning, see :mod:`.planning`)."""
    import typing

    from ..connectors.base import Connector

    hints = typing.get_type_hints(Connector.send_message)
    actions.setdefault("channel.send_message", hints["message"])
    returns.setdefault("channel.send_message", hints["return"])


def _unknown_action(here: str, name: str, actions: Mapping[str, Any]) -> str:
    msg = f"`{here}.action`: unknown action '{name}'"
    hint = difflib.get_close_matches(name, list(actions), n=3, cutoff=0.6)
    if hint:
        msg += " — did you mean " + " or ".join(f"'{h}'" for h in hint) + "?"
    connector = name.split(".", 1)[0]
    same = sorted(a for a in actions if a.startswith(connector + "."))
    if same:
        msg += f" (actions of {connector}: {', '.join(a.split('.', 1)[1] for a in same)})"
    elif actions:
        installed = sorted({a.split(".", 1)[0] for a in actions} - {"channel"})  # `channel.` is not a connector
        msg += f" (no connector '{connector}' is installed; installed: {', '.join(installed)})"
    else:
        msg += " (no connectors are installed)"
    return msg


def _check_params(here: str, action: str, params: dict[str, Any], params_type: Any) -> list[str]:
    adapter = TypeAdapter(params_type)
    try:
        schema = adapter.json_schema()
    except Exception:  # a parameter type without a JSON Schema: only pydantic's own errors are reported
        schema = {}
    problems = _unknown_params(here, action, params, schema) if schema else []
    written = {p.split("`", 2)[1] for p in problems}
    try:
        adapter.validate_python(params)
        return problems
    except ValidationError as exc:
        errors = exc.errors()
    for err in errors:
        loc = _value_loc(params, err["loc"])
        if _under_template(params, loc):
            continue  # the value is only known once the template is rendered
        path = ".".join(str(p) for p in loc)
        at = f"`{here}.params{'.' + path if path else ''}`"
        if at.strip("`") in written:
            continue  # already reported as an unknown parameter
        if err["type"] == "extra_forbidden":
            allowed = _property_names(schema, loc[:-1])
            msg = f"{at}: {action} has no parameter '{loc[-1]}'"
            hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            if hint:
                msg += f" — did you mean '{hint[0]}'?"
            if allowed:
                msg += f" (parameters: {', '.join(allowed)})"
        elif err["type"] == "missing":
            msg = f"{at}: required parameter of {action} is missing"
            typo = _misspelt_as(params, loc, schema)
            if typo:
                msg += f" ('{typo}' is written instead: rename it to '{loc[-1]}')"
        else:
            msg = f"{at}: {err['msg']}"
        if msg not in problems:
            problems.append(msg)
    return problems


def _unknown_params(here: str, action: str, params: Any, schema: dict[str, Any]) -> list[str]:
    """Keys the action's schema does not have, also where its model silently ignores extra keys."""
    defs = schema.get("$defs", {})
    problems: list[str] = []

    def walk(value: Any, nodes: list[dict[str, Any]], path: list[str]) -> None:
        if not isinstance(value, Mapping) or is_template(value):
            return
        variants = [v for n in nodes for v in _variants(n, defs)]
        if not variants or any(not v.get("properties") or v.get("additionalProperties") for v in variants):
            return  # free-form here (a dict, Any, or a model that keeps extra keys)
        allowed = sorted({name for v in variants for name in v.get("properties", {})})
        for key, item in value.items():
            if key in allowed:
                walk(item, [v["properties"][key] for v in variants if key in v.get("properties", {})], [*path, key])
                continue
            at = ".".join([*path, str(key)])
            msg = f"`{here}.params.{at}`: {action} has no parameter '{key}'"
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            if hint:
                msg += f" — did you mean '{hint[0]}'?"
            problems.append(msg + f" (parameters: {', '.join(allowed)})")

    walk(params, [schema], [])
    return problems


def _misspelt_as(params: Any, loc: Sequence[int | str], schema: dict[str, Any]) -> str | None:
    """The written key that is probably the missing parameter at ``loc``, misspelt."""
    node: Any = params
    for part in loc[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    if not isinstance(node, Mapping):
        return None
    allowed = set(_property_names(schema, list(loc[:-1])))
    strays = [str(k) for k in node if k not in allowed]
    close = difflib.get_close_matches(str(loc[-1]), strays, n=1, cutoff=0.6)
    return close[0] if close else None


def _value_loc(params: Any, loc: Sequence[int | str]) -> list[int | str]:
    """Drop the parts of a pydantic error location that are union tags, not keys of the value."""
    out: list[int | str] = []
    node: Any = params
    for i, part in enumerate(loc):
        is_key = isinstance(node, Mapping) and part in node
        is_index = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if is_key or is_index:
            node = node[part]
            out.append(part)
        elif i == len(loc) - 1 or not isinstance(node, Mapping | list):
            out.append(part)  # a missing key, or a key under a scalar
            node = None
    return out


def _under_template(params: Any, loc: Sequence[int | str]) -> bool:
    node: Any = params
    for part in loc:
        if is_template(node):
            return True
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    return is_template(node)


def _property_names(schema: dict[str, Any], loc: Sequence[int | str]) -> list[str]:
    """Parameter names allowed at ``loc`` (unions: the names of every variant)."""
    defs = schema.get("$defs", {})
    nodes = [schema]
    for part in loc:
        nodes = [n for node in nodes for n in _child(_variants(node, defs), part, defs)]
    names: set[str] = set()
    for node in nodes:
        for variant in _variants(node, defs):
            names.update(variant.get("properties", {}))
    return sorted(names)


def _variants(node: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    if "$ref" in node:
        return _variants(defs.get(node["$ref"].rsplit("/", 1)[-1], {}), defs)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return [v for sub in node[key] for v in _variants(sub, defs)]
    return [node]


def _child(variants: list[dict[str, Any]], part: int | str, defs: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for v in variants:
        if isinstance(part, int) and "items" in v:
            out.append(v["items"])
        elif isinstance(part, str) and part in v.get("properties", {}):
            out.append(v["properties"][part])
    return out


def _check_templates(here: str, params: Any, earlier: Mapping[str, Shape | None], event: Shape) -> list[str]:
    problems: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, f"{path}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]")
        elif is_template(value):
            problems.extend(_check_template(f"`{here}{path}`", value, earlier, event))

    walk(params, ".params")
    return problems


def _check_template(at: str, source: str, earlier: Mapping[str, Shape | None], event: Shape) -> list[str]:
    try:
        names = template_names(source)
    except TemplateError as exc:
        lineno = getattr(exc, "lineno", None)
        line = f" (line {lineno})" if lineno else ""
        return [f"{at}: template syntax error{line}: {exc.message or exc}"]
    problems = []
    for name in sorted(names - CONTEXT_NAMES):
        hint = difflib.get_close_matches(name, sorted(CONTEXT_NAMES), n=1)
        tip = f" — did you mean '{hint[0]}'?" if hint else ""
        problems.append(
            f"{at}: unknown name '{name}' in template{tip} (available: {', '.join(sorted(CONTEXT_NAMES))}; "
            "event fields are read as event.<field>)"
        )
    if "steps" in names:
        try:
            refs = step_references(source)
        except ValueError as exc:
            return [*problems, f"{at}: {exc}"]
        for ref in sorted(set(refs) - set(earlier)):
            known = ", ".join(earlier) or "none (give a step an `id` to use its result)"
            problems.append(
                f"{at}: refers to step '{ref}', which is not an earlier step of this rule (earlier: {known})"
            )
    problems.extend(_check_reads(at, source, earlier, event))
    return problems


def _check_reads(at: str, source: str, earlier: Mapping[str, Shape | None], event: Shape) -> list[str]:
    """Fields read from ``event`` and ``steps.<id>`` that the event type or the step's result lacks."""
    problems: list[str] = []
    for read in template_reads(parse_template(source)):
        if read.root == "event":
            why = check_path(event, read.parts, shown="event", defaulted=read.defaulted)
        elif read.parts and read.parts[0] in earlier:
            shape = earlier[read.parts[0]]
            why = None if shape is None else check_path(shape, read.parts[1:], shown=f"steps.{read.parts[0]}")
        else:
            continue
        if why and f"{at}: {why}" not in problems:
            problems.append(f"{at}: {why}")
    return problems
