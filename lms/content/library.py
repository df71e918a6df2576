"""The module library of one app: modules read from disk, re-read when a file changes."""

from __future__ import annotations

import threading
from collections.abc import Collection
from pathlib import Path

from ..state import per_request
from .facts import FACTS_FOLDER
from .modules import Module, load_module
from .render import LinkContext, heading_anchors, render
from .source import LocaleDoc, Signature, stat_signature

_MAX_CACHED = 5_000


class ContentLibrary:
    """Every module under ``root``. Cheap to ask: a stat of the files decides whether to re-read.

    A module with errors is kept (authors see its problems) but is not offered to learners.
    """

    def __init__(self, root: Path, others: Collection[str] = ()) -> None:
        """``others``: folders of ``root`` that other capabilities read (``courses``,
        ``resources``: ``state.content_folders``, read at each refresh); with the facts,
        they are not modules and their changes do not re-read the modules."""
        self.root = root
        self._others = others
        self._lock = threading.Lock()
        self._signature: Signature | None = None
        self._modules: dict[str, Module] = {}
        self._anchors: dict[tuple[str, str], dict[str, int]] = {}
        self._html: dict[tuple, str] = {}

    def _scan(self) -> Signature:
        if not self.root.is_dir():
            return ()
        skip = self._not_modules()
        return stat_signature(
            p for p in self.root.glob("*/*") if p.is_file() and p.parent.name not in skip
        )

    def _not_modules(self) -> set[str]:
        return {FACTS_FOLDER, *self._others}

    def refresh(self) -> None:
        """Re-read the modules if any file was added, removed or changed since last time (asked
        once per request: a page asks for modules many times)."""
        signature = per_request(("content-library", id(self)), self._scan)
        if signature == self._signature:
            return
        with self._lock:
            folders = (
                sorted(p for p in self.root.iterdir() if p.is_dir()) if self.root.is_dir() else []
            )
            skip = self._not_modules()
            modules = [
                load_module(folder)
                for folder in folders
                if not folder.name.startswith(".") and folder.name not in skip
            ]
            self._modules = {m.slug: m for m in sorted(modules, key=lambda m: (m.order, m.slug))}
            self._anchors.clear()
            self._html.clear()
            self._signature = signature

    def modules(self) -> list[Module]:
        self.refresh()
        return list(self._modules.values())

    def get(self, slug: str) -> Module | None:
        self.refresh()
        return self._modules.get(slug)

    def anchors(self, doc: LocaleDoc) -> dict[str, int]:
        """Anchor -> index of the section it is in (the first, if a heading repeats)."""
        key = (str(doc.path), doc.digest)
        if key not in self._anchors:
            found: dict[str, int] = {}
            for section in doc.sections:
                for anchor in heading_anchors(section.markdown):
                    found.setdefault(anchor, section.index)
            self._anchors[key] = found
        return self._anchors[key]

    def section_html(
        self, doc: LocaleDoc, index: int, context: LinkContext, cache_key: tuple = ()
    ) -> str:
        key = (str(doc.path), doc.digest, index, *cache_key)
        if key not in self._html:
            if len(self._html) > _MAX_CACHED:  # unsaved previews must not grow it for ever
                self._html.clear()
                self._anchors.clear()
            self._html[key] = render(doc.sections[index].markdown, context)
        return self._html[key]
