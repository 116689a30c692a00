"""Example tenants (examples/tenants/<name>) stored and ingested for a test: their own documents, no model."""

from __future__ import annotations

from pathlib import Path

from sochen.config import get_settings, parse_tenant_yaml
from sochen.db.migrate import upgrade
from sochen.db.session import session_scope
from sochen.db.tenants import store_version
from sochen.rag.ingest import ingest_paths
from sochen.rag.retriever import Retriever

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tenants"


def ingest_examples(database_url: str, *names: str) -> Retriever:
    """Store each example tenant's configuration and ingest its documents into `database_url`."""
    upgrade(database_url)
    retriever = Retriever(get_settings())
    for name in names:
        text = (EXAMPLES / name / "tenant.yaml").read_text(encoding="utf-8")
        cfg = parse_tenant_yaml(text)
        with session_scope(database_url) as s:
            store_version(
                s, slug=cfg.slug, name=cfg.name, config=cfg.model_dump(mode="json"), digest=cfg.digest(),
                source_text=text, source_path=None,
            )  # fmt: skip
        ingest_paths(retriever, cfg.slug, [EXAMPLES / name / "docs"])
    return retriever
