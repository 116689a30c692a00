"""The embedded mode's worker process: turns and jobs beside the server, the store served to it.

A real child process (``python -m sochen.api.worker_process``) runs a conversation turn that
retrieves from a document the *server* ingested (the embedded Qdrant Edge shard opens in one
process only, so the child reaches it through the store host), and its reply reaches the fake
Graph API once. A killed child is replaced and the next message is answered.
"""

from __future__ import annotations

import json
import multiprocessing.connection
import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from sqlalchemy import select

from sochen.api.worker_process import ProcessQueue
from sochen.config import get_settings
from sochen.connectors.testing.fakes import FakeGraphApi
from sochen.db.models_outbox import Job
from sochen.db.session import session_scope
from sochen.rag.edge_store import EdgeStore
from sochen.rag.store_host import RemoteStore, StoreHost

from ._support import apply_tenant, event_rows, text_message, wa_headers
from .conftest import api_settings
from .test_v1_auth_jobs import bearer, make_key

pytestmark = pytest.mark.unit

PHONE_ID = "277321005464405"
HOURS_MD = """# שעות הפעילות של המרפאה

המרפאה פתוחה בימים ראשון עד חמישי בין השעות 08:00 ל-19:00.
ביום שישי המרפאה סגורה, ובערבי חג נסגרים בשעה 13:00.
"""


def fresh_message(message_id: str, text: str) -> bytes:
    """A signed-fixture text message sent just now (inside the 24-hour window)."""
    payload = json.loads(text_message(message_id, text=text))
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(int(time.time()))
    return json.dumps(payload, ensure_ascii=False).encode()


def _wait(check: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


@pytest.fixture
def graph() -> Iterator[FakeGraphApi]:
    fake = FakeGraphApi(phone_number_id=PHONE_ID, access_token="EAAG-test-token").start()
    try:
        yield fake
    finally:
        fake.stop()


def test_store_host_answers_the_store_interface_and_nothing_else(tmp_path):
    store = EdgeStore(tmp_path / "qdrant")
    store.ensure_collection("t_docs", 4, with_sparse=True)
    vectors = np.eye(4, dtype=np.float32)
    a, b, c, d = (str(uuid.UUID(int=i + 1)) for i in range(4))
    store.upsert(
        "t_docs",
        ids=[a, b, c, d],
        vectors=vectors,
        document_ids=[f"doc-{i}" for i in range(4)],
        sparse=[([1], [1.0]), ([2], [1.0]), ([3], [1.0]), ([4], [1.0])],
    )
    host = StoreHost(store, tmp_path / "run").start()
    try:
        assert oct(os.stat(host.address).st_mode & 0o777) == "0o600"
        remote = RemoteStore(host.address, host.authkey)
        assert remote.kind == store.kind and remote.filters_in_engine is True and remote.is_server is False
        query = np.array([0.0, 1.0, 0.1, 0.0], dtype=np.float32)
        assert remote.dense_search("t_docs", query, 2) == store.dense_search("t_docs", query, 2)
        assert remote.dense_search("t_docs", query, 2, document_ids=["doc-3"])[0][0] == d
        assert remote.sparse_search("t_docs", ([3], [1.0]), 1) == [
            (c, pytest.approx(store.sparse_search("t_docs", ([3], [1.0]), 1)[0][1]))
        ]
        with pytest.raises(AttributeError):
            remote._shards  # noqa: B018 - only the store interface is forwarded
        # A raw request for anything else is refused by the host, and the connection stays usable.
        conn = multiprocessing.connection.Client(host.address, family="AF_UNIX", authkey=host.authkey)
        conn.send(("__init__", (), {}))
        ok, error = conn.recv()
        assert ok is False and "does not serve" in str(error)
        conn.send(("collections", (), {}))
        assert conn.recv() == (True, ["t_docs"])
        conn.close()
        # An error inside the store reaches the caller as the same exception.
        wrong = np.zeros(7, dtype=np.float32)
        with pytest.raises(Exception) as local:  # whatever the engine raises, the caller gets
            store.dense_search("t_docs", wrong, 1)
        with pytest.raises(local.type, match=str(local.value)[:40].replace("(", r"\(").replace(")", r"\)")):
            remote.dense_search("t_docs", wrong, 1)
        # A caller without the secret is not served.
        with pytest.raises(multiprocessing.AuthenticationError):
            multiprocessing.connection.Client(host.address, family="AF_UNIX", authkey=b"not-the-secret")
    finally:
        host.stop()
    assert not os.path.exists(host.address)


def test_a_turn_in_the_worker_process_answers_from_the_servers_store(make_client, db_url, graph, monkeypatch):
    extra = f'    graph_url: "{graph.url}"\n'
    connectors = (
        "connectors:\n  whatsapp:\n"
        f'    phone_number_id: "{PHONE_ID}"\n'
        "    access_token_env: WA_ACCESS_TOKEN\n    app_secret_env: WA_APP_SECRET\n"
        "    verify_token_env: WA_VERIFY_TOKEN\n" + extra
    )
    apply_tenant(db_url, "wk", connectors=False, extra=connectors)
    client = make_client(api=api_settings(embedded_worker="process"))
    state = client.app.state.sochen
    queue = state.queue
    assert isinstance(queue, ProcessQueue) and queue.process is not None
    first_pid = queue.process.pid
    _, admin = make_key(db_url, None)
    uploaded = client.post("/v1/wk/documents", headers=bearer(admin), files={"file": ("hours.md", HOURS_MD.encode())})
    assert uploaded.status_code == 201, uploaded.text

    body = fresh_message("wamid.proc-1", "מה שעות הפעילות של המרפאה ביום שישי?")
    ack = client.post("/webhooks/whatsapp/wk", content=body, headers=wa_headers(body))
    assert ack.status_code == 200
    if not _wait(lambda: len(graph.sent) >= 1):
        with session_scope(db_url) as session:
            jobs = [(j.action, j.status, j.last_error, j.next_attempt_at) for j in session.scalars(select(Job))]
        pytest.fail(f"the worker process sent no reply: {jobs} {graph.exchanges}")
    assert queue.join(timeout=60)
    [row] = event_rows(db_url)
    assert row.status == "processed"
    [sent] = graph.sent
    reply = sent["text"]["body"]
    assert "סגורה" in reply, reply  # quoted from the document the server ingested
    assert 'sochen_turns_total{outcome="ok"} 1.0' in client.get("/metrics").text

    # The child is killed mid-life: another takes its place and the next message is answered.
    os.kill(first_pid, signal.SIGKILL)
    assert _wait(lambda: queue.process is not None and queue.process.pid != first_pid, 30)
    body = fresh_message("wamid.proc-2", "האם המרפאה פתוחה ביום ראשון?")
    assert client.post("/webhooks/whatsapp/wk", content=body, headers=wa_headers(body)).status_code == 200
    assert _wait(lambda: len(graph.sent) >= 2)
    assert queue.join(timeout=60)
    with session_scope(db_url) as session:
        sends = list(session.scalars(select(Job).where(Job.action == "whatsapp.send_message")))
    assert len(sends) == 2 and all(j.status == "succeeded" for j in sends)
    assert len(graph.sent) == 2  # exactly once each


def test_stopping_the_app_ends_the_child_and_removes_the_socket(make_client, db_url):
    client = make_client(api=api_settings(embedded_worker="process"))
    queue = client.app.state.sochen.queue
    assert isinstance(queue, ProcessQueue)
    process, address = queue.process, queue._host.address
    assert process is not None and os.path.exists(address)
    client.__exit__(None, None, None)
    assert process.poll() is not None and not os.path.exists(address)
    assert get_settings().home.exists()


def test_the_server_that_hosts_the_workers_store_switches_threads_often_without_a_journal(make_client, db_url):
    """The store served to the worker process runs in this process's threads, on the webhooks' GIL.

    Without the journal (PostgreSQL's default) the short switch interval used to be skipped, and each
    store call could hold an acknowledgement for whole 5 ms slices (ack p99 24-47 ms at 200 msg/s).
    """
    import sys

    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    try:
        client = make_client(api=api_settings(embedded_worker="process", inbound_journal="off"))
        state = client.app.state.sochen
        assert isinstance(state.queue, ProcessQueue) and state.journal is None
        assert sys.getswitchinterval() == pytest.approx(0.001)
    finally:
        sys.setswitchinterval(before)
