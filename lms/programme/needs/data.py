"""The needs-assessment questionnaire as data: its format, read from ``needs-assessment.yaml``
with every mistake reported as file:line, as authors see it in ``flask lms check-content``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ...content.source import SLUG, Problem, YAMLProblem, load_yaml
from ...i18n import _l, lazy_number, locale_code, pick_text

FILENAME = "needs-assessment.yaml"
#: The programme's gap areas, in the questionnaire's order.
AREA_IDS = (
    "export",
    "tax",
    "ecommerce",
    "design",
    "branding",
    "finance",
    "credit",
    "quality",
    "environment",
)
LANGUAGES = ("en", "bn", "bn_BD")
_IDS = ", ".join(AREA_IDS)
#: An area whose gap is at least this large is on the roadmap.
THRESHOLD = 0.34
DEFAULT_PER_SESSION = 50
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class NeedsError(ValueError):
    """Answers refused; the message is for the person who gave them."""


@dataclass
class Text:
    """A text in the three languages. Bengali follows the enterprise's country (``bn`` India,
    ``bn_BD`` Bangladesh); ``bd`` holds the English for Bangladesh where it differs."""

    values: dict[str, str]
    bd: dict[str, str] = field(default_factory=dict)

    def get(self, locale: str | None = None, country: str | None = None) -> str:
        locale = locale or locale_code()
        country = country or ("BD" if locale == "bn_BD" else "IN")
        if locale == "en" or locale not in LANGUAGES:
            chain = [self.bd.get("en") if country == "BD" else None, self.values.get("en")]
        else:
            bengali = ["bn_BD", "bn"] if country == "BD" else ["bn", "bn_BD"]
            chain = [self.values.get(code) for code in [*bengali, "en"]]
        return next((text for text in chain if text), "")


@dataclass
class Option:
    id: str
    score: int
    label_text: Text

    def label(self, locale: str | None = None, country: str | None = None) -> str:
        return self.label_text.get(locale, country)


@dataclass
class Question:
    id: str
    area: str
    question_text: Text
    options: list[Option]
    line: int

    def text(self, locale: str | None = None, country: str | None = None) -> str:
        return self.question_text.get(locale, country)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    @property
    def max_score(self) -> int:
        return max((o.score for o in self.options), default=0)


@dataclass
class Area:
    id: str
    titles: dict[str, str]
    #: The modules that close this gap, in teaching order.
    modules: list[str]
    line: int
    module_lines: list[int] = field(default_factory=list)

    def title(self, locale: str | None = None) -> str:
        """The title in ``locale`` (default: the UI's), falling back bn_BD → bn → en."""
        locale = locale or locale_code()
        chain = [locale, "bn", "en"] if locale == "bn_BD" else [locale, "en"]
        return pick_text(self.titles, chain)[0] or self.id


@dataclass
class Questionnaire:
    path: Path
    version: str = ""
    areas: list[Area] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """Whether owners can answer it: read without errors."""
        return bool(self.questions) and not any(p.severity == "error" for p in self.problems)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def steps(self) -> list[tuple[Area, list[Question]]]:
        """One screen per area: the area and its questions."""
        return [(a, [q for q in self.questions if q.area == a.id]) for a in self.areas]

    @cached_property
    def _choices(self) -> list[tuple[str, frozenset[str]]]:
        """Each question's id and its options' ids (the questionnaire is read once, then kept)."""
        return [(q.id, frozenset(o.id for o in q.options)) for q in self.questions]

    def is_complete(self, answers: Mapping[str, Any]) -> bool:
        """Whether every question has a valid answer (judged by the file as it is now)."""
        return bool(self.questions) and all(
            str(answers.get(question) or "") in options for question, options in self._choices
        )

    def first_open_step(self, answers: Mapping[str, Any]) -> int:
        """The number (from 1) of the first screen with an unanswered question; else 1."""
        for number, (_area, questions) in enumerate(self.steps(), start=1):
            if any(q.option(str(answers.get(q.id) or "")) is None for q in questions):
                return number
        return 1


# Reading and checking the file.


class _Reader:
    """Builds a questionnaire from parsed YAML, noting each problem with its line."""

    def __init__(self, result: Questionnaire, lines: dict[tuple, int]) -> None:
        self.result, self.lines = result, lines

    def problem(self, where: tuple, message: Any, severity: str = "error") -> None:
        while where and where not in self.lines:
            where = where[:-1]  # a missing key: point at what should hold it
        self.result.problems.append(
            Problem(self.result.path, self.lines.get(where, 1), severity, message)
        )

    def mapping(self, raw: Any, where: tuple, name: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            self.problem(where, _l("%(name)s must be a set of 'key: value' lines", name=name))
            return {}
        return raw

    def keys(self, raw: dict[str, Any], where: tuple, known: Iterable[str]) -> None:
        for key in raw:
            if key not in known:
                self.problem((*where, key), _l("unknown key %(key)s", key=key), "warning")

    def ident(self, raw: dict[str, Any], where: tuple) -> str:
        value = raw.get("id")
        if not isinstance(value, str) or not _ID.match(value):
            message = _l(
                'id must be lowercase letters, digits and hyphens (write "no" in quotes: '
                "unquoted it means false)"
            )
            self.problem((*where, "id"), message)
            return ""
        return value

    def text(self, raw: dict[str, Any], key: str, where: tuple) -> Text:
        """``raw[key]`` in the three languages, and ``raw[key + "_BD"]`` (English only)."""
        texts: dict[str, Any] = {}
        if key not in raw:
            self.problem(where, _l("%(key)s is missing: give it in en, bn and bn_BD", key=key))
        else:
            texts = self.mapping(raw[key], (*where, key), key)
            self.keys(texts, (*where, key), LANGUAGES)
            for code in LANGUAGES:
                if not _filled(texts.get(code)):
                    message = _l("%(key)s: missing language %(locale)s", key=key, locale=code)
                    self.problem((*where, key, code), message)
        bd_key = f"{key}_BD"
        bd = self.mapping(raw[bd_key], (*where, bd_key), bd_key) if bd_key in raw else {}
        for code, value in bd.items():
            if code != "en" or not _filled(value):
                message = _l(
                    "%(key)s gives English only: en (bn_BD is Bangladesh's already)", key=bd_key
                )
                self.problem((*where, bd_key, code), message)
        return Text(
            {c: texts[c].strip() for c in LANGUAGES if _filled(texts.get(c))},
            {"en": bd["en"].strip()} if _filled(bd.get("en")) else {},
        )


def _filled(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def load(path: Path) -> Questionnaire:
    """Read and check the questionnaire at ``path``; never raises: problems are kept on it."""
    result = Questionnaire(path)
    try:
        data, lines = load_yaml(path.read_text(encoding="utf-8"))
    except YAMLProblem as exc:
        result.problems.append(Problem(path, exc.line, "error", exc.message))
        return result
    except (OSError, UnicodeDecodeError):
        message = _l("the questionnaire file is missing or is not UTF-8 text")
        result.problems.append(Problem(path, 1, "error", message))
        return result
    reader = _Reader(result, lines)
    data = reader.mapping(data, (), FILENAME)
    reader.keys(data, (), ("version", "areas", "questions"))
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, str | int | float) or not str(version):
        reader.problem(("version",), _l('version is missing: write e.g. version: "2026-11"'))
        version = ""
    result.version = str(version).strip()[:40]
    _read_areas(reader, data.get("areas"))
    _read_questions(reader, data.get("questions"))
    asked = {q.area for q in result.questions}
    for area in result.areas:
        if area.id and area.id not in asked:
            reader.problem(
                ("areas", result.areas.index(area)), _l("area %(id)s has no questions", id=area.id)
            )
    return result


def _read_areas(reader: _Reader, raw: Any) -> None:
    if not isinstance(raw, list):
        reader.problem(("areas",), _l("areas must be a list"))
        raw = []
    for index, item in enumerate(raw):
        where = ("areas", index)
        item = reader.mapping(item, where, "area")
        reader.keys(item, where, ("id", "title", "modules"))
        area_id = reader.ident(item, where)
        if area_id and area_id not in AREA_IDS:
            message = _l("unknown area %(id)s: the areas are %(ids)s", id=area_id, ids=_IDS)
            reader.problem((*where, "id"), message)
        modules = item.get("modules", [])
        if not isinstance(modules, list) or not all(
            isinstance(m, str) and SLUG.match(m) for m in modules
        ):
            reader.problem((*where, "modules"), _l("modules must be a list of module slugs"))
            modules = []
        line = reader.lines.get(where, 1)
        module_lines = [reader.lines.get((*where, "modules", i), line) for i in range(len(modules))]
        titles = reader.text(item, "title", where).values
        reader.result.areas.append(Area(area_id, titles, list(modules), line, module_lines))
    if [a.id for a in reader.result.areas] != list(AREA_IDS):
        message = _l("areas must be exactly these, once each, in this order: %(ids)s", ids=_IDS)
        reader.problem(("areas",), message)


def _read_questions(reader: _Reader, raw: Any) -> None:
    if not isinstance(raw, list) or not raw:
        reader.problem(("questions",), _l("questions must be a list"))
        return
    seen: dict[str, int] = {}
    areas = {a.id for a in reader.result.areas}
    for index, item in enumerate(raw):
        where = ("questions", index)
        item = reader.mapping(item, where, "question")
        reader.keys(item, where, ("id", "area", "text", "text_BD", "options"))
        question_id = reader.ident(item, where)
        line = reader.lines.get(where, 1)
        if question_id in seen:
            message = _l(
                "duplicate question id %(id)s (also on line %(line)s)",
                id=question_id,
                line=lazy_number(seen[question_id]),
            )
            reader.problem((*where, "id"), message)
        seen.setdefault(question_id, line)
        area = str(item.get("area") or "")
        if area not in areas:
            message = _l("unknown area %(id)s: the areas are %(ids)s", id=area, ids=_IDS)
            reader.problem((*where, "area"), message)
        text = reader.text(item, "text", where)
        options = _read_options(reader, item.get("options"), (*where, "options"))
        reader.result.questions.append(Question(question_id, area, text, options, line))


def _read_options(reader: _Reader, raw: Any, where: tuple) -> list[Option]:
    if not isinstance(raw, list) or len(raw) < 2:
        reader.problem(where, _l("a question needs at least 2 options"))
        return []
    options: list[Option] = []
    for index, item in enumerate(raw):
        at = (*where, index)
        item = reader.mapping(item, at, "option")
        reader.keys(item, at, ("id", "score", "label", "label_BD"))
        option_id = reader.ident(item, at)
        if option_id and any(o.id == option_id for o in options):
            reader.problem((*at, "id"), _l("duplicate option id %(id)s", id=option_id))
        score = item.get("score")
        if isinstance(score, bool) or not isinstance(score, int) or score < 0:
            message = _l(
                "option %(id)s needs a score: a whole number, 0 for no capability", id=option_id
            )
            reader.problem((*at, "score"), message)
            score = 0
        options.append(Option(option_id, score, reader.text(item, "label", at)))
    if max(o.score for o in options) <= 0:
        reader.problem(where, _l("at least one option needs a score above 0"))
    return options


def module_problems(questionnaire: Questionnaire, library: Any) -> list[Problem]:
    """Warnings for modules named by the areas that are not in ``library`` (yet)."""
    return [
        Problem(
            questionnaire.path,
            line,
            "warning",
            _l(
                "module %(slug)s is not in the library: the roadmap shows it as not yet available",
                slug=slug,
            ),
        )
        for area in questionnaire.areas
        for slug, line in zip(area.modules, area.module_lines, strict=True)
        if library.get(slug) is None
    ]
