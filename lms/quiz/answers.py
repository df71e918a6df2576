"""What a learner answered and what was right, for the review and result pages, and the
feedback each outcome gets. Pure functions of (item definition, response): no request.

An item's ``feedback`` is either one text per language, shown whatever the answer::

    feedback: {en: "H2S can kill.", bn: "..."}

or one per outcome (``partly`` is optional: partly right answers get ``wrong``'s)::

    feedback:
      correct: {en: "Yes: H2S can kill.", bn: "..."}
      wrong: {en: "It is true: H2S can kill.", bn: "..."}

The result page says itself whether an answer was right, so a one-for-all text that starts
with a verdict ("True.", "ঠিক।") is shown without it: it would contradict a wrong answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..i18n import _l
from .types import (
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    QuestionType,
    SingleChoice,
    TrueFalse,
    to_decimal,
)

OUTCOMES = ("correct", "partly", "wrong")
#: A verdict at the start of a one-for-all feedback text, with its punctuation.
VERDICT = re.compile(
    r"^\s*(?:true|false|correct|incorrect|wrong|right|ঠিক|ভুল|সঠিক|বেঠিক|সত্য|সত্যি|মিথ্যা)"
    r"(?:\s*[.!।,:;]|\s+[—–-])\s+",
    re.IGNORECASE,
)
TRUE_FALSE = {True: _l("True"), False: _l("False")}


def outcome(fraction: float | None) -> str:
    if fraction is not None and fraction >= 1:
        return "correct"
    return "partly" if fraction else "wrong"


def per_outcome(feedback: Any) -> bool:
    """Whether ``feedback`` is written per outcome (``correct``, ``wrong``, ``partly``)."""
    return isinstance(feedback, Mapping) and bool(feedback) and set(feedback) <= set(OUTCOMES)


def feedback_for(item: Mapping[str, Any], fraction: float | None) -> Any:
    """The feedback texts (``{locale: text}``) for an answer earning ``fraction``, or ``None``."""
    feedback = item.get("feedback")
    if not feedback:
        return None
    if per_outcome(feedback):
        key = outcome(fraction)
        return feedback.get(key) or (feedback.get("wrong") if key == "partly" else None)
    return without_verdict(feedback)


def without_verdict(texts: Any) -> Any:
    """``texts`` (one text or ``{locale: text}``) without a verdict word at the start."""
    if isinstance(texts, Mapping):
        return {locale: without_verdict(text) for locale, text in texts.items()}
    if not isinstance(texts, str):
        return texts
    rest = VERDICT.sub("", texts, count=1)
    return rest[:1].upper() + rest[1:] if rest != texts else texts


def feedback_texts(feedback: Any) -> list[tuple[tuple[str, ...], Any]]:
    """Each text of an item's feedback with its key, for the checker's language check: one,
    or ``correct`` and ``wrong`` (both needed) and ``partly`` when given."""
    if not per_outcome(feedback):
        return [(("feedback",), feedback)]
    keys = ["correct", "wrong", *(["partly"] if "partly" in feedback else [])]
    return [(("feedback", key), feedback.get(key)) for key in keys]


# What was answered and what was right.


@dataclass(frozen=True)
class Choice:
    """An option as shown: ``text`` is ``{locale: text}``, ``label`` a word of the app's own."""

    chosen: bool
    right: bool
    text: Any = None
    label: Any = None


@dataclass(frozen=True)
class Pair:
    """A matching prompt with the option given (``None``: none) and the right one."""

    prompt: Any
    given: Any
    right: Any
    ok: bool


@dataclass(frozen=True)
class AnswerView:
    """``kind``: ``choices`` (single, multiple, true/false), ``number``, ``order``, ``pairs``,
    or ``other`` (a plugin's type: its response and :meth:`QuestionType.answer_texts`)."""

    kind: str
    answered: bool
    choices: list[Choice] = field(default_factory=list)
    given: Any = None
    right: Any = None
    unit: Any = None
    tolerance: Decimal | None = None
    pairs: list[Pair] = field(default_factory=list)


def answer_view(
    qtype: QuestionType, item: Mapping[str, Any], response: Any, order: list[str] | None = None
) -> AnswerView:
    """The learner's ``response`` to ``item`` beside the right answer; options in ``order``
    (as the attempt showed them) when given."""
    answered = response is not None and response != [] and response != {}
    for cls, build in _VIEWS:
        if isinstance(qtype, cls):
            return build(item, response, answered, order)
    return AnswerView(
        "other", answered, given=response if answered else None, right=qtype.answer_texts(item)
    )


def _options(item: Mapping[str, Any], order: list[str] | None, key: str = "options") -> list:
    options = [o for o in item.get(key) or [] if isinstance(o, Mapping)]
    if order is None:
        return options
    by_id = {str(o.get("id")): o for o in options}
    return [by_id[i] for i in order if i in by_id]


def _true_false(item: Mapping[str, Any], response: Any, answered: bool, order: Any) -> AnswerView:
    choices = [
        Choice(chosen=response is value, right=item.get("answer") is value, label=label)
        for value, label in TRUE_FALSE.items()
    ]
    return AnswerView("choices", answered, choices)


def _choices(item: Mapping[str, Any], response: Any, answered: bool, order: Any) -> AnswerView:
    answer = item.get("answer")
    right = {str(a) for a in answer} if isinstance(answer, list) else {str(answer)}
    chosen = {str(r) for r in response} if isinstance(response, list) else {str(response)}
    choices = [
        Choice(
            chosen=answered and str(o.get("id")) in chosen,
            right=str(o.get("id")) in right,
            text=o.get("text"),
        )
        for o in _options(item, order)
    ]
    return AnswerView("choices", answered, choices)


def _number(item: Mapping[str, Any], response: Any, answered: bool, order: Any) -> AnswerView:
    answer = item.get("answer") or {}
    tolerance = to_decimal(answer.get("tolerance", 0))
    return AnswerView(
        "number",
        answered,
        given=to_decimal(response) if answered else None,
        right=to_decimal(answer.get("value")),
        unit=item.get("unit"),
        tolerance=tolerance if tolerance else None,
    )


def _order(item: Mapping[str, Any], response: Any, answered: bool, order: Any) -> AnswerView:
    texts = {str(o.get("id")): o.get("text") for o in _options(item, None)}
    given = [texts.get(str(i)) for i in response] if isinstance(response, list) else []
    right = [texts.get(str(i)) for i in item.get("answer") or []]
    return AnswerView("order", answered, given=given, right=right)


def _pairs(item: Mapping[str, Any], response: Any, answered: bool, order: Any) -> AnswerView:
    options = {str(o.get("id")): o.get("text") for o in _options(item, None)}
    answer = {str(k): str(v) for k, v in (item.get("answer") or {}).items()}
    given = {str(k): str(v) for k, v in response.items()} if isinstance(response, dict) else {}
    pairs = []
    for prompt in _options(item, None, "prompts"):
        pid = str(prompt.get("id"))
        chosen = given.get(pid)
        right = answer.get(pid)
        pairs.append(
            Pair(
                prompt.get("text"),
                options.get(chosen or ""),
                options.get(right or ""),
                ok=chosen is not None and chosen == right,
            )
        )
    return AnswerView("pairs", answered, pairs=pairs)


# Subclasses first: a plugin's type built on a built-in one is shown as that one.
_VIEWS: tuple[tuple[type[QuestionType], Any], ...] = (
    (TrueFalse, _true_false),
    (SingleChoice, _choices),
    (MultipleResponse, _choices),
    (Numeric, _number),
    (Ordering, _order),
    (Matching, _pairs),
)
