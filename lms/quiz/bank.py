"""Item banks: ``quiz.yaml`` beside a module's Markdown, validated with file and line."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import has_app_context, has_request_context

from ..content.source import Problem, YAMLProblem, load_yaml
from ..i18n import _l, pick_text
from .answers import OUTCOMES, feedback_texts
from .types import QuestionTypeRegistry, UnknownQuestionType

KINDS = ("pre", "post", "retention", "practice")
#: The assessments that measure learning: practice never shows their items.
TESTS = ("pre", "post", "retention")
COUNTRIES = ("IN", "BD", "any")
#: The languages an item needs, by the country it is for.
REQUIRED_LANGUAGES = {"IN": ("en", "bn"), "BD": ("en", "bn_BD"), "any": ("en", "bn", "bn_BD")}
DEFAULT_RULES: dict[str, dict[str, Any]] = {
    "pre": {"count": 8, "form": "A", "max_attempts": 1},
    "post": {"count": 8, "form": "B", "max_attempts": 3},
    # The post-test's form: retention / post then compares like with like, and the questions of
    # the pre-test, taken before the module was read, are not asked again.
    "retention": {"count": 8, "form": "B", "opens_after_days": 30, "max_attempts": 1},
    "practice": {"count": 5, "max_attempts": 0},
}
_ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Rule:
    """How an assessment draws its items, and when and how often it may be taken."""

    kind: str
    count: int
    form: str | None = None
    tags: tuple[str, ...] = ()
    opens_after_days: int = 0
    time_limit_minutes: int | None = None
    #: 0: unlimited.
    max_attempts: int = 1
    #: Where ``quiz.yaml`` sets it (for the checker's messages).
    line: int = field(default=1, compare=False)


@dataclass
class Item:
    id: str
    type: str
    country: str
    forms: tuple[str, ...]
    tags: tuple[str, ...]
    points: float
    data: dict[str, Any]
    line: int
    #: ``(fact id, modifier, line)`` of every ``{fact:...}`` in its texts and of its key's fact.
    fact_refs: tuple[tuple[str, str, int], ...] = ()

    def for_country(self, country: str) -> bool:
        return self.country in ("any", country)

    @property
    def uses_facts(self) -> bool:
        """Whether a text refers to a fact or the key is a fact (``answer: {fact: ID}``)."""
        return _FACT_MARK in repr(self.data) or _answer_fact(self.data) is not None

    def resolved(self, country: str, book: Any = None) -> Item | None:
        """The item as a learner in ``country`` is given it: the facts of that country written
        into every text (in each text's language) and into the key; ``None`` when the key's
        fact is unknown there (the checker reports it). The facts are the app's library's
        unless a ``book`` is given; an item without facts is returned as it is."""
        if not self.uses_facts or (book is None and not has_app_context()):
            return self
        from ..content import facts

        book = book if book is not None else _facts_book()
        data = _fill_texts(self.data, country, book)
        fact_id = _answer_fact(self.data)
        if fact_id is not None:
            value = facts.answer_value(book, country, fact_id) if book is not None else None
            if value is None:
                return None
            data["answer"] = {**data["answer"], "value": value}
        return dataclasses.replace(self, data=data)

    def in_form(self, form: str | None) -> bool:
        """Whether a test of ``form`` may ask it (``None``: a test that takes every form's items).
        An item in no form is for practice only."""
        return bool(self.forms) and (form is None or form in self.forms)


@dataclass
class Bank:
    path: Path
    items: list[Item] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def forms_in_tests(self) -> set[str] | None:
        """The forms the pre-, post- and retention tests ask from (``None``: one takes any form)."""
        rules = [self.rules[kind] for kind in TESTS if kind in self.rules]
        if any(rule.form is None for rule in rules):
            return None
        return {str(rule.form) for rule in rules}

    def practice_only(self, item: Item) -> bool:
        """In no form a test asks from: practice, which is unlimited, may show it and its answer."""
        used = self.forms_in_tests()
        return not item.forms or (used is not None and not used & set(item.forms))

    def eligible(self, rule: Rule, country: str) -> list[Item]:
        """The items ``rule`` may draw for a learner in ``country``, with that country's facts
        (an item whose key is a fact the country lacks is left out)."""
        chosen = [i.resolved(country) for i in self.selectable(rule, country)]
        return [i for i in chosen if i is not None]

    def selectable(self, rule: Rule, country: str) -> list[Item]:
        """The items of ``rule``'s form (or practice) and tags for ``country``, as written."""
        if rule.kind in TESTS:
            pool = [i for i in self.items if i.in_form(rule.form)]
        else:  # practice: never a test's item, whatever its own form
            pool = [
                i
                for i in self.items
                if self.practice_only(i) and (rule.form is None or rule.form in i.forms)
            ]
        return [
            i
            for i in pool
            if i.for_country(country) and (not rule.tags or set(rule.tags) & set(i.tags))
        ]

    @property
    def usable(self) -> bool:
        return bool(self.items) and not any(p.severity == "error" for p in self.problems)


def text_in(texts: Any, chain: list[str], country: str | None = None) -> str:
    """The first of ``chain`` present in a ``{locale: text}`` mapping (English last), with its
    ``{fact:ID}`` filled in for ``country`` (default: the signed-in learner's)."""
    text, locale = pick_text(texts, chain)
    if _FACT_MARK in text and has_app_context():
        from ..countries import current_country

        text = _fill(text, locale, country or current_country(), _facts_book())
    return text


#: The Bengali each country's own items are written in first.
COUNTRY_BENGALI = {"IN": "bn", "BD": "bn_BD"}


def chain_for_item(country: str, chain: list[str]) -> list[str]:
    """The reading order for an item of ``country`` on a page read in ``chain``. A Bengali
    reader who looks at every item (a trainer's question picker, the item analysis) reads a
    country's own item in that country's Bengali before any English."""
    own = COUNTRY_BENGALI.get(country)
    if own is None or not chain or chain[0] not in COUNTRY_BENGALI.values():
        return chain
    return [own, *(code for code in chain if code != own)]


def item_text(texts: Any, chain: list[str], country: str) -> str:
    """An item's text on a page that shows items of both countries: in the item's own
    country's Bengali for a Bengali reader, with the item's own country's facts."""
    own = country if country in COUNTRY_BENGALI else None
    return text_in(texts, chain_for_item(country, chain), own)


# Facts in items: ``{fact:ID}`` in any text, ``answer: {fact: ID}`` for a numeric key.

_FACT_MARK = "{fact:"
_TEXT_KEYS = ("stem", "feedback", "hint", "unit", "text", *OUTCOMES)


def _answer_fact(data: Mapping[str, Any]) -> str | None:
    answer = data.get("answer")
    if isinstance(answer, Mapping) and answer.get("fact") is not None:
        return str(answer["fact"])
    return None


def _facts_book() -> Any:
    from ..content import facts
    from ..state import state

    library = state().content_library
    return facts.facts_for(library.root) if library is not None else None


def _fill(text: str, locale: str, country: str, book: Any) -> str:
    if book is None:
        return text
    from ..auth import current_user
    from ..content import facts

    latin = has_request_context() and bool(getattr(current_user, "latin_digits", False))
    return facts.substitute(text, book, country, locale, latin_digits=latin, where="quiz.yaml")


def _fill_texts(value: Any, country: str, book: Any, key: str | None = None) -> Any:
    """A copy of an item's data with the facts filled into every ``{locale: text}`` mapping."""
    if isinstance(value, Mapping):
        if key in _TEXT_KEYS and all(isinstance(v, str) for v in value.values()):
            return {loc: _fill(text, loc, country, book) for loc, text in value.items()}
        return {k: _fill_texts(v, country, book, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_texts(v, country, book, key) for v in value]
    if isinstance(value, str) and key in _TEXT_KEYS:
        return _fill(value, "en", country, book)
    return value


def load_bank(path: Path, registry: QuestionTypeRegistry) -> Bank:
    bank = Bank(path)
    try:
        data, lines = load_yaml(path.read_text(encoding="utf-8"))
    except YAMLProblem as exc:
        bank.problems.append(Problem(path, exc.line, "error", exc.message))
        return bank
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        bank.problems.append(Problem(path, 1, "error", _l("quiz.yaml needs items: a list")))
        return bank
    if data.get("version") != 1:
        bank.problems.append(
            Problem(path, lines.get(("version",), 1), "warning", _l("version: 1 is expected"))
        )
    _load_rules(bank, data.get("assessments") or {}, lines)
    seen: set[str] = set()
    for index, raw in enumerate(data["items"]):
        item = _load_item(bank, raw, index, lines, registry)
        if item is None:
            continue
        if item.id in seen:
            bank.problems.append(
                Problem(path, item.line, "error", _l("duplicate item id %(id)s", id=item.id))
            )
            continue
        seen.add(item.id)
        bank.items.append(item)
    _check_draws(bank)
    return bank


def _load_rules(bank: Bank, raw: Any, lines: dict[tuple, int]) -> None:
    if not isinstance(raw, dict):
        bank.problems.append(
            Problem(
                bank.path,
                lines.get(("assessments",), 1),
                "error",
                _l("assessments must be a set of 'kind: settings' lines"),
            )
        )
        raw = {}
    for kind in raw:
        if kind not in KINDS:
            bank.problems.append(
                Problem(
                    bank.path,
                    lines.get(("assessments", kind), 1),
                    "error",
                    _l(
                        "unknown assessment %(kind)s: use %(kinds)s",
                        kind=kind,
                        kinds=", ".join(KINDS),
                    ),
                )
            )
    for kind in KINDS:
        settings = {**DEFAULT_RULES[kind], **(raw.get(kind) or {})}
        line = lines.get(("assessments", kind), 1)
        try:
            bank.rules[kind] = Rule(
                kind=kind,
                count=_positive_int(settings["count"]),
                form=str(settings["form"]) if settings.get("form") is not None else None,
                tags=tuple(map(str, settings.get("tags") or ())),
                opens_after_days=_positive_int(settings.get("opens_after_days", 0), zero=True),
                time_limit_minutes=(
                    _positive_int(settings["time_limit_minutes"])
                    if settings.get("time_limit_minutes")
                    else None
                ),
                max_attempts=_positive_int(settings.get("max_attempts", 1), zero=True),
                line=line,
            )
        except (TypeError, ValueError):
            bank.problems.append(
                Problem(
                    bank.path,
                    line,
                    "error",
                    _l(
                        "assessment %(kind)s: count, opens_after_days, time_limit_minutes and "
                        "max_attempts must be whole numbers",
                        kind=kind,
                    ),
                )
            )
            defaults = DEFAULT_RULES[kind]
            bank.rules[kind] = Rule(
                kind=kind, count=defaults["count"], form=defaults.get("form"), line=line
            )


def _positive_int(value: Any, zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if zero else 1):
        raise ValueError(value)
    return value


def _load_item(
    bank: Bank, raw: Any, index: int, lines: dict[tuple, int], registry: QuestionTypeRegistry
) -> Item | None:
    line = lines.get(("items", index), 1)

    def problem(message: Any, *key: Any, severity: str = "error") -> None:
        where = lines.get(("items", index, *key), line)
        bank.problems.append(Problem(bank.path, where, severity, message))

    if not isinstance(raw, dict):
        problem(_l("each item must be a set of 'key: value' lines"))
        return None
    item_id = str(raw.get("id") or "")
    if not _ITEM_ID.match(item_id):
        problem(_l("item id must use a-z, 0-9 and hyphens"), "id")
        return None
    try:
        qtype = registry.get(str(raw.get("type")))
    except UnknownQuestionType as exc:
        problem(_l("item %(id)s: %(problem)s", id=item_id, problem=exc), "type")
        return None
    country = raw.get("country", "any")
    if country not in COUNTRIES:
        problem(_l("item %(id)s: country must be IN, BD or any", id=item_id), "country")
        return None
    points = raw.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, int | float) or points <= 0:
        problem(_l("item %(id)s: points must be a number above 0", id=item_id), "points")
        return None
    for message in qtype.validate(_with_fact_placeholder(raw)):
        problem(_l("item %(id)s: %(problem)s", id=item_id, problem=message), "answer")
    _check_languages(raw, country, item_id, problem)
    forms = raw.get("forms") or []
    tags = raw.get("tags") or []
    if not isinstance(forms, list) or not isinstance(tags, list):
        problem(_l("item %(id)s: forms and tags must be lists", id=item_id))
        return None
    return Item(
        item_id,
        qtype.id,
        country,
        tuple(map(str, forms)),
        tuple(map(str, tags)),
        float(points),
        raw,
        line,
        tuple(_fact_refs(raw, ("items", index), lines)),
    )


def _fact_refs(value: Any, key: tuple, lines: dict[tuple, int]) -> list[tuple[str, str, int]]:
    from ..content.facts import REFERENCE

    found: list[tuple[str, str, int]] = []
    if isinstance(value, Mapping):
        if key[-1] == "answer" and value.get("fact") is not None:
            found.append((str(value["fact"]), "", lines.get((*key, "fact"), 1)))
        for k, v in value.items():
            found += _fact_refs(v, (*key, k), lines)
    elif isinstance(value, list):
        for index, v in enumerate(value):
            found += _fact_refs(v, (*key, index), lines)
    elif isinstance(value, str):
        line = lines.get(key, 1)
        found += [(m.group(1), m.group(2) or "", line) for m in REFERENCE.finditer(value)]
    return found


def fact_problems(bank: Bank, book: Any) -> list[Problem]:
    """Unknown facts in the items' texts and keys, for every country that is given the item."""
    from ..content.facts import MODIFIERS

    found = []
    for item in bank.items:
        countries = ("IN", "BD") if item.country == "any" else (item.country,)
        for fact_id, modifier, line in item.fact_refs:
            if modifier not in MODIFIERS:
                message = _l(
                    "{fact:%(id)s|%(modifier)s}: the only modifier is |number",
                    id=fact_id,
                    modifier=modifier,
                )
                found.append(Problem(bank.path, line, "error", message))
            missing = [c for c in countries if book.get(c, fact_id) is None]
            if missing:
                message = _l(
                    "item %(item)s: unknown fact %(id)s for %(countries)s",
                    item=item.id,
                    id=fact_id,
                    countries=", ".join(missing),
                )
                found.append(Problem(bank.path, line, "error", message))
    return found


def _with_fact_placeholder(raw: dict[str, Any]) -> dict[str, Any]:
    """``answer: {fact: ID}`` validated as a number (the fact gives it when the item is drawn;
    the checker reports an unknown id)."""
    if _answer_fact(raw) is None:
        return raw
    return {**raw, "answer": {**raw["answer"], "value": 0}}


def _check_languages(raw: dict[str, Any], country: str, item_id: str, problem: Any) -> None:
    needed = REQUIRED_LANGUAGES[country]
    texts: list[tuple[tuple, Any]] = [
        (("stem",), raw.get("stem")),
        *feedback_texts(raw.get("feedback")),  # one text, or one per outcome
    ]
    for key in ("options", "prompts"):
        for number, option in enumerate(raw.get(key) or []):
            if isinstance(option, dict):
                texts.append(((key, number, "text"), option.get("text")))
    if raw.get("unit") is not None:
        texts.append((("unit",), raw.get("unit")))
    for key, value in texts:
        if not isinstance(value, dict):
            problem(
                _l(
                    "item %(id)s: %(field)s needs a text per language (en, bn, bn_BD)",
                    id=item_id,
                    field=".".join(map(str, key)),
                ),
                *key,
            )
            continue
        missing = [lang for lang in needed if not str(value.get(lang) or "").strip()]
        if missing:
            problem(
                _l(
                    "item %(id)s: %(field)s has no %(languages)s text",
                    id=item_id,
                    field=".".join(map(str, key)),
                    languages=", ".join(missing),
                ),
                *key,
            )


def _check_draws(bank: Bank) -> None:
    has_practice = any(bank.practice_only(item) for item in bank.items)
    if bank.items and not has_practice:
        bank.problems.append(
            Problem(
                bank.path,
                bank.rules["practice"].line if "practice" in bank.rules else 1,
                "warning",
                _l(
                    "no practice-only items (items in no form of the pre-, post- or retention "
                    "test): practice is not offered"
                ),
            )
        )
    _check_retention_form(bank)
    for rule in bank.rules.values():
        if rule.kind == "practice" and not has_practice:
            continue  # said above
        for country in ("IN", "BD"):
            available = len(bank.selectable(rule, country))
            if available < rule.count:
                bank.problems.append(
                    Problem(
                        bank.path,
                        1,
                        "warning",
                        _l(
                            "the %(kind)s test draws %(count)s items but only %(available)s fit "
                            "learners in %(country)s",
                            kind=rule.kind,
                            count=rule.count,
                            available=available,
                            country=country,
                        ),
                    )
                )


def _check_retention_form(bank: Bank) -> None:
    """Retention on the pre-test's form would ask the questions met before reading again."""
    pre, retention = bank.rules.get("pre"), bank.rules.get("retention")
    if pre and retention and retention.form is not None and retention.form == pre.form:
        bank.problems.append(
            Problem(
                bank.path,
                retention.line,
                "warning",
                _l(
                    "the retention test uses form %(form)s, as the pre-test does: learners "
                    "would meet the pre-test's questions again; use the post-test's form",
                    form=retention.form,
                ),
            )
        )
