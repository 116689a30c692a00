"""The conversation graph (LangGraph), checkpointed per conversation in the database.

    understand ─▶ guard + route ─┬─▶ retrieve ─▶ respond + conclude
         │                       └──────────────▶ respond + conclude
         └─▶ (a message already processed: end, its recorded outcome is replayed)

Steps that only hand their result to the next one share a graph node (``guard`` also plans the
turn, ``conclude`` also writes the reply): each super-step costs LangGraph's own bookkeeping, and
the state is checkpointed once, when the turn is done, so no one sees the state between them.

Checkpoints live in the embedded SQLite (``HOME/checkpoints.db``) or in PostgreSQL (LangGraph's
own checkpointer packages), encrypted with the data keys (:mod:`.checkpoints`), so a conversation
survives restarts and can be inspected with ``graph.get_state``. A turn runs through :func:`run_turn`
(one checkpoint when it is done, written in the caller's thread). The dependencies (tenant
configuration, retriever, providers) are the graph's runtime context: they are never checkpointed.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver, Checkpoint, create_checkpoint, empty_checkpoint
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from ..config import Settings
from . import nodes
from .checkpoints import EncryptingPostgresSaver, checkpoint_serde, sqlite_checkpoint_file
from .nodes import Deps
from .state import ConversationState

__all__ = [
    "Saved",
    "build_graph",
    "checkpointer_for",
    "forget_checkpointer",
    "forget_checkpointers",
    "graph_for",
    "run_turn",
    "saved_state",
]


def _understand(state: ConversationState, runtime: Runtime[Deps]) -> dict[str, Any]:
    return nodes.understand(state, runtime.context)


def _guard(state: ConversationState, runtime: Runtime[Deps]) -> dict[str, Any]:
    # The privacy guard, then the plan, which reads what the guard found (one node: see the module docstring).
    found = nodes.guard(state, runtime.context)
    planned = nodes.plan({**state, **found}, runtime.context)  # type: ignore[typeddict-item]
    return {**found, "outcome": {**(state.get("outcome") or {}), "plan": planned}}


def _retrieve(state: ConversationState, runtime: Runtime[Deps]) -> dict[str, Any]:
    return nodes.retrieve(state, runtime.context)


def _conclude(state: ConversationState, runtime: Runtime[Deps]) -> dict[str, Any]:
    # The reply for the plan, then the turn sealed with it (one node: see the module docstring).
    replied = nodes.respond(state, runtime.context, str((state.get("outcome") or {}).get("plan", "out_of_scope")))
    return {**replied, **nodes.conclude({**state, **replied}, runtime.context)}  # type: ignore[typeddict-item]


def _after_understand(state: ConversationState) -> str:
    # understand() put the recorded outcome back when this message was already processed: nothing to do.
    return END if (state.get("outcome") or {}).get("message_id") == state.get("message_id") else "guard"


def _after_guard(state: ConversationState) -> str:
    return "retrieve" if (state.get("outcome") or {}).get("plan") == "answer" else "conclude"


def build_graph(checkpointer: BaseCheckpointSaver[Any] | None) -> Any:
    """The compiled conversation graph."""
    graph = StateGraph(ConversationState, context_schema=Deps)
    graph.add_node("understand", _understand)
    graph.add_node("guard", _guard)
    graph.add_node("retrieve", _retrieve)
    graph.add_node("conclude", _conclude)
    graph.add_edge(START, "understand")
    graph.add_conditional_edges("understand", _after_understand, ["guard", END])
    graph.add_conditional_edges("guard", _after_guard, ["retrieve", "conclude"])
    graph.add_edge("retrieve", "conclude")
    graph.add_edge("conclude", END)
    return graph.compile(checkpointer=checkpointer)


_SAVERS: dict[str, BaseCheckpointSaver[Any]] = {}
_LOCK = threading.Lock()


def checkpointer_for(settings: Settings) -> BaseCheckpointSaver[Any]:
    """The process-wide checkpointer for the configured database (created, and set up, once)."""
    key = settings.database_url
    with _LOCK:
        saver = _SAVERS.get(key)
        if saver is not None:
            return saver
        if settings.is_sqlite:
            from langgraph.checkpoint.sqlite import SqliteSaver

            db_file = sqlite_checkpoint_file(settings)
            db_file.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(db_file), check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            # As the database beside it (db.session.sqlite_pragmas): a commit survives any process crash
            # without an fsync; Python's default (FULL) synced the file on every turn's checkpoint, a few
            # milliseconds each. Durability argument: docs/architecture.md, "The durable turn".
            conn.execute("PRAGMA synchronous=NORMAL")
            saver = SqliteSaver(conn, serde=checkpoint_serde())
        else:
            from psycopg import Connection
            from psycopg.rows import dict_row
            from sqlalchemy.engine import make_url

            url = make_url(settings.database_url).set(drivername="postgresql")
            conn_pg = Connection.connect(
                url.render_as_string(hide_password=False), autocommit=True, prepare_threshold=0, row_factory=dict_row
            )
            saver = EncryptingPostgresSaver(conn_pg)
        saver.setup()
        _SAVERS[key] = saver
        return saver


_GRAPHS: dict[str, Any] = {}
_STATE_KEYS = frozenset(ConversationState.__annotations__)


@dataclass(frozen=True)
class Saved:
    """A conversation's last checkpoint: its state values, and what the next checkpoint follows on."""

    values: dict[str, Any]
    checkpoint: Checkpoint | None = None
    step: int = -1


def saved_state(graph: Any, config: dict[str, Any]) -> Saved:
    """The conversation's state as its last checkpoint holds it (empty values for a new conversation).

    ``values`` is what ``graph.get_state(config).values`` returns for this graph, read straight from the
    checkpointer: without the next-step planning ``get_state`` does, which a turn does not need.
    """
    saved = graph.checkpointer.get_tuple(config)
    if saved is None:
        return Saved({})
    values = saved.checkpoint.get("channel_values") or {}
    state = {key: value for key, value in values.items() if key in _STATE_KEYS}
    return Saved(state, saved.checkpoint, int((saved.metadata or {}).get("step", -1) or 0))


def run_turn(graph: Any, config: dict[str, Any], saved: Saved, update: dict[str, Any], deps: Deps) -> dict[str, Any]:
    """Run one turn on the `saved` state with `update` applied; checkpoint its final state once, here.

    What ``graph.invoke(update, config, durability="exit")`` on the checkpointed graph does, in one
    respect stricter: the state is read from the last checkpoint, and one checkpoint is written when the
    turn is done, and none when it raises, so the whole turn runs again (LangGraph's loop saved the steps
    done before the failure, and the retry ran over them). The difference is where the checkpoint is
    written: LangGraph saves a checkpointed run's checkpoint from a thread pool it starts for every run;
    creating that thread and passing the GIL to it and back cost about 1 ms a turn on average and more in
    the slowest turns (``bench/turns.py``). Here the graph compiled without a checkpointer runs the turn in
    the caller's thread, and the turn's checkpoint is written through the same checkpointer (and the same
    encryption) in LangGraph's own format: a channel gets its next version when its value changed, and
    always when it holds a dict or a list (a node may have changed the saved object in place, which no
    comparison with it can see), so savers that store channels apart (PostgreSQL) write what changed.
    ``graph.get_state``, its history and ``graph.update_state`` (a person's take-over) read and extend
    these checkpoints as they do their own.
    """
    final: dict[str, Any] = _unsaved_graph().invoke({**saved.values, **update}, context=deps)
    _save(graph.checkpointer, config, saved, final)
    return final


@functools.cache
def _unsaved_graph() -> Any:
    """The conversation graph compiled without a checkpointer (see :func:`run_turn`), built once."""
    return build_graph(None)


def _save(saver: BaseCheckpointSaver[Any], config: dict[str, Any], saved: Saved, final: dict[str, Any]) -> None:
    previous = saved.checkpoint
    versions = dict(previous["channel_versions"]) if previous is not None else {}
    changed: dict[str, Any] = {}
    for key, value in final.items():
        if key not in versions or key not in saved.values or _may_differ(saved.values[key], value):
            changed[key] = versions[key] = saver.get_next_version(versions.get(key), None)
    step = saved.step + 1
    base = empty_checkpoint()
    base.update(
        channel_values={key: value for key, value in final.items() if key in versions},
        channel_versions=versions,
        versions_seen={k: dict(v) for k, v in (previous or base)["versions_seen"].items()},
    )
    checkpoint = create_checkpoint(base, None, step)
    checkpoint["updated_channels"] = sorted(changed)
    parent = {"configurable": {**config["configurable"], "checkpoint_ns": ""}}
    if previous is not None:
        parent["configurable"]["checkpoint_id"] = previous["id"]
    saver.put(parent, checkpoint, {"source": "loop", "step": step, "parents": {}}, changed)


def _may_differ(before: Any, after: Any) -> bool:
    if isinstance(after, (dict, list, set, tuple)) or isinstance(before, (dict, list, set, tuple)):
        return True  # possibly the same object, changed in place by a node
    return type(before) is not type(after) or before != after


def graph_for(settings: Settings) -> Any:
    """The compiled graph on the configured database's checkpointer (compiled once per process)."""
    saver = checkpointer_for(settings)
    with _LOCK:
        graph = _GRAPHS.get(settings.database_url)
        if graph is None:
            graph = _GRAPHS[settings.database_url] = build_graph(saver)
        return graph


def forget_checkpointer(database_url: str) -> None:
    """Close and drop the checkpointer and compiled graph of one database (e.g. a finished eval sandbox)."""
    with _LOCK:
        saver = _SAVERS.pop(database_url, None)
        _GRAPHS.pop(database_url, None)
    _close(saver)


def forget_checkpointers() -> None:
    """Close and drop every cached checkpointer and graph (tests)."""
    with _LOCK:
        savers = list(_SAVERS.values())
        _SAVERS.clear()
        _GRAPHS.clear()
    for saver in savers:
        _close(saver)


def _close(saver: BaseCheckpointSaver[Any] | None) -> None:
    conn = getattr(saver, "conn", None)
    if conn is not None:
        with contextlib.suppress(Exception):  # closing is best effort
            conn.close()
