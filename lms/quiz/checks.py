"""The content checker's checks of ``quiz.yaml`` (registered by the quiz capability)."""

from __future__ import annotations

from collections.abc import Iterable

from ..content.facts import load_facts
from ..content.library import ContentLibrary
from ..content.modules import Module
from ..content.source import Problem
from ..state import state
from .bank import fact_problems, load_bank


def check_quiz(library: ContentLibrary, module: Module) -> Iterable[Problem]:
    path = module.folder / "quiz.yaml"
    if not path.is_file():
        return []
    bank = load_bank(path, state().question_types)
    return [*bank.problems, *fact_problems(bank, load_facts(library.root))]
