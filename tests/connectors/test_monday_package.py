"""The first-party monday.com connector (connectors/sochen-monday) is built and installed as its own
distribution, then its own suite runs the conformance kit against its graphql-core fake."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sochen.connectors import discover

from ._support import pip_install, run_pytest

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parents[2] / "connectors" / "sochen-monday"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    pytest.importorskip("graphql", reason="graphql-core (sochen's dev extra) runs the fake monday")
    target = tmp_path_factory.mktemp("site") / "packages"
    result = pip_install(PACKAGE, target)
    if result.returncode != 0:
        pytest.fail(f"pip could not install sochen-monday:\n{result.stdout}\n{result.stderr}")
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    try:
        yield target
    finally:
        sys.path.remove(str(target))
        for name in [m for m in sys.modules if m.startswith("sochen_monday")]:
            del sys.modules[name]
        importlib.invalidate_caches()


def test_installed_as_its_own_distribution(installed: Path) -> None:
    info = discover(["monday"], use_settings=False)["monday"]
    assert (info.distribution, info.version) == ("sochen-monday", "0.1.0")
    assert info.to_dict()["capabilities"] == ["read_records", "write_records"]
    assert sorted(info.cls.actions()) == [
        "add_update",
        "create_item",
        "get_record",
        "search_records",
        "update_columns",
        "upsert_record",
    ]
    module_file = Path(sys.modules[info.cls.__module__].__file__ or "")
    assert module_file.is_relative_to(installed)
    assert (module_file.parent / "schema.graphql").is_file(), "the schema the fake validates against must ship"


def test_its_own_suite_passes_the_conformance_kit(installed: Path, tmp_path: Path) -> None:
    result = run_pytest(PACKAGE / "tests", pythonpath=installed, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed" not in result.stdout and " passed" in result.stdout
