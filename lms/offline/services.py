"""Offline logic without a request: the learner key, which responses the service worker may
keep, what "Save for offline" keeps of a module and how large it is, the static files' version
and the web app manifest."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from ..db import db
from ..static_files import describe

#: Pages that opt in: the module page and its sections (the tests' pages opt in themselves).
OFFLINE_ENDPOINTS = frozenset({"lms.content.module", "lms.content.section"})
#: Modules kept on a tablet for a learner without asking: opened or assigned, newest first.
MAX_KEPT_MODULES = 12

_IMG_SRC = re.compile(r"<img\b[^>]*?\bsrc=\"([^\"]+)\"", re.I)
_PICTURE_PATH = re.compile(r"/modules/([^/]+)/(images|assets)/(.+)$")


def opts_in(endpoint: str | None) -> bool:
    """Whether pages of ``endpoint`` may be kept offline (records, results, admin: never)."""
    return endpoint in OFFLINE_ENDPOINTS


@dataclass(frozen=True)
class OfflinePlan:
    """What "Save for offline" keeps of a module: the URLs, and their size in bytes."""

    urls: tuple[str, ...]
    size: int


def plan_module(
    pages: Sequence[tuple[str, str]], picture: Callable[[str], Path | None], frame: int = 0
) -> OfflinePlan:
    """The plan for a module whose pages are ``(url, html)``: each page and each picture it
    shows (``picture(url)`` gives a picture's file, None for other images). The size is what
    the tablet keeps: each page's text and ``frame`` bytes around it (the layout: top bar,
    head), and each picture's file, counted once."""
    urls: list[str] = []
    size = 0
    for url, text in pages:
        urls.append(url)
        size += frame + len(text.encode("utf-8"))
        for src in _IMG_SRC.findall(text):
            src = html.unescape(src)
            path = picture(src)
            if path is not None and src not in urls:
                urls.append(src)
                size += path.stat().st_size
    return OfflinePlan(tuple(urls), size)


def plans_digest(plans: Iterable[OfflinePlan], locale: str) -> str:
    """Changes when a kept URL, a kept module's size or the language changes: the tablet then
    fetches the list again."""
    digest = hashlib.sha256(locale.encode())
    for plan in plans:
        digest.update(json.dumps([plan.urls, plan.size]).encode())
    return digest.hexdigest()[:16]


def picture_file(folder: Path, slug: str, src: str) -> Path | None:
    """The file of module ``slug`` (in ``folder``) that the image URL ``src`` shows, or None."""
    from ..content.images import resolve

    found = _PICTURE_PATH.search(unquote(urlsplit(src).path))
    if found is None or found.group(1) != slug:
        return None
    return resolve(folder, f"{found.group(2)}/{found.group(3)}")


def kept_slugs(user_id: int, usable: Iterable[str]) -> list[str]:
    """Modules kept on the tablet for ``user_id``: those of the training sessions they are
    enrolled in (newest session first), then those they opened (last read first)."""
    from ..content.models import ReadingProgress
    from ..programme.models import Beneficiary, Enrolment, SessionModule, TrainingSession

    assigned = db.session.execute(
        select(SessionModule.module_slug)
        .join(TrainingSession, TrainingSession.id == SessionModule.session_id)
        .join(Enrolment, Enrolment.session_id == TrainingSession.id)
        .join(Beneficiary, Beneficiary.id == Enrolment.beneficiary_id)
        .where(Beneficiary.user_id == user_id, Beneficiary.erased_at.is_(None))
        .order_by(TrainingSession.held_on.desc(), SessionModule.position)
    ).scalars()
    opened = db.session.scalars(
        select(ReadingProgress.module_id)
        .where(ReadingProgress.user_id == user_id)
        .order_by(ReadingProgress.updated_at.desc())
    )
    allowed = set(usable)
    slugs = [s for s in dict.fromkeys([*assigned, *opened]) if s in allowed]
    return slugs[:MAX_KEPT_MODULES]


def static_version(folder: str | None) -> str:
    """A hash of every static file: a deploy that changes any of them gives a new version (and
    so a new service worker, which replaces the old static cache)."""
    if not folder:
        return "none"
    digest = hashlib.sha256()
    for name in sorted(_static_names(folder)):
        file = describe(folder, name)
        digest.update(f"{name}:{file.version if file else ''}\n".encode())
    return digest.hexdigest()[:12]


def _static_names(folder: str) -> list[str]:
    names = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            names.append(os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/"))
    return names


def manifest(
    *, name: str, short_name: str, lang: str, scope: str, icons: dict[str, str]
) -> dict[str, Any]:
    """The web app manifest (``icons``: ``192``, ``512`` and ``maskable`` -> URL)."""
    return {
        "name": name,
        "short_name": short_name,
        "lang": lang,
        "dir": "ltr",
        "start_url": scope,
        "scope": scope,
        "id": scope,
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": icons["192"], "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": icons["512"], "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": icons["maskable"],
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }


#: ``--brand`` and ``--paper`` of lms.css.
THEME_COLOUR = "#7a3e12"
BACKGROUND_COLOUR = "#fbf8f3"
