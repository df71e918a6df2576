"""The import drawing has no circle: capabilities (``lms/<package>/``) depend downward on the core
(the modules directly in ``lms/``), and the core imports no capability. ``lms/blueprints.py`` is
the one exception: it is the list of capabilities the extension registers."""

from __future__ import annotations

import ast
from pathlib import Path

LMS = Path(__file__).resolve().parent.parent / "lms"
#: The core module that names every capability, so the extension can register them.
ASSEMBLY = {"blueprints"}
#: Packages of the core: the database's migrations.
CORE_PACKAGES = {"migrations"}


def _unit(path: Path) -> str:
    """``core:<module>`` for a module in ``lms/``, else the capability's package name."""
    parts = path.relative_to(LMS).parts
    if len(parts) == 1 or parts[0] in CORE_PACKAGES:
        return f"core:{parts[0].removesuffix('.py')}"
    return parts[0]


def _imports(path: Path) -> set[str]:
    """The LMS units ``path`` imports (at any place in the file, lazy imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(LMS.parent).with_suffix("").parts[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = [*base, *(node.module.split(".") if node.module else [])]
            names = [module] if node.module else [[*module, a.name] for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name.split(".") for a in node.names]
        else:
            continue
        for name in names:
            if name[:1] == ["lms"] and len(name) > 1:
                found.add(_unit_named(name[1]))
    return found - {_unit(path)}


def _unit_named(name: str) -> str:
    """The unit of ``lms.<name>``: a capability package, or the core (its modules, its
    packages, and names of ``lms/__init__.py`` such as ``__version__``)."""
    if (LMS / name).is_dir() and name not in CORE_PACKAGES:
        return name
    return f"core:{name}" if (LMS / f"{name}.py").exists() or name in CORE_PACKAGES else "core:"


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in LMS.rglob("*.py"):
        if "versions" in path.parts:  # migration scripts import nothing of the LMS's but db
            continue
        edges.setdefault(_unit(path), set()).update(_imports(path))
    return edges


def test_the_core_imports_no_capability() -> None:
    edges = graph()
    wrong = {
        unit: sorted(t for t in targets if not t.startswith("core:"))
        for unit, targets in edges.items()
        if unit.startswith("core:") and unit[5:] not in ASSEMBLY
    }
    assert {unit: found for unit, found in wrong.items() if found} == {}


def test_capabilities_import_one_another_without_a_circle() -> None:
    edges = graph()
    capabilities = {u: {t for t in ts if not t.startswith("core:")} for u, ts in edges.items()}
    capabilities = {u: ts for u, ts in capabilities.items() if not u.startswith("core:")}
    circles = []
    for start in capabilities:
        todo, seen = list(capabilities[start]), set()
        while todo:
            current = todo.pop()
            if current == start:
                circles.append(start)
                break
            if current not in seen:
                seen.add(current)
                todo += capabilities.get(current, ())
    assert circles == [], {c: sorted(capabilities[c]) for c in circles}
