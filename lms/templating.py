"""The LMS's own translation functions for its templates: ``_lms`` and ``_lms_n``.

A host app has its own Flask-Babel catalog, and its templates' ``_()`` / ``ngettext()`` translate
with it. LMS templates call these instead (the way Flask-Security's templates call
``_fsdomain()``), so LMS strings always come from the LMS catalogs and the host's strings from
the host's, on the same page.

They behave exactly like Jinja's "newstyle" gettext (``jinja2.ext._make_new_gettext``): the
translation is marked safe when autoescaping is on, then always %-formatted with the keyword
variables (so ``%%`` is a literal ``%`` and every variable is escaped); ``_lms_n`` passes ``num``
as a variable too unless one is given.
"""

from __future__ import annotations

from gettext import NullTranslations
from typing import Any

from flask import Flask, current_app, has_app_context
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from .i18n import locale_code, translations_for

__all__ = ["install", "lms_gettext", "lms_ngettext"]


def _translations() -> NullTranslations:
    """The LMS catalog chain of the current UI locale (the app default outside a request)."""
    if not has_app_context() or "lms" not in current_app.extensions:
        return NullTranslations()
    return translations_for(locale_code())


@pass_context
def lms_gettext(context: Context, message: str, /, **variables: Any) -> str:
    """``{{ _lms("Hello %(name)s", name=user.name) }}``: ``message`` from the LMS catalog."""
    rv: str = _translations().gettext(message)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)
    # Always a format string, even without variables, as Jinja's newstyle gettext.
    return rv % variables


@pass_context
def lms_ngettext(
    context: Context, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    """``{{ _lms_n("%(num)s error", "%(num)s errors", n) }}``: the plural form for ``num``."""
    variables.setdefault("num", num)
    rv: str = _translations().ngettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


def install(app: Flask) -> None:
    """Make ``_lms`` and ``_lms_n`` available to every template of ``app``."""
    app.jinja_env.globals.update(_lms=lms_gettext, _lms_n=lms_ngettext)
