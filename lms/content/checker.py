"""The content checker: every problem of every module as ``path:line: severity: message``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

from ..countries import COUNTRIES
from ..i18n import _l, format_date, format_number, gettext
from . import diagrams, images
from .blocks import body_lines, countries_in, keep_for
from .facts import MODIFIERS, REFERENCE, FactBook, load_facts, stale_facts
from .library import ContentLibrary
from .modules import Module
from .source import SOURCE_LOCALE, LocaleDoc, Problem, outside_code

_CODE_SPAN = re.compile(r"`[^`]*`")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_RAW_HTML = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?/?>")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_FOOTNOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:")

#: Extra checks a capability adds (the quiz engine checks ``quiz.yaml``): ``(library, module)``.
ModuleCheck = Callable[[ContentLibrary, Module], Iterable[Problem]]
#: A check of files beside the modules (the courses, the resource entries, the questionnaire).
LibraryCheck = Callable[[ContentLibrary], Iterable[Problem]]


def once_per_library(check: LibraryCheck) -> ModuleCheck:
    """``check`` as a content check: :func:`check_library` asks every module, so it answers
    with the library's first module only, and each problem is listed once."""

    def per_module(library: ContentLibrary, module: Module) -> list[Problem]:
        modules = library.modules()
        if not modules or module.slug != modules[0].slug:
            return []
        return list(check(library))

    per_module.__name__ = getattr(check, "__name__", "library_check")
    return per_module


def check_library(
    library: ContentLibrary, extra: Iterable[ModuleCheck] = (), today: dt.date | None = None
) -> list[Problem]:
    """Check every module and the facts; problems sorted by file and line."""
    modules = library.modules()
    book = load_facts(library.root)
    found: list[Problem] = [*book.problems, *_stale(book, today or dt.date.today())]
    seen_ids: dict[str, Module] = {}
    for module in modules:
        found.extend(module.all_problems)
        found.extend(_check_relations(library, module, seen_ids))
        for doc in module.docs.values():
            found.extend(check_markdown(library, module, doc))
            found.extend(check_facts(doc, book))
            found.extend(_one_country_only(doc))
        for check in extra:
            found.extend(check(library, module))
    return sorted(found, key=lambda p: (str(p.path), p.line, p.severity))


def _stale(book: FactBook, today: dt.date) -> list[Problem]:
    return [
        Problem(
            fact.path,
            fact.line,
            "warning",
            _l(
                "fact %(id)s was last checked on %(date)s, more than 12 months ago: check it "
                "against its source and renew checked",
                id=fact.id,
                date=fact.checked,  # a date: ISO in the command's output, the reader's on a page
            ),
        )
        for fact in stale_facts(book, today)
    ]


def check_facts(doc: LocaleDoc, book: FactBook) -> list[Problem]:
    """Every ``{fact:...}`` of the text must exist for each country whose readers see it."""
    lines, first = body_lines(doc)
    found: list[Problem] = []
    seen_by = {country: set(keep_for(lines, country)) for country in COUNTRIES}
    for index, line in outside_code(lines, diagrams=True):
        for match in REFERENCE.finditer(line):
            fact_id, modifier = match.group(1), match.group(2) or ""
            if modifier not in MODIFIERS:
                found.append(
                    Problem(
                        doc.path,
                        first + index,
                        "error",
                        _l(
                            "{fact:%(id)s|%(modifier)s}: the only modifier is |number",
                            id=fact_id,
                            modifier=modifier,
                        ),
                    )
                )
            missing = [c for c in COUNTRIES if index in seen_by[c] and book.get(c, fact_id) is None]
            if missing:
                found.append(
                    Problem(
                        doc.path,
                        first + index,
                        "error",
                        _l(
                            "unknown fact %(id)s for %(countries)s (readers there see "
                            "[%(id)s]): add it to facts/%(country)s/ or move the sentence into "
                            "a country block",
                            id=fact_id,
                            countries=", ".join(missing),
                            country=missing[0],
                        ),
                    )
                )
    return found


def country_blocks(doc: LocaleDoc) -> list[str]:
    """The countries that have blocks of their own in ``doc`` (``::: IN``, ``::: BD``)."""
    lines, _first = body_lines(doc)
    found = countries_in(lines)
    return [c for c in COUNTRIES if c in found]


def variants(doc: LocaleDoc) -> str:
    """Which countries have blocks of their own in ``doc``: ``IN+BD``, ``BD only``, ``shared``."""
    found = country_blocks(doc)
    if not found:
        return "shared"
    return "+".join(found) if len(found) > 1 else f"{found[0]} only"


def _one_country_only(doc: LocaleDoc) -> list[Problem]:
    lines, first = body_lines(doc)
    found = [c for c in COUNTRIES if c in countries_in(lines)]
    if len(found) != 1:
        return []
    others = ", ".join(c for c in COUNTRIES if c not in found)
    line = first + next(i for i, text in enumerate(lines) if text.strip().startswith(":::"))
    return [
        Problem(
            doc.path,
            line,
            "warning",
            _l(
                "country blocks for %(country)s only: readers in %(others)s get only the text "
                "outside blocks",
                country=found[0],
                others=others,
            ),
        )
    ]


def variants_summary(library: ContentLibrary) -> list[str]:
    """One line per module: the country variants of each language file."""
    return [
        f"{module.slug}: "
        + ", ".join(f"{locale} {variants(doc)}" for locale, doc in module.docs.items())
        for module in library.modules()
    ]


def _check_relations(
    library: ContentLibrary, module: Module, seen_ids: dict[str, Module]
) -> list[Problem]:
    found = []
    module_id = module.meta.get("id")
    if isinstance(module_id, str):
        if module_id in seen_ids:
            found.append(
                Problem(
                    module.yaml_path,
                    module.meta_lines.get(("id",), 1),
                    "error",
                    _l(
                        "duplicate id %(id)s (also in %(other)s)",
                        id=module_id,
                        other=seen_ids[module_id].folder.name,
                    ),
                )
            )
        seen_ids.setdefault(module_id, module)
    for index, slug in enumerate(module.prerequisites):
        line = module.meta_lines.get(("prerequisites", index), 1)
        if slug == module.slug:
            found.append(
                Problem(
                    module.yaml_path, line, "error", _l("a module cannot be its own prerequisite")
                )
            )
        elif library.get(slug) is None:
            found.append(
                Problem(
                    module.yaml_path,
                    line,
                    "error",
                    _l("prerequisite %(slug)s: no such module", slug=slug),
                )
            )
    return found


def _body_lines(doc: LocaleDoc) -> Iterable[tuple[int, int, str]]:
    """(section index, line number, text without code spans) of every line outside code."""
    for section in doc.sections:
        for offset, line in outside_code(section.markdown.split("\n")):
            yield section.index, section.first_line + offset, _CODE_SPAN.sub("", line)


def check_markdown(library: ContentLibrary, module: Module, doc: LocaleDoc) -> list[Problem]:
    if not doc.sections:
        return []
    found: list[Problem] = []
    anchors = library.anchors(doc)
    refs: dict[int, dict[str, int]] = {}
    defs: dict[int, dict[str, int]] = {}
    for index, number, line in _body_lines(doc):
        for alt, src in _IMAGE.findall(line):
            if not alt.strip():
                found.append(
                    Problem(
                        doc.path,
                        number,
                        "error",
                        _l("image %(src)s has no alt text: describe it in the [brackets]", src=src),
                    )
                )
            found.extend(_check_target(library, module, doc, anchors, src, number))
            found.extend(_check_picture(module, doc, src, number))
        for _text, target in _LINK.findall(_IMAGE.sub("", line)):
            found.extend(_check_target(library, module, doc, anchors, target, number))
        for tag in dict.fromkeys(_RAW_HTML.findall(line)):
            found.append(
                Problem(
                    doc.path,
                    number,
                    "error",
                    _l(
                        "raw HTML <%(tag)s> is removed when the page is shown: "
                        "use Markdown instead",
                        tag=tag,
                    ),
                )
            )
        definition = _FOOTNOTE_DEF.match(line)
        if definition:
            defs.setdefault(index, {})[definition.group(1)] = number
        for name in _FOOTNOTE_REF.findall(_FOOTNOTE_DEF.sub("", line)):
            refs.setdefault(index, {}).setdefault(name, number)
    found.extend(_check_footnotes(doc, refs, defs))
    found.extend(_check_diagrams(doc))
    found.extend(_pictures_left_out(module, doc))
    return found


def _check_picture(module: Module, doc: LocaleDoc, src: str, number: int) -> list[Problem]:
    """A picture beside the text is of a kind browsers show and light enough for weak wifi."""
    path = images.resolve(module.folder, src)
    if path is None:
        return []  # _check_target says it is missing
    if path.suffix.lower() not in images.TYPES:
        message = _l("image %(src)s: use a WebP, SVG, PNG or JPEG picture", src=src)
        return [Problem(doc.path, number, "error", message)]
    size = path.stat().st_size
    if size > images.MAX_BYTES:
        message = _l(
            "image %(src)s weighs %(kb)s KB: at most %(max)s KB (tablets load it on weak wifi)",
            src=src,
            kb=-(-size // 1024),
            max=images.MAX_BYTES // 1024,
        )
        return [Problem(doc.path, number, "error", message)]
    return []


def _check_diagrams(doc: LocaleDoc) -> list[Problem]:
    """Each ``diagram`` block is well formed (kind, title, alt, items), reported at its line."""
    found: list[Problem] = []
    for section in doc.sections:
        for diagram, _end in diagrams.find(section.markdown.split("\n")):
            for offset, level, message in diagram.problems:
                found.append(Problem(doc.path, section.first_line + offset, level, message))
    return found


def _pictures(doc: LocaleDoc) -> dict[str, int]:
    """The pictures a text shows (src -> first line)."""
    found: dict[str, int] = {}
    for _index, number, line in _body_lines(doc):
        for _alt, src in _IMAGE.findall(line):
            found.setdefault(src, number)
    return found


def _pictures_left_out(module: Module, doc: LocaleDoc) -> list[Problem]:
    """A translation shows every picture of the English text, each with its own alt text."""
    source = module.docs.get(SOURCE_LOCALE)
    if source is None or doc is source:
        return []
    shown = _pictures(doc)
    return [
        Problem(
            doc.path,
            1,
            "warning",
            _l(
                "image %(src)s (%(file)s line %(line)s) is not in this translation: "
                "show it here too, with alt text in this language",
                src=src,
                file=source.path.name,
                line=line,
            ),
        )
        for src, line in _pictures(source).items()
        if src not in shown
    ]


def _check_footnotes(
    doc: LocaleDoc, refs: dict[int, dict[str, int]], defs: dict[int, dict[str, int]]
) -> list[Problem]:
    found = []
    for index, names in refs.items():
        for name, number in names.items():
            if name not in defs.get(index, {}):
                found.append(
                    Problem(
                        doc.path,
                        number,
                        "error",
                        _l("footnote [^%(name)s] has no definition in the same section", name=name),
                    )
                )
    for index, names in defs.items():
        for name, number in names.items():
            if name not in refs.get(index, {}):
                found.append(
                    Problem(
                        doc.path,
                        number,
                        "warning",
                        _l("footnote [^%(name)s] is defined but never used", name=name),
                    )
                )
    return found


def _check_target(
    library: ContentLibrary,
    module: Module,
    doc: LocaleDoc,
    anchors: dict[str, int],
    target: str,
    number: int,
) -> list[Problem]:
    def problem(message: object) -> list[Problem]:
        return [Problem(doc.path, number, "error", message)]

    if target.startswith(("https://", "http://", "mailto:")) or target.startswith("#fn"):
        return []
    if target.startswith("#"):
        if target[1:] not in anchors:
            return problem(_l("link to #%(anchor)s: no heading has this anchor", anchor=target[1:]))
        return []
    if target.startswith("module:"):
        slug, _, anchor = target[len("module:") :].partition("#")
        other = library.get(slug)
        if other is None:
            return problem(_l("link to module %(slug)s: no such module", slug=slug))
        other_doc = other.docs.get(doc.locale) or other.docs.get(SOURCE_LOCALE)
        if anchor and other_doc is not None and anchor not in library.anchors(other_doc):
            return problem(
                _l(
                    "link to %(slug)s#%(anchor)s: no heading has this anchor",
                    slug=slug,
                    anchor=anchor,
                )
            )
        return []
    if target.startswith(images.FOLDERS):
        if images.resolve(module.folder, target) is None:
            folder = target.split("/", 1)[0]
            return problem(
                _l(
                    "%(path)s: no such file in this module's %(folder)s folder",
                    path=target,
                    folder=folder,
                )
            )
        return []
    return problem(
        _l(
            "link %(target)s: use https://..., #anchor, module:slug, images/file or assets/file",
            target=target,
        )
    )


def message_html(message: object) -> Markup:
    """A checker message for a page, translated now: what the author typed or must type (ids,
    slugs, paths: the message's text variables) as ``<code>``, numbers and dates in the reader's
    digits. Outside a page (``str(message)``) the same message keeps them as they are."""
    if not (isinstance(message, LazyString) and message._func == gettext):
        return escape(str(message))
    (msgid,) = message._args
    if not message._kwargs:  # gettext formats only with variables ("100%" stays as it is)
        return escape(gettext(msgid))
    shown = {name: _variable_html(value) for name, value in message._kwargs.items()}
    return Markup(escape(gettext(msgid))) % shown


def _variable_html(value: object) -> Markup:
    if isinstance(value, LazyString):  # a message of its own, or translated words
        return message_html(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return escape(format_number(value))
    if isinstance(value, dt.date):
        return escape(format_date(value))
    if isinstance(value, str):
        return Markup("<code>%s</code>") % value
    return escape(str(value))


def format_report(problems: list[Problem], root: Path | None = None) -> tuple[list[str], int, int]:
    """The lines to print, and the counts of errors and warnings."""
    errors = sum(1 for p in problems if p.severity == "error")
    return [p.format(root) for p in problems], errors, len(problems) - errors
