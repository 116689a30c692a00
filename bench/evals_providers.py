"""The same eval packs model-free, on the local model and on an API model, side by side.

    python bench/evals_providers.py [--columns model-free,local,api] [--tenants clinic,lawfirm,...]
                                    [--sample N | --per-file N] [--threads 1] [--timeout-s 300] [--label L]
    python bench/evals_providers.py --merge A.json B.json [--label L]   # one table from several runs

Each column replaces the tenant's ``models`` section exactly as ``sochen evals run --provider`` does
(:func:`sochen.llm.presets.models_preset`; never stored, never counted by the go-live gate):

- ``model-free`` — no provider: rules, extractive quotes and templates;
- ``local`` — the opt-in Qwen2.5-Coder-1.5B (Q4_K_M) in-process through xllamacpp on the CPU
  (``sochen models fetch qwen-1.5b`` first; it is never fetched here), ``--threads`` threads;
- ``api`` — gpt-4o-mini with ``OPENAI_API_KEY`` when it is set (and ``--fake-api`` is not given);
  otherwise the OpenAI-compatible fake the tests use (:class:`sochen.llm.testing.FakeOpenAI`) on
  loopback, labelled ``API: fake, no key``. The fake answers every grounded question by quoting the
  first words of the first passage it was sent, cited: it measures the API path's mechanics
  (redaction before the API, the ``api_only`` policy, verification), not any model's quality.

Tenants: the example tenants (clinic, lawfirm, realestate, renovate) and the blind ones (physio,
archive: measurement only — nothing is ever tuned on them), or any tenant by its YAML file in
``--tenants`` (named by its folder). ``--answer-mode`` replaces every tenant's ``agent.answer_mode``:
``auto`` asks the model first, ``extractive_first`` only where no clause answers.
``--sample N`` keeps the first N scenarios of every category of every scenario file, ``--per-file N``
the first N of every file (deterministic, stratified samples; the default runs everything). The local
model on one shared CPU core takes minutes per answered question, so its column runs on a sample;
``--merge`` puts runs with different samples in one table, and adds every column's figures on exactly the
local sample's scenarios. Judge checks are off in every column (model-free has no judge; a column must
not grade itself).

Per column: pass count/total, per-category figures, the reply modes of the turns (generative =
the model's verified answer; extractive / template = the model-free fallback), what became of each
answer the model was asked for (verified and shown, said "not found", rejected by verification, no
usable answer: error, timeout or invalid JSON), the model calls' outcomes, and latency per turn
(p50/p95; all turns, and turns that called a model). Everything runs in a scratch ``SOCHEN_HOME``;
the JSON goes to ``bench/results/evals_providers_<label>.json``. No message text is written.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TENANTS: dict[str, Path] = {
    "clinic": ROOT / "examples/tenants/clinic/tenant.yaml",
    "lawfirm": ROOT / "examples/tenants/lawfirm/tenant.yaml",
    "realestate": ROOT / "examples/tenants/realestate/tenant.yaml",
    "renovate": ROOT / "examples/tenants/renovate/tenant.yaml",
    "physio": ROOT / "examples/blind/physio/tenant.yaml",
    "archive": ROOT / "examples/blind/archive/tenant.yaml",
}
BLIND = {"physio", "archive"}
FAKE_KEY_ENV = "SOCHEN_BENCH_FAKE_OPENAI_KEY"
MODEL_ANSWER_KINDS = ("answered", "not_found", "ungrounded", "degraded")


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo), 1)


def sample_scenarios(paths: list[Path], n: int, per_file: int = 0) -> tuple[list[Any], list[str]]:
    """The first `n` scenarios of each category of each file (all when n == 0), or with `per_file` the
    first `per_file` scenarios of each file; and their ids."""
    from sochen.evals.loading import load_scenario_file

    chosen: list[Any] = []
    for path in paths:
        taken: Counter[str] = Counter()
        for i, scenario in enumerate(load_scenario_file(path)):
            if per_file:
                if i < per_file:
                    chosen.append(scenario)
            elif n == 0 or taken[scenario.category] < n:
                taken[scenario.category] += 1
                chosen.append(scenario)
    return chosen, [s.id for s in chosen]


def sample_rule(n: int, per_file: int) -> str:
    """The sample in words."""
    if per_file:
        return f"first {per_file} scenario(s) of every scenario file"
    if n:
        return f"first {n} scenario(s) of every category of every scenario file"
    return "all scenarios"


def quote_first_passage(body: dict[str, Any]) -> str:
    """The fake API's grounded answer: the first words of passage [1], cited (no model behind it)."""
    messages = body.get("messages") or []
    user = next((str(m.get("content", "")) for m in reversed(messages) if m.get("role") == "user"), "")
    found = re.search(r"^\[1\][^\n]*\n(.+?)(?:\n\n\[\d+\]|\n\nשאלה:|\Z)", user, re.S | re.M)
    quote = " ".join((found.group(1) if found else "").split()[:12])
    answer = {"found": bool(quote), "answer": quote, "citations": [{"n": 1, "quote": quote}] if quote else []}
    return json.dumps(answer, ensure_ascii=False)


def _short_rule(n: int, per_file: int) -> str:
    if per_file:
        return f"first {per_file}/file"
    return f"first {n}/category/file" if n else "all"


def column_models(column: str, args: argparse.Namespace, fake: Any) -> tuple[Any, str]:
    """The models section of a column and its label."""
    from sochen.config.sections.models import ModelsConfig
    from sochen.llm.presets import PRESETS, models_preset
    from sochen.llm.providers.registry import models_problems

    if column == "model-free":
        return models_preset("model-free"), "model-free"
    if column == "local":
        raw = json.loads(json.dumps(PRESETS["local-qwen"]))
        provider = raw["providers"]["local"]
        provider.update(threads=args.threads, timeout_s=args.timeout_s, temperature=0.0)
        models = ModelsConfig.model_validate(raw)
        problems = models_problems(models)
        if problems:
            raise SystemExit("; ".join(problems))
        return models, f"local: Qwen2.5-Coder-1.5B Q4_K_M, CPU, {args.threads} thread(s)"
    if column == "api":
        if fake is None:
            return models_preset("api"), "API: gpt-4o-mini"
        raw = json.loads(json.dumps(PRESETS["api"]))
        raw["providers"]["cloud"].update(base_url=fake.base_url, api_key_env=FAKE_KEY_ENV)
        models = ModelsConfig.model_validate(raw)
        return models, "API: fake, no key"
    raise SystemExit(f"unknown column {column!r} (model-free, local, api)")


def summarise(run: Any, scenario_ids: list[str]) -> dict[str, Any]:
    """The figures of one column on one tenant (no message text)."""
    results = run.results
    metrics = run.metrics
    modes: Counter[str] = Counter()
    model_answers: Counter[str] = Counter()
    rejections: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    tasks: Counter[str] = Counter()
    all_ms: list[float] = []
    model_ms: list[float] = []
    tokens_in = tokens_out = 0
    turns: list[dict[str, Any]] = []
    for result in results:
        for t in result.scored_turns:
            modes[t.reply_mode or "none"] += 1
            verdict = (t.route or {}).get("model_answer")
            if verdict:
                model_answers[verdict] += 1
            why = (t.route or {}).get("model_rejected")
            if why:
                rejections[why] += 1
            for row in t.llm:
                outcomes[str(row.get("outcome"))] += 1
                tasks[str(row.get("task"))] += 1
                tokens_in += int(row.get("tokens_in") or 0)
                tokens_out += int(row.get("tokens_out") or 0)
            if t.error is None and t.latency_ms > 0:
                all_ms.append(t.latency_ms)
                if t.llm:
                    model_ms.append(t.latency_ms)
            turns.append(
                {
                    "scenario": result.scenario_id,
                    "turn": t.n,
                    "passed": result.passed,
                    "reply_mode": t.reply_mode,
                    "model_answer": verdict,
                    "model_rejected": why or "",
                    "route_reason": (t.route or {}).get("reason"),
                    "llm": [
                        {k: row.get(k) for k in ("task", "outcome", "reason_code", "tokens_in", "tokens_out")}
                        | {"latency_ms": round(float(row.get("latency_ms") or 0), 1)}
                        for row in t.llm
                    ],
                    "latency_ms": round(t.latency_ms, 1),
                    "error": t.error,
                    "failed_checks": [c.kind for c in result.checks if c.status == "fail" and c.turn == t.n],
                }
            )
    return {
        "scenarios": len(scenario_ids),
        "passed": metrics["passed"],
        "runs": metrics["runs"],
        "pass_rate": metrics["pass_rate"],
        "per_category": metrics["per_category"],
        "per_scenario": {k: v["passed"] == v["runs"] for k, v in metrics["per_scenario"].items()},
        "errors": metrics["errors"],
        "reply_modes": dict(sorted(modes.items())),
        "model_answers": {k: model_answers.get(k, 0) for k in MODEL_ANSWER_KINDS},
        "model_rejections": dict(sorted(rejections.items())),
        "model_calls": dict(sorted(outcomes.items())),
        "model_tasks": dict(sorted(tasks.items())),
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
        "personal_data_leaks": metrics["personal_data_leaks"],
        "latency_ms": {"p50": _percentile(all_ms, 50), "p95": _percentile(all_ms, 95), "turns": len(all_ms)},
        "model_turn_latency_ms": {
            "p50": _percentile(model_ms, 50),
            "p95": _percentile(model_ms, 95),
            "turns": len(model_ms),
        },
        "providers": run.info.get("providers"),
        "provider_problems": run.info.get("provider_problems"),
        "turns": turns,
    }


def prepare(tenants: list[str], answer_mode: str = "") -> dict[str, tuple[Any, list[Path]]]:
    """Apply each tenant to the scratch home and ingest its documents; returns (loaded, scenario files).

    `answer_mode` replaces the tenant's ``agent.answer_mode`` (``auto``: the model first; ``extractive_first``:
    the model only where no clause answers); empty keeps the tenant's own.
    """
    from sochen.config import get_settings, load_tenant_file
    from sochen.db.migrate import upgrade
    from sochen.db.session import session_scope
    from sochen.db.tenants import store_version
    from sochen.evals.loading import suite_paths
    from sochen.rag.ingest import ingest_paths
    from sochen.rag.retriever import Retriever

    settings = get_settings()
    settings.ensure_home()
    upgrade(settings.database_url)
    retriever = Retriever(settings)
    out: dict[str, tuple[Any, list[Path]]] = {}
    for slug in tenants:
        path = TENANTS[slug]
        loaded = load_tenant_file(path)
        cfg = loaded.config
        if answer_mode:
            cfg = cfg.model_copy(update={"agent": cfg.agent.model_copy(update={"answer_mode": answer_mode})})
        with session_scope(settings.database_url) as session:
            store_version(
                session,
                slug=cfg.slug,
                name=cfg.name,
                config=cfg.model_dump(mode="json"),
                digest=cfg.digest(),
                source_text=path.read_text(encoding="utf-8"),
                source_path=str(path),
            )
        sources = [loaded.resolve(s) for s in cfg.knowledge.sources]
        report = ingest_paths(retriever, cfg.slug, sources)
        print(f"[{slug}] ingested: {report.chunks} chunks, {len(report.failed)} failed", file=sys.stderr)
        out[slug] = (loaded, suite_paths(loaded))
    return out


def run_columns(args: argparse.Namespace) -> dict[str, Any]:
    """Run every (column, tenant) and return the report."""
    home = Path(args.home or tempfile.mkdtemp(prefix="sochen-evals-providers-"))
    os.environ["SOCHEN_HOME"] = str(home)
    os.environ.setdefault("SOCHEN_LOG_LEVEL", "WARNING")
    import logging

    logging.basicConfig(level=logging.WARNING)
    for name in ("sochen.agents", "sochen.evals", "sochen.workflows", "sochen.rag", "sochen.privacy", "sochen.llm"):
        logging.getLogger(name).setLevel(logging.ERROR)

    from archive_ask import measured_commit  # bench/ is the script's own folder on sys.path

    from sochen.config import get_settings
    from sochen.evals import run_suite
    from sochen.llm.testing import FakeOpenAI

    tenants = []
    for t in (t.strip() for t in args.tenants.split(",")):
        if t.endswith((".yaml", ".yml")):  # any tenant by its file: named by its folder
            path = Path(t).resolve()
            TENANTS[path.parent.name] = path
            if "examples/blind/" in path.as_posix():
                BLIND.add(path.parent.name)
            t = path.parent.name
        if t:
            tenants.append(t)
    columns = [c.strip() for c in args.columns.split(",") if c.strip()]
    unknown = [t for t in tenants if t not in TENANTS]
    if unknown:
        raise SystemExit(f"unknown tenants {unknown} (known: {', '.join(TENANTS)})")
    prepared = prepare(tenants, args.answer_mode)
    settings = get_settings()
    fake = None
    if "api" in columns and (args.fake_api or not os.environ.get("OPENAI_API_KEY")):
        key = "sk-bench-fake"
        os.environ[FAKE_KEY_ENV] = key
        fake = FakeOpenAI(models=["gpt-4o-mini"], api_key=key)
        fake.reply(".", handler=quote_first_passage)
        fake.start()
    report: dict[str, Any] = {
        "label": args.label,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": {"cpus": os.cpu_count(), "load_1m": os.getloadavg()[0]},
        "sample": args.sample,
        "per_file": args.per_file,
        "sample_rule": sample_rule(args.sample, args.per_file),
        "judge": "off in every column",
        "answer_mode": args.answer_mode or "the tenant's own",
        "commit": measured_commit(),
        "columns": {},
    }
    try:
        for column in columns:
            models, title = column_models(column, args, fake)
            col: dict[str, Any] = {"title": title, "tenants": {}}
            report["columns"][column] = col
            for slug in tenants:
                loaded, paths = prepared[slug]
                scenarios, ids = sample_scenarios(paths, args.sample, args.per_file)
                started = time.perf_counter()
                run = run_suite(
                    settings,
                    loaded.config.slug,
                    scenarios=scenarios,
                    jobs=args.jobs,
                    judge=False,
                    models=models,
                    store=False,
                    api_fakes=[fake] if (fake is not None and column == "api") else (),
                    report_dir=home / "reports" / column / slug,
                )
                figures = summarise(run, ids)
                figures["wall_s"] = round(time.perf_counter() - started, 1)
                figures["blind"] = slug in BLIND
                figures["sample"] = _short_rule(args.sample, args.per_file)
                col["tenants"][slug] = figures
                print(
                    f"[{column}] {slug}: {figures['passed']}/{figures['runs']} in {figures['wall_s']}s; "
                    f"modes {figures['reply_modes']}; model answers {figures['model_answers']}",
                    file=sys.stderr,
                    flush=True,
                )
                if args.json_out:  # partial results survive an interrupted run
                    _write(report, args.json_out)
    finally:
        if fake is not None:
            fake.stop()
        from sochen.llm.providers.llamacpp import shutdown_servers

        shutdown_servers()
    report["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return report


def _write(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


def _on(figures: dict[str, Any], ids: set[str] | None) -> tuple[int, int]:
    if ids is None:
        return figures["passed"], figures["runs"]
    kept = {k: v for k, v in figures["per_scenario"].items() if k in ids}
    return sum(kept.values()), len(kept)


def table(reports: list[dict[str, Any]]) -> str:
    """A Markdown table: one row per tenant, one block per column; plus figures on the local column's sample."""
    columns: dict[str, dict[str, Any]] = {}
    for report in reports:
        for name, col in report["columns"].items():
            for f in col["tenants"].values():  # reports written before the sample was kept per tenant
                f.setdefault("sample", _short_rule(report.get("sample", 0), report.get("per_file", 0)))
            columns.setdefault(name, {"title": col["title"], "tenants": {}})["tenants"].update(col["tenants"])
    order = [c for c in ("model-free", "local", "api") if c in columns]
    tenants = [t for t in TENANTS if any(t in columns[c]["tenants"] for c in order)]
    lines = [
        "| column | sample | tenant | passed | reply modes (gen / extr / tmpl) | model answers "
        "(verified / not found / rejected / none) | model calls | turn p50 / p95 ms | model-turn p50 / p95 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in order:
        col = columns[c]
        for t in tenants:
            f = col["tenants"].get(t)
            if f is None:
                continue
            m = f["reply_modes"]
            a = f["model_answers"]
            lat, mlat = f["latency_ms"], f["model_turn_latency_ms"]
            name = f"{t} (blind)" if f.get("blind") else t
            lines.append(
                f"| {col['title']} | {f.get('sample', 'all')} | {name} | {f['passed']}/{f['runs']} | "
                f"{m.get('generative', 0)} / {m.get('extractive', 0)} / {m.get('template', 0)} | "
                f"{a['answered']} / {a['not_found']} / {a['ungrounded']} / {a['degraded']} | "
                f"{', '.join(f'{k} {v}' for k, v in f['model_calls'].items()) or '—'} | "
                f"{lat['p50']} / {lat['p95']} | {mlat['p50'] or '—'} / {mlat['p95'] or '—'} |"
            )
    if "local" in columns and any(f.get("sample") != "all" for f in columns["local"]["tenants"].values()):
        local_ids = {t: set(columns["local"]["tenants"][t]["per_scenario"]) for t in columns["local"]["tenants"]}
        lines += [
            "",
            "The same scenarios as the local column's sample, in every column:",
            "",
            "| tenant | " + " | ".join(columns[c]["title"] for c in order) + " |",
            "|---|" + "---|" * len(order),
        ]
        for t in tenants:
            if t not in local_ids:
                continue
            cells = []
            for c in order:
                f = columns[c]["tenants"].get(t)
                cells.append("—" if f is None else "{}/{}".format(*_on(f, local_ids[t])))
            lines.append(f"| {t}{' (blind)' if t in BLIND else ''} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def categories(reports: list[dict[str, Any]]) -> str:
    """Per-category pass counts, one line per tenant and column."""
    out = []
    for report in reports:
        for col in report["columns"].values():
            for t, f in col["tenants"].items():
                cats = ", ".join(f"{k} {v['passed']}/{v['runs']}" for k, v in f["per_category"].items())
                out.append(f"- {col['title']} · {t}: {cats}")
    return "\n".join(out)


def main() -> None:
    """Run the columns (or merge earlier runs) and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--columns", default="model-free,local,api")
    ap.add_argument("--tenants", default=",".join(TENANTS))
    ap.add_argument("--sample", type=int, default=0, help="first N scenarios per category per file (0 = all)")
    ap.add_argument("--per-file", type=int, default=0, help="instead: first N scenarios of every file")
    ap.add_argument("--threads", type=int, default=1, help="CPU threads of the local model")
    ap.add_argument("--timeout-s", type=float, default=300.0, help="per model call (local column)")
    ap.add_argument("--jobs", type=int, default=1, help="scenarios in parallel")
    from typing import get_args

    from sochen.config.sections.agent import AgentConfig

    ap.add_argument(
        "--answer-mode",
        default="",
        choices=["", *get_args(AgentConfig.model_fields["answer_mode"].annotation)],
        help="replace every tenant's agent.answer_mode (default: the tenant's own, 'auto' in the examples)",
    )
    ap.add_argument("--fake-api", action="store_true", help="use the fake even when OPENAI_API_KEY is set")
    ap.add_argument("--home", help="scratch SOCHEN_HOME (default: a new temporary folder)")
    ap.add_argument("--label", default=time.strftime("%Y%m%d-%H%M"))
    ap.add_argument("--merge", nargs="+", type=Path, help="print one table from these JSON reports")
    args = ap.parse_args()
    args.json_out = ROOT / "bench" / "results" / f"evals_providers_{args.label}.json"
    if args.merge:
        reports = [json.loads(p.read_text(encoding="utf-8")) for p in args.merge]
        merged = {"label": args.label, "merged_from": [str(p) for p in args.merge], "reports": reports}
        _write(merged, args.json_out)
    else:
        reports = [run_columns(args)]
        _write(reports[0], args.json_out)
    print(table(reports))
    print()
    print(categories(reports))
    print(f"\n-> {args.json_out}")


if __name__ == "__main__":
    main()
