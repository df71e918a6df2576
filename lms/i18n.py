"""Languages: gettext with a message-by-message fallback chain, locale choice, and Babel formatting.

The UI locales are ``en``, ``bn`` (Bengali as written in West Bengal) and ``bn_BD`` (Bangla as
written in Bangladesh). A message missing from ``bn_BD`` falls back to ``bn``, then to English.
Numbers, dates and money are formatted by Babel (CLDR) and shown in Bengali digits to Bengali
readers unless the user chose Latin digits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import NullTranslations, Translations
from flask import current_app, g, has_app_context, has_request_context, request
from flask_babel import Domain
from flask_babel.speaklater import LazyString
from markupsafe import escape

from .state import has_state, state

DOMAIN = "lms"
#: The locale cookie's name without ``LMS_COOKIE_PREFIX``.
LOCALE_COOKIE = "locale"
LATIN_DIGITS = "0123456789"
BENGALI_DIGITS = "০১২৩৪৫৬৭৮৯"
LATIN_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Choices in Bengali question papers are ক, খ, গ, ঘ...: the consonants in their order.
BENGALI_LETTERS = "কখগঘঙচছজঝঞটঠডঢণতথদধনপফবভমযরলশষসহ"


#: Date and time patterns that replace CLDR's for Bengali readers (``kind.width``). CLDR's
#: Bengali times end in a Latin "AM"/"PM" and its short date is all digits (৫/৩/২৬), which is
#: easily read month first; Bengali names the part of the day before the hour ("দুপুর ২:০৭",
#: "রাত্রি ৯:৩০"): CLDR's day periods, pattern ``B``. Long times name the zone in words, not
#: "IST" or "+0600".
BENGALI_PATTERNS: Mapping[str, str] = MappingProxyType(
    {
        "date.short": "d MMM, y",
        "time.short": "B h:mm",
        "time.medium": "B h:mm:ss",
        "time.long": "B h:mm:ss zzzz",
        "time.full": "B h:mm:ss zzzz",
        "datetime.short": "d MMM, y, B h:mm",
        "datetime.medium": "d MMM, y, B h:mm:ss",
        "datetime.long": "d MMMM, y, B h:mm:ss zzzz",
        "datetime.full": "EEEE, d MMMM, y, B h:mm:ss zzzz",
    }
)


@dataclass(frozen=True)
class LocaleInfo:
    code: str
    #: The language's own name: shown as is in every UI language, so it is not translated.
    autonym: str
    html_lang: str
    #: The CLDR locale used for numbers and dates (Indian grouping for English too).
    format_locale: str
    currency: str
    timezone: str
    #: The digits 0-9 as this language writes them (Babel formats with Latin ones).
    digits: str = LATIN_DIGITS
    #: Babel patterns used instead of a named width (``{"time.short": "HH:mm"}``).
    patterns: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: The letters that label a question's choices, in order (A, B, C, D; ক, খ, গ, ঘ).
    letters: str = LATIN_LETTERS

    @property
    def bengali_script(self) -> bool:
        return self.digits == BENGALI_DIGITS

    @property
    def native_digits(self) -> bool:
        return self.digits != LATIN_DIGITS


#: The built-in language table; ``LMS_LANGUAGES`` adds to it or replaces entries.
LOCALES: dict[str, LocaleInfo] = {
    "en": LocaleInfo("en", "English", "en", "en_IN", "INR", "Asia/Kolkata"),
    "bn": LocaleInfo(
        "bn",
        "বাংলা (ভারত)",
        "bn-IN",
        "bn_IN",
        "INR",
        "Asia/Kolkata",
        BENGALI_DIGITS,
        BENGALI_PATTERNS,
        BENGALI_LETTERS,
    ),
    "bn_BD": LocaleInfo(
        "bn_BD",
        "বাংলা (বাংলাদেশ)",
        "bn-BD",
        "bn_BD",
        "BDT",
        "Asia/Dhaka",
        BENGALI_DIGITS,
        BENGALI_PATTERNS,
        BENGALI_LETTERS,
    ),
}

_LATIN_DIGITS = str.maketrans(BENGALI_DIGITS, LATIN_DIGITS)


def languages() -> dict[str, LocaleInfo]:
    """This app's language table: the built-in one with ``LMS_LANGUAGES`` applied."""
    configured = current_app.config.get("LMS_LANGUAGES") or {}
    if not configured:
        return LOCALES
    table = dict(LOCALES)
    for code, info in configured.items():
        table[code] = info if isinstance(info, LocaleInfo) else _locale_info(code, info)
    return table


def _locale_info(code: str, info: Mapping[str, str]) -> LocaleInfo:
    fields = {"autonym": code, "html_lang": code.replace("_", "-"), "format_locale": code}
    fields.update(
        {"currency": "INR", "timezone": "Asia/Kolkata", "digits": LATIN_DIGITS}, **dict(info)
    )
    return LocaleInfo(code=code, **fields)


def language(code: str) -> LocaleInfo:
    """The table entry of ``code`` (English when the table has none)."""
    table = languages()
    return table.get(code) or table.get("en") or LOCALES["en"]


def _load_catalog(directory: str | Path, code: str, domain: str) -> Translations | None:
    path = Path(directory) / code / "LC_MESSAGES" / f"{domain}.mo"
    if not path.is_file():
        return None
    with path.open("rb") as fp:
        return Translations(fp, domain=domain)


def load_catalog_chain(
    directory: str | Path, chain: list[str], extra: list[tuple[str, str]] = ()
) -> NullTranslations:
    """The compiled catalogs of ``chain`` (most specific first), each falling back to the next.

    ``extra`` are ``(directory, domain)`` catalogs of plugins, merged into the LMS's catalog of
    the same locale (the LMS's own messages win)."""
    first: NullTranslations | None = None
    for code in chain:
        catalog = _load_catalog(directory, code, DOMAIN)
        for plugin_dir, domain in extra:
            found = _load_catalog(plugin_dir, code, domain)
            if found is None:
                continue
            if catalog is None:
                catalog = found
            else:
                found.merge(catalog)  # the LMS's messages over the plugin's
                catalog = found
        if catalog is None:
            continue
        if first is None:
            first = catalog
        else:
            first.add_fallback(catalog)
    return first if first is not None else NullTranslations()


class LMSDomain(Domain):
    """The library's own gettext domain: its catalogs, per app, chained by locale fallbacks."""

    def __init__(self) -> None:
        super().__init__(domain=DOMAIN)

    @property
    def translation_directories(self) -> list[str]:
        return [current_app.config["LMS_TRANSLATIONS_DIR"]]

    def get_translations(self) -> NullTranslations:
        if not has_state():
            return NullTranslations()
        return translations_for(locale_code())


def translations_for(code: str) -> NullTranslations:
    """The app's catalog chain for ``code`` (cached per app), plugins' messages included."""
    cache = state().translations_cache
    if code not in cache:
        fallbacks = current_app.config["LMS_LOCALE_FALLBACKS"].get(code, [])
        directory = current_app.config["LMS_TRANSLATIONS_DIR"]
        extra = [
            (plugin.translations_dir, plugin.translations_domain)
            for plugin in state().plugins.values()
            if getattr(plugin, "translations_dir", None)
        ]
        cache[code] = load_catalog_chain(directory, [code, *fallbacks], extra)
    return cache[code]


def gettext_in(code: str, message: str) -> str:
    """``message`` translated into ``code``, whatever the UI language (e.g. a text's language)."""
    return translations_for(code).gettext(message)


class LazyText(LazyString):
    """A lazily translated string that templates escape like any text.

    Flask-Babel's ``LazyString.__html__`` returns the text as markup, so a placeholder filled
    with an author's or a user's text would reach the page unescaped.
    """

    def __html__(self) -> str:
        return str(escape(str(self)))


domain = LMSDomain()
gettext = domain.gettext
ngettext = domain.ngettext


def lazy_gettext(string: str, **variables: object) -> LazyText:
    return LazyText(gettext, string, **variables)


_ = gettext
_l = lazy_gettext


def N_(message: str) -> str:
    """Mark ``message`` for extraction only; it is translated later, where it is shown."""
    return message


def pick_text(texts: object, chain: Iterable[str]) -> tuple[str, str]:
    """``(text, locale)`` from a ``{locale: text}`` mapping written in a content file: the first
    locale of ``chain`` that has a text, English last. A plain string is taken as it is (in
    the chain's first locale); anything else gives no text."""
    order = list(chain)
    if isinstance(texts, str):
        return texts, order[0] if order else "en"
    if not isinstance(texts, Mapping):
        return "", "en"
    for locale in [*order, "en"]:
        if texts.get(locale):
            return str(texts[locale]), locale
    return "", "en"


def enabled_locales() -> list[str]:
    return list(current_app.config["LMS_LOCALES"])


def _normalise(code: object) -> str | None:
    return str(code).replace("-", "_") if code else None


def host_locale() -> str | None:
    """The locale the host chooses, when it is one of ``LMS_LOCALES``: ``LMS(locale_selector=...)``
    first, else the host's own Flask-Babel selector (not when the LMS registered Babel)."""
    locales = enabled_locales()
    selector = state().locale_selector
    if selector is not None:
        chosen = _normalise(selector())
        if chosen in locales:
            return chosen
    babel = current_app.extensions.get("babel")
    ours = babel is not None and getattr(babel, "instance", None) is state().babel
    if babel is None or ours or getattr(babel, "locale_selector", None) is None:
        return None
    from flask_babel import get_locale

    chosen = _normalise(get_locale())
    return chosen if chosen in locales else None


def select_locale() -> str:
    """The request's locale: the host's choice (selector or host's Babel) when it is one of ours,
    else the user's saved choice, the LMS's cookie, the browser, then the default."""
    from .auth import current_user
    from .web import get_cookie

    chosen = host_locale()
    g.lms_locale_from_host = chosen is not None
    if chosen is not None:
        return chosen
    locales = enabled_locales()
    for candidate in (current_user.locale, get_cookie(LOCALE_COOKIE)):
        if candidate in locales:
            return candidate
    best = request.accept_languages.best_match(locales)
    return best or current_app.config["LMS_DEFAULT_LOCALE"]


def locale_follows_host() -> bool:
    """Whether this request's language was chosen by the host app (then the LMS offers no
    language switcher of its own: the host's is the one that works)."""
    locale_code()
    return bool(g.get("lms_locale_from_host"))


def locale_code() -> str:
    """The current UI locale code (one of ``LMS_LOCALES``)."""
    if not has_request_context():
        return current_app.config["LMS_DEFAULT_LOCALE"]
    if "lms_locale" not in g:
        forced = getattr(g, "lms_forced_locale", None)
        g.lms_locale = forced or select_locale()
    return g.lms_locale


def locale_info() -> LocaleInfo:
    return language(locale_code())


def native_digits() -> bool:
    """Whether numbers are shown in the language's own digits (e.g. Bengali ones in a Bengali
    UI), unless the user chose Latin digits."""
    from .auth import current_user

    if not locale_info().native_digits:
        return False
    return not current_user.latin_digits


def localise_digits(text: str) -> str:
    """Convert the Latin digits Babel returns to the reader's digits."""
    if not native_digits():
        return text
    return text.translate(str.maketrans(LATIN_DIGITS, locale_info().digits))


def parse_digits(text: str) -> str:
    """Turn Bengali digits typed by a learner into Latin ones before parsing a number."""
    return text.translate(_LATIN_DIGITS)


def page_digits() -> str:
    """The ten digits this page shows numbers in, 0 to 9 (``data-digits`` for the scripts)."""
    return locale_info().digits if native_digits() else LATIN_DIGITS


def format_number(value: int | float | Decimal) -> str:
    return localise_digits(_decimal(value, locale_info().format_locale))


def format_percent(value: float | Decimal) -> str:
    return localise_digits(_percent(value, locale_info().format_locale))


# Babel's formatting is the slow part of a long list (a selection list formats thousands of
# scores); the same value in the same locale always gives the same text.
@lru_cache(maxsize=4096, typed=True)
def _decimal(value: int | float | Decimal, locale: str) -> str:
    return babel_numbers.format_decimal(value, locale=locale)


@lru_cache(maxsize=4096, typed=True)
def _percent(value: float | Decimal, locale: str) -> str:
    return babel_numbers.format_percent(value, locale=locale)


def format_money(amount: int | float | Decimal, currency: str | None = None) -> str:
    """Money with the currency of the reader's country unless one is given (INR or BDT)."""
    info = locale_info()
    fmt = babel_numbers.format_currency(
        amount, currency or info.currency, locale=info.format_locale
    )
    return localise_digits(fmt)


def option_letter(index: int) -> str:
    """The label of the choice at ``index`` (from 0) in the reader's language: A, B, C... or
    ক, খ, গ...; past the last letter, its number. The projector and the tablets show the same
    choice with the same letter in the same language (and the same shape in any)."""
    letters = locale_info().letters
    return letters[index] if 0 <= index < len(letters) else format_number(index + 1)


def lazy_number(value: int | float | Decimal) -> LazyText:
    """``value`` formatted by :func:`format_number` when a lazy message is shown (outside an app:
    as is)."""
    return LazyText(lambda: format_number(value) if has_app_context() else str(value))


def _pattern(info: LocaleInfo, kind: str, format: str) -> str:
    """The language's own pattern for a named width (``short``...), else ``format`` itself."""
    return info.patterns.get(f"{kind}.{format}", format)


def format_date(value: date | datetime, format: str = "medium") -> str:
    """A date in the reader's language: a width (``short``, ``medium``, ``long``, ``full``) or a
    Babel pattern; a datetime is shown as the date in the language's time zone."""
    info = locale_info()
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(info.timezone)).date()
    pattern = _pattern(info, "date", format)
    return localise_digits(babel_dates.format_date(value, pattern, locale=info.format_locale))


def format_datetime(value: datetime, format: str = "medium") -> str:
    """A moment in the language's time zone (Bengali: "৫ মার্চ, ২০২৬, দুপুর ২:০৭")."""
    info = locale_info()
    fmt = babel_dates.format_datetime(
        value,
        _pattern(info, "datetime", format),
        tzinfo=ZoneInfo(info.timezone),
        locale=info.format_locale,
    )
    return localise_digits(fmt)


def format_time(value: datetime, format: str = "short") -> str:
    """The time of day of a moment, in the language's time zone (Bengali: "দুপুর ২:০৭")."""
    info = locale_info()
    fmt = babel_dates.format_time(
        value,
        _pattern(info, "time", format),
        tzinfo=ZoneInfo(info.timezone),
        locale=info.format_locale,
    )
    return localise_digits(fmt)


def template_context() -> dict[str, object]:
    """What every LMS template gets for languages and formatting."""
    info = locale_info()
    table = languages()
    offered = [table[code] for code in enabled_locales() if code in table]
    return {
        "current_locale": info,
        # The layout's language switcher reads ``lms_locales``: a page's own variable (e.g. a
        # view's ``locales``) cannot hide it. ``locales`` stays for host templates.
        "lms_locales": offered,
        "locales": offered,
        "format_number": format_number,
        "page_digits": page_digits,
        "format_percent": format_percent,
        "format_money": format_money,
        "format_date": format_date,
        "format_datetime": format_datetime,
        "format_time": format_time,
        "option_letter": option_letter,
    }


__all__ = [
    "LOCALES",
    "N_",
    "_",
    "_l",
    "domain",
    "format_date",
    "page_digits",
    "format_datetime",
    "format_money",
    "format_number",
    "format_time",
    "gettext",
    "language",
    "languages",
    "lazy_gettext",
    "lazy_number",
    "locale_code",
    "ngettext",
    "option_letter",
]
