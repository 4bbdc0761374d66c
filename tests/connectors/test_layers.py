"""Connectors sit on the foundation alone: they import nothing of the layers above them."""

from __future__ import annotations

import ast
from pathlib import Path

import connectors

FOUNDATION = ("territory_sync.settings", "territory_sync.errors", "territory_sync.logs")
ABOVE = ("mapping", "sync", "web", "scheduler", "sandbox", "territory_sync")


def _imported_modules(source: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _is_above(module: str) -> bool:
    if module in FOUNDATION:
        return False
    return any(module == name or module.startswith(f"{name}.") for name in ABOVE)


def test_no_connector_module_imports_the_unified_model_or_anything_above_the_foundation() -> None:
    package = Path(connectors.__file__).parent

    offending = {
        f"{path.relative_to(package)}: {module}"
        for path in package.rglob("*.py")
        for module in _imported_modules(path)
        if _is_above(module)
    }

    assert offending == set()
