"""The example third-party connector is built and installed as its own distribution, then run
through the conformance kit by its own test suite, exactly as an integrator would."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sochen.connectors import discover

from ._support import pip_install, run_pytest

pytestmark = pytest.mark.unit

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "connectors" / "sochen-google-calendar"


@pytest.fixture(scope="module")
def installed_example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    target = tmp_path_factory.mktemp("site") / "packages"
    result = pip_install(EXAMPLE, target)
    if result.returncode != 0:
        pytest.fail(f"pip could not install the example connector:\n{result.stdout}\n{result.stderr}")
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    try:
        yield target
    finally:
        sys.path.remove(str(target))
        for name in [m for m in sys.modules if m.startswith("sochen_google_calendar")]:
            del sys.modules[name]
        importlib.invalidate_caches()


def test_installed_as_its_own_distribution(installed_example: Path) -> None:
    info = discover(["google_calendar"], use_settings=False)["google_calendar"]
    assert (info.distribution, info.version) == ("sochen-google-calendar", "0.1.0")
    assert info.to_dict()["capabilities"] == ["read_records", "receive_webhook", "write_records"]
    assert Path(sys.modules[info.cls.__module__].__file__ or "").is_relative_to(installed_example)


def test_its_own_suite_passes_the_conformance_kit(installed_example: Path, tmp_path: Path) -> None:
    # Run from elsewhere than the example folder: the installed copy is what gets tested.
    result = run_pytest(EXAMPLE / "tests", pythonpath=installed_example, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed" not in result.stdout and " passed" in result.stdout
