"""The benchmarks name only what the library has: ``make bench`` is not run by the suite, so a
renamed function would otherwise stop it unnoticed (``services._issue`` once did). Each
``lms`` name a bench imports, and each attribute it reads from an imported ``lms`` module,
must exist."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def references(tree: ast.AST) -> list[tuple[int, str, str]]:
    """``(line, module, name)`` for each ``from lms... import name`` and each ``alias.name``
    read from an ``lms`` module imported under ``alias`` (anywhere in the file)."""
    modules: dict[str, str] = {}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "lms":
            for alias in node.names:
                found.append((node.lineno, node.module, alias.name))
                target = f"{node.module}.{alias.name}"
                if _is_module(target):
                    modules[alias.asname or alias.name] = target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "lms" and alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            found.append((node.lineno, modules[node.value.id], node.attr))
    return found


def _is_module(dotted: str) -> bool:
    try:
        return importlib.util.find_spec(dotted) is not None
    except ModuleNotFoundError:
        return False


@pytest.mark.parametrize("path", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_a_bench_names_only_what_the_library_has(path: Path) -> None:
    missing = []
    for line, module, name in references(ast.parse(path.read_text(encoding="utf-8"))):
        if not hasattr(importlib.import_module(module), name) and not _is_module(
            f"{module}.{name}"
        ):
            missing.append(f"{path.name}:{line}: {module}.{name}")
    assert missing == []
