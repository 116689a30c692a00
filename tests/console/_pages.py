"""Tenants of the archive and owner page tests: the example law firm and the evals' small clinic.

- ``lawfirm``: ``examples/tenants/lawfirm`` as it is, with its models replaced by none (the ``model-free``
  preset: answers are extractive, quoted clauses; no model server is needed), and some of its documents.
- ``clinic``: the small clinic of ``tests/evals`` (prices document, a scenario suite that passes, and
  ``broken_yaml()``, a version whose suite fails the gate), so promotion can be refused and allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sochen.config import get_settings, load_tenant_file
from sochen.db.models import LlmCall
from sochen.db.session import session_scope
from sochen.db.tenants import store_version
from sochen.llm.presets import models_preset
from tests.conftest import EXAMPLES
from tests.evals.conftest import Clinic, make_clinic, tenant_yaml

__all__ = ["BROKEN_PDF", "LAWFIRM", "add_ledger_row", "apply_lawfirm", "broken_yaml", "make_world"]

LAWFIRM = EXAMPLES / "lawfirm"

BROKEN_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%% truncated: no xref, no trailer"
"""A PDF cut off after its first object: the loaders refuse it with a Hebrew reason."""


def apply_lawfirm(url: str, docs: Sequence[str] = ("fee_schedule.md",)) -> None:
    """Store the example law firm (no models) and ingest ``docs`` of its folder."""
    from sochen.rag.ingest import ingest_paths
    from sochen.rag.retriever import Retriever

    path = LAWFIRM / "tenant.yaml"
    loaded = load_tenant_file(path)
    cfg = loaded.config.model_copy(update={"models": models_preset("model-free")})
    with session_scope(url) as session:
        store_version(
            session,
            slug=cfg.slug,
            name=cfg.name,
            config=cfg.model_dump(mode="json"),
            digest=cfg.digest(),
            source_text=loaded.source_text,
            source_path=str(path.resolve()),
        )
    if docs:
        report = ingest_paths(Retriever(get_settings()), "lawfirm", [LAWFIRM / "docs" / d for d in docs])
        assert not report.failed, report.failed


def broken_yaml() -> str:
    """A clinic version that no longer knows its services: its lead scenarios fail, the gate refuses it."""
    return tenant_yaml().replace("  services: [הלבנת שיניים, ניקוי אבנית]\n", "  services: []\n")


def make_world(url: str, folder: Path, *, lawfirm_docs: Sequence[str] = ("fee_schedule.md",)) -> Clinic:
    """Migrate, then the clinic (version 1, not run yet) and the law firm; returns the clinic."""
    clinic = make_clinic(url, folder / "clinic")
    apply_lawfirm(url, lawfirm_docs)
    return clinic


def add_ledger_row(url: str, tenant: str, when: datetime, *, locality: str, cost: float, request: str) -> None:
    """One answered model request in the ledger (what :func:`sochen.llm.ledger.record` writes)."""
    with session_scope(url) as session:
        session.add(
            LlmCall(
                tenant_slug=tenant,
                request_id=request,
                provider="ollama-local" if locality == "local" else "openai",
                model="qwen2.5:14b-instruct" if locality == "local" else "gpt-4o",
                locality=locality,
                route=locality,
                reason_code="simple",
                reason="simple / פשוט",
                tokens_in=1000,
                tokens_out=200,
                cost_usd=cost,
                latency_ms=300.0,
                outcome="ok",
                created_at=when,
            )
        )
