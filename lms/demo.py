"""Demo data for ``flask lms demo``: every loader the capabilities registered, in order (the
accounts' first)."""

from __future__ import annotations

from .state import state


def load_demo(password: str) -> list[tuple[str, str]]:
    """Run every demo loader; idempotent."""
    made: list[tuple[str, str]] = []
    for loader in state().demo_loaders:
        made.extend(loader(password))
    return made
