"""What each achievement is, in each language: its name, description and criteria, for the
credentials (English) and for ``/achievements/<slug>`` (every language)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from ..content import services as content
from ..i18n import BENGALI_DIGITS, LATIN_DIGITS, N_, gettext_in, language

PROGRAMME = "programme"
PROGRAMME_NAME = N_("Leather MSME skills programme")
_BENGALI_DIGITS = str.maketrans(LATIN_DIGITS, BENGALI_DIGITS)


@dataclass(frozen=True)
class AchievementText:
    name: str
    description: str
    criteria: str
    level: str
    tags: list[str] = field(default_factory=list)

    def about(self) -> dict[str, object]:
        """As ``services._issue`` takes it."""
        return {
            "description": self.description,
            "criteria": self.criteria,
            "level": self.level,
            "tags": list(self.tags),
        }


def _number(locale: str, value: int) -> str:
    text = str(value)
    return text.translate(_BENGALI_DIGITS) if language(locale).bengali_script else text


def programme_modules() -> list[str]:
    configured = list(current_app.config["LMS_PROGRAMME_MODULES"])
    return configured or [m.slug for m in content.learner_modules()]


def text(slug: str, locale: str) -> AchievementText | None:
    """The achievement ``slug`` in ``locale`` (the module's text falls back like the module's
    own: bn_BD to bn to English); ``None`` if there is no such achievement."""
    if slug == PROGRAMME:
        return _programme(locale)
    module = content.library().get(slug)
    if module is None or "en" not in module.docs:
        return None
    doc = module.doc(content.locale_chain(locale)) or module.docs["en"]
    criteria = gettext_in(
        locale,
        N_("Read every section of the module and scored at least %(mark)s%% in its post-test."),
    ) % {"mark": _number(locale, module.pass_mark)}
    return AchievementText(doc.title, doc.summary, criteria, module.level, module.topics)


def _programme(locale: str) -> AchievementText:
    library = content.library()
    titles = [
        content.title(module, locale) if module is not None else slug
        for slug, module in ((s, library.get(s)) for s in programme_modules())
    ]
    description = N_("All modules of the Dakshata training programme for leather MSMEs.")
    criteria = N_("Earned the certificate of every required module: %(modules)s.")
    return AchievementText(
        gettext_in(locale, PROGRAMME_NAME),
        gettext_in(locale, description),
        gettext_in(locale, criteria) % {"modules": ", ".join(titles)},
        "programme",
    )
