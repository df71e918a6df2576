"""What each achievement is, in each language: its name, description and criteria, for the
credentials (English) and for ``/achievements/<slug>`` (every language)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..content import services as content
from ..i18n import BENGALI_DIGITS, LATIN_DIGITS, N_, gettext_in, language
from ..state import state

#: The achievement of the programme certificate that courses replaced (migration 0024): the
#: ones issued stay valid, and their achievement's page still answers.
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
    #: ``module`` or ``course`` (its badge's colours).
    kind: str = "module"

    def about(self) -> dict[str, object]:
        """As ``services.issue`` takes it."""
        return {
            "description": self.description,
            "criteria": self.criteria,
            "level": self.level,
            "tags": list(self.tags),
        }


def number(locale: str, value: int) -> str:
    """``value`` in the digits of ``locale``."""
    text = str(value)
    return text.translate(_BENGALI_DIGITS) if language(locale).bengali_script else text


def text(slug: str, locale: str) -> AchievementText | None:
    """The achievement ``slug`` in ``locale`` (the module's text falls back like the module's
    own: bn_BD to bn to English); ``None`` if there is no such achievement."""
    if slug == PROGRAMME:
        return _programme(locale)
    module = content.library().get(slug)
    if module is None or "en" not in module.docs:
        return next(
            (found for source in state().achievement_sources if (found := source(slug, locale))),
            None,
        )
    doc = module.doc(content.locale_chain(locale)) or module.docs["en"]
    criteria = gettext_in(
        locale,
        N_("Read every section of the module and scored at least %(mark)s%% in its post-test."),
    ) % {"mark": number(locale, module.pass_mark)}
    return AchievementText(doc.title, doc.summary, criteria, module.level, module.topics)


def _programme(locale: str) -> AchievementText:
    description = N_("All modules of the Dakshata training programme for leather MSMEs.")
    criteria = N_(
        "Earned the certificate of every module the programme required (issued until courses "
        "replaced the programme certificate)."
    )
    return AchievementText(
        gettext_in(locale, PROGRAMME_NAME),
        gettext_in(locale, description),
        gettext_in(locale, criteria),
        "programme",
        kind="course",
    )
