"""The learner's country: which country's rules, figures and quiz items they get.

Content follows the learner's country, not the UI language: a Bangladeshi who reads English gets
Bangladesh's text. The country comes from the registered resolvers (the programme answers from
the learner's enterprise's cluster), else the learner's own choice in *My settings*, else
``LMS_DEFAULT_COUNTRY``. Core: imports no capability.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from .i18n import _l
from .state import state

#: The countries content is written for, in the order the UI lists them.
COUNTRIES: tuple[str, ...] = ("IN", "BD")
COUNTRY_NAMES = {"IN": _l("India"), "BD": _l("Bangladesh")}


def default_country() -> str:
    configured = current_app.config.get("LMS_DEFAULT_COUNTRY")
    return configured if configured in COUNTRIES else COUNTRIES[0]


def resolved_country(user: Any) -> str | None:
    """The country the registered resolvers give ``user`` (their enterprise's), or ``None``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    for resolve in state().country_resolvers:
        found = resolve(user)
        if found in COUNTRIES:
            return found
    return None


def country_of(user: Any) -> str:
    """``IN`` or ``BD`` for ``user`` (an LMS user record, anonymous, or ``None``): their
    enterprise's (the resolvers), else their own choice, else ``LMS_DEFAULT_COUNTRY``."""
    found = resolved_country(user)
    if found is not None:
        return found
    if user is not None and getattr(user, "is_authenticated", False):
        own = getattr(user, "country", None)
        if own in COUNTRIES:
            return own
    return default_country()


def current_country() -> str:
    """The country of the signed-in user of this request (the default for visitors)."""
    from .auth import current_user

    return country_of(current_user._get_current_object())
