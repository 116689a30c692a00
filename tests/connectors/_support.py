"""Shared constants and helpers of the connector tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
APP_SECRET = "app-secret-לבדיקה-0001"
VERIFY_TOKEN = "verify-token-0001"
N8N_SECRET = "n8n-shared-secret-0001"


class FakeClock:
    """A clock tests move by hand, and a sleep that only records."""

    def __init__(self, now: float = 1_772_000_000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def pip_install(source: Path, target: Path) -> subprocess.CompletedProcess[str]:
    """Build and install a package from ``source`` into ``target`` as its own distribution (no deps).

    The source is copied next to ``target`` first: building writes ``build/`` and ``*.egg-info``,
    which must neither land in the checkout nor leak stale files into the next build.
    """
    import shutil

    copy = target.parent / f"{source.name}-src"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache"))
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-input", "--disable-pip-version-check"]
    command += ["--target", str(target), str(copy)]
    try:
        import setuptools

        modern = tuple(int(p) for p in setuptools.__version__.split(".")[:2]) >= (70, 1)
    except ImportError:
        modern = False
    if modern:  # build offline with the venv's setuptools; otherwise pip fetches one (needs an index)
        command.insert(4, "--no-build-isolation")
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@contextmanager
def installed_package(source: Path, target: Path, module: str) -> Iterator[Path]:
    """``source`` pip-installed into ``target`` as its own distribution, first on ``sys.path`` while in use.

    The plugin may also be installed in the environment (``scripts/setup.sh``, editable) and already imported by
    another test: every ``module*`` is forgotten before and after, so the copy built here is the one tested.
    """
    import importlib

    import pytest

    result = pip_install(source, target)
    if result.returncode != 0:
        pytest.fail(f"pip could not install {source.name}:\n{result.stdout}\n{result.stderr}")

    def forget() -> None:
        for name in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
            del sys.modules[name]
        importlib.invalidate_caches()

    forget()
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    try:
        yield target
    finally:
        sys.path.remove(str(target))
        forget()


def run_pytest(tests: Path, *, pythonpath: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run pytest in a fresh interpreter with ``pythonpath`` first on the path."""
    import os

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(pythonpath), os.environ.get("PYTHONPATH", "")])}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # keep the example folder as it is in the checkout
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
