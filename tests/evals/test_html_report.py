"""The HTML report: self-contained, right to left, escaped; checked in a real headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sochen.evals.html import render_html
from sochen.evals.records import Check, JobRecord, ScenarioResult, TurnRecord
from sochen.evals.reports import write_reports
from sochen.evals.runner import SuiteRun

CHROMIUM = Path("/usr/bin/chromium")


def sample_run() -> SuiteRun:
    lead = ScenarioResult(
        "lead-one-message",
        "ליד בהודעה אחת — דנה, 050-1234567",
        "lead_capture",
        1,
        turns=[
            TurnRecord(
                n=1,
                user="שמי דנה כהן, אני רוצה תור להלבנת שיניים מחר ב-5",
                intent="appointment_request",
                reply="תודה דנה כהן! רשמנו את פנייתך בנושא הלבנת שיניים (יום שני 23.11 בשעה 17:00).",
                reply_mode="template",
                status="active",
                latency_ms=180.0,
                jobs=[
                    JobRecord(
                        "j1", "zoho_crm.upsert_lead", {"last_name": "דנה כהן", "phone": "+972501234567"}, "succeeded"
                    )
                ],
            ),
        ],
        checks=[Check("intent", "pass", 1, "ok")],
    )
    price = ScenarioResult(
        "price-whitening",
        "שאלת מחיר <script>alert(1)</script>",
        "prices",
        1,
        turns=[
            TurnRecord(
                n=1,
                user="How much is whitening? כמה עולה?",
                intent="price_question",
                reply="לפי המסמכים שלנו: הלבנת שיניים · 1,200 ₪",
                reply_mode="extractive",
                latency_ms=95.0,
                citations=[{"title": "מחירון המרפאה", "section": "מחירים", "quote": "הלבנת שיניים 1,200 ₪"}],
            ),
        ],
        checks=[
            Check(
                "reply",
                "fail",
                1,
                "הודעה 1 · התשובה אמורה לכלול '900' | turn 1 · reply: reply should contain "
                "'900', got 'לפי המסמכים שלנו: 1,200 ₪'",
            ),
            Check("judge", "skip", 1, "הודעה 1 · שופט grounded דולג | turn 1 · judge: grounded skipped: no judge"),
        ],
    )
    metrics = {
        "scenarios": 2,
        "runs": 2,
        "passed": 1,
        "pass_rate": 0.5,
        "intent_accuracy": 1.0,
        "slot_precision": 1.0,
        "slot_recall": 1.0,
        "job_precision": 1.0,
        "job_recall": 1.0,
        "handoff_rate": 0.0,
        "grounded_answer_rate": 1.0,
        "latency_ms": {"p50": 137.5, "p95": 175.8},
        "turn_latencies_ms": [180.0, 95.0, 120.0, 133.0, 150.0],
        "tokens_per_conversation": 0.0,
        "cost_per_conversation_usd": 0.0,
        "cost_total_usd": 0.0,
        "personal_data_leaks": 0,
        "answer_modes": {"extractive": 1, "template": 1},
        "per_category": {
            "lead_capture": {"runs": 1, "passed": 1, "pass_rate": 1.0},
            "prices": {"runs": 1, "passed": 0, "pass_rate": 0.0},
        },
        "per_scenario": {
            "lead-one-message": {
                "title": lead.title,
                "category": "lead_capture",
                "runs": 1,
                "passed": 1,
                "pass_rate": 1.0,
            },
            "price-whitening": {"title": price.title, "category": "prices", "runs": 1, "passed": 0, "pass_rate": 0.0},
        },
    }
    info = {
        "answer_mode_note": "no model wrote an answer: answers quote the documents (extractive mode)",
        "providers": {},
        "provider_problems": {},
        "judge": "not used",
        "sandbox": {"whatsapp_sent": 2},
    }
    return SuiteRun(
        "clinic",
        3,
        "a" * 64,
        4,
        "b" * 64,
        1,
        [lead, price],
        metrics,
        ["שיעור הצלחה 50.0% < 90.0% | pass rate 50.0% < 90.0% (min_pass_rate)"],
        info,
        run_id="c" * 32,
        started_at="2026-11-22T10:00:00+00:00",
    )


def test_report_is_rtl_self_contained_and_escaped(tmp_path):
    html = render_html(sample_run())
    assert html.startswith('<!DOCTYPE html>\n<html lang="he" dir="rtl">')
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.search(r"<(script|link|img)\b", html) and "src=" not in html
    assert html.count("<svg") == 3  # pass rate per category, latency histogram, cost
    assert 'class="scenario failed"' in html and "reply should contain" in html and "דולג:" in html
    assert "<bdi>clinic</bdi>" in html and '<div class="bubble user" dir="auto">' in html
    paths = write_reports(sample_run(), tmp_path)
    assert set(paths) == {"json", "junit", "html"}
    assert json.loads(Path(paths["json"]).read_text(encoding="utf-8"))["passed"] is False


PROBE = """<script>
document.addEventListener('DOMContentLoaded', () => {
  const style = (selector) => getComputedStyle(document.querySelector(selector)).direction;
  const range = document.createRange();
  range.selectNodeContents(document.querySelector('h1'));
  const h1 = range.getBoundingClientRect();  // the text itself, not the block
  const probe = document.createElement('pre');
  probe.id = 'probe';
  probe.textContent = JSON.stringify({
    body: getComputedStyle(document.body).direction,
    latin_bubble: style('#s-price-whitening .bubble.user'),
    hebrew_bubble: style('#s-lead-one-message .bubble.user'),
    code: style('code'),
    h1_gap_right: Math.round(window.innerWidth - h1.right),
    h1_gap_left: Math.round(h1.left),
  });
  document.body.appendChild(probe);
});
</script>"""


def chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    base = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={cwd / 'profile'}",
        "--window-size=1280,1800",
    ]
    return subprocess.run([*base, *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd)


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install -y chromium)")
def test_chromium_renders_the_report_right_to_left(tmp_path):
    html = render_html(sample_run())
    report = tmp_path / "report.html"
    report.write_text(html, encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(html.replace("</body>", PROBE + "\n</body>"), encoding="utf-8")
    dumped = chromium("--dump-dom", probed.as_uri(), cwd=tmp_path)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    match = re.search(r'<pre id="probe">(.*?)</pre>', dumped.stdout)
    assert match, dumped.stdout[-2000:]
    found = json.loads(match.group(1).replace("&quot;", '"'))
    assert found["body"] == "rtl"
    assert found["hebrew_bubble"] == "rtl" and found["latin_bubble"] == "ltr"  # dir="auto" follows the first letter
    assert found["code"] == "ltr"
    assert found["h1_gap_right"] < 60 < found["h1_gap_left"]  # the title's text sits on the right
    shot = tmp_path / "report.png"
    taken = chromium(f"--screenshot={shot}", report.as_uri(), cwd=tmp_path)
    assert taken.returncode == 0 and shot.stat().st_size > 10_000, taken.stderr[-2000:]
    keep = os.environ.get("SOCHEN_EVAL_SCREENSHOT")
    if keep:  # for a person to look at: SOCHEN_EVAL_SCREENSHOT=/tmp/report.png pytest -m slow ...
        shutil.copy(shot, keep)
