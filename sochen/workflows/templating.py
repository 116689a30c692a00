"""Parameter templates: Jinja2 in an immutable sandbox, with strict undefined variables.

A string parameter containing ``{{`` or ``{%`` is a template; anything else is taken literally.
Templates see:

``event``            the event's payload plus ``type``, ``tenant``, ``conversation_id``, ``key``,
                     ``occurred_at`` (e.g. ``{{ event.slots.phone }}``)
``now`` / ``today``  the planning time in the tenant's time zone, and its date
``steps``            results of earlier steps of the same rule, by step id (``{{ steps.lead.id }}``);
                     a parameter that uses ``steps`` is rendered just before its job runs
``next_business_day(base=None, days=1)``  Sunday–Thursday arithmetic skipping the tenant's holidays
``e164(phone)``      an Israeli (or international) phone number in E.164 form

both helpers also as filters (``{{ event.slots.phone | e164 }}``). A parameter that is one
expression yielding a mapping, a list or None keeps that structure (``"{{ event.slots }}"`` is a
JSON object; ``"{{ event.slots.email | default(none) }}"`` is null); otherwise the result is text.
The sandbox refuses attributes such as ``__class__`` and any mutation; a missing variable is an
error, never an empty string (write ``{{ event.slots.email | default('') }}`` when a value is
optional). Rendered text is data: it is never rendered again, so text a customer typed cannot
become a template.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined, Template, TemplateError, meta, nodes, pass_context
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..connectors.phone import normalize_phone
from .calendar import BusinessCalendar

__all__ = [
    "CONTEXT_NAMES",
    "ParamTemplateError",
    "build_context",
    "is_template",
    "parse_template",
    "render_params",
    "render_template",
    "render_value",
    "set_path",
    "step_references",
    "template_names",
]

CONTEXT_NAMES = frozenset({"event", "now", "today", "steps", "next_business_day", "e164"})
"""Names a template may use (besides Jinja's own globals such as ``range``)."""

_MAX_OUTPUT = 10_000
_MAX_BUSINESS_DAYS = 366


class ParamTemplateError(ValueError):
    """A template could not be compiled or rendered; ``path`` says which parameter."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"params.{path}: {message}" if path else message)


class _Environment(ImmutableSandboxedEnvironment):
    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
        self.filters["e164"] = _e164
        self.filters["next_business_day"] = _next_business_day_filter


def is_template(value: object) -> bool:
    """Whether ``value`` is a string that contains template syntax."""
    return isinstance(value, str) and ("{{" in value or "{%" in value or "{#" in value)


@lru_cache(maxsize=1024)
def _compile(source: str) -> Template:
    return _ENV.from_string(source)


def _parse(source: str) -> nodes.Template:
    return _ENV.parse(source)


def parse_template(source: str) -> nodes.Template:
    """The syntax tree of a template (raises TemplateError on bad syntax)."""
    return _parse(source)


def template_names(source: str) -> set[str]:
    """Undeclared names a template reads, excluding Jinja's globals (raises TemplateError on bad syntax)."""
    return set(_names(source))


@lru_cache(maxsize=1024)
def _names(source: str) -> frozenset[str]:
    return frozenset(meta.find_undeclared_variables(_parse(source))) - _BUILTIN_GLOBALS


def step_references(source: str) -> set[str]:
    """Step ids a template reads through ``steps.<id>`` or ``steps['id']``.

    Raises ValueError when ``steps`` is used any other way (the steps a job waits for must be known
    when it is planned).
    """
    tree = _parse(source)
    found: set[str] = set()
    named = 0
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        target = getattr(node, "node", None)
        if not (isinstance(target, nodes.Name) and target.name == "steps"):
            continue
        if isinstance(node, nodes.Getattr):
            found.add(node.attr)
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            found.add(node.arg.value)
        else:
            raise ValueError("refer to earlier steps by name: steps.<id>")
        named += 1
    uses = sum(1 for n in tree.find_all(nodes.Name) if n.name == "steps")
    if uses != named:
        raise ValueError("refer to earlier steps by name: steps.<id>")
    return found


def _e164(value: object) -> str:
    return normalize_phone(str(value))


def _as_date(value: object, tz: dt.tzinfo) -> dt.date:
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(tz).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return _as_date(dt.datetime.fromisoformat(text), tz) if len(text) > 10 else dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"next_business_day needs a date, a datetime or an ISO date string, not {value!r}")


@pass_context
def _next_business_day_filter(context: Context, base: object = None, days: int = 1) -> dt.date:
    # The filter form uses the same calendar as the function form: the one in this render's context.
    function = context.get("next_business_day")
    if not callable(function):
        raise ValueError("next_business_day is only available while rendering with a calendar")
    result: dt.date = function(base, days)
    return result


_ENV = _Environment()
_BUILTIN_GLOBALS = frozenset(_ENV.globals)


def _next_business_day(calendar: BusinessCalendar, today: dt.date, tz: dt.tzinfo) -> Callable[..., dt.date]:
    def next_business_day(base: object = None, days: int = 1) -> dt.date:
        if not isinstance(days, int) or not 0 <= days <= _MAX_BUSINESS_DAYS:
            raise ValueError(f"days must be a whole number from 0 to {_MAX_BUSINESS_DAYS}")
        start = today if base is None else _as_date(base, tz)
        return calendar.next_business_day(start, days)

    return next_business_day


def build_context(
    event: Mapping[str, Any],
    *,
    now: dt.datetime,
    calendar: BusinessCalendar,
    timezone: str = "Asia/Jerusalem",
    steps: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The variables templates see (see the module docstring)."""
    tz = ZoneInfo(timezone)
    local_now = now.astimezone(tz)
    nbd = _next_business_day(calendar, local_now.date(), tz)
    return {
        "event": dict(event),
        "now": local_now,
        "today": local_now.date(),
        "steps": dict(steps or {}),
        "next_business_day": nbd,
        "e164": _e164,
    }


def render_template(source: str, context: Mapping[str, Any], *, path: str = "") -> str:
    """Render one template in the sandbox; every failure is a :class:`ParamTemplateError`."""
    try:
        out = _compile(source).render(dict(context))
    except TemplateError as exc:
        raise ParamTemplateError(path, f"{type(exc).__name__}: {exc.message or exc}") from None
    except (ValueError, TypeError, ArithmeticError, LookupError) as exc:
        raise ParamTemplateError(path, f"{type(exc).__name__}: {exc}") from None
    if len(out) > _MAX_OUTPUT:
        raise ParamTemplateError(path, f"rendered text is longer than {_MAX_OUTPUT} characters")
    return out


_WHOLE = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\}\}|\{\{|\{%|\{#).)*)\}\}\s*$", re.DOTALL)


def render_value(source: str, context: Mapping[str, Any], *, path: str = "") -> Any:
    """Render a parameter template to text, or to structure when it is one expression.

    A template that is exactly one ``{{ expression }}`` yielding a mapping, a list or None keeps
    that structure (``payload: "{{ event.slots }}"``); anything else renders as text.
    """
    whole = _WHOLE.match(source)
    if whole is None:
        return render_template(source, context, path=path)
    try:
        value = _expression(whole.group("expr"))(**dict(context))
        if isinstance(value, Undefined):
            str(value)  # a strict undefined raises here with Jinja's own message
    except TemplateError as exc:
        raise ParamTemplateError(path, f"{type(exc).__name__}: {exc.message or exc}") from None
    except (ValueError, TypeError, ArithmeticError, LookupError) as exc:
        raise ParamTemplateError(path, f"{type(exc).__name__}: {exc}") from None
    if value is None or isinstance(value, Mapping | list | tuple):
        plain = _plain(value)
        if len(json.dumps(plain, ensure_ascii=False)) > _MAX_OUTPUT:
            raise ParamTemplateError(path, f"rendered value is longer than {_MAX_OUTPUT} characters")
        return plain
    return render_template(source, context, path=path)


@lru_cache(maxsize=1024)
def _expression(expr: str) -> Callable[..., Any]:
    return _ENV.compile_expression(expr, undefined_to_none=False)


def _plain(value: Any) -> Any:
    """JSON-ready copy: mappings and sequences walked, dates as ISO text, other objects as text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def render_params(
    params: Any, context: Mapping[str, Any], *, skip_steps: bool = False, path: str = ""
) -> tuple[Any, list[list[Any]]]:
    """Render every template in ``params`` (dicts and lists walked recursively).

    With ``skip_steps``, templates that read ``steps`` are left out of the result (``None`` in
    their place) and returned as ``[[path parts...], source]`` pairs to render later.
    """
    deferred: list[list[Any]] = []

    def walk(value: Any, parts: list[Any]) -> Any:
        where = ".".join(str(p) for p in [path, *parts] if p != "")
        if isinstance(value, Mapping):
            return {k: walk(v, [*parts, k]) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, [*parts, i]) for i, v in enumerate(value)]
        if is_template(value):
            if skip_steps and _reads_steps(value, where):
                deferred.append([parts, value])
                return None
            return render_value(value, context, path=where)
        return value

    return walk(params, []), deferred


def _reads_steps(source: str, where: str) -> bool:
    try:
        return "steps" in template_names(source)
    except TemplateError as exc:
        raise ParamTemplateError(where, f"{type(exc).__name__}: {exc}") from None


def set_path(target: Any, parts: list[Any], value: Any) -> None:
    """Put ``value`` at ``parts`` inside nested dicts/lists ``target``."""
    node = target
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
