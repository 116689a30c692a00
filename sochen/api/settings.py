"""Settings of the HTTP service (environment, prefix ``SOCHEN_API_``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ApiSettings"]


class ApiSettings(BaseSettings):
    """Limits, the inbound queue and caches of ``sochen serve``."""

    model_config = SettingsConfigDict(
        env_prefix="SOCHEN_API_", env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    max_webhook_bytes: int = Field(
        default=3 * 1024 * 1024,
        gt=0,
        description="Largest webhook body accepted (Meta's limit is 3 MB); larger ones get 413 unread.",
    )
    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s/]+(:\d+)?(/[^\s]*)?$",
        description="The service's address as browsers reach it (https://sochen.example.co.il): the web chat "
        "widget talks to it. Empty: the address of the request for the script (behind a TLS proxy, set this "
        "or run uvicorn with forwarded headers).",
    )
    max_json_bytes: int = Field(default=1024 * 1024, gt=0, description="Largest JSON body on /v1 routes.")
    max_upload_bytes: int = Field(
        default=50_000_000, gt=0, description="Largest document upload (the loaders' own limit is 50 MB)."
    )
    inbound_queue: Literal["embedded", "celery", "none"] = Field(
        default="embedded",
        description="Where new inbound event ids go: 'embedded' (a worker thread in this process runs "
        "their jobs), 'celery' (the task sochen.process_inbound through the workflows Celery app), "
        "'none' (stored only; tests and benchmarks).",
    )
    inbound_task: str = Field(default="sochen.process_inbound", description="Celery task name of inbound processing.")
    inbound_celery_queue: str = Field(default="sochen.inbound", description="Celery queue of inbound messages.")
    embedded_worker: Literal["process", "thread"] = Field(
        default="process",
        description="Embedded mode only: where turns and connector jobs run. 'process' (one worker process "
        "beside the server at a lower CPU priority: acknowledgements never wait on a turn) or 'thread' "
        "(threads of the server process; tests that replace the connectors use it).",
    )
    inbound_journal: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Embedded queue only: acknowledge webhooks into a local journal file, imported into the "
        "database by a thread of the server (sochen.api.journal), so an acknowledgement never waits on the "
        "worker's writes. 'auto': with SQLite and the embedded worker process (the sochen serve default); "
        "'on': also with PostgreSQL (acknowledged then means on this machine's disk, not yet in PostgreSQL: "
        "read the module's durability note first); 'off': store directly.",
    )
    inbound_journal_sync: Literal["normal", "full"] = Field(
        default="normal",
        description="The journal's SQLite synchronous mode: 'normal' (as the database: survives any process "
        "crash) or 'full' (also power loss: one fsync per acknowledgement).",
    )
    embedded_worker_nice: int = Field(
        default=10, ge=0, le=19, description="Embedded worker process only: how much lower its CPU priority is."
    )
    embedded_switch_interval_ms: float = Field(
        default=1.0,
        ge=0,
        description="Embedded mode: the interpreter's thread switch interval in the API process, where embedded "
        "threads, the inbound journal's importer or the store served to the worker process share the GIL with "
        "acknowledgements (Python's default is 5 ms); 0 leaves it alone.",
    )
    freeze_gc_at_start: bool = Field(
        default=True,
        description="Once the server has started, collect garbage and freeze what is left (gc.freeze): the "
        "modules, settings and connectors live as long as the process, and a full collection that scans them "
        "is a pause of tens of milliseconds under an acknowledgement. Off for processes that build many apps "
        "(the test suite), where frozen objects would never be freed.",
    )
    tenant_cache_s: float = Field(
        default=5.0, ge=0, description="Seconds a tenant's webhook configuration is cached (0: read every request)."
    )
    metrics_cache_s: float = Field(
        default=10.0, ge=0, description="Seconds the database-derived metrics (ledger, jobs) are cached."
    )
    key_touch_s: float = Field(
        default=60.0, ge=0, description="An API key's last_used is written at most once per this many seconds."
    )
