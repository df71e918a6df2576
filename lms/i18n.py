"""Languages: gettext with a message-by-message fallback chain, locale choice, and Babel formatting.

The UI locales are ``en``, ``bn`` (Bengali as written in West Bengal) and ``bn_BD`` (Bangla as
written in Bangladesh). A message missing from ``bn_BD`` falls back to ``bn``, then to English.
Numbers, dates and money are formatted by Babel (CLDR) and shown in Bengali digits to Bengali
readers unless the user chose Latin digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import NullTranslations, Translations
from flask import current_app, g, has_request_context, request
from flask_babel import Domain
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

DOMAIN = "lms"
LOCALE_COOKIE = "lms_locale"


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
    bengali_script: bool


LOCALES: dict[str, LocaleInfo] = {
    "en": LocaleInfo("en", "English", "en", "en_IN", "INR", "Asia/Kolkata", False),
    "bn": LocaleInfo("bn", "বাংলা (ভারত)", "bn-IN", "bn_IN", "INR", "Asia/Kolkata", True),
    "bn_BD": LocaleInfo("bn_BD", "বাংলা (বাংলাদেশ)", "bn-BD", "bn_BD", "BDT", "Asia/Dhaka", True),
}

_BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
_LATIN_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


def load_catalog_chain(directory: str | Path, chain: list[str]) -> NullTranslations:
    """The compiled catalogs of ``chain`` (most specific first), each falling back to the next."""
    first: NullTranslations | None = None
    for code in chain:
        path = Path(directory) / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if not path.is_file():
            continue
        with path.open("rb") as fp:
            catalog = Translations(fp, domain=DOMAIN)
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
        if not has_request_context() and not _has_lms_app():
            return NullTranslations()
        return translations_for(locale_code())


def translations_for(code: str) -> NullTranslations:
    """The app's catalog chain for ``code`` (cached per app)."""
    cache = current_app.extensions["lms"].translations_cache
    if code not in cache:
        fallbacks = current_app.config["LMS_LOCALE_FALLBACKS"].get(code, [])
        directory = current_app.config["LMS_TRANSLATIONS_DIR"]
        cache[code] = load_catalog_chain(directory, [code, *fallbacks])
    return cache[code]


def gettext_in(code: str, message: str) -> str:
    """``message`` translated into ``code``, whatever the UI language (e.g. a text's language)."""
    return translations_for(code).gettext(message)


def _has_lms_app() -> bool:
    try:
        return "lms" in current_app.extensions
    except RuntimeError:
        return False


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


def enabled_locales() -> list[str]:
    return list(current_app.config["LMS_LOCALES"])


def select_locale() -> str:
    """The request's locale: the user's saved choice, a cookie, the browser, then the default."""
    locales = enabled_locales()
    user_choice = getattr(current_user, "locale", None) if current_user else None
    for candidate in (user_choice, request.cookies.get(LOCALE_COOKIE)):
        if candidate in locales:
            return candidate
    best = request.accept_languages.best_match(locales)
    return best or current_app.config["LMS_DEFAULT_LOCALE"]


def locale_code() -> str:
    """The current UI locale code (one of ``LMS_LOCALES``)."""
    if not has_request_context():
        return current_app.config["LMS_DEFAULT_LOCALE"]
    if "lms_locale" not in g:
        forced = getattr(g, "lms_forced_locale", None)
        g.lms_locale = forced or select_locale()
    return g.lms_locale


def locale_info() -> LocaleInfo:
    return LOCALES.get(locale_code(), LOCALES["en"])


def native_digits() -> bool:
    """Whether numbers are shown in Bengali digits (Bengali UI, unless the user chose Latin)."""
    if not locale_info().bengali_script:
        return False
    return not getattr(current_user, "latin_digits", False)


def localise_digits(text: str) -> str:
    """Convert the Latin digits Babel returns to the reader's digits."""
    return text.translate(_BENGALI_DIGITS) if native_digits() else text


def parse_digits(text: str) -> str:
    """Turn Bengali digits typed by a learner into Latin ones before parsing a number."""
    return text.translate(_LATIN_DIGITS)


def format_number(value: int | float | Decimal) -> str:
    fmt = babel_numbers.format_decimal(value, locale=locale_info().format_locale)
    return localise_digits(fmt)


def format_percent(value: float | Decimal) -> str:
    fmt = babel_numbers.format_percent(value, locale=locale_info().format_locale)
    return localise_digits(fmt)


def format_money(amount: int | float | Decimal, currency: str | None = None) -> str:
    """Money with the currency of the reader's country unless one is given (INR or BDT)."""
    info = locale_info()
    fmt = babel_numbers.format_currency(
        amount, currency or info.currency, locale=info.format_locale
    )
    return localise_digits(fmt)


def format_date(value: date | datetime, format: str = "medium") -> str:
    info = locale_info()
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(info.timezone)).date()
    return localise_digits(babel_dates.format_date(value, format, locale=info.format_locale))


def format_datetime(value: datetime, format: str = "medium") -> str:
    info = locale_info()
    fmt = babel_dates.format_datetime(
        value, format, tzinfo=ZoneInfo(info.timezone), locale=info.format_locale
    )
    return localise_digits(fmt)


def template_context() -> dict[str, object]:
    """What every LMS template gets for languages and formatting."""
    info = locale_info()
    return {
        "current_locale": info,
        "locales": [LOCALES[code] for code in enabled_locales() if code in LOCALES],
        "format_number": format_number,
        "format_percent": format_percent,
        "format_money": format_money,
        "format_date": format_date,
        "format_datetime": format_datetime,
    }


__all__ = [
    "LOCALES",
    "N_",
    "_",
    "_l",
    "domain",
    "format_date",
    "format_datetime",
    "format_money",
    "format_number",
    "gettext",
    "lazy_gettext",
    "locale_code",
    "ngettext",
]
