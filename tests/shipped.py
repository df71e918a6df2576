"""What the tests of the shipped modules share: their folder, what a reader sees of one, and its
item bank (the library of them is the ``shipped_library`` fixture of ``tests/conftest.py``)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from lms.content.blocks import for_country
from lms.content.facts import load_facts, substitute
from lms.content.library import ContentLibrary
from lms.courses.definitions import FOLDER as COURSES
from lms.resources.entries import FOLDER as RESOURCES

ROOT = Path(__file__).resolve().parent.parent / "modules_content"
#: Its folders that are not modules, read by other capabilities (the app's library learns them
#: from ``state.content_folders``).
OTHER_FOLDERS = (COURSES, RESOURCES)


def seen(
    library: ContentLibrary, slug: str, locale: str, country: str, glossary: bool = True
) -> str:
    """The text a reader in ``country`` sees in ``locale``: the other country's blocks left out,
    the facts filled in (needs an app); without the glossary when ``glossary`` is false."""
    book = load_facts(ROOT)
    doc = for_country(
        library.get(slug).docs[locale],
        country,
        lambda text: substitute(text, book, country, locale),
    )
    sections = doc.sections if glossary else doc.sections[:-1]
    return "\n".join(s.markdown for s in sections)


def bank(app: Flask, slug: str):  # noqa: ANN201
    """The module's item bank, loaded with the app's question types."""
    from lms.quiz.bank import load_bank

    with app.app_context():
        return load_bank(ROOT / slug / "quiz.yaml", app.extensions["lms"].question_types)
