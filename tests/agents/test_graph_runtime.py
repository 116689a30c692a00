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
