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


def check_content(library: Any) -> list[Problem]:
    """The courses beside ``library``'s modules (``state.content_checks``, once per library)."""
    return check_root(library.root, [m.slug for m in library.modules()])
