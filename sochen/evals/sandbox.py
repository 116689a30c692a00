"""The eval sandbox: nothing a scenario does leaves the machine, and nothing it does touches live data.

- **Connectors** are the real connector classes, built from the evaluated version's ``connectors``
  section with a sandbox override. Each connector provides its own fake through the contract
  (:meth:`~sochen.connectors.base.Connector.sandbox_fake`, see :mod:`sochen.connectors.base`): the
  built-ins start the recording fakes of :mod:`sochen.connectors.testing.fakes` (WhatsApp Graph with
  the 24-hour window not enforced, Zoho accounts + CRM, n8n), a third-party plugin its own. The
  fakes run on 127.0.0.1 for the run and accept dummy secrets. A connector whose service is Sochen
  itself (``uses_host``, the web chat: it stores the visitor's messages in Sochen's database) needs no
  fake: it is built with a :class:`~sochen.connectors.base.ConnectorHost` on the sandbox database, so
  a web chat reply is really stored for the visitor's stream there (:meth:`Sandbox.webchat_sent`).
  Any other connector that provides no fake is refused: its jobs are planned and checked, never run.
  Every URL is checked to be loopback before a connector is built.
- **Conversations, the outbox, checkpoints and the model ledger** of the run live in a throwaway
  database (SQLite in a temporary folder by default), never the tenant's: eval conversations do not
  appear in live transcripts, and no production worker can pick up an eval job and send it for real.
  The knowledge base is read from the real database (the retriever keeps the real settings).
- **Jobs** planned in a turn are run right after it by the real :class:`~sochen.workflows.Dispatcher`
  (leases, attempts, dependencies between steps), so a CRM task that needs the lead's id gets it.
"""

from __future__ import annotations

import secrets
import shutil
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from ..config import Settings, TenantConfig
from ..connectors.base import Connector, SandboxFake, host_arguments
from ..connectors.errors import ConnectorError, ErrorKind
from ..connectors.testing.fakes import FakeGraphApi, FakeN8n, FakeZoho
from ..db.models import new_id
from ..db.models_outbox import Job, JobDependency
from ..db.session import session_scope
from .assertions import NO_FAKE
from .records import JobRecord

__all__ = ["Sandbox"]

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class Sandbox:
    """Fakes and a throwaway database for one eval run. Use as a context manager."""

    def __init__(self, config: TenantConfig, *, folder: Path, database_url: str | None = None) -> None:
        self.config = config
        self.folder = folder
        self.database_url = database_url or f"sqlite:///{(folder / 'sandbox.db').as_posix()}"
        self._owns_folder = database_url is None
        self.fakes: dict[str, SandboxFake] = {}
        """The running fake of each tenant connector that provides one, by connector name."""
        self.hosted: set[str] = set()
        """Tenant connectors whose service is Sochen itself (``uses_host``): built on the sandbox database."""
        self._idle: dict[str, Any] = {}
        self.executed: dict[str, dict[str, Any]] = {}
        """Parameters each job (by idempotency key) reached its connector with."""
        self._connectors: dict[str, Connector[Any]] = {}
        self._lock = threading.Lock()
        self._seeded = 0

    # -- the built-ins' fakes, as runs and tests read them -----------------------------------------
    @property
    def graph(self) -> FakeGraphApi:
        """The fake WhatsApp Graph API (an idle one when the tenant has no WhatsApp)."""
        return self._fake("whatsapp", FakeGraphApi)

    @property
    def zoho(self) -> FakeZoho:
        """The fake Zoho (an idle one when the tenant has no Zoho CRM)."""
        return self._fake("zoho_crm", FakeZoho)

    @property
    def n8n(self) -> FakeN8n:
        """The fake n8n (an idle one when the tenant has no n8n)."""
        return self._fake("n8n", FakeN8n)

    def _fake(self, name: str, kind: type[Any]) -> Any:
        found = self.fakes.get(name)
        if found is not None and isinstance(found.fake, kind):
            return found.fake
        return self._idle.setdefault(name, kind())  # never started: empty, and nothing listens

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> Sandbox:
        """Start each tenant connector's fake and create the sandbox database."""
        from ..connectors.errors import ConnectorRegistryError
        from ..connectors.registry import load_connector
        from ..db.migrate import upgrade

        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            for name, raw in self.config.connectors.items():
                try:
                    cls = load_connector(name).cls
                except ConnectorRegistryError:
                    continue  # not installed: its jobs fail to build, with the registry's reason
                fake = cls.sandbox_fake(dict(raw or {}), planned=self._planned(name))
                if fake is None:
                    if cls.uses_host:  # its service is Sochen's database: here, the sandbox's
                        self.hosted.add(name)
                    continue
                self.fakes[name] = fake
                for url in fake.urls:  # the one promise of the sandbox: never a connection off this machine
                    if urlsplit(url).hostname not in _LOOPBACK:
                        raise RuntimeError(f"the sandbox fake of {name} listens at {url}, not on loopback; refusing")
            upgrade(self.database_url)
            # Migrations leave a new SQLite file in rollback-journal mode; switching it to WAL (the engine does on
            # connect) needs the file to itself, so do it once now, before worker threads connect at the same time.
            with session_scope(self.database_url) as session:
                session.execute(select(Job.id).limit(1))
        except BaseException:
            self._stop_fakes()
            raise
        return self

    def stop(self) -> None:
        """Stop the fakes, close the sandbox database and remove its folder."""
        for connector in self._connectors.values():
            close = getattr(connector, "close", None)
            if callable(close):
                close()
        self._connectors.clear()
        self._stop_fakes()
        _close_database(self.database_url)
        if self._owns_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _stop_fakes(self) -> None:
        for fake in self.fakes.values():
            fake.stop()
        self.fakes.clear()

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
                found = self._build(tenant, name)
                self._connectors[name] = found
            return found

    def _build(self, tenant: str, name: str) -> Connector[Any]:
        from ..connectors.registry import build_config, load_connector

        raw = self.config.connectors.get(name)
        if raw is None:
            raise ConnectorError(ErrorKind.MISCONFIGURED, f"the evaluated version has no `connectors.{name}`")
        if name in self.hosted:
            return self._build_hosted(tenant, name, raw)
        fake = self.fakes.get(name)
        if fake is None:
            raise ConnectorError(
                ErrorKind.MISCONFIGURED, f"{NO_FAKE} '{name}': its jobs are planned and checked, not run"
            )
        env = {str(v): f"sandbox-{k[:-4]}" for k, v in raw.items() if k.endswith("_env") and isinstance(v, str)}
        for field_name, value in fake.secrets.items():
            variable = raw.get(f"{field_name}_env")
            if isinstance(variable, str):
                env[variable] = value
        merged = {**raw, **fake.overrides}
        for key, value in fake.overrides.items():  # an override names the value, not the environment variable
            merged.pop(f"{key}_env", None)
            if isinstance(value, str) and "://" in value and urlsplit(value).hostname not in _LOOPBACK:
                raise RuntimeError(f"sandbox connector {name} would reach {value}; refusing")
        cls = load_connector(name).cls
        return cls(build_config(cls, merged, environ=env))

    def _build_hosted(self, tenant: str, name: str, raw: dict[str, Any]) -> Connector[Any]:
        """A ``uses_host`` connector on the sandbox database, its secrets fresh random values of this run."""
        from ..connectors.registry import build_config, load_connector

        env = {
            str(v): f"sandbox-{k[:-4]}-{secrets.token_urlsafe(24)}"
            for k, v in raw.items()
            if k.endswith("_env") and isinstance(v, str)
        }
        cls = load_connector(name).cls
        extra = host_arguments(cls, tenant=tenant, database_url=self.database_url)
        return cls(build_config(cls, raw, environ=env), **extra)

    def webchat_sent(self) -> list[tuple[str, str]]:
        """``(visitor id, text)`` of every message stored for a web chat visitor's stream, oldest first.

        What the widget would show: the agent's replies the ``webchat.send_message`` jobs stored in the
        sandbox database. Empty when the tenant has no web chat.
        """
        from ..db.models_webchat import WebchatMessage

        if "webchat" not in self.hosted:
            return []
        with session_scope(self.database_url) as session:
            rows = session.execute(
                select(WebchatMessage.visitor_id, WebchatMessage.text)
                .where(WebchatMessage.direction == "out")
                .order_by(WebchatMessage.created_at, WebchatMessage.seq)
            ).all()
        return [(str(visitor), str(text)) for visitor, text in rows]

    def _planned(self, name: str) -> list[tuple[str, dict[str, Any]]]:
        """``(action, params)`` of every tenant rule step that calls connector ``name``."""
        out: list[tuple[str, dict[str, Any]]] = []
        for rule in self.config.workflows.rules:
            for call in rule.do:
                connector, _, action = call.action.partition(".")
                if connector == name and action:
                    out.append((action, dict(call.params or {})))
        return out

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
