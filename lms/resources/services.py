"""The resource centre of one app: its entries (re-read when a file changes) and their search."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..content import services as content
from ..countries import COUNTRIES
from ..state import state
from . import search as index
from .entries import Catalogue, Entry, load, signature

_CACHE = "resources"


def root() -> Path:
    """The content library's folder: the entries are in its ``resources/`` folder."""
    return content.library().root


def catalogue() -> Catalogue:
    """The entries under the content folder, read again when a file is added, changed or
    removed (a stat of the files decides), cached per app."""
    cache = state().cache(_CACHE)
    folder = root()
    sig = (str(folder.resolve()), signature(folder))
    if cache.get("signature") != sig:
        cache["catalogue"] = load(folder)
        cache["signature"] = sig
    return cache["catalogue"]


def ensure_index(*, force: bool = False) -> bool:
    """Bring the database's search index up to the files; returns whether it was rebuilt.
    The rows are asked each time (one small query), not remembered: a restored backup or
    another host's rebuild is noticed."""
    found = catalogue()
    return index.rebuild(found.entries, found.digest, force=force)


def countries_for(country: str | None) -> list[str]:
    """The entry countries a reader filtering on ``country`` sees (``any`` always)."""
    return [country, "any"] if country in COUNTRIES else [*COUNTRIES, "any"]


@dataclass(frozen=True)
class Results:
    entries: list[Entry]
    #: True: ``entries`` match the query, best first; False: all entries, by topic.
    searched: bool


def find(query: str, country: str | None, topic: str | None = None) -> Results:
    """Entries of ``country`` (or ``None``: every country) and ``topic`` matching ``query``,
    best first; without words in ``query``, every such entry by topic and title."""
    found = catalogue()
    countries = countries_for(country)
    if index.words(query):
        ensure_index()
        ids = index.search(query, countries, topic)
        by_id = {e.id: e for e in found.entries}
        return Results([by_id[i] for i in ids if i in by_id], True)
    listed = [
        e for e in found.entries if e.country in countries and (not topic or e.topic == topic)
    ]
    return Results(sorted(listed, key=lambda e: (e.topic, e.country, e.title["en"])), False)


def for_module(slug: str, country: str, limit: int = 5) -> list[Entry]:
    """The entries that list module ``slug``, of the reader's country (and ``any``)."""
    countries = countries_for(country)
    return [e for e in catalogue().entries if slug in e.modules and e.country in countries][:limit]
