"""A second channel is a plugin: installed as its own distribution, no core edit, the whole journey works.

The plugin is a real distribution on ``sys.path`` (a ``.dist-info`` with its entry point), built on the
conformance kit's :class:`~sochen.connectors.testing.channel.MinimalChannel`. A signed delivery reaches
``/webhooks/testchat/{tenant}``, becomes a durable inbound job, a turn of the real agent, and the reply
leaves through ``testchat.send_message`` run by the dispatcher; a person's reply takes the same path,
and a delivery status moves that reply forward.
"""

from __future__ import annotations

import json
import sys
import textwrap

import pytest
from sqlalchemy import select

from sochen.config import get_settings
from sochen.connectors.channel import is_channel
from sochen.connectors.registry import load_connector
from sochen.connectors.testing.channel import SIGNATURE_HEADER, MinimalChannel, sign
from sochen.db.models_outbox import Job
from sochen.db.session import session_scope
from sochen.workflows.channels import is_channel_name

from ._support import apply_tenant, event_rows

pytestmark = pytest.mark.unit

SECRET = "testchat-secret-0001"


@pytest.fixture
def testchat_plugin(tmp_path, monkeypatch):
    """Install the plugin distribution 'sochen-testchat' (entry point testchat) on sys.path."""
    root = tmp_path / "site"
    package = root / "sochen_testchat"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        textwrap.dedent(
            '''
            from sochen.connectors.testing.channel import MinimalChannel


            class TestchatConnector(MinimalChannel):
                """A web-chat-like channel, as a third party would ship it."""

                name = "testchat"
                title = "Test chat"
            '''
        ),
        encoding="utf-8",
    )
    info = root / "sochen_testchat-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: sochen-testchat\nVersion: 0.1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[sochen.connectors]\ntestchat = sochen_testchat:TestchatConnector\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.setenv("TESTCHAT_SECRET", SECRET)
    is_channel_name.cache_clear()
    MinimalChannel.outbox.clear()
    yield
    is_channel_name.cache_clear()
    MinimalChannel.outbox.clear()
    sys.modules.pop("sochen_testchat", None)


def deliver(client, body: dict) -> dict:
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(SECRET, raw)}
    response = client.post("/webhooks/testchat/shop", content=raw, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_plugin_channel_carries_a_whole_conversation(testchat_plugin, make_client, db_url):
    from sochen.workflows.conversations import conversation_id_for, reply_as_person

    info = load_connector("testchat")
    assert info.distribution == "sochen-testchat" and is_channel(info.cls)
    apply_tenant(db_url, "shop", connectors=False, extra="connectors:\n  testchat: {secret_env: TESTCHAT_SECRET}\n")
    client = make_client()
    state = client.app.state.sochen
    ack = deliver(client, {"messages": [{"id": "m-1", "from": "visitor-7", "text": "שלום, מה שעות הפתיחה?"}]})
    assert ack["new"] == 1
    assert state.queue.join(timeout=60)
    [row] = event_rows(db_url)
    assert row.status == "processed"
    with session_scope(db_url) as session:
        sends = list(session.scalars(select(Job).where(Job.action == "testchat.send_message")))
    assert len(sends) == 1 and sends[0].params["to"] == "visitor-7"
    state.job_worker.publish([sends[0].id])
    _wait(lambda: len(MinimalChannel.outbox) == 1)
    [reply] = MinimalChannel.outbox
    assert reply["to"] == "visitor-7" and reply["text"]
    # The same delivery again: nothing new is answered.
    assert (
        deliver(client, {"messages": [{"id": "m-1", "from": "visitor-7", "text": "שלום, מה שעות הפתיחה?"}]})["new"] == 0
    )

    # A person answers from the inbox: the same outbound path, the conversation's own channel.
    conversation = conversation_id_for("shop", "testchat", "visitor-7")
    job_id = reply_as_person(get_settings(), "shop", conversation, "כאן דנה מהצוות, אשמח לעזור 🙂", author="דנה")
    state.job_worker.publish([job_id])
    _wait(lambda: len(MinimalChannel.outbox) == 2)
    assert MinimalChannel.outbox[1]["text"].startswith("כאן דנה") and MinimalChannel.outbox[1]["to"] == "visitor-7"

    # The channel reports the person's reply delivered: its job's delivery state moves forward.
    deliver(client, {"statuses": [{"id": MinimalChannel.outbox[1]["id"], "status": "delivered"}]})
    assert state.queue.join(timeout=30)
    with session_scope(db_url) as session:
        job = session.get(Job, job_id)
        assert (job.status, job.delivery_status) == ("succeeded", "delivered")


def _wait(condition, timeout: float = 30.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
