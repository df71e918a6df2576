"""Groups of learners that results, the ranking and certificate issuing can be narrowed to.
Capabilities register them on ``state().learner_groups``: the programme registers its
programmes and training sessions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .parsing import record_id
from .state import state


@dataclass(frozen=True)
class LearnerGroups:
    """One kind of group: ``key`` (in query values such as ``session:12``), a label for the
    menu, the groups to choose from as ``(id, name)``, and a group's learners (``None``: no
    such group)."""

    key: str
    label: Any
    choices: Callable[[], list[tuple[int, str]]]
    members: Callable[[int], list[int] | None]


def options() -> list[tuple[Any, list[tuple[str, str]]]]:
    """``(label, [(value, name), ...])`` per kind of group, for a menu with option groups."""
    return [
        (kind.label, [(f"{kind.key}:{i}", name) for i, name in kind.choices()])
        for kind in state().learner_groups
    ]


def members(value: str | None) -> list[int] | None:
    """The learners of the group ``value`` (``kind:id``); ``None`` (everyone) when empty.
    Raises :class:`LookupError` for an unknown group."""
    if not value:
        return None
    key, _, ident = value.partition(":")
    kind = next((k for k in state().learner_groups if k.key == key), None)
    number = record_id(ident)
    found = kind.members(number) if kind is not None and number is not None else None
    if found is None:
        raise LookupError(value)
    return found
