"""A module folder as a whole: validated ``module.yaml`` and its locale documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..i18n import _l
from .source import (
    CONTENT_LOCALES,
    SLUG,
    SOURCE_LOCALE,
    LocaleDoc,
    Problem,
    YAMLProblem,
    file_fingerprint,
    load_yaml,
    read_doc,
)
from .topics import LEVELS, TOPICS

COUNTRIES = ("IN", "BD", "any")


@dataclass
class Module:
    slug: str
    folder: Path
    meta: dict[str, Any] = field(default_factory=dict)
    meta_lines: dict[tuple, int] = field(default_factory=dict)
    docs: dict[str, LocaleDoc] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def yaml_path(self) -> Path:
        return self.folder / "module.yaml"

    @property
    def order(self) -> int:
        value = self.meta.get("order")
        return value if isinstance(value, int) else 10_000

    @property
    def level(self) -> str:
        return str(self.meta.get("level", ""))

    @property
    def minutes(self) -> int:
        value = self.meta.get("estimated_minutes")
        return value if isinstance(value, int) else 0

    @property
    def topics(self) -> list[str]:
        return [t for t in self.meta.get("topics") or [] if t in TOPICS]

    @property
    def prerequisites(self) -> list[str]:
        value = self.meta.get("prerequisites") or []
        return [str(v) for v in value] if isinstance(value, list) else []

    @property
    def pass_mark(self) -> int:
        value = self.meta.get("pass_mark")
        return value if isinstance(value, int) else 0

    @property
    def post_test_after_reading(self) -> bool:
        """Whether the post-test opens only once every section has been read (default yes)."""
        value = self.meta.get("post_test_after_reading", True)
        return value if isinstance(value, bool) else True

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.all_problems if p.severity == "error"]

    @property
    def all_problems(self) -> list[Problem]:
        found = list(self.problems)
        for doc in self.docs.values():
            found.extend(doc.problems)
        return found

    @property
    def usable(self) -> bool:
        """Learners can read it: the metadata and the English text have no errors."""
        english = self.docs.get(SOURCE_LOCALE)
        return (
            english is not None
            and not any(p.severity == "error" for p in self.problems)
            and not any(p.severity == "error" for p in english.problems)
        )

    def doc(self, chain: list[str]) -> LocaleDoc | None:
        """The first document of ``chain`` that exists without errors (English last)."""
        for locale in [*chain, SOURCE_LOCALE]:
            doc = self.docs.get(locale)
            if doc is not None and not any(p.severity == "error" for p in doc.problems):
                return doc
        return None


def load_module(folder: Path) -> Module:
    """Read a module folder; every problem is recorded on the module, nothing raises."""
    module = Module(folder.name, folder)
    if not SLUG.match(folder.name):
        module.problems.append(
            Problem(
                folder,
                1,
                "error",
                _l(
                    "The folder name must use only a-z, 0-9 and hyphens: %(name)s", name=folder.name
                ),
            )
        )
    _load_meta(module)
    for locale in CONTENT_LOCALES:
        path = folder / f"{locale}.md"
        if path.is_file():
            module.docs[locale] = read_doc(path, locale)
        elif locale == SOURCE_LOCALE:
            module.problems.append(
                Problem(path, 1, "error", _l("The English text en.md is missing."))
            )
        else:
            module.problems.append(
                Problem(
                    path,
                    1,
                    "warning",
                    _l("No %(locale)s translation: readers see another language.", locale=locale),
                )
            )
    _check_front_matter(module)
    return module


def _load_meta(module: Module) -> None:
    path = module.yaml_path
    if not path.is_file():
        module.problems.append(Problem(path, 1, "error", _l("module.yaml is missing.")))
        return
    try:
        data, lines = load_yaml(path.read_text(encoding="utf-8"))
    except YAMLProblem as exc:
        module.problems.append(Problem(path, exc.line, "error", exc.message))
        return
    if not isinstance(data, dict):
        module.problems.append(
            Problem(path, 1, "error", _l("module.yaml must be a set of 'key: value' lines."))
        )
        return
    module.meta, module.meta_lines = data, lines
    module.problems.extend(_validate_meta(module))


# Field checks: each returns a message when the value is wrong, else None.
Check = Callable[[Any], Any]


def _text(value: Any) -> Any:
    return None if isinstance(value, str) and value.strip() else _l("must be non-empty text")


def _int_between(low: int, high: int) -> Check:
    def check(value: Any) -> Any:
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        return (
            None
            if ok
            else _l("must be a whole number from %(low)s to %(high)s", low=low, high=high)
        )

    return check


def _one_of(choices: dict[str, Any] | tuple[str, ...]) -> Check:
    def check(value: Any) -> Any:
        return (
            None
            if value in choices
            else _l("must be one of: %(choices)s", choices=", ".join(choices))
        )

    return check


def _date(value: Any) -> Any:
    ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return None if ok else _l("must be a date written as YYYY-MM-DD")


def _bool(value: Any) -> Any:
    return None if isinstance(value, bool) else _l("must be true or false")


def _url(value: Any) -> Any:
    ok = isinstance(value, str) and value.startswith(("https://", "http://"))
    return None if ok else _l("must be a web address starting with https://")


def _slug(value: Any) -> Any:
    return (
        None
        if isinstance(value, str) and SLUG.match(value)
        else _l("must use only a-z, 0-9 and hyphens")
    )


META_FIELDS: dict[str, tuple[bool, Check]] = {
    "id": (True, _slug),
    "order": (True, _int_between(0, 10_000)),
    "level": (True, _one_of(LEVELS)),
    "estimated_minutes": (True, _int_between(1, 600)),
    "topics": (True, lambda v: None),
    "prerequisites": (False, lambda v: None),
    "pass_mark": (True, _int_between(0, 100)),
    "post_test_after_reading": (False, _bool),
    "last_reviewed": (True, _date),
    "sources": (True, lambda v: None),
    "facts": (False, lambda v: None),
}
SOURCE_FIELDS = {"title": (True, _text), "url": (True, _url)}
FACT_FIELDS = {
    "text": (True, _text),
    "country": (True, _one_of(COUNTRIES)),
    "as_of": (True, _date),
    "source": (True, _text),
}


def _check_fields(
    data: dict[str, Any],
    spec: dict[str, tuple[bool, Check]],
    path: Path,
    lines: dict[tuple, int],
    prefix: tuple = (),
) -> list[Problem]:
    found = []
    here = lines.get(prefix, 1)
    for key, (required, check) in spec.items():
        name = ".".join(str(p) for p in (*prefix, key))
        if key not in data:
            if required:
                found.append(Problem(path, here, "error", _l("%(field)s is missing", field=name)))
            continue
        message = check(data[key])
        if message is not None:
            found.append(
                Problem(
                    path,
                    lines.get((*prefix, key), here),
                    "error",
                    _l("%(field)s %(problem)s", field=name, problem=message),
                )
            )
    for key in data:
        if key not in spec:
            found.append(
                Problem(
                    path,
                    lines.get((*prefix, key), here),
                    "warning",
                    _l("unknown field %(field)s", field=".".join(str(p) for p in (*prefix, key))),
                )
            )
    return found


def _validate_meta(module: Module) -> list[Problem]:
    meta, lines, path = module.meta, module.meta_lines, module.yaml_path
    found = _check_fields(meta, META_FIELDS, path, lines)
    if isinstance(meta.get("id"), str) and meta["id"] != module.slug:
        found.append(
            Problem(
                path,
                lines.get(("id",), 1),
                "error",
                _l(
                    "id %(id)s differs from the folder name %(folder)s",
                    id=meta["id"],
                    folder=module.slug,
                ),
            )
        )
    found += _check_list(meta, "topics", path, lines, required=True, item=_one_of(tuple(TOPICS)))
    found += _check_list(meta, "prerequisites", path, lines, required=False, item=_slug)
    found += _check_list(meta, "sources", path, lines, required=True, fields=SOURCE_FIELDS)
    found += _check_list(meta, "facts", path, lines, required=False, fields=FACT_FIELDS)
    return found


def _check_list(
    meta: dict[str, Any],
    key: str,
    path: Path,
    lines: dict[tuple, int],
    *,
    required: bool,
    item: Check | None = None,
    fields: dict[str, tuple[bool, Check]] | None = None,
) -> list[Problem]:
    value = meta.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or (required and not value):
        return [
            Problem(
                path,
                lines.get((key,), 1),
                "error",
                _l("%(field)s must be a list with at least one entry", field=key),
            )
        ]
    found = []
    for index, entry in enumerate(value):
        line = lines.get((key, index), lines.get((key,), 1))
        if fields is not None:
            if not isinstance(entry, dict):
                found.append(
                    Problem(
                        path,
                        line,
                        "error",
                        _l(
                            "each entry of %(field)s needs %(keys)s",
                            field=key,
                            keys=", ".join(fields),
                        ),
                    )
                )
                continue
            found += _check_fields(entry, fields, path, lines, (key, index))
        elif item is not None and (message := item(entry)) is not None:
            found.append(
                Problem(
                    path,
                    line,
                    "error",
                    _l("%(field)s %(problem)s", field=f"{key}[{index}]", problem=message),
                )
            )
    return found


FRONT_FIELDS: dict[str, tuple[bool, Check]] = {
    "title": (True, _text),
    # The title for one country's readers, when the module differs by country (certificates).
    "title_IN": (False, _text),
    "title_BD": (False, _text),
    "summary": (True, _text),
    "objectives": (
        True,
        lambda v: (
            None
            if isinstance(v, list) and v and all(isinstance(i, str) and i.strip() for i in v)
            else _l("must be a list of text")
        ),
    ),
    "translated_from": (False, _text),
}


def _check_front_matter(module: Module) -> None:
    for doc in module.docs.values():
        doc.problems.extend(front_matter_problems(module, doc))


def front_matter_problems(module: Module, doc: LocaleDoc) -> list[Problem]:
    """Front matter fields, and for a translation whether it follows the current English text."""
    if not doc.front:
        return []
    found = _check_fields(doc.front, FRONT_FIELDS, doc.path, doc.front_lines)
    english = module.docs.get(SOURCE_LOCALE)
    if doc.locale == SOURCE_LOCALE or english is None:
        return found
    current = file_fingerprint(english.path)
    recorded = doc.front.get("translated_from")
    line = doc.front_lines.get(("translated_from",), 1)
    if recorded is None:
        found.append(
            Problem(
                doc.path,
                line,
                "warning",
                _l("translated_from is missing: nobody can tell which English text this follows"),
            )
        )
    elif str(recorded) != current:
        found.append(
            Problem(
                doc.path,
                line,
                "warning",
                _l(
                    "stale translation: en.md changed since it was translated "
                    "(%(old)s, now %(new)s)",
                    old=recorded,
                    new=current,
                ),
            )
        )
    return found


def is_stale(module: Module, locale: str) -> bool:
    doc, english = module.docs.get(locale), module.docs.get(SOURCE_LOCALE)
    if doc is None or english is None or locale == SOURCE_LOCALE:
        return False
    return str(doc.front.get("translated_from")) != file_fingerprint(english.path)
