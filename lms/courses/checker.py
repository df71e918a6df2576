"""The content checker's check of the course files (``flask lms check-content``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..content.source import Problem
from .definitions import check, load


def check_root(root: Path, module_ids: list[str]) -> list[Problem]:
    """Every problem of the courses under ``root/courses``: each file's own, then between files
    and modules."""
    catalogue = load(root)
    return [*catalogue.problems, *check(catalogue, module_ids)]


def check_content(library: Any, module: Any) -> list[Problem]:
    """Registered in ``state.content_checks``. Checks run once per module; this one reports
    with the library's first module only, so each problem is listed once."""
    modules = library.modules()
    if not modules or module.slug != modules[0].slug:
        return []
    return check_root(library.root, [m.slug for m in modules])
