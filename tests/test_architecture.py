"""The direction of imports between sochen's packages (docs/architecture.md): lower layers never import upper ones."""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parents[1] / "sochen"
BASE = {"config", "db", "text"}
ALLOWED: dict[str, set[str]] = {
    "config": {"config"},
    "db": {"db"},
    "text": {"text"},
    "privacy": BASE | {"privacy"},
    "llm": BASE | {"privacy", "llm"},
    "rag": BASE | {"privacy", "rag"},
    "connectors": BASE | {"privacy", "connectors"},
    "agents": BASE | {"privacy", "llm", "rag", "connectors", "agents"},
    "workflows": BASE | {"privacy", "llm", "rag", "connectors", "agents", "workflows"},
}
ANYTHING = {"evals", "api", "cli"}


def _sochen_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "sochen" and len(parts) > 1:
                    found.add(parts[1])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module_parts[: len(module_parts) - node.level]
                target = [*base, *(node.module.split(".") if node.module else [])]
                if len(target) > 1:
                    found.add(target[1])
                elif node.names:  # "from .. import x" at the package root
                    found.update(alias.name for alias in node.names)
            elif node.module and node.module.startswith("sochen."):
                found.add(node.module.split(".")[1])
    return found


def test_imports_point_down():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) < 2:
            continue
        layer = rel.parts[0]
        if layer in ANYTHING:
            continue
        allowed = ALLOWED.get(layer)
        assert allowed is not None, f"package sochen.{layer} has no place in the layer map of this test"
        for imported in _sochen_imports(path) - allowed:
            if imported in ALLOWED or imported in ANYTHING:
                problems.append(f"sochen/{rel} imports sochen.{imported}")
    assert not problems, "imports that point up the layers:\n" + "\n".join(problems)
