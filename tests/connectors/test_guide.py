"""docs/connectors.md works when followed literally: its files are written out, installed as a
package of their own, and the package's tests (the conformance kit) pass."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

from sochen.connectors import discover

from ._support import pip_install, run_pytest

pytestmark = pytest.mark.unit

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "connectors.md"
BLOCK = re.compile(r"```(?:python|toml)\n# file: (?P<path>\S+)\n(?P<body>.*?)```", re.S)


def guide_files() -> dict[str, str]:
    return {m["path"]: m["body"] for m in BLOCK.finditer(GUIDE.read_text(encoding="utf-8"))}


def test_the_guide_names_every_file_of_its_folder_layout() -> None:
    assert set(guide_files()) == {
        "pyproject.toml",
        "src/sochen_tinycrm/__init__.py",
        "src/sochen_tinycrm/connector.py",
        "src/sochen_tinycrm/testing.py",
        "tests/test_conformance.py",
    }


def test_following_the_guide_literally(tmp_path: Path) -> None:
    project = tmp_path / "sochen-tinycrm"
    for rel, body in guide_files().items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    target = tmp_path / "site"
    installed = pip_install(project, target)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    result = run_pytest(project / "tests", pythonpath=target, cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b1[0-9] passed", result.stdout), result.stdout  # the kit ran, not just one test
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    try:
        info = discover(["tinycrm"], use_settings=False)["tinycrm"]
        assert (info.distribution, info.version) == ("sochen-tinycrm", "0.1.0")
    finally:
        sys.path.remove(str(target))
        for name in [m for m in sys.modules if m.startswith("sochen_tinycrm")]:
            del sys.modules[name]
        importlib.invalidate_caches()
