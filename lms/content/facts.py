"""Facts: every figure stated once, per country, in ``<content>/facts/<COUNTRY>/<topic>.yaml``.

Markdown and quiz texts refer to a fact as ``{fact:ID}`` (the value with its unit, formatted for
the text's language) or ``{fact:ID|number}`` (the bare number); the reader sees the fact of the
LEARNER'S country. Loading needs no Flask; formatting and :func:`facts_for` need an app.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel import dates as babel_dates
from babel import numbers as babel_numbers

from ..countries import COUNTRIES
from ..i18n import LATIN_DIGITS, N_, _l, language, translations_for
from ..state import per_request, state
from .source import Problem, YAMLProblem, load_yaml, stat_signature

log = logging.getLogger(__name__)

FACTS_FOLDER = "facts"
UNITS = ("INR", "BDT", "percent", "days", "months", "years", "date", "year", "number", "text")
MONEY = {"INR": "₹", "BDT": "৳"}
#: ``{fact:ID}`` or ``{fact:ID|number}``; the checker also reads malformed ones with it.
REFERENCE = re.compile(r"\{fact:\s*([^}|\s]*)\s*(?:\|\s*([^}]*?)\s*)?\}")
MODIFIERS = ("", "number")
_ID = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")
LAKH, CRORE = 100_000, 10_000_000


@dataclass(frozen=True)
class Fact:
    id: str
    country: str
    value: Any
    unit: str
    source: str
    checked: dt.date
    path: Path
    line: int
    about: str = ""


@dataclass
class FactBook:
    """Every country's facts (``facts[country][id]``) and the problems of their files."""

    facts: dict[str, dict[str, Fact]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def get(self, country: str, fact_id: str) -> Fact | None:
        return self.facts.get(country, {}).get(fact_id)


def _files(root: Path) -> list[Path]:
    folder = root / FACTS_FOLDER
    return sorted(p for c in COUNTRIES for p in (folder / c).glob("*.yaml") if p.is_file())


def load_facts(root: Path) -> FactBook:
    """Read and check every fact file under ``root/facts``; problems are recorded, never raised."""
    book = FactBook({country: {} for country in COUNTRIES})
    for path in _files(root):
        _load_file(book, path, path.parent.name)
    return book


def _load_file(book: FactBook, path: Path, country: str) -> None:
    try:
        data, lines = load_yaml(path.read_text(encoding="utf-8"))
    except YAMLProblem as exc:
        book.problems.append(Problem(path, exc.line, "error", exc.message))
        return
    if data is None:
        return
    if not isinstance(data, dict):
        book.problems.append(
            Problem(path, 1, "error", _l("A facts file must be a set of 'id: fact' entries."))
        )
        return
    for key, raw in data.items():
        line = lines.get((str(key),), 1)
        fact = _fact(book, path, country, str(key), raw, line, lines)
        if fact is None:
            continue
        other = book.facts[country].get(fact.id)
        if other is not None:
            book.problems.append(
                Problem(
                    path,
                    line,
                    "error",
                    _l(
                        "duplicate fact %(id)s (also in %(other)s:%(line)s)",
                        id=fact.id,
                        other=other.path.name,
                        line=other.line,
                    ),
                )
            )
            continue
        book.facts[country][fact.id] = fact


def _fact(
    book: FactBook,
    path: Path,
    country: str,
    fact_id: str,
    raw: Any,
    line: int,
    lines: dict[tuple, int],
) -> Fact | None:
    def problem(message: Any, key: str | None = None) -> None:
        where = lines.get((fact_id, key), line) if key else line
        book.problems.append(Problem(path, where, "error", message))

    if not _ID.match(fact_id):
        problem(_l("fact id %(id)s: use a-z, 0-9 and hyphens", id=fact_id))
        return None
    if not isinstance(raw, dict):
        problem(_l("fact %(id)s needs value, unit, source and checked", id=fact_id))
        return None
    unit, value, checked = raw.get("unit"), raw.get("value"), raw.get("checked")
    if unit not in UNITS:
        problem(
            _l("fact %(id)s: unit must be one of: %(units)s", id=fact_id, units=", ".join(UNITS)),
            "unit",
        )
        return None
    if (message := _value_problem(unit, value)) is not None:
        problem(_l("fact %(id)s: value %(problem)s", id=fact_id, problem=message), "value")
        return None
    if not isinstance(checked, dt.date) or isinstance(checked, dt.datetime):
        problem(
            _l("fact %(id)s: checked must be a date written as YYYY-MM-DD", id=fact_id), "checked"
        )
        return None
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        problem(_l("fact %(id)s: source is missing", id=fact_id), "source")
        return None
    about = raw.get("about")
    return Fact(fact_id, country, value, unit, source, checked, path, line, str(about or ""))


def _value_problem(unit: str, value: Any) -> Any:
    if unit == "date":
        ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
        return None if ok else _l("must be a date written as YYYY-MM-DD")
    if unit == "text":
        return None if isinstance(value, str) and value.strip() else _l("must be non-empty text")
    if unit == "year":
        ok = isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100
        return None if ok else _l("must be a year such as 2021")
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    return None if ok else _l("must be a number of 0 or more")


def stale_facts(book: FactBook, today: dt.date, months: int = 12) -> list[Fact]:
    """Facts last checked more than ``months`` months before ``today``."""
    limit = _months_before(today, months)
    return [f for facts in book.facts.values() for f in facts.values() if f.checked < limit]


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, 28))


def facts_for(root: Path) -> FactBook:
    """The facts under ``root`` (cached per app, re-read when a file changes)."""
    books = state().cache("content.facts")
    key = str(root.resolve())
    sig = per_request(("content-facts", key), lambda: stat_signature(_files(root)))
    cached = books.get(key)
    if cached is None or cached[0] != sig:
        cached = books[key] = (sig, load_facts(root))
    return cached[1]


# Formatting, for the language of the text the fact stands in.


def format_fact(fact: Fact, locale: str, *, bare: bool = False, latin_digits: bool = False) -> str:
    """The fact as a reader of ``locale`` sees it: ``₹40 lakh``, ``৳৫০ লাখ``, ``18%``,
    ``45 days``, a long date; ``bare``: the number alone (the sentence says the unit)."""
    info = language(locale)
    number = _number_formatter(info.format_locale)
    value, unit = fact.value, fact.unit
    if unit == "text":
        return str(value)
    if unit == "date":
        text = babel_dates.format_date(value, "long", locale=info.format_locale)
    elif unit == "year":  # a calendar year: 2021, never 2,021
        text = str(value)
    elif bare or unit == "number":
        text = number(value)
    elif unit in MONEY:
        text = _money(value, unit, locale, number)
    elif unit == "percent":
        text = number(value) + "%"
    else:  # days, months, years
        text = _period(unit, value, locale) % {"num": number(value)}
    if info.native_digits and not latin_digits:
        text = text.translate(str.maketrans(LATIN_DIGITS, info.digits))
    return text


def _period(unit: str, value: Any, locale: str) -> str:
    catalog = translations_for(locale)
    count = int(value) if float(value).is_integer() else 2
    if unit == "days":
        return catalog.ngettext("%(num)s day", "%(num)s days", count)
    if unit == "months":
        return catalog.ngettext("%(num)s month", "%(num)s months", count)
    return catalog.ngettext("%(num)s year", "%(num)s years", count)


def _number_formatter(format_locale: str) -> Callable[[Any], str]:
    def number(value: Any) -> str:
        return babel_numbers.format_decimal(Decimal(str(value)), locale=format_locale)

    return number


def _money(value: Any, unit: str, locale: str, number: Callable[[Any], str]) -> str:
    """Lakh and crore from one lakh up, as people in both countries say amounts."""
    symbol = MONEY[unit]
    gettext = translations_for(locale).gettext
    for size, words in ((CRORE, IN_CRORE), (LAKH, IN_LAKH)):
        if value >= size:
            return gettext(words) % {"amount": symbol + number(Decimal(str(value)) / size)}
    return symbol + number(value)


#: Amounts of a lakh (100,000) and a crore (10 million), as both countries say them.
IN_LAKH, IN_CRORE = N_("%(amount)s lakh"), N_("%(amount)s crore")


def substitute(
    text: str,
    book: FactBook,
    country: str,
    locale: str,
    *,
    latin_digits: bool = False,
    where: str = "",
) -> str:
    """``text`` with every ``{fact:...}`` replaced by the country's fact for ``locale``; an
    unknown id shows as ``[id]`` (and is logged): a page never fails for a missing fact."""
    if "{fact:" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        fact_id, modifier = match.group(1), match.group(2) or ""
        fact = book.get(country, fact_id)
        if fact is None or modifier not in MODIFIERS:
            log.warning("unknown fact %s for %s in %s", match.group(0), country, where or "a text")
            return f"[{fact_id}]"
        return format_fact(fact, locale, bare=modifier == "number", latin_digits=latin_digits)

    return REFERENCE.sub(replace, text)


def answer_value(book: FactBook, country: str, fact_id: str) -> float | None:
    """A numeric item's key taken from a fact (``answer: {fact: ID}``)."""
    fact = book.get(country, str(fact_id))
    if fact is None or fact.unit in ("date", "text"):
        return None
    return fact.value
