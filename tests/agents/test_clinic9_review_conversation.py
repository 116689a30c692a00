"""A complaint with a return asked, in a conversation: handed to a person unless a return clause answers it."""

from __future__ import annotations

import pytest

from sochen.config import get_settings, parse_tenant_yaml
from sochen.db.migrate import upgrade
from sochen.db.session import session_scope
from sochen.db.tenants import store_version
from sochen.rag.ingest import ingest_paths
from sochen.rag.retriever import Retriever
from tests.agents.test_conversation_holds_up import SUNDAY, TENANT, Chat, types

SERVICES = """# השירותים שלנו

## טיפולים
הלבנת שיניים במרפאה — שעה וחצי, 1,200 ₪.
ניקוי אבנית — 45 דקות, 350 ₪.
"""
SERIES = """# מדיניות ביטולים והחזרים

## 6. החזרים על סדרות
6.1. סדרה שלא נוצלה במלואה — יוחזר לפי בקשה בכתב הסכום ששולם בניכוי מחירם של הטיפולים שבוצעו.
6.2. בקשת החזר על סדרה תוגש בתוך 18 חודשים מהטיפול הראשון בסדרה.
"""


def _clinic(tmp_path, docs: dict[str, str]):
    upgrade(get_settings().database_url)
    cfg = parse_tenant_yaml(TENANT)
    with session_scope(get_settings().database_url) as s:
        store_version(
            s, slug="clinic", name=cfg.name, config=cfg.model_dump(mode="json"), digest=cfg.digest(),
            source_text=TENANT, source_path=None,
        )  # fmt: skip
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    retriever = Retriever(get_settings())
    ingest_paths(retriever, "clinic", [folder])
    return retriever


@pytest.fixture
def forget():
    yield
    from sochen.agents.graph import forget_checkpointers

    forget_checkpointers()


def test_a_refund_asked_after_dissatisfaction_that_no_clause_answers_goes_to_a_person(tmp_path, forget):
    chat = Chat(_clinic(tmp_path, {"services.md": SERVICES}), "972520000901", start=SUNDAY)
    got = chat.say("עשיתי הלבנה לפני שבועיים ואני לא מרוצה מהתוצאה, אפשר לקבל החזר?")
    assert "handoff.requested" in types(got), got.reply
    assert got.outcome["events"][0]["payload"]["reason"] == "complaint"


def test_a_refund_of_a_series_that_a_clause_answers_is_answered(tmp_path, forget):
    chat = Chat(_clinic(tmp_path, {"services.md": SERVICES, "refunds.md": SERIES}), "972520000902", start=SUNDAY)
    got = chat.say("קניתי סדרה ואני לא מרוצה. אפשר לקבל החזר על סדרה שלא נוצלה במלואה?")
    assert "handoff.requested" not in types(got), got.reply
    assert "יוחזר" in got.reply or "בקשת החזר" in got.reply, got.reply
