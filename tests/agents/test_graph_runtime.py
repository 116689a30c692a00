"""What a turn costs around the graph: no thread started per run, no fsync per checkpoint (embedded)."""

from __future__ import annotations

import threading
from typing import Any, TypedDict

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

from sochen.agents.graph import checkpointer_for
from sochen.config import get_settings

pytestmark = pytest.mark.unit


class _State(TypedDict, total=False):
    n: int


def _step(state: _State) -> dict[str, Any]:
    return {"n": state.get("n", 0) + 1}


def _graph() -> Any:
    graph = StateGraph(_State)
    graph.add_node("step", _step)
    graph.add_edge(START, "step")
    graph.add_edge("step", END)
    return graph.compile(checkpointer=InMemorySaver())


def _pool_threads() -> set[int]:
    return {t.ident or 0 for t in threading.enumerate() if t.name.startswith("sochen-graph")}


def test_runs_on_one_thread_reuse_one_background_pool_and_still_save_every_checkpoint() -> None:
    import sochen.agents.graph  # noqa: F401  (installs the reused executor)

    graph = _graph()
    config = {"configurable": {"thread_id": "t-1"}}
    graph.invoke({"n": 0}, config=config, durability="exit")
    first = _pool_threads()
    assert first, "the checkpoint save ran on a pool of this thread"
    for _ in range(5):
        graph.invoke({"n": 0}, config=config, durability="exit")
    assert _pool_threads() == first  # no thread started per run
    history = list(graph.get_state_history(config))
    assert len(history) >= 6 and graph.get_state(config).values["n"] == 1  # each run's checkpoint was saved


def test_a_run_inside_a_run_gets_a_pool_of_its_own() -> None:
    inner = _graph()

    def outer_step(state: _State) -> dict[str, Any]:
        done = inner.invoke({"n": 10}, config={"configurable": {"thread_id": "inner"}}, durability="exit")
        return {"n": done["n"]}

    graph = StateGraph(_State)
    graph.add_node("outer", outer_step)
    graph.add_edge(START, "outer")
    graph.add_edge("outer", END)
    outer = graph.compile(checkpointer=InMemorySaver())
    assert outer.invoke({"n": 0}, config={"configurable": {"thread_id": "outer"}}, durability="exit")["n"] == 11


def test_the_embedded_checkpoint_file_commits_without_an_fsync_like_the_database(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOCHEN_DATABASE_URL", f"sqlite:///{(tmp_path / 'sochen.db').as_posix()}")
    from sochen.agents.graph import forget_checkpointer
    from sochen.config import reset_settings

    reset_settings()
    settings = get_settings()
    saver = checkpointer_for(settings)
    try:
        assert saver.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL (FULL is 2)
        assert saver.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        forget_checkpointer(settings.database_url)
        reset_settings()
