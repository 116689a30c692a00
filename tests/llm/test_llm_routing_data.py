"""The labelled Hebrew routing set: well-formed, and routed without a single sensitive request reaching an API."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sochen.config.sections.models import ModelsConfig
from sochen.llm.router import RouteRequest, Sensitivity, route

pytestmark = pytest.mark.unit

DATA = Path(__file__).resolve().parents[2] / "bench" / "data"
FILES = sorted(DATA.glob("routing_*.jsonl"))
MODELS = ModelsConfig.model_validate(
    {
        "providers": {
            "lan": {"kind": "ollama", "model": "qwen2.5:14b", "locality": "local"},
            "openai": {"kind": "openai", "model": "gpt-4o-mini", "locality": "api"},
        },
        "policy": {"mode": "hybrid", "local": ["lan"], "api": ["openai"]},
    }
)


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _id_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(number.zfill(9)):
        d = int(ch) * (1 + i % 2)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def test_the_main_set_is_large_and_well_formed() -> None:
    rows = _rows(DATA / "routing_he.jsonl")
    assert len(rows) >= 150
    assert {r["route"] for r in rows} == {"local", "api"}
    assert all(isinstance(r["sensitive"], bool) and r["text"] and r["why"] for r in rows)
    assert all(r["route"] == "local" for r in rows if r["sensitive"])
    assert sum(r["sensitive"] for r in rows) >= 50 and sum(r["route"] == "api" for r in rows) >= 40
    ids = [m for r in rows if r["sensitive"] for m in re.findall(r"(?<!\d)(\d{9}|\d{8}-\d)(?!\d)", r["text"])]
    assert len(ids) >= 10 and all(_id_ok(i.replace("-", "")) for i in ids)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_router_with_labelled_sensitivity(path: Path) -> None:
    rows = _rows(path)
    routes = [route(RouteRequest(r["text"], Sensitivity(r["sensitive"])), MODELS).route for r in rows]
    assert not [r["text"] for r, got in zip(rows, routes, strict=True) if r["sensitive"] and got == "api"]
    accuracy = sum(got == r["route"] for r, got in zip(rows, routes, strict=True)) / len(rows)
    assert accuracy >= 0.9  # a floor against regressions in the complexity estimate


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_no_sensitive_request_reaches_an_api_with_the_privacy_guard(path: Path) -> None:
    privacy = pytest.importorskip("sochen.privacy")
    assess = getattr(privacy, "assess", None)
    if assess is None:
        pytest.skip("sochen.privacy.assess is not available yet")
    leaks = [
        r["text"]
        for r in _rows(path)
        if r["sensitive"] and route(RouteRequest(r["text"], assess(r["text"])), MODELS).route == "api"
    ]
    assert leaks == []
