"""The HTML report: one self-contained file (inline CSS and SVG, no scripts, no network), right to left.

``<html lang="he" dir="rtl">``; every piece of free text (messages, replies, failure messages,
citations) carries ``dir="auto"`` so a Latin or mixed string keeps its own order; numbers, ids and
Latin fragments inside Hebrew sentences are isolated with ``<bdi>``. Failed scenarios are
highlighted and open; transcripts show the person's and the agent's bubbles with the route,
answer mode, citations and connector jobs of each turn. Jinja2 with autoescaping on.
"""

# ruff: noqa: E501  (the template below keeps its HTML lines whole)
from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from jinja2 import Environment
from markupsafe import Markup, escape

from .charts import bars_rtl, histogram

if TYPE_CHECKING:
    from .runner import SuiteRun

__all__ = ["render_html"]

_CSS = """
*{box-sizing:border-box}
body{font-family:Arial,'Noto Sans Hebrew','David',sans-serif;margin:0;background:#f6f7f9;color:#1d2329;line-height:1.5}
header{background:#12355b;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px}
main{padding:18px 28px;max-width:1200px}
.verdict{padding:12px 16px;border-radius:8px;margin:12px 0;font-weight:bold}
.verdict.ok{background:#e3f4e5;border:1px solid #2e7d32}
.verdict.bad{background:#fde7e7;border:1px solid #c62828}
.verdict ul{font-weight:normal;margin:6px 0 0}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{background:#fff;border:1px solid #dde2e7;border-radius:8px;padding:10px 14px;min-width:150px}
.card .v{font-size:20px;font-weight:bold}
.card .k{font-size:12px;color:#5b6670}
.charts{display:flex;flex-wrap:wrap;gap:16px;margin:12px 0}
.charts figure{background:#fff;border:1px solid #dde2e7;border-radius:8px;margin:0;padding:8px}
table{border-collapse:collapse;width:100%;background:#fff;margin:10px 0}
th,td{border:1px solid #dde2e7;padding:6px 8px;text-align:start;vertical-align:top;font-size:14px}
th{background:#eef1f4}
tr.fail td{background:#fff4f4}
.ok{color:#2e7d32}.bad{color:#c62828}.skip{color:#8a6d00}
details.scenario{background:#fff;border:1px solid #dde2e7;border-radius:8px;margin:10px 0;padding:8px 12px}
details.scenario.failed{border:2px solid #c62828}
details.scenario summary{cursor:pointer;font-weight:bold}
.failures{background:#fde7e7;border-radius:6px;padding:6px 10px;margin:8px 0}
.failures li,.skipped li{margin:2px 0}
.skipped{background:#fff8e1;border-radius:6px;padding:6px 10px;margin:8px 0}
.turn{margin:10px 0}
.bubble{max-width:75%;padding:8px 12px;border-radius:12px;margin:4px 0;white-space:pre-wrap}
.user{background:#dcf8c6;margin-left:auto;margin-right:0}
.agent{background:#fff;border:1px solid #d0d7de;margin-right:auto;margin-left:0}
.en{color:#5b6670;font-size:13px}
.agent.silent{color:#5b6670;font-style:italic}
.meta{font-size:12px;color:#5b6670;margin:2px 0}
.tag{display:inline-block;background:#eef1f4;border-radius:4px;padding:0 6px;margin-inline-end:4px}
.job.dead,.job.pending{color:#c62828}
code{font-family:monospace;font-size:12px}
footer{color:#5b6670;font-size:12px;padding:12px 28px}
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="he" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>דו"ח הערכה — {{ run.tenant }} גרסה {{ run.version }}</title>
<style>{{ css }}</style>
</head>
<body>
<header>
<h1>דו"ח הערכה — <bdi>{{ run.tenant }}</bdi>, גרסה <bdi>{{ run.version }}</bdi></h1>
<div>הרצה <bdi>{{ run.run_id or "—" }}</bdi> · <bdi>{{ run.started_at[:19] }}</bdi> ·
<bdi>{{ m.scenarios }}</bdi> תרחישים × <bdi>{{ run.repeat }}</bdi> חזרות ·
גרסת מסמכים <bdi>{{ run.kb_revision }}</bdi> · תצורה <bdi>{{ run.digest[:12] }}</bdi></div>
</header>
<main>
{% if run.passed %}
<div class="verdict ok" id="gate">שער העלייה לאוויר: עבר ✓ <bdi>(gate passed)</bdi></div>
{% else %}
<div class="verdict bad" id="gate">שער העלייה לאוויר: נכשל ✗ <bdi>(gate failed)</bdi>
<ul>{% for f in run.gate_failures %}<li>{% for part in f|halves %}<div dir="auto"{% if loop.index > 1 %} class="en"{% endif %}>{{ part|isolate if loop.first else part }}</div>{% endfor %}</li>{% endfor %}</ul></div>
{% endif %}
<p dir="auto" class="meta">אופני תשובה: {% for mode, n in m.answer_modes.items() %}<span class="tag"><bdi>{{ mode }}</bdi>
<bdi>{{ n }}</bdi></span>{% endfor %} — <span dir="auto">{{ info.answer_mode_note }}</span></p>
<section class="cards">
{% for key, value in cards %}<div class="card"><div class="v"><bdi>{{ value }}</bdi></div><div class="k">{{ key }}</div></div>
{% endfor %}
</section>
<section class="charts">
<figure>{{ chart_categories }}</figure>
{% if chart_latency %}<figure>{{ chart_latency }}</figure>{% endif %}
<figure>{{ chart_cost }}{% if not m.cost_total_usd %}<figcaption class="meta">כל קריאות המודל היו מקומיות
או שלא היו כלל: עלות <bdi>$0</bdi></figcaption>{% endif %}</figure>
</section>
<h2>תרחישים</h2>
<table>
<thead><tr><th>תרחיש</th><th>כותרת</th><th>קטגוריה</th><th>תוצאה</th><th>שיעור הצלחה</th><th>בדיקות שנכשלו</th></tr></thead>
<tbody>
{% for sid, entry in m.per_scenario.items() %}
<tr class="{{ 'fail' if entry.passed < entry.runs else '' }}"><td><bdi><a href="#s-{{ sid }}">{{ sid }}</a></bdi></td>
<td dir="auto">{{ entry.title }}</td><td><bdi>{{ entry.category }}</bdi></td>
<td class="{{ 'ok' if entry.passed == entry.runs else 'bad' }}">{{ '✓' if entry.passed == entry.runs else '✗' }}</td>
<td><bdi>{{ entry.passed }}/{{ entry.runs }}</bdi></td><td><bdi>{{ failed_counts[sid] }}</bdi></td></tr>
{% endfor %}
</tbody></table>
<h2>שיחות</h2>
{% for r in run.results %}
<details class="scenario {{ 'failed' if not r.passed else 'passed' }}" id="s-{{ r.scenario_id }}{% if r.repetition > 1 %}-{{ r.repetition }}{% endif %}" {% if not r.passed %}open{% endif %}>
<summary><span class="{{ 'ok' if r.passed else 'bad' }}">{{ '✓' if r.passed else '✗' }}</span>
<span dir="auto">{{ r.title }}</span> — <bdi>{{ r.scenario_id }}</bdi>{% if run.repeat > 1 %} <bdi>#{{ r.repetition }}</bdi>{% endif %}
<span class="tag"><bdi>{{ r.category }}</bdi></span></summary>
{% if r.error %}<div class="failures" dir="auto"><strong>שגיאה:</strong> <bdi>{{ r.error }}</bdi></div>{% endif %}
{% if r.failures %}<ul class="failures">{% for c in r.failures %}<li>{% for part in c.message|halves %}<div dir="auto"{% if loop.index > 1 %} class="en"{% endif %}>{{ part|isolate if loop.first else part }}</div>{% endfor %}</li>{% endfor %}</ul>{% endif %}
{% if r.skipped %}<ul class="skipped">{% for c in r.skipped %}<li>{% for part in c.message|halves %}<div dir="auto"{% if loop.index > 1 %} class="en"{% endif %}>{% if loop.first %}דולג: {{ part|isolate }}{% else %}{{ part }}{% endif %}</div>{% endfor %}</li>{% endfor %}</ul>{% endif %}
{% for t in r.turns %}
<div class="turn">
<div class="bubble user" dir="auto">{{ t.user }}</div>
<div class="meta">{% if t.n %}הודעה <bdi>{{ t.n }}</bdi>{% else %}היסטוריה{% endif %} · כוונה <bdi>{{ t.intent or '—' }}</bdi>
{% if t.sensitive %} · <span class="tag">רגיש <bdi>{{ t.sensitivity_types|join(', ') }}</bdi></span>{% endif %}</div>
{% if t.error %}<div class="bubble agent silent bad" dir="auto">{{ t.error }}</div>
{% elif t.reply %}<div class="bubble agent" dir="auto">{{ t.reply }}</div>
{% else %}<div class="bubble agent silent">(אין תשובה)</div>{% endif %}
<div class="meta">אופן <bdi>{{ t.reply_mode or '—' }}</bdi> · ניתוב <bdi>{{ t.route_name }}</bdi>{% if t.route.provider %}
<bdi>({{ t.route.provider }} {{ t.route.model or '' }})</bdi>{% endif %} · מצב <bdi>{{ t.status }}</bdi> ·
<bdi>{{ '%.0f'|format(t.latency_ms) }} ms</bdi>{% if t.cost_usd %} · <bdi>${{ '%.5f'|format(t.cost_usd) }}</bdi>{% endif %}</div>
{% for c in t.citations %}<div class="meta" dir="auto">מקור: {{ c.title }}{% if c.section %} — {{ c.section }}{% endif %}{% if c.quote %} · «{{ c.quote }}»{% endif %}</div>{% endfor %}
{% for j in t.jobs %}<div class="meta job {{ j.status }}">משימה <bdi>{{ j.action }}</bdi> · <bdi>{{ j.status }}</bdi>
<bdi><code dir="ltr">{{ j.params|tojson_he }}</code></bdi>{% if j.error %} · <span dir="auto">{{ j.error }}</span>{% endif %}</div>{% endfor %}
{% for leak in t.api_leaks %}<div class="meta bad" dir="auto">מידע אישי נשלח לספק API: {{ leak }}</div>{% endfor %}
</div>
{% endfor %}
</details>
{% endfor %}
</main>
<footer dir="auto">
ספקים: {% for name, p in info.providers.items() %}<bdi>{{ name }} ({{ p.kind }} {{ p.model }}, {{ p.locality }})</bdi> {% else %}אין{% endfor %}
{% if info.provider_problems %} · לא זמינים: {% for name, why in info.provider_problems.items() %}<bdi>{{ name }}: {{ why }}</bdi> {% endfor %}{% endif %}
· שופט: <bdi>{{ info.judge }}</bdi> · ארגז חול: <bdi>{{ info.sandbox|tojson_he }}</bdi>
</footer>
</body>
</html>
"""


_LTR_RUN = re.compile(r"[A-Za-z0-9$+'][A-Za-z0-9_.,:;%$<>=/+'\-()\[\] ]*[A-Za-z0-9%)\]']|[A-Za-z0-9]")


def _isolate(text: str) -> Markup:
    """Escape ``text`` and isolate its Latin and number runs (``50.0% < 90.0%``) with ``<bdi dir="ltr">``."""
    parts: list[str] = []
    pos = 0
    for match in _LTR_RUN.finditer(text):
        parts.append(escape(text[pos : match.start()]))
        parts.append(Markup('<bdi dir="ltr">') + escape(match.group()) + Markup("</bdi>"))
        pos = match.end()
    parts.append(escape(text[pos:]))
    return Markup("").join(parts)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value:.0%}"


def _tojson(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def render_html(run: SuiteRun) -> str:
    """The report of ``run`` as one HTML document."""
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson_he"] = _tojson
    env.filters["isolate"] = _isolate
    env.filters["halves"] = lambda message: str(message).split(" | ", 1)  # Hebrew | English, shown apart
    m = run.metrics
    lat = m.get("latency_ms") or {}
    cards = [
        ("שיעור הצלחה", f"{_pct(m.get('pass_rate'))} ({m.get('passed')}/{m.get('runs')})"),
        ("דיוק כוונות", _pct(m.get("intent_accuracy"))),
        ("שדות: דיוק / כיסוי", f"{_pct(m.get('slot_precision'))} / {_pct(m.get('slot_recall'))}"),
        ("משימות: דיוק / כיסוי", f"{_pct(m.get('job_precision'))} / {_pct(m.get('job_recall'))}"),
        ("העברה לנציג", _pct(m.get("handoff_rate"))),
        ("תשובות מבוססות מקור", _pct(m.get("grounded_answer_rate"))),
        ("זמן תגובה p50 / p95", f"{lat.get('p50')} / {lat.get('p95')} ms"),
        ("טוקנים לשיחה", str(m.get("tokens_per_conversation"))),
        ("עלות לשיחה", f"${m.get('cost_per_conversation_usd') or 0:.4f}"),
        ("דליפות מידע אישי ל-API", str(m.get("personal_data_leaks", 0))),
    ]
    categories = [(name, v.get("pass_rate") or 0.0) for name, v in (m.get("per_category") or {}).items()]
    costs: dict[str, list[float]] = {}
    for r in run.results:
        costs.setdefault(r.category, []).append(r.cost_usd)
    cost_items = [(name, sum(v) / len(v)) for name, v in sorted(costs.items())]
    failed_counts = {
        sid: sum(1 for r in run.results if r.scenario_id == sid and not r.passed)
        for sid in (m.get("per_scenario") or {})
    }
    template = env.from_string(_TEMPLATE)
    return template.render(
        run=run,
        m=m,
        info=run.info,
        css=Markup(_CSS),
        cards=cards,
        failed_counts=failed_counts,
        chart_categories=Markup(bars_rtl(categories, title="שיעור הצלחה לפי קטגוריה", maximum=1.0)),
        chart_latency=Markup(histogram(m.get("turn_latencies_ms") or [], title="התפלגות זמן תגובה להודעה")),
        chart_cost=Markup(
            bars_rtl(
                cost_items,
                title="עלות ממוצעת לשיחה לפי קטגוריה",
                unit="$",
                maximum=max((v for _, v in cost_items), default=0) or 1.0,
                colors=["#6a1b9a"],
            )
        ),
    )
