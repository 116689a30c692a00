"""`sochen ask` end to end in hybrid mode, against loopback fakes of Ollama (local) and OpenAI (API).

The issue's definition of done: the clinic's price question runs on the local model (simple); a message
with a name and an ID number runs locally (sensitive), and when only the API is healthy it degrades —
never leaks; the law firm's comparison goes to the API (complex); `sochen usage` shows each reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sochen.cli import app
from sochen.llm.testing import FakeOllama, FakeOpenAI
from tests.rag.samples import LEASE_MD, PRICES_MD

runner = CliRunner()

NDA_MD = """# הסכם סודיות

5. תקופת הסודיות

5.1 חובת הסודיות לפי הסכם זה תחול במשך 3 שנים מיום מסירת המידע.

6. חריגים

6.1 מידע שהיה בידי הצד המקבל לפני מסירתו, והנציג מטעם החברה הוא עו"ד יוסי לוי, ת"ז 039337423.
"""
ENGAGEMENT_MD = """# הסכם התקשרות

8. סודיות

8.2 חובת הסודיות תחול במשך 5 שנים מתום ההתקשרות.
"""


def quoting_handler(needle: str):
    """A fake model that answers from the passage containing `needle`, quoting it exactly."""

    def handle(body: dict) -> str:
        user = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
        for block in re.split(r"\n\n(?=\[\d+\])", user.split("קטעים:", 1)[-1]):
            m = re.match(r"\s*\[(\d+)\][^\n]*\n(.*)", block, re.S)
            if m and needle in m.group(2):
                line = next(x for x in m.group(2).split("\n") if needle in x).strip()
                return json.dumps(
                    {
                        "found": True,
                        "answer": f"לפי המסמכים: {line}",
                        "citations": [{"n": int(m.group(1)), "quote": line}],
                    },
                    ensure_ascii=False,
                )
        return json.dumps({"found": False, "answer": "", "citations": []})

    return handle


@pytest.fixture
def fakes(monkeypatch):
    with FakeOllama(models=["qwen2.5:7b-instruct"]) as ollama, FakeOpenAI(models=["gpt-4o"]) as openai:
        monkeypatch.setenv("TEST_OPENAI_KEY", "sk-test-not-a-secret")
        yield ollama, openai


def write_tenant(folder: Path, slug: str, docs: dict[str, str], ollama: FakeOllama, openai: FakeOpenAI) -> Path:
    (folder / slug / "docs").mkdir(parents=True)
    for name, text in docs.items():
        (folder / slug / "docs" / name).write_text(text, encoding="utf-8")
    yaml = f"""slug: {slug}
name: דייר {slug}
knowledge:
  sources: [docs]
models:
  providers:
    local: {{kind: ollama, model: "qwen2.5:7b-instruct", locality: local, base_url: "{ollama.url}", timeout_s: 5}}
    cloud: {{kind: openai, model: gpt-4o, locality: api, base_url: "{openai.url}/v1", api_key_env: TEST_OPENAI_KEY, timeout_s: 5}}
  policy: {{mode: hybrid, local: [local], api: [cloud], complexity_threshold: 0.5, monthly_budget_usd: 100}}
"""
    path = folder / slug / "tenant.yaml"
    path.write_text(yaml, encoding="utf-8")
    for args in (["tenant", "apply", str(path)], ["ingest", "--tenant", slug]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    return path


def ask(slug: str, question: str) -> dict:
    result = runner.invoke(app, ["ask", "--tenant", slug, "--json", question])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_hybrid_routes_each_request_for_its_own_reason(fakes, tmp_path):
    ollama, openai = fakes
    write_tenant(tmp_path, "clinic", {"prices.md": PRICES_MD}, ollama, openai)
    write_tenant(
        tmp_path, "lawfirm", {"nda.md": NDA_MD, "engagement.md": ENGAGEMENT_MD, "lease.md": LEASE_MD}, ollama, openai
    )

    # 1. A simple question from the price list: the local model, grounded, cited.
    ollama.reply("הלבנת שיניים", handler=quoting_handler("1,200"))
    price = ask("clinic", "מה המחיר של הלבנת שיניים?")
    assert price["status"] == "answered", price
    assert price["route"]["route"] == "local" and price["route"]["reason"] == "simple_local"
    assert price["route"]["sensitive"] is False
    assert "1,200" in price["answer"] and price["citations"][0]["quote"]
    assert price["citations"][0]["title"] == "מחירון המרפאה"
    assert len(openai.chat_requests()) == 0

    # 2. Personal data: local, and the reason says why.
    ollama.reply("קוראים לי", handler=quoting_handler("שעות"))
    personal = ask("clinic", 'קוראים לי דנה כהן, ת"ז 039337423, אפשר תור?')
    assert personal["route"]["route"] == "local" and personal["route"]["reason"] == "sensitive_local"
    assert {"id_number", "name"} <= set(personal["route"]["sensitivity_types"])
    assert len(openai.chat_requests()) == 0

    # 3. The same message while the local model is down and the API is healthy: degrade, never leak.
    ollama.fail(503, times=20)
    down = ask("clinic", 'קוראים לי דנה כהן, ת"ז 039337423, אפשר תור?')
    assert down["status"] == "degraded" and down["handoff"] is True
    assert down["answer"] == "קיבלנו את פנייתך ונציג יחזור אליך בהקדם."
    assert len(openai.chat_requests()) == 0, "a sensitive request reached the API"

    # 4. A complex comparison at the law firm: the API — with personal data in the passages redacted.
    openai.reply("השווה", handler=quoting_handler("שנים"))
    compare = ask("lawfirm", "השווה את סעיפי הסודיות בהסכם ההתקשרות ובהסכם הסודיות ומצא סתירות")
    assert compare["route"]["route"] == "api" and compare["route"]["reason"] == "complex_api", compare
    assert compare["status"] == "answered"
    assert compare["usage"]["cost_usd"] > 0 and compare["usage"]["tokens_in"] > 0
    sent = json.dumps([r.body for r in openai.chat_requests()], ensure_ascii=False)
    assert "039337423" not in sent and "יוסי לוי" not in sent
    assert '[ת"ז]' in sent or '[ת\\"ז]' in sent

    # `sochen usage` shows each route with its reason, and no sensitive call to an API.
    clinic = json.loads(runner.invoke(app, ["usage", "--tenant", "clinic", "--json"]).output)
    assert {"simple_local", "sensitive_local"} <= set(clinic["reasons"])
    assert clinic["sensitive_calls_to_api"] == 0
    firm = json.loads(runner.invoke(app, ["usage", "--tenant", "lawfirm", "--json"]).output)
    assert "complex_api" in firm["reasons"] and firm["total_cost_usd"] > 0


def test_unanswerable_question_says_so(fakes, tmp_path):
    ollama, openai = fakes
    write_tenant(tmp_path, "clinic", {"prices.md": PRICES_MD}, ollama, openai)
    ollama.reply(".*", json={"found": False, "answer": "", "citations": []})
    result = ask("clinic", "מה שם הכלב של הרופא?")
    assert result["status"] == "not_found"
    assert result["citations"] == []
    assert "לא מצאתי" in result["answer"]


def test_citation_that_does_not_support_the_answer_is_withheld(fakes, tmp_path):
    ollama, openai = fakes
    write_tenant(tmp_path, "clinic", {"prices.md": PRICES_MD}, ollama, openai)
    ollama.reply(
        ".*", json={"found": True, "answer": "הלבנה עולה 99 ₪", "citations": [{"n": 1, "quote": "הלבנה ב-99 ₪"}]}
    )
    result = ask("clinic", "מה המחיר של הלבנת שיניים?")
    # The model's answer is withheld; in 'auto' the clause that answers is quoted instead, without a model.
    assert result["mode"] == "extractive"
    assert "99" not in result["answer"]
    assert result["citations"] and all("99" not in c["quote"] for c in result["citations"])


def test_model_free_ask_says_the_archive_does_not_answer_a_sensitive_question(tmp_path):
    # No model is configured and no conversation is behind `sochen ask`: the quote search on this machine was all
    # there was to try, and no person can come back to the asker. "A representative will get back to you" would be
    # untrue; the reply says the documents do not answer it. (In a conversation a person still takes it.)
    (tmp_path / "firm" / "docs").mkdir(parents=True)
    (tmp_path / "firm" / "docs" / "nda.md").write_text(NDA_MD, encoding="utf-8")
    path = tmp_path / "firm" / "tenant.yaml"
    path.write_text("slug: firm\nname: משרד לדוגמה\nknowledge:\n  sources: [docs]\n", encoding="utf-8")
    for args in (["tenant", "apply", str(path)], ["ingest", "--tenant", "firm"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    question = 'אני דנה כהן, ת"ז 039337423, ואני בהריון. מה ההסכם אומר על חופשת לידה?'
    result = ask("firm", question)
    assert result["route"]["sensitive"] is True, result["route"]
    assert result["status"] == "not_found" and result["handoff"] is False, result
    assert "לא מצאתי" in result["answer"] and "יחזור אליך" not in result["answer"]
    assert result["citations"] == []
    # A question the document answers is still quoted, sensitive or not.
    answered = ask("firm", "שמי דנה כהן, טלפון 052-6458123. כמה זמן חלה חובת הסודיות לפי הסכם הסודיות?")
    assert answered["status"] == "answered" and "3 שנים" in answered["answer"], answered
