"""The knowledge-base commands as a user runs them: apply, ingest, search (table, JSON, JSONL), docs."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sochen.cli import app
from tests.rag.samples import LEASE_MD, PRICES_MD

runner = CliRunner()


@pytest.fixture
def tenant_dir(tmp_path, any_database_url):
    folder = tmp_path / "firm"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "lease.md").write_text(LEASE_MD, encoding="utf-8")
    (folder / "docs" / "prices.md").write_text(PRICES_MD, encoding="utf-8")
    (folder / "tenant.yaml").write_text(
        "slug: firm\nname: משרד לדוגמה\nknowledge:\n  sources: [docs]\n", encoding="utf-8"
    )
    if any_database_url.startswith("postgresql"):  # production databases are migrated explicitly
        upgraded = runner.invoke(app, ["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
    return folder


def run(*args: str, input: str | None = None):
    result = runner.invoke(app, list(args), input=input)
    return result


def test_apply_ingest_search_json(tenant_dir, any_database_url):
    applied = run("tenant", "apply", str(tenant_dir / "tenant.yaml"), "--json")
    assert applied.exit_code == 0, applied.output
    assert json.loads(applied.output)["version"] == 1

    ingested = run("ingest", "--tenant", "firm", "--json")  # the tenant's knowledge.sources
    assert ingested.exit_code == 0, ingested.output
    report = json.loads(ingested.output)
    assert len(report["added"]) == 2 and report["chunks"] > 0

    found = run("search", "--tenant", "firm", "--top-k", "2", "--json", "כמה ערבות בנקאית צריך למסור?")
    assert found.exit_code == 0, found.output
    hits = json.loads(found.output)
    assert len(hits) == 2
    for key in ("text", "score", "document_id", "source", "title", "section", "page", "chunk_id"):
        assert key in hits[0]
    assert "15,000" in hits[0]["text"]
    assert hits[0]["title"] == "הסכם שכירות בלתי מוגנת"
    assert hits[0]["score"] >= hits[1]["score"]


def test_search_jsonl_answers_one_line_per_query(tenant_dir):
    run("tenant", "apply", str(tenant_dir / "tenant.yaml"))
    run("ingest", "--tenant", "firm")
    result = run("search", "--tenant", "firm", "--jsonl", "-k", "1", input="מחיר הלבנת שיניים\n\nערבות בנקאית\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.strip().split("\n")]
    assert len(lines) == 3
    assert "1,200" in lines[0][0]["text"]
    assert lines[1] == []
    assert "15,000" in lines[2][0]["text"]


def test_search_table_and_docs_commands(tenant_dir):
    run("tenant", "apply", str(tenant_dir / "tenant.yaml"))
    run("ingest", "--tenant", "firm", str(tenant_dir / "docs"), "--tag", "matter:7")
    table = run("search", "--tenant", "firm", "ערבות")
    assert table.exit_code == 0 and "הסכם שכירות" in table.output
    listed = json.loads(run("docs", "list", "--tenant", "firm", "--json").output)
    assert {d["title"] for d in listed} == {"הסכם שכירות בלתי מוגנת", "מחירון המרפאה"}
    assert all(d["tags"] == ["matter:7"] for d in listed)
    lease = next(d for d in listed if d["title"].startswith("הסכם"))
    deleted = run("docs", "delete", "--tenant", "firm", lease["document_id"])
    assert deleted.exit_code == 0
    assert len(json.loads(run("docs", "list", "--tenant", "firm", "--json").output)) == 1


def test_errors_are_clear(tenant_dir, tmp_path):
    missing = run("search", "--tenant", "nobody", "שאלה")
    assert missing.exit_code == 1 and "sochen tenant apply" in missing.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("slug: firm\nname: x\nknowlege: {}\n", encoding="utf-8")
    invalid = run("tenant", "apply", str(bad))
    assert invalid.exit_code == 2 and "did you mean `knowledge`" in invalid.output


def test_ingest_rebuild_switches_to_a_fresh_collection_and_refuses_paths(tenant_dir):
    run("tenant", "apply", str(tenant_dir / "tenant.yaml"))
    run("ingest", "--tenant", "firm")
    refused = run("ingest", "--tenant", "firm", "--rebuild", str(tenant_dir / "docs"))
    assert refused.exit_code == 1 and "--rebuild" in refused.output
    rebuilt = run("ingest", "--tenant", "firm", "--rebuild", "--json")
    assert rebuilt.exit_code == 0, rebuilt.output
    report = json.loads(rebuilt.output)
    assert (report["generation_before"], report["generation"]) == (0, 1) and report["chunks"] > 0
    found = run("search", "--tenant", "firm", "--top-k", "1", "--json", "כמה ערבות בנקאית צריך למסור?")
    assert "15,000" in json.loads(found.output)[0]["text"]
    plain = run("ingest", "--tenant", "firm", "--rebuild")
    assert plain.exit_code == 0 and "generation 1 → 2" in plain.output


def test_search_around_gives_each_hit_its_passage_with_cited_pieces(tenant_dir):
    run("tenant", "apply", str(tenant_dir / "tenant.yaml"))
    run("ingest", "--tenant", "firm")
    found = run("search", "--tenant", "firm", "-k", "1", "--around", "1", "--json", "כמה ערבות בנקאית צריך למסור?")
    assert found.exit_code == 0, found.output
    hit = json.loads(found.output)[0]
    passage = hit["passage"]
    assert hit["text"] in passage["text"] or passage["text"].startswith(hit["text"][:40])
    assert hit["chunk_id"] in [p["chunk_id"] for p in passage["pieces"]]
    assert all(p["section"] == hit["section"] and p["document_id"] == hit["document_id"] for p in passage["pieces"])
    table = run("search", "--tenant", "firm", "--around", "1", "ערבות")
    assert table.exit_code == 0 and "הסכם שכירות" in table.output
