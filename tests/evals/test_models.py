"""Model configurations in evals: compare (local, hybrid, API) on the model fakes, leak detection, the judge."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import sochen.cli.evals  # noqa: F401
from sochen.cli import app
from sochen.config import get_settings, parse_tenant_yaml
from sochen.db.models_evals import EvalRun
from sochen.db.session import session_scope
from sochen.evals import compare_configs, execute, run_suite
from sochen.evals.leaks import attribute_api_leaks
from sochen.evals.loading import load_files
from sochen.evals.records import ScenarioResult, TurnRecord
from sochen.llm.testing import FakeOllama, FakeOpenAI
from tests.agents.test_ask_routes import quoting_handler
from tests.evals.conftest import tenant_yaml

runner = CliRunner()

SUITE = """scenarios:
  - id: price
    title: מחיר הלבנה
    category: prices
    turns:
      - user: "מה המחיר של הלבנת שיניים?"
        expect: {reply: {contains: ["1,200"]}, cites: [{document: מחירון}]}
  - id: personal-question
    title: שאלה עם שם ותעודת זהות
    category: privacy
    turns:
      - user: 'קוראים לי דנה כהן, ת"ז 039337423, כמה עולה ניקוי אבנית?'
        expect: {sensitive: true, reply: {contains: ["350"]}}
  - id: human
    title: בקשה לנציג
    category: handoff
    turns:
      - user: "אני רוצה לדבר עם נציג"
        expect: {handoff: true}
"""


@pytest.fixture
def fakes(monkeypatch):
    with FakeOllama(models=["qwen2.5:7b-instruct"]) as ollama, FakeOpenAI(models=["gpt-4o"]) as openai:
        monkeypatch.setenv("TEST_OPENAI_KEY", "sk-test-not-a-secret")
        for fake in (ollama, openai):
            fake.reply("שאלה: [^\n]*הלבנת", handler=quoting_handler("1,200"))  # the question, not the passages
            fake.reply("שאלה: [^\n]*אבנית", handler=quoting_handler("350"))
        yield ollama, openai


def models(ollama: FakeOllama, openai: FakeOpenAI, mode: str) -> str:
    local = (
        f'    local: {{kind: ollama, model: "qwen2.5:7b-instruct", locality: local, base_url: "{ollama.url}", '
        "timeout_s: 5}\n"
    )
    cloud = (
        f'    cloud: {{kind: openai, model: gpt-4o, locality: api, base_url: "{openai.url}/v1", '
        "api_key_env: TEST_OPENAI_KEY, timeout_s: 5}\n"
    )
    policy = {
        "local": "{mode: local_only, local: [local]}",
        "hybrid": "{mode: hybrid, local: [local], api: [cloud], complexity_threshold: 0.5}",
        "api": "{mode: api_only, api: [cloud]}",
    }[mode]
    providers = {"local": local, "hybrid": local + cloud, "api": cloud}[mode]
    return f"models:\n  providers:\n{providers}  policy: {policy}\n"


def test_compare_all_local_hybrid_and_all_api(clinic, any_database_url, fakes, tmp_path):
    ollama, openai = fakes
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    scenarios = load_files([tmp_path / "suite.yaml"])
    variants = [
        (mode, parse_tenant_yaml(tenant_yaml(models=models(ollama, openai, mode))))
        for mode in ("local", "hybrid", "api")
    ]
    result = compare_configs(
        get_settings(), "clinic", variants, scenarios, api_fakes=[openai], report_dir=tmp_path / "cmp"
    )
    rows = {r["variant"]: r for r in result.rows()}
    assert rows["local"]["pass_rate"] == 1.0 and rows["hybrid"]["pass_rate"] == 1.0
    assert rows["local"]["cost_per_1000_conversations_usd"] == 0 and rows["local"]["routes"].get("api") is None
    assert rows["api"]["cost_per_1000_conversations_usd"] > 0 and rows["api"]["routes"]["api"] >= 1
    # All-API: no model may see the personal question. The writer's name and ID are not what it asks ('כמה עולה
    # ניקוי אבנית?'), so the price row is quoted from the documents on this machine, and no API is called for it.
    assert rows["api"]["pass_rate"] == 1.0
    personal = next(r for r in result.runs["api"].results if r.scenario_id == "personal-question")
    assert personal.turns[0].status == "active" and personal.turns[0].route_name == "none"
    assert personal.turns[0].reply_mode == "extractive" and "350" in (personal.turns[0].reply or "")
    assert personal.turns[0].route.get("reason", "").startswith("extractive_sensitive_local")
    assert all(r["personal_data_leaks"] == 0 for r in rows.values())
    assert "039337423" not in json.dumps([q.body for q in openai.chat_requests()], ensure_ascii=False)
    assert all(r["answer_modes"].get("generative") for r in rows.values())
    html = (tmp_path / "cmp" / "compare.html").read_text(encoding="utf-8")
    assert '<html lang="he" dir="rtl">' in html and html.count("<svg") == 2
    assert len(json.loads((tmp_path / "cmp" / "compare.json").read_text(encoding="utf-8"))["variants"]) == 3
    with session_scope(any_database_url) as s:  # experiments never count for the gate
        assert s.scalar(select(func.count()).select_from(EvalRun)) == 0

    for mode in ("local", "api"):
        (tmp_path / f"{mode}.yaml").write_text(tenant_yaml(models=models(ollama, openai, mode)), encoding="utf-8")
    out = runner.invoke(
        app,
        [
            "evals",
            "compare",
            "--tenant",
            "clinic",
            "--config",
            str(tmp_path / "local.yaml"),
            "--config",
            str(tmp_path / "api.yaml"),
            "--scenarios",
            str(tmp_path / "suite.yaml"),
            "--report-dir",
            str(tmp_path / "cli"),
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    shown = json.loads(out.output)
    assert [v["variant"] for v in shown["variants"]] == ["local", "api"]


def test_a_provider_marked_local_that_is_really_an_api_is_caught_on_the_wire(clinic, fakes, tmp_path):
    _, openai = fakes
    mislabelled = (
        f"models:\n  providers:\n    local: {{kind: openai, model: gpt-4o, locality: local, "
        f'base_url: "{openai.url}/v1", api_key_env: TEST_OPENAI_KEY, timeout_s: 5}}\n'
        "  policy: {mode: local_only, local: [local]}\n"
    )
    assert clinic.apply(tenant_yaml(models=mislabelled)) == 2
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    run = run_suite(
        get_settings(),
        "clinic",
        scenarios=load_files([tmp_path / "suite.yaml"]),
        api_fakes=[openai],
        report_dir=tmp_path / "r",
    )
    personal = next(r for r in run.results if r.scenario_id == "personal-question")
    failed = [c for c in personal.failures if c.kind == "privacy"]
    assert failed and "captured requests" in failed[0].message
    assert personal.turns[0].api_leaks and "id_number" in personal.turns[0].api_leaks[0]
    assert run.metrics["personal_data_leaks"] >= 1
    assert any("(max_personal_data_leaks)" in f for f in run.gate_failures)
    assert "מידע אישי נשלח לספק API" in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")


@pytest.mark.unit
def test_leak_attribution_matches_values_not_wording():
    turn = TurnRecord(n=1, user="שמי דנה כהן והטלפון שלי 050-1234567, מתי אתם פתוחים?")
    result = ScenarioResult("s", "t", "c", 1, turns=[turn])
    requests = [
        ("FakeOpenAI", {"messages": [{"role": "user", "content": "לקוח +972501234567 שואל על שעות"}]}),
        ("FakeOpenAI", {"messages": [{"role": "user", "content": "מה שעות הפעילות?"}]}),
        ("FakeOpenAI", {"messages": [{"role": "user", "content": 'התקשרו ל-052-9876543, ת"ז 039337423'}]}),
    ]
    assert attribute_api_leaks([result], requests) == 1  # the third carries someone's data, not this turn's
    assert turn.api_leaks == ["FakeOpenAI: phone"]


def test_judge_checks_run_on_the_local_model_or_are_skipped_with_the_reason(clinic, fakes, tmp_path):
    ollama, openai = fakes

    def verdict(body: dict) -> str:
        system = body["messages"][0]["content"]
        failing = "עונה על מה" in system  # the 'relevant' criterion
        return json.dumps(
            {"verdict": "fail" if failing else "pass", "reason": "לא רלוונטי" if failing else "תקין"},
            ensure_ascii=False,
        )

    ollama._rules.insert(0, type(ollama._rules[0])(r'^\{"message"', handler=verdict))  # judge requests first
    suite = SUITE.replace(
        'expect: {reply: {contains: ["1,200"]}, cites: [{document: מחירון}]}',
        'expect: {reply: {contains: ["1,200"]}, judge: [grounded, polite_hebrew, relevant]}',
    )
    (tmp_path / "suite.yaml").write_text(suite, encoding="utf-8")
    scenarios = load_files([tmp_path / "suite.yaml"])[:1]
    settings = get_settings()
    local = parse_tenant_yaml(tenant_yaml(models=models(ollama, openai, "local")))
    results, metrics, info = execute(settings, "clinic", local, scenarios)
    judged = [(c.status, c.message) for c in results[0].checks if c.kind == "judge"]
    assert [s for s, _ in judged] == ["pass", "pass", "fail"], judged
    assert "relevant: לא רלוונטי" in judged[2][1] and info["judge"].startswith("local (qwen2.5:7b-instruct, local)")

    unreachable = parse_tenant_yaml(
        tenant_yaml(
            models=models(ollama, openai, "local").replace(
                "  policy:",
                '    judge: {kind: ollama, model: judge, locality: local, base_url: "http://127.0.0.1:9", '
                "timeout_s: 2}\n  policy:",
            ),
            evals="evals: {judge: judge}\n",
        )
    )
    results, metrics, _ = execute(settings, "clinic", unreachable, scenarios)
    skipped = [c for c in results[0].checks if c.kind == "judge"]
    assert [c.status for c in skipped] == ["skip"] * 3 and "not reachable" in skipped[0].message
    assert results[0].passed and metrics["judge"] == {"pass": 0, "fail": 0, "skip": 3}

    no_models = parse_tenant_yaml(tenant_yaml())
    results, metrics, _ = execute(settings, "clinic", no_models, scenarios)
    assert {c.status for c in results[0].checks if c.kind == "judge"} == {"skip"}
    assert "no judge model" in next(c.message for c in results[0].checks if c.kind == "judge")


def test_each_turn_says_what_became_of_the_model_answer(clinic, fakes, tmp_path):
    ollama, openai = fakes
    honest = quoting_handler("1,200")

    def invents_a_price(body: dict) -> str:  # cites the right line, states another figure
        answer = json.loads(honest(body))
        return json.dumps({**answer, "answer": "הלבנה עולה ₪9,999"}, ensure_ascii=False)

    ollama.reply("שאלה: [^\n]*הלבנה אצלכם", handler=invents_a_price)
    suite = SUITE + (
        "  - id: invented\n    title: מחיר מומצא\n    category: prices\n    turns:\n"
        '      - user: "כמה עולה הלבנה אצלכם?"\n        expect: {reply: {contains: ["1,200"]}}\n'
    )
    (tmp_path / "suite.yaml").write_text(suite, encoding="utf-8")
    config = parse_tenant_yaml(tenant_yaml(models=models(ollama, openai, "local")))
    results, _, _ = execute(get_settings(), "clinic", config, load_files([tmp_path / "suite.yaml"]))
    turn = {r.scenario_id: r.turns[0] for r in results}
    assert turn["price"].reply_mode == "generative" and turn["price"].route["model_answer"] == "answered"
    invented = turn["invented"]
    assert invented.reply_mode == "extractive" and "9,999" not in (invented.reply or "")
    assert invented.route["model_answer"] == "ungrounded"  # rejected by verification, then quoted
    assert turn["human"].route.get("model_answer") is None  # no model was asked


@pytest.mark.unit
def test_the_business_own_terms_are_not_a_customers_leak():
    from sochen.privacy import BusinessTerms

    business = BusinessTerms(["נועה, העוזרת הדיגיטלית של המרפאה", "מרפאת שיניים ברחובות", 'ד"ר לוי, רופא שיניים'])
    mine = TurnRecord(n=1, user="הבת שלי נועה הייתה אצלכם אתמול, מה הרופא רשם לה בתיק?")
    other = TurnRecord(n=1, user="שמי דנה כהן, מתי אתם פתוחים?")
    results = [ScenarioResult("a", "t", "c", 1, turns=[mine]), ScenarioResult("b", "t", "c", 1, turns=[other])]
    persona_only = {
        "messages": [
            {"role": "system", "content": "את/ה נועה, העוזרת הדיגיטלית של המרפאה, מרפאת שיניים ברחובות."},
            {"role": "user", "content": 'קטעים:\n[1] ד"ר לוי מקבל בימים א-ה.\n\nשאלה: מה שעות הפעילות?'},
        ]
    }
    assert attribute_api_leaks(results, [("FakeOpenAI", persona_only)]) == 0
    assert mine.api_leaks  # without the tenant's terms the persona's name reads as the daughter's
    mine.api_leaks.clear()
    assert attribute_api_leaks(results, [("FakeOpenAI", persona_only)], business=business) == 0
    assert not mine.api_leaks and not other.api_leaks
    real = [
        ("FakeOpenAI", {"messages": [{"role": "user", "content": f"שאלה: {mine.user}"}]}),
        ("FakeOpenAI", {"messages": [{"role": "user", "content": "הלקוחה דנה כהן שואלת על שעות"}]}),
    ]
    attribute_api_leaks(results, real, business=business)
    assert mine.api_leaks and other.api_leaks == ["FakeOpenAI: name"]
