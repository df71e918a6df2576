"""Content logic without a request: the library, reading progress, saving and stamping sources."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..db import db, upsert_insert, utcnow
from ..i18n import _l
from ..state import forget_per_request, state
from .blocks import for_country
from .facts import FactBook, facts_for, substitute
from .library import ContentLibrary
from .models import ReadingProgress, SectionOpened
from .modules import Module
from .source import CONTENT_LOCALES, SOURCE_LOCALE, LocaleDoc, file_fingerprint


def library() -> ContentLibrary:
    return state().content_library


def locale_chain(locale: str) -> list[str]:
    """The content locales to try for a reader of ``locale``: itself, its fallbacks, English."""
    fallbacks = current_app.config["LMS_LOCALE_FALLBACKS"].get(locale, [])
    chain = [code for code in [locale, *fallbacks] if code in CONTENT_LOCALES]
    return [*chain, SOURCE_LOCALE] if SOURCE_LOCALE not in chain else chain


def title(module: Module, locale: str, country: str | None = None) -> str:
    """The module's title for a reader of ``locale`` (falling back like the text itself), in
    ``country``'s words when the text has them (front matter ``title_IN`` / ``title_BD``)."""
    doc = module.doc(locale_chain(locale)) or module.docs.get(SOURCE_LOCALE)
    if doc is None:
        return module.slug
    return country_title(doc, country) if country else doc.title


def country_title(doc: LocaleDoc, country: str) -> str:
    """``doc``'s title for readers in ``country``: its ``title_<COUNTRY>`` if it has one (the
    title the certificate prints), else its title."""
    own = doc.front.get(f"title_{country}")
    return own.strip() if isinstance(own, str) and own.strip() else doc.title


def facts() -> FactBook:
    """The facts beside the modules (``facts/<COUNTRY>/*.yaml``), re-read when they change."""
    return facts_for(library().root)


def reader_doc(
    module: Module, locale: str, country: str, *, latin_digits: bool = False
) -> LocaleDoc | None:
    """The module's text for a reader of ``locale`` in ``country``: their language (or its
    fallback), their country's blocks, and their country's facts written for the text's
    language."""
    doc = module.doc(locale_chain(locale))
    if doc is None:
        return None
    return country_doc(doc, country, latin_digits=latin_digits)


def country_doc(doc: LocaleDoc, country: str, *, latin_digits: bool = False) -> LocaleDoc:
    """``doc`` as a reader in ``country`` sees it: their country's blocks, and their country's
    facts written for the text's language. Made once per text, country and digits, until the
    text or the facts change (each is a new object then): filling a module's facts on every
    page view cost more than the rest of the page."""
    book = facts()
    made = state().cache("content.country_docs")
    key = (str(doc.path), doc.locale, country, latin_digits)
    found = made.get(key)
    if found is not None and found[0] is doc and found[1] is book:
        return found[2]

    def fill(text: str) -> str:
        return substitute(
            text, book, country, doc.locale, latin_digits=latin_digits, where=str(doc.path)
        )

    result = for_country(doc, country, fill)
    if country_title(doc, country) != doc.title:  # the page, the path and the certificate agree
        result.front = {**result.front, "title": country_title(doc, country)}
    made[key] = (doc, book, result)
    return result


def clamped_position(progress: ReadingProgress | None, total: int) -> int:
    """Where to resume: the saved section, or the reader's last one when their country's
    text has fewer sections than when they stopped (say, after their country changed)."""
    if progress is None:
        return 1
    return max(1, min(progress.current_section or 1, total))


def learner_modules() -> list[Module]:
    """Modules learners can read (those with errors are left out until fixed)."""
    return [m for m in library().modules() if m.usable]


# Reading progress.


def progress_for(user_id: int) -> dict[str, ReadingProgress]:
    rows = db.session.scalars(select(ReadingProgress).where(ReadingProgress.user_id == user_id))
    return {row.module_id: row for row in rows}


def save_position(
    user_id: int, module_id: str, section: int, total: int, finished: bool = False
) -> ReadingProgress:
    """Record that the learner is on ``section`` (1-based) of ``total``; idempotent.

    The furthest section only grows, in the database itself: two saves at once (two tablets, or
    a tablet sending the sections it read offline) never lower it, whichever commits last."""
    for _attempt in range(2):
        row = db.session.get(ReadingProgress, (user_id, module_id))
        try:
            newly_finished = (
                _first_position(user_id, module_id, section, total, finished)
                if row is None
                else _move_position(row, section, total, finished)
            )
        except IntegrityError:  # the same learner's other tablet inserted it first
            db.session.rollback()
            continue
        if newly_finished:
            signals.module_completed.send(
                current_app._get_current_object(), user_id=user_id, module_id=module_id
            )
        found = db.session.get(ReadingProgress, (user_id, module_id))
        assert found is not None
        return found
    raise RuntimeError("could not save reading progress")


def _first_position(user_id: int, module_id: str, section: int, total: int, finished: bool) -> bool:
    db.session.add(
        ReadingProgress(
            user_id=user_id,
            module_id=module_id,
            current_section=section,
            furthest_section=section,
            sections_total=total,
            completed_at=utcnow() if finished else None,
        )
    )
    db.session.commit()
    return finished


def _move_position(row: ReadingProgress, section: int, total: int, finished: bool) -> bool:
    """Update the row in one statement; returns whether this save finished the module."""
    table = ReadingProgress
    mine = (table.user_id == row.user_id, table.module_id == row.module_id)
    furthest = func.coalesce(table.furthest_section, 1)
    db.session.execute(
        update(table)
        .where(*mine)
        .values(
            current_section=section,
            sections_total=total,
            furthest_section=case((furthest < section, section), else_=furthest),
        )
        .execution_options(synchronize_session=False)
    )
    newly_finished = False
    if finished:
        done = db.session.execute(
            update(table)
            .where(*mine, table.completed_at.is_(None))
            .values(completed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        newly_finished = done.rowcount == 1
    db.session.commit()
    db.session.expire(row)
    return newly_finished


def has_completed(user_id: int, module_id: str) -> bool:
    row = db.session.get(ReadingProgress, (user_id, module_id))
    return row is not None and row.completed_at is not None


# The sections opened: a module is finished once every one of them has been.


@dataclass(frozen=True)
class Reading:
    """A learner's reading of one module whose text, as they get it, has ``total`` sections."""

    total: int
    #: The numbers of the sections opened (1 = the first section).
    opened: frozenset[int]
    #: Where to resume: the section the learner was last on.
    position: int
    started: bool
    completed: bool

    @property
    def unread(self) -> list[int]:
        """The sections not opened yet, in order (none once the module is finished)."""
        if self.completed:
            return []
        return [n for n in range(1, self.total + 1) if n not in self.opened]

    @property
    def read_count(self) -> int:
        return self.total - len(self.unread)

    @property
    def percent(self) -> int:
        return 100 if self.completed else round(100 * self.read_count / max(self.total, 1))


def pages_for(module: Module, locale: str, country: str) -> int:
    """How many sections a reader of ``locale`` in ``country`` pages through."""
    doc = module.doc(locale_chain(locale))
    return len(for_country(doc, country).pages) if doc is not None else 0


def opened_sections(user_id: int, module_id: str) -> set[int]:
    rows = db.session.scalars(
        select(SectionOpened.section).where(
            SectionOpened.user_id == user_id, SectionOpened.module_id == module_id
        )
    )
    return set(rows)


def reading_of(user_id: int, module_id: str, total: int) -> Reading:
    """The learner's reading of a module whose text has ``total`` sections for them."""
    row = db.session.get(ReadingProgress, (user_id, module_id))
    opened = {n for n in opened_sections(user_id, module_id) if 1 <= n <= total}
    return Reading(
        total=total,
        opened=frozenset(opened),
        position=clamped_position(row, total),
        started=row is not None or bool(opened),
        completed=row is not None and row.completed_at is not None,
    )


def open_sections(user_id: int, module_id: str, sections: Iterable[int]) -> None:
    """Record that the learner opened ``sections`` (idempotent, and safe when two tablets of
    the same learner record the same section at once)."""
    missing = sorted(set(sections) - opened_sections(user_id, module_id))
    if not missing:
        return  # the usual case, a page opened again: nothing to write
    now = utcnow()
    rows = [
        {"user_id": user_id, "module_id": module_id, "section": n, "opened_at": now}
        for n in missing
    ]
    upsert = upsert_insert(SectionOpened)
    if upsert is not None:
        db.session.execute(upsert(SectionOpened.__table__).values(rows).on_conflict_do_nothing())
    else:  # other databases: each insert in a savepoint of its own
        for row in rows:
            try:
                with db.session.begin_nested():
                    db.session.execute(insert(SectionOpened.__table__).values(row))
            except IntegrityError:
                pass  # recorded by the other tablet meanwhile
    db.session.commit()


@dataclass(frozen=True)
class Resume:
    """Where a returning learner left off: ``section`` of ``total`` in ``module``."""

    module: Module
    title: str
    section: int
    total: int


def resume_point(user_id: int, locale: str, country: str) -> Resume | None:
    """The module the learner read last and has not finished, and where they were in it."""
    rows = db.session.scalars(
        select(ReadingProgress)
        .where(ReadingProgress.user_id == user_id, ReadingProgress.completed_at.is_(None))
        .order_by(ReadingProgress.updated_at.desc())
    )
    for row in rows:
        module = library().get(row.module_id)
        total = pages_for(module, locale, country) if module is not None and module.usable else 0
        if total:
            return Resume(module, title(module, locale), clamped_position(row, total), total)
    return None


def visit(user_id: int, module_id: str, section: int, total: int, *also: int) -> ReadingProgress:
    """The learner is on ``section`` (and has had ``also`` open): remember both."""
    open_sections(user_id, module_id, (section, *also))
    return save_position(user_id, module_id, section, total)


def read_all(user_id: int, module_id: str, total: int) -> ReadingProgress:
    """The learner read every one of the ``total`` sections and finished (demo data, imports)."""
    open_sections(user_id, module_id, range(1, total + 1))
    return save_position(user_id, module_id, total, total, finished=True)


def finish(user_id: int, module_id: str, section: int, total: int) -> list[int]:
    """Finish the module from ``section`` when every section has been opened; otherwise the
    sections still unread (and the module is not finished). A finished module stays finished."""
    visit(user_id, module_id, section, total)
    unread = reading_of(user_id, module_id, total).unread
    if not unread:
        save_position(user_id, module_id, section, total, finished=True)
    return unread


# Authoring: saving files safely.


class EditConflict(Exception):
    """The file changed on disk since the editor opened it."""

    def __init__(self, disk_text: str, disk_hash: str) -> None:
        super().__init__("the file changed on disk")
        self.disk_text = disk_text
        self.disk_hash = disk_hash


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_path(module: Module, locale: str) -> Path:
    """The locale file of ``module``; refuses anything outside the module's folder."""
    if locale not in CONTENT_LOCALES:
        raise ValueError(f"unknown content locale {locale!r}")
    folder = module.folder.resolve()
    path = (folder / f"{locale}.md").resolve()
    if path.parent != folder:
        raise ValueError("path outside the module folder")
    return path


def read_source(module: Module, locale: str) -> str:
    path = source_path(module, locale)
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def save_source(
    module: Module, locale: str, text: str, base_hash: str, user_id: int | None
) -> None:
    """Write the file, unless it changed on disk since ``base_hash`` was read.

    Checking and writing happen under an exclusive lock on the module's folder, held across
    threads and worker processes, so of two saves from the same base exactly one is written
    and the other gets :class:`EditConflict`. The text goes to a temporary file in the same
    folder, then replaces the file in one step: readers see the old text or the new, never
    half of it."""
    path = source_path(module, locale)
    text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    with _folder_lock(path.parent):
        current = read_source(module, locale)
        if text_hash(current) != base_hash:
            raise EditConflict(current, text_hash(current))
        _replace(path, text)
    forget_per_request()  # this request reads the library again: it sees the new text
    signals.content_saved.send(
        current_app._get_current_object(), module_id=module.slug, locale=locale, user_id=user_id
    )


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive ``flock`` on the folder itself: no lock file is left among the authors'
    files, and the lock goes with the process if it dies."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # (closing releases the lock)


def _replace(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # The file keeps its permissions (mkstemp makes 0600); a new one gets the folder's.
        mode = (path if path.exists() else path.parent).stat().st_mode & 0o666
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_TRANSLATED_FROM = re.compile(r"^translated_from:.*$", re.MULTILINE)


def stamp_translation(text: str, english_fingerprint: str) -> str:
    """``text`` with ``translated_from`` set to the given fingerprint in its front matter."""
    if not text.startswith("---\n"):
        raise ValueError(str(_l("The file must start with a front matter block (---).")))
    end = text.find("\n---", 3)
    if end == -1:
        raise ValueError(str(_l("The front matter block is not closed with ---.")))
    front, rest = text[: end + 1], text[end + 1 :]
    # Quoted when YAML would read it as a number (all digits, or digits with one "e").
    plain = isinstance(yaml.safe_load(english_fingerprint), str)
    value = english_fingerprint if plain else f'"{english_fingerprint}"'
    line = f"translated_from: {value}"
    if _TRANSLATED_FROM.search(front):
        front = _TRANSLATED_FROM.sub(line, front, count=1)
    else:
        front += line + "\n"
    return front + rest


def mark_translated(module: Module, locale: str, user_id: int | None = None) -> str:
    """Record that the ``locale`` file now follows the current English text."""
    if locale == SOURCE_LOCALE:
        raise ValueError(str(_l("English is the source text; only translations are marked.")))
    english = source_path(module, SOURCE_LOCALE)
    current = read_source(module, locale)
    if not current:
        raise ValueError(str(_l("There is no %(locale)s file yet.", locale=locale)))
    stamped = stamp_translation(current.replace("\r\n", "\n"), file_fingerprint(english))
    save_source(module, locale, stamped, text_hash(current), user_id)
    return file_fingerprint(english)
