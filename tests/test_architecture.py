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
    "tenancy": BASE | {"tenancy"},
    "privacy": BASE | {"privacy"},
    "llm": BASE | {"privacy", "llm"},
    "rag": BASE | {"privacy", "tenancy", "rag"},
    "connectors": BASE | {"privacy", "connectors"},
    "agents": BASE | {"privacy", "tenancy", "llm", "rag", "connectors", "agents"},
    "workflows": BASE | {"privacy", "tenancy", "llm", "rag", "connectors", "agents", "workflows"},
    # The web console: pages over the services of workflows (and below) and api's state; only api mounts it.
    # (and evals: the owner's pages show the gate, runs and reports and promote through it)
    "console": BASE
    | {"privacy", "tenancy", "llm", "rag", "connectors", "agents", "workflows", "evals", "api", "console"},
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


CONNECTOR_CONTRACT = {"base", "types", "errors", "channel", "registry", "testing", "phone", "http"}
"""Modules of sochen.connectors that are the contract, not a connector implementation."""


def _vendor_imports(source: str) -> list[str]:
    """Modules of sochen.connectors that ``source`` (a module of sochen/agents) imports beyond the contract."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = ["sochen." + module if node.level == 2 else ("sochen.agents." + module if node.level else module)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if len(parts) >= 3 and parts[:2] == ["sochen", "connectors"] and parts[2] not in CONNECTOR_CONTRACT:
                found.append(name)
    return found


def test_agents_never_import_a_connector_implementation():
    """The model never calls a connector (rule 1): the agent layer sees the contract, never a vendor's code."""
    problems = [
        f"sochen/{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted((PACKAGE / "agents").rglob("*.py"))
        for name in _vendor_imports(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "the agent layer imports connector implementations:\n" + "\n".join(problems)


def test_the_rule_catches_a_connector_import():
    source = (
        "from ..connectors.whatsapp import WhatsAppConnector\n"
        "import sochen.connectors.zoho_crm\n"
        "from ..connectors.base import Connector\n"
    )
    assert _vendor_imports(source) == ["sochen.connectors.whatsapp", "sochen.connectors.zoho_crm"]
