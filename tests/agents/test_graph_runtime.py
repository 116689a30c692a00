"""What a turn costs around the graph: no fsync per checkpoint in the embedded checkpoint file."""

from __future__ import annotations

import pytest

from sochen.agents.graph import checkpointer_for
from sochen.config import get_settings

pytestmark = pytest.mark.unit


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


def test_a_turn_reads_the_saved_state_as_get_state_shows_it() -> None:
    # handle_message reads the state from the checkpointer (saved_state) rather than through
    # graph.get_state, which also plans the next step: both must see the same conversation.
    from langgraph.checkpoint.memory import InMemorySaver

    from sochen.agents.graph import build_graph, saved_state

    graph = build_graph(InMemorySaver())
    config = {"configurable": {"thread_id": "שיחה-1"}}
    assert saved_state(graph, config).values == {}
    values = {
        "tenant": "clinic",
        "text": "אפשר תור לניקוי אבנית ביום ג׳?",
        "slots": {"service": "ניקוי אבנית", "preferred_time": "יום ג׳ 10:00"},
        "status": "handoff",
        "processed": {"wamid.1": {"reply": "נציג יחזור אלייך"}},
        "turn": 3,
    }
    graph.update_state(config, values, as_node="conclude")
    assert saved_state(graph, config).values == graph.get_state(config).values == values
    graph.update_state(config, {"status": "active", "turn": 4}, as_node="conclude")
    assert (
        saved_state(graph, config).values == graph.get_state(config).values == {**values, "status": "active", "turn": 4}
    )


def test_a_state_object_changed_in_place_is_saved_on_every_saver(any_database_url) -> None:
    # run_turn hands the saved objects to the graph: a node that changes a dict in place and returns it
    # leaves the saved value equal to the final one. PostgreSQL stores each channel apart, by version, and
    # would keep loading the old one unless the channel gets its next version anyway.
    from sochen.agents.graph import Saved, _save, forget_checkpointers, saved_state
    from sochen.config import get_settings

    saver = checkpointer_for(get_settings())
    graph = type("G", (), {"checkpointer": saver})()
    config = {"configurable": {"thread_id": "שיחה-במקום"}}
    try:
        _save(saver, config, Saved({}), {"slots": {"service": "פיזיותרפיה"}, "turn": 1, "status": "active"})
        first = saved_state(graph, config)
        slots = first.values["slots"]
        slots["name"] = "דנה כהן"  # changed in place, as a careless node would
        _save(saver, config, first, {**first.values, "slots": slots, "turn": 2, "status": None})
        again = saved_state(graph, config)
        assert again.values == {"slots": {"service": "פיזיותרפיה", "name": "דנה כהן"}, "turn": 2, "status": None}
        _save(saver, config, again, {**again.values, "turn": 2.0})  # the same number, another type
        assert type(saved_state(graph, config).values["turn"]) is float
    finally:
        forget_checkpointers()
