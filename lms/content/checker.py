"""The content checker: every problem of every module as ``path:line: severity: message``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from ..i18n import _l
from .library import ContentLibrary
from .modules import Module
from .source import SOURCE_LOCALE, LocaleDoc, Problem

_CODE_SPAN = re.compile(r"`[^`]*`")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_RAW_HTML = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?/?>")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_FOOTNOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:")
_FENCE = re.compile(r"^\s*(```|~~~)")

#: Extra checks a capability adds (the quiz engine checks ``quiz.yaml``): ``(library, module)``.
ModuleCheck = Callable[[ContentLibrary, Module], Iterable[Problem]]


def check_library(library: ContentLibrary, extra: Iterable[ModuleCheck] = ()) -> list[Problem]:
    """Check every module; problems sorted by file and line."""
    modules = library.modules()
    found: list[Problem] = []
    seen_ids: dict[str, Module] = {}
    for module in modules:
        found.extend(module.all_problems)
        found.extend(_check_relations(library, module, seen_ids))
        for doc in module.docs.values():
            found.extend(check_markdown(library, module, doc))
        for check in extra:
            found.extend(check(library, module))
    return sorted(found, key=lambda p: (str(p.path), p.line, p.severity))


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
        in_fence = False
        for offset, line in enumerate(section.markdown.split("\n")):
            if _FENCE.match(line):
                in_fence = not in_fence
                continue
            if not in_fence:
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
    return found


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
    if target.startswith("assets/"):
        assets = (module.folder / "assets").resolve()
        path = (module.folder / target).resolve()
        if not path.is_relative_to(assets) or not path.is_file():
            return problem(_l("%(path)s: no such file in this module's assets folder", path=target))
        return []
    return problem(
        _l("link %(target)s: use https://..., #anchor, module:slug or assets/file", target=target)
    )


def format_report(problems: list[Problem], root: Path | None = None) -> tuple[list[str], int, int]:
    """The lines to print, and the counts of errors and warnings."""
    errors = sum(1 for p in problems if p.severity == "error")
    return [p.format(root) for p in problems], errors, len(problems) - errors
