from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.rag.samples import LEASE_MD, PRICES_MD


@pytest.fixture
def make_tenant(any_database_url: str) -> Callable[..., str]:
    """Store a tenant configuration version directly (as `sochen tenant apply` does)."""
    from sochen.config import parse_tenant_yaml
    from sochen.db.migrate import upgrade
    from sochen.db.session import session_scope
    from sochen.db.tenants import store_version

    upgrade(any_database_url)

    def make(slug: str, extra_yaml: str = "") -> str:
        text = f"slug: {slug}\nname: דייר {slug}\n{extra_yaml}"
        cfg = parse_tenant_yaml(text)
        with session_scope(any_database_url) as session:
            store_version(
                session,
                slug=slug,
                name=cfg.name,
                config=cfg.model_dump(mode="json"),
                digest=cfg.digest(),
                source_text=text,
                source_path=None,
            )
        return slug

    return make


@pytest.fixture
def retriever(any_database_url: str):
    from sochen.config import get_settings
    from sochen.rag.retriever import Retriever

    return Retriever(get_settings())


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "lease.md").write_text(LEASE_MD, encoding="utf-8")
    (folder / "prices.md").write_text(PRICES_MD, encoding="utf-8")
    return folder


@pytest.fixture(params=["edge", "server"])
def any_store_retriever(request, any_database_url, tmp_path):
    """The embedded default (Qdrant Edge) and the server path (qdrant-client taking every server branch)."""
    from qdrant_client import QdrantClient

    from sochen.config import get_settings
    from sochen.rag.edge_store import EdgeStore
    from sochen.rag.retriever import Retriever
    from sochen.rag.store import VectorStore

    if request.param == "edge":
        retriever = Retriever(get_settings())
        assert isinstance(retriever.store, EdgeStore)
        yield retriever
        return
    client = QdrantClient(path=str(tmp_path / "qdrant-server-like"))
    store = VectorStore(get_settings(), client=client)
    store.is_server = True
    yield Retriever(get_settings(), store=store)
    client.close()
