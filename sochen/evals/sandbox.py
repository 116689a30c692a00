"""The eval sandbox: nothing a scenario does leaves the machine, and nothing it does touches live data.

- **Connectors** are the real connector classes, built from the evaluated version's ``connectors``
  section with a sandbox override: base URLs pointed at the recording fakes of
  :mod:`sochen.connectors.testing.fakes` (WhatsApp Graph, Zoho accounts + CRM, n8n) started on
  127.0.0.1 for the run, dummy secrets, WhatsApp's 24-hour window not enforced (the fakes never saw
  the inbound webhook). A connector without a fake (a third-party plugin) is refused: its jobs are
  planned and checked, never run. Every URL is checked to be loopback before a connector is built.
- **Conversations, the outbox, checkpoints and the model ledger** of the run live in a throwaway
  database (SQLite in a temporary folder by default), never the tenant's: eval conversations do not
  appear in live transcripts, and no production worker can pick up an eval job and send it for real.
  The knowledge base is read from the real database (the retriever keeps the real settings).
- **Jobs** planned in a turn are run right after it by the real :class:`~sochen.workflows.Dispatcher`
  (leases, attempts, dependencies between steps), so a CRM task that needs the lead's id gets it.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from ..config import Settings, TenantConfig
from ..connectors.base import Connector
from ..connectors.errors import ConnectorError, ErrorKind
from ..connectors.testing.fakes import FakeGraphApi, FakeN8n, FakeZoho
from ..db.models import new_id
from ..db.models_outbox import Job, JobDependency
from ..db.session import session_scope
from .assertions import NO_FAKE
from .records import JobRecord

__all__ = ["SANDBOXED", "Sandbox"]

SANDBOXED = ("whatsapp", "zoho_crm", "n8n")
"""Connectors the sandbox has fakes for."""

_GRAPH_TOKEN = "sandbox-graph-token"
_ZOHO_SECRET = "sandbox-zoho-client-secret"
_ZOHO_REFRESH = "1000.sandbox-refresh-token"
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class Sandbox:
    """Fakes and a throwaway database for one eval run. Use as a context manager."""

    def __init__(self, config: TenantConfig, *, folder: Path, database_url: str | None = None) -> None:
        self.config = config
        self.folder = folder
        self.database_url = database_url or f"sqlite:///{(folder / 'sandbox.db').as_posix()}"
        self._owns_folder = database_url is None
        whatsapp = config.connectors.get("whatsapp") or {}
        zoho = config.connectors.get("zoho_crm") or {}
        self.graph = FakeGraphApi(
            phone_number_id=str(whatsapp.get("phone_number_id") or "1122334455667"), access_token=_GRAPH_TOKEN
        )
        self.zoho = FakeZoho(
            client_id=str(zoho.get("client_id") or "1000.SANDBOX"),
            client_secret=_ZOHO_SECRET,
            refresh_token=_ZOHO_REFRESH,
        )
        self.n8n = FakeN8n()
        self.executed: dict[str, dict[str, Any]] = {}
        """Parameters each job (by idempotency key) reached its connector with."""
        self._connectors: dict[str, Connector[Any]] = {}
        self._lock = threading.Lock()
        self._seeded = 0

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> Sandbox:
        """Start the fakes and create the sandbox database."""
        from ..db.migrate import upgrade

        self.folder.mkdir(parents=True, exist_ok=True)
        self.graph.start()
        self.zoho.start()
        self.n8n.start()
        n8n = self.config.connectors.get("n8n") or {}
        auth = None
        if n8n.get("auth_header_value_env"):
            auth = (str(n8n.get("auth_header_name") or "X-Sochen-Token"), "sandbox-n8n-auth")
        for path in self._n8n_paths():
            self.n8n.register(path, header_auth=auth)
        upgrade(self.database_url)
        # Migrations leave a new SQLite file in rollback-journal mode; switching it to WAL (the engine does on
        # connect) needs the file to itself, so do it once now, before worker threads connect at the same time.
        with session_scope(self.database_url) as session:
            session.execute(select(Job.id).limit(1))
        return self

    def stop(self) -> None:
        """Stop the fakes, close the sandbox database and remove its folder."""
        for connector in self._connectors.values():
            close = getattr(connector, "close", None)
            if callable(close):
                close()
        self._connectors.clear()
        for fake in (self.graph, self.zoho, self.n8n):
            fake.stop()
        _close_database(self.database_url)
        if self._owns_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def settings(self, base: Settings) -> Settings:
        """``base`` with the sandbox database (conversations, outbox, checkpoints, ledger)."""
        return base.model_copy(update={"database_url": self.database_url})

    # -- connectors --------------------------------------------------------------------------------
    def connector(self, tenant: str, name: str) -> Connector[Any]:
        """A :data:`~sochen.workflows.ConnectorFactory`: the tenant's connector, pointed at its fake."""
        with self._lock:
            found = self._connectors.get(name)
            if found is None:
                found = self._build(name)
                self._connectors[name] = found
            return found

    def _build(self, name: str) -> Connector[Any]:
        from ..connectors.registry import build_config, load_connector

        raw = self.config.connectors.get(name)
        if raw is None:
            raise ConnectorError(ErrorKind.MISCONFIGURED, f"the evaluated version has no `connectors.{name}`")
        if name not in SANDBOXED:
            raise ConnectorError(
                ErrorKind.MISCONFIGURED, f"{NO_FAKE} '{name}': its jobs are planned and checked, not run"
            )
        env = {str(v): f"sandbox-{k[:-4]}" for k, v in raw.items() if k.endswith("_env") and isinstance(v, str)}
        merged = dict(raw)
        if name == "whatsapp":
            env[str(raw.get("access_token_env"))] = _GRAPH_TOKEN
            merged.update(graph_url=self.graph.url, enforce_service_window=False)
            urls = [self.graph.url]
        elif name == "zoho_crm":
            env[str(raw.get("client_secret_env"))] = _ZOHO_SECRET
            env[str(raw.get("refresh_token_env"))] = _ZOHO_REFRESH
            merged.update(accounts_url=self.zoho.accounts_url, api_domain=self.zoho.api_domain, max_attempts=1)
            urls = [self.zoho.accounts_url, self.zoho.api_domain]
        else:
            if raw.get("auth_header_value_env"):
                env[str(raw["auth_header_value_env"])] = "sandbox-n8n-auth"
            merged.update(base_url=self.n8n.url)
            urls = [self.n8n.url]
        for url in urls:  # the one promise of the sandbox: never a connection off this machine
            if urlsplit(url).hostname not in _LOOPBACK:
                raise RuntimeError(f"sandbox connector {name} would reach {url}; refusing")
        cls = load_connector(name).cls
        return cls(build_config(cls, merged, environ=env))

    def _n8n_paths(self) -> list[str]:
        n8n = self.config.connectors.get("n8n") or {}
        paths = [str(p).strip("/") for p in n8n.get("workflows") or []]
        for rule in self.config.workflows.rules:
            for call in rule.do:
                workflow = (call.params or {}).get("workflow") if call.action == "n8n.trigger_workflow" else None
                if isinstance(workflow, str) and "{" not in workflow:
                    paths.append(workflow.strip("/"))
        return list(dict.fromkeys(p for p in paths if p))

    def seed_crm(self, records: list[dict[str, Any]]) -> None:
        """Put ``start.crm_records`` into the fake CRM: ``{module: Leads, fields: {...}}`` (or the fields inline)."""
        crm = self.zoho.crm
        for record in records:
            module = str(record.get("module") or "Leads")
            fields = record.get("fields")
            if not isinstance(fields, dict):
                fields = {k: v for k, v in record.items() if k != "module"}
            with crm._lock:  # the fake's own lock: scenarios seed while others run
                if module not in crm.store:
                    raise ValueError(f"start.crm_records: unknown Zoho module {module!r}")
                self._seeded += 1
                ident = str(fields.get("id") or f"9000{self._seeded:012d}")
                crm.store[module][ident] = {**fields, "id": ident}

    # -- jobs --------------------------------------------------------------------------------------
    def executor(self) -> Callable[[str, str, dict[str, Any], str], dict[str, Any]]:
        """The dispatcher's executor: the sandbox connectors, recording the parameters they received."""
        from ..workflows import connector_executor

        inner = connector_executor(self.connector)

        def execute(tenant: str, action: str, params: dict[str, Any], key: str) -> dict[str, Any]:
            with self._lock:
                self.executed[key] = params
            return inner(tenant, action, params, key)

        return execute

    def run_jobs(self, job_ids: list[str], now: datetime) -> list[JobRecord]:
        """Run the turn's jobs (dependencies first) with the real dispatcher; their records, in plan order."""
        from ..workflows import Dispatcher

        def clock() -> datetime:  # jobs are due at the scenario's time, which may lie ahead of ours
            return max(datetime.now(UTC), now.astimezone(UTC) + timedelta(seconds=1))

        dispatcher = Dispatcher(
            self.database_url, self.executor(), worker_id=f"evals-sandbox-{new_id()[:6]}", clock=clock
        )
        waiting = list(job_ids)
        for _ in range(len(job_ids) + 1):  # each pass runs at least one job or stops
            if not waiting:
                break
            still = [j for j in waiting if dispatcher.run_job(j).status == "skipped"]
            if len(still) == len(waiting):
                break
            waiting = still
        with session_scope(self.database_url) as session:
            rows = {r.id: r for r in session.scalars(select(Job).where(Job.id.in_(job_ids)))} if job_ids else {}
            deps = session.execute(
                select(JobDependency.job_id, JobDependency.depends_on_id).where(JobDependency.job_id.in_(job_ids))
            ).all()
            waits: dict[str, list[str]] = {}
            for job_id, depends_on in deps:
                waits.setdefault(job_id, []).append(depends_on)
            errors = {j: rows[j].plan_error or rows[j].last_error for j in rows}
            for job_id in job_ids:  # planning order: a step comes after the steps it waits on
                row = rows.get(job_id)
                if row is not None and row.status == "pending" and not errors[job_id]:
                    errors[job_id] = _waiting_on(waits.get(job_id, []), rows, errors)
            records = []
            for job_id in job_ids:
                row = rows.get(job_id)
                if row is None:
                    continue
                params = self.executed.get(row.key, row.params or {})
                records.append(JobRecord(row.id, row.action, dict(params), row.status, errors[job_id]))
        return records


def _waiting_on(depends_on: list[str], rows: dict[str, Job], errors: dict[str, str | None]) -> str | None:
    """Why a pending job did not run: the step it waits on was not run either (and why)."""
    for dep in depends_on:
        row = rows.get(dep)
        if row is None or row.status == "succeeded":
            continue
        step = f"step '{row.step}' ({row.action})" if row.step else row.action
        reason = errors.get(dep) or row.status
        return f"waits on {step}, which did not run: {reason}"
    return None


def _close_database(url: str) -> None:
    """Dispose the sandbox engine and its checkpointer connection (they hold the files open)."""
    from ..agents import graph
    from ..db.session import get_engine

    get_engine(url).dispose()
    graph.forget_checkpointer(url)  # the graph module caches one checkpointer per database URL
