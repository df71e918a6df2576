"""A third-party question type for tests: estimate a number (a cost, a weight, a rate).

Full marks within the item's tolerance, half marks within twice the tolerance. After a live
question the room sees how many estimates were close, near and far."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lms.i18n import _l
from lms.plugins import Plugin
from lms.quiz.types import Numeric, to_decimal

HERE = Path(__file__).resolve().parent


class Estimate(Numeric):
    """A number like the built-in numeric type, scored by closeness rather than right/wrong."""

    id = "estimate"
    template = "lms_estimate/question.html"
    reveal_template = "lms_estimate/reveal.html"

    def validate(self, item: Mapping[str, Any]) -> list[Any]:
        problems = super().validate(item)
        if not problems and not to_decimal(item["answer"].get("tolerance", 0)):
            problems.append(_l("answer tolerance must be a number of 0 or more"))
        return problems

    def _distance(self, item: Mapping[str, Any], response: Any) -> float | None:
        value = to_decimal(response)
        if value is None:
            return None
        answer = item["answer"]
        return float(abs(value - to_decimal(answer["value"])) / to_decimal(answer["tolerance"]))

    def score(self, item: Mapping[str, Any], response: Any) -> float:
        distance = self._distance(item, response)
        if distance is None:
            return 0.0
        return 1.0 if distance <= 1 else 0.5 if distance <= 2 else 0.0

    def tally(self, item: Mapping[str, Any], answers: Iterable[tuple[Any, float]]) -> Counter[str]:
        counts: Counter[str] = Counter()
        for response, fraction in answers:
            counts["close" if fraction >= 1 else "near" if fraction > 0 else "far"] += 1
            if response is not None:
                counts["answered"] += 1
        return counts


class EstimatePlugin(Plugin):
    name = "estimate"
    template_folder = HERE / "templates"
    static_folder = HERE / "static"
    translations_dir = HERE / "translations"
    translations_domain = "lms_estimate"
    question_types = (Estimate,)


plugin = EstimatePlugin()
