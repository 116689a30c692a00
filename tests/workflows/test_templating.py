"""Parameter templates: the sandbox, strict undefined variables, helpers, structure."""

from __future__ import annotations

import datetime as dt

import pytest

from sochen.workflows.calendar import BusinessCalendar
from sochen.workflows.templating import (
    ParamTemplateError,
    build_context,
    render_params,
    render_value,
    step_references,
)

from ._support import T0, lead_event

pytestmark = pytest.mark.unit


@pytest.fixture
def ctx():
    return build_context(lead_event().view(), now=T0, calendar=BusinessCalendar([dt.date(2026, 11, 29)]))


@pytest.mark.parametrize(
    "source",
    [
        "{{ event.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ event.slots.__init__.__globals__ }}",
        "{{ now.__class__.__init__ }}",
        "{{ e164.__globals__ }}",
        "{{ event.slots.update({'phone': '1'}) }}",
        "{% set x = event.slots.pop('phone') %}{{ x }}",
        "{{ event.slots.clear() }}",
    ],
)
def test_sandbox_refuses_dunder_attributes_and_mutation(ctx, source):
    with pytest.raises(ParamTemplateError, match="SecurityError"):
        render_value(source, ctx, path="p")
    assert ctx["event"]["slots"]["phone"] == "050-123-4567"


def test_undefined_variables_are_errors_not_empty_strings(ctx):
    with pytest.raises(ParamTemplateError) as err:
        render_value("{{ event.slots.email }}", ctx, path="email")
    assert err.value.path == "email"
    assert "UndefinedError" in str(err.value) and "email" in str(err.value)
    with pytest.raises(ParamTemplateError, match="'nothing' is undefined"):
        render_value("hello {{ nothing }}", ctx)
    assert render_value("{{ event.slots.email | default('') }}", ctx) == ""
    assert render_value("{{ event.slots.email | default(none) }}", ctx) is None


def test_syntax_errors_are_reported(ctx):
    with pytest.raises(ParamTemplateError, match="TemplateSyntaxError"):
        render_value("{{ event.slots.name ", ctx)


def test_text_and_structure(ctx):
    assert render_value("שלום {{ event.slots.name }}!", ctx) == "שלום דנה כהן!"
    assert render_value("{{ event.slots }}", ctx) == {"name": "דנה כהן", "phone": "050-123-4567"}
    assert render_value("{{ [today, 2] }}", ctx) == ["2026-11-26", 2]
    assert render_value("{{ event.type }}", ctx) == "lead.captured"


def test_helpers(ctx):
    assert render_value("{{ event.slots.phone | e164 }}", ctx) == "+972501234567"
    assert render_value("{{ e164('+972 (0)3-555-1234') }}", ctx) == "+97235551234"
    # Thursday 26.11; Friday and Saturday off; Sunday 29.11 is a configured holiday → Monday
    assert render_value("{{ next_business_day() }}", ctx) == "2026-11-30"
    assert render_value("{{ event.occurred_at | next_business_day(days=2) }}", ctx) == "2026-12-01"
    assert render_value("{{ next_business_day('2026-11-22', days=0) }}", ctx) == "2026-11-22"
    with pytest.raises(ParamTemplateError, match="not a phone number"):
        render_value("{{ 'abc' | e164 }}", ctx)
    with pytest.raises(ParamTemplateError, match="days must be"):
        render_value("{{ next_business_day(days=100000) }}", ctx)


def test_loops_are_bounded(ctx):
    with pytest.raises(ParamTemplateError):
        render_value("{% for i in range(10**9) %}x{% endfor %}", ctx)


def test_customer_text_is_never_rendered_again():
    event = lead_event(name="{{ event.__class__ }} {% for i in range(9) %}x{% endfor %}")
    ctx = build_context(event.view(), now=T0, calendar=BusinessCalendar())
    assert render_value("{{ event.slots.name }}", ctx) == "{{ event.__class__ }} {% for i in range(9) %}x{% endfor %}"


def test_render_params_defers_templates_that_read_steps(ctx):
    params = {"subject": "call {{ event.slots.name }}", "related": {"module": "Leads", "id": "{{ steps.lead.id }}"}}
    rendered, deferred = render_params(params, ctx, skip_steps=True)
    assert rendered == {"subject": "call דנה כהן", "related": {"module": "Leads", "id": None}}
    assert deferred == [[["related", "id"], "{{ steps.lead.id }}"]]


def test_step_references():
    assert step_references("{{ steps.lead.id }}-{{ steps['task'].id }}") == {"lead", "task"}
    with pytest.raises(ValueError, match="by name"):
        step_references("{{ steps[event.x] }}")
    with pytest.raises(ValueError, match="by name"):
        step_references("{% for s in steps %}{{ s }}{% endfor %}")
