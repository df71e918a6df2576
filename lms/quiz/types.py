"""Question types: one class each, registered by id on the app's registry.

A type validates an item's definition (messages for authors), reads a learner's response from a
form, and scores it as a fraction of the item's points. Scoring is a pure function of
(definition, response): no request, no database.

Third-party types come with a plugin (``lms.plugins``, see :mod:`lms.plugins`), which also
brings their templates and translations; a bare class in the older ``lms.question_types``
entry-point group still loads::

    [options.entry_points]
    lms.question_types =
        hotspot = my_package.hotspot:Hotspot

``LMS_QUESTION_TYPES`` chooses which installed types an app uses.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from importlib.metadata import entry_points
from typing import Any, ClassVar

from ..i18n import _l, parse_digits

ENTRY_POINT_GROUP = "lms.question_types"


class ResponseError(ValueError):
    """A response that does not fit the item (unknown option ids, not a number...)."""


class QuestionType:
    """Base class. Subclasses set ``id`` and ``template`` and implement the four methods."""

    id: ClassVar[str]
    #: Template that renders the item for a tablet (gets ``item``, ``response``, ``texts``).
    template: ClassVar[str]
    #: Shuffle the options of this type in each attempt.
    shuffle_options: ClassVar[bool] = True
    #: Template that shows the room's answers after a live question (the projector and each
    #: tablet): gets ``entry``, ``counts`` (from :meth:`tally`), ``answer`` (from
    #: :meth:`answer_texts`), ``show_right``, ``options`` and ``text`` (picks a language).
    reveal_template: ClassVar[str] = "lms/live/_reveal_scores.html"

    def validate(self, item: Mapping[str, Any]) -> list[Any]:
        """Problems with the definition, in words an author understands (empty: fine)."""
        return []

    def parse(self, item: Mapping[str, Any], form: Mapping[str, Any]) -> Any:
        """The response from submitted form fields (``getlist`` for multi-valued fields)."""
        raise NotImplementedError

    def score(self, item: Mapping[str, Any], response: Any) -> float:
        """The fraction of the item's points earned, from 0 to 1."""
        raise NotImplementedError

    def correct_response(self, item: Mapping[str, Any]) -> Any:
        return item.get("answer")

    def tally(self, item: Mapping[str, Any], answers: Iterable[tuple[Any, float]]) -> Counter[str]:
        """How the room answered, from ``(response, fraction)`` pairs, keyed as
        :attr:`reveal_template` expects. Default: how many were ``right``, ``partly`` right and
        ``wrong``."""
        counts: Counter[str] = Counter()
        for _response, fraction in answers:
            key = "right" if fraction >= 1 else "partly" if fraction > 0 else "wrong"
            counts[key] += 1
        return counts

    def answer_texts(self, item: Mapping[str, Any]) -> list[Any]:
        """The right answer for the reveal: numbers, texts, ``{locale: text}`` mappings, or
        pairs of them (a prompt and its match)."""
        answer = self.correct_response(item)
        return [] if answer is None else [answer]


class ChoiceType(QuestionType):
    """A type whose responses name options: the reveal shows a bar per option."""

    reveal_template: ClassVar[str] = "lms/live/_bars.html"

    def tally(self, item: Mapping[str, Any], answers: Iterable[tuple[Any, float]]) -> Counter[str]:
        counts: Counter[str] = Counter()
        for response, _fraction in answers:
            if isinstance(response, list):
                counts.update(map(str, response))
            elif response is not None:
                counts[str(response).lower() if isinstance(response, bool) else str(response)] += 1
        return counts


def _option_texts(item: Mapping[str, Any], key: str = "options") -> dict[str, Any]:
    return {str(o.get("id")): o.get("text") for o in item.get(key) or [] if isinstance(o, Mapping)}


def one_value(form: Mapping[str, Any], name: str) -> Any:
    """The field ``name`` of a form; sent more than once, it cannot be one answer."""
    if hasattr(form, "getlist") and len(form.getlist(name)) > 1:
        raise ResponseError(name)
    return form.get(name)


def option_ids(item: Mapping[str, Any], key: str = "options") -> list[str]:
    return [str(o.get("id")) for o in item.get(key) or [] if isinstance(o, Mapping)]


def _options_problems(item: Mapping[str, Any], minimum: int, key: str = "options") -> list[Any]:
    options = item.get(key)
    if not isinstance(options, list) or len(options) < minimum:
        return [_l("needs %(key)s: a list of at least %(num)s", key=key, num=minimum)]
    ids = option_ids(item, key)
    if len(set(ids)) != len(ids):
        return [_l("%(key)s ids must be different", key=key)]
    return []


class SingleChoice(ChoiceType):
    id = "single"
    template = "lms/quiz/types/single.html"

    def validate(self, item: Mapping[str, Any]) -> list[Any]:
        problems = _options_problems(item, 2)
        if not problems and str(item.get("answer")) not in option_ids(item):
            problems.append(
                _l("answer must be one of the option ids: %(ids)s", ids=", ".join(option_ids(item)))
            )
        return problems

    def parse(self, item: Mapping[str, Any], form: Mapping[str, Any]) -> Any:
        value = one_value(form, "answer")
        if value is None or value == "":
            return None
        if value not in option_ids(item):
            raise ResponseError(value)
        return value

    def score(self, item: Mapping[str, Any], response: Any) -> float:
        return 1.0 if response is not None and str(response) == str(item["answer"]) else 0.0


class MultipleResponse(ChoiceType):
    """Partial credit: (right ticks - wrong ticks) / number of right options, never below 0."""

    id = "multiple"
    template = "lms/quiz/types/multiple.html"

    def validate(self, item: Mapping[str, Any]) -> list[Any]:
        problems = _options_problems(item, 3)
        answer = item.get("answer")
        if not problems and (
            not isinstance(answer, list)
            or not answer
            or not set(map(str, answer)) <= set(option_ids(item))
        ):
            problems.append(
                _l("answer must be a list of option ids: %(ids)s", ids=", ".join(option_ids(item)))
            )
        return problems

    def parse(self, item: Mapping[str, Any], form: Mapping[str, Any]) -> Any:
        values = form.getlist("answer") if hasattr(form, "getlist") else form.get("answer") or []
        if not set(values) <= set(option_ids(item)):
            raise ResponseError(values)
        return sorted(set(values))

    def score(self, item: Mapping[str, Any], response: Any) -> float:
        right = set(map(str, item["answer"]))
        chosen = set(map(str, response)) if isinstance(response, list) else set()
        return max(0.0, (len(chosen & right) - len(chosen - right)) / len(right))


class TrueFalse(ChoiceType):
    id = "true_false"
    template = "lms/quiz/types/true_false.html"
    shuffle_options = False

    def validate(self, item: Mapping[str, Any]) -> list[Any]:
        if not isinstance(item.get("answer"), bool):
            return [_l("answer must be true or false")]
        return []

    def parse(self, item: Mapping[str, Any], form: Mapping[str, Any]) -> Any:
        value = one_value(form, "answer")
        if value in (None, ""):
            return None
        if value not in ("true", "false"):
            raise ResponseError(value)
        return value == "true"

    def score(self, item: Mapping[str, Any], response: Any) -> float:
        return 1.0 if response is item["answer"] else 0.0


#: Numbers are refused beyond this many powers of ten (``1e999999999`` overflowed scoring).
MAX_EXPONENT = 30


def to_decimal(text: Any) -> Decimal | None:
    """A number typed by a learner: Bengali or Latin digits, comma grouping, ``.`` decimals.
    ``None`` for anything else, including numbers too large or too small to be an answer."""
    if text is None:
        return None
    cleaned = parse_digits(str(text)).replace(",", "").replace(" ", "").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or (value and abs(value.adjusted()) > MAX_EXPONENT):
        return None
    return value


class Numeric(QuestionType):
    id = "numeric"
    template = "lms/quiz/types/numeric.html"
    shuffle_options = False

    def validate(self, item: Mapping[str, Any]) -> list[Any]:
        answer = item.get("answer")
        if not isinstance(answer, Mapping) or to_decimal(answer.get("value")) is None:
            return [_l("answer needs value: a number (and tolerance)")]
        tolerance = to_decimal(answer.get("tolerance", 0))
        if tolerance is None or tolerance < 0:
            return [_l("answer tolerance must be a number of 0 or more")]
        return []

    def parse(self, item: Mapping[str, Any], form: Mapping[str, Any]) -> Any:
        text = (one_value(form, "answer") or "").strip()
        if not text:
            return None
        if to_decimal(text) is None:
            raise ResponseError(text)
        return text

    def score(self, item: Mapping[str, Any], response: Any) -> float:
        value = to_decimal(response)
        if value is None:
            return 0.0
        target = to_decimal(item["answer"]["value"])
        tolerance = to_decimal(item["answer"].get("tolerance", 0)) or Decimal(0)
        return 1.0 if abs(value - target) <= tolerance else 0.0

    def correct_response(self, item: Mapping[str, Any]) -> Any:
        return item["answer"]["value"]

    def answer_texts(self, item: Mapping[str, Any]) -> list[Any]:
        return [to_decimal(item["answer"]["value"])]


def longest_ordered_run(order: list[str], correct: list[str]) -> int:
    """Length of the longest subsequence of ``order`` that keeps the right relative order."""
    position = {item: index for index, item in enumerate(correct)}
    ranks = [position[item] for item in order if item in position]
    best: list[int] = []  # patience sorting: longest increasing subsequence
    from bisect import bisect_left

    for rank in ranks:
        at = bisect_left(best, rank)
        best[at : at + 1] = [rank]
    return len(best)


class Ordering(QuestionType):
    """Score: the longest run of options in the right relative order / number of options."""

    id = "ordering"
    template = "lms/quiz/types/ordering.html"

    def validate(self, item: Mapping[str, Any]) -> list[Any]:
        problems = _options_problems(item, 3)
        answer = item.get("answer")
        if not problems and (
            not isinstance(answer, list) or sorted(map(str, answer)) != sorted(option_ids(item))
        ):
            problems.append(_l("answer must list every option id once, in the right order"))
        return problems

    def parse(self, item: Mapping[str, Any], form: Mapping[str, Any]) -> Any:
        ids = option_ids(item)
        positions = {}
        for option in ids:
            raw = one_value(form, f"position-{option}")
            if raw in (None, ""):
                return None  # not every position chosen yet
            value = to_decimal(raw)
            if value is None or not 1 <= value <= len(ids):
                raise ResponseError(raw)  # checked before int(): int(Decimal("1e30")) is costly
            positions[option] = int(value)
        if sorted(positions.values()) != list(range(1, len(ids) + 1)):
            raise ResponseError(positions)
        return sorted(ids, key=lambda option: positions[option])

    def score(self, item: Mapping[str, Any], response: Any) -> float:
        correct = [str(x) for x in item["answer"]]
        if not response or not isinstance(response, list):
            return 0.0
        return longest_ordered_run([str(x) for x in response], correct) / len(correct)

    def answer_texts(self, item: Mapping[str, Any]) -> list[Any]:
        texts = _option_texts(item)
        return [texts.get(str(option), str(option)) for option in item["answer"]]


class Matching(QuestionType):
    """Score: the share of prompts matched to the right option."""

    id = "matching"
    template = "lms/quiz/types/matching.html"

    def validate(self, item: Mapping[str, Any]) -> list[Any]:
        problems = _options_problems(item, 2, "prompts") + _options_problems(item, 2)
        answer = item.get("answer")
        if not problems and (
            not isinstance(answer, Mapping)
            or set(map(str, answer)) != set(option_ids(item, "prompts"))
            or not set(map(str, answer.values())) <= set(option_ids(item))
        ):
            problems.append(_l("answer must match every prompt id to an option id"))
        return problems

    def parse(self, item: Mapping[str, Any], form: Mapping[str, Any]) -> Any:
        chosen = {}
        for prompt in option_ids(item, "prompts"):
            value = one_value(form, f"match-{prompt}")
            if value:
                if value not in option_ids(item):
                    raise ResponseError(value)
                chosen[prompt] = value
        return chosen or None

    def score(self, item: Mapping[str, Any], response: Any) -> float:
        answer = {str(k): str(v) for k, v in item["answer"].items()}
        given = {str(k): str(v) for k, v in response.items()} if isinstance(response, dict) else {}
        return sum(1 for k, v in answer.items() if given.get(k) == v) / len(answer)

    def answer_texts(self, item: Mapping[str, Any]) -> list[Any]:
        prompts, options = _option_texts(item, "prompts"), _option_texts(item)
        return [
            (prompts.get(str(prompt), str(prompt)), options.get(str(option), str(option)))
            for prompt, option in item["answer"].items()
        ]


BUILT_IN: tuple[type[QuestionType], ...] = (
    SingleChoice,
    MultipleResponse,
    TrueFalse,
    Numeric,
    Ordering,
    Matching,
)


class UnknownQuestionType(KeyError):
    def __init__(self, type_id: str, reason: str | None = None) -> None:
        super().__init__(type_id)
        self.type_id = type_id
        #: ``not-allowed`` (left out by ``LMS_QUESTION_TYPES``), or why its plugin was skipped.
        self.reason = reason

    def __str__(self) -> str:
        if self.reason == "not-allowed":
            return str(
                _l(
                    "question type %(type)s is not used in this app (LMS_QUESTION_TYPES)",
                    type=self.type_id,
                )
            )
        if self.reason:
            return str(
                _l(
                    "question type %(type)s is not installed (%(reason)s)",
                    type=self.type_id,
                    reason=self.reason,
                )
            )
        return str(_l("question type %(type)s is not installed", type=self.type_id))


log = logging.getLogger(__name__)


class QuestionTypeRegistry:
    """The question types of one app: built-ins, then plugins' (``allowed``: the ids the app
    uses, ``None`` for all)."""

    def __init__(
        self, types: Iterable[type[QuestionType]] = BUILT_IN, allowed: Iterable[str] | None = None
    ) -> None:
        self.allowed = None if allowed is None else set(allowed)
        self._types: dict[str, QuestionType] = {}
        #: Type ids known but not usable here, with why (``not-allowed`` or a plugin's error).
        self.left_out: dict[str, str] = {}
        for cls in types:
            self.register(cls)

    def check(self, cls: type[QuestionType]) -> None:
        """Raise ``ValueError`` if ``cls`` cannot be registered (no id, or a taken one)."""
        type_id = getattr(cls, "id", None)
        if not isinstance(type_id, str) or not type_id:
            raise ValueError(f"{getattr(cls, '__name__', cls)!r} has no id")
        if type_id in self._types:
            raise ValueError(f"question type {type_id!r} is already registered")
        if not getattr(cls, "template", None):
            raise ValueError(f"question type {type_id!r} has no template")

    def register(self, cls: type[QuestionType]) -> type[QuestionType]:
        self.check(cls)
        if self.allowed is not None and cls.id not in self.allowed:
            self.left_out[cls.id] = "not-allowed"
            return cls
        self._types[cls.id] = cls()
        self.left_out.pop(cls.id, None)
        return cls

    def load_entry_points(self, errors: dict[str, str] | None = None) -> None:
        """The older ``lms.question_types`` group: a broken or clashing type is logged and
        skipped (its reason in ``errors``, by entry point name)."""
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            try:
                cls = entry.load()
                if getattr(cls, "id", None) != entry.name:
                    raise ValueError(
                        f"entry point {entry.name!r} names a type with id "
                        f"{getattr(cls, 'id', None)!r}"
                    )
                self.register(cls)
            except Exception as exc:  # a broken plugin never stops the app
                reason = f"{type(exc).__name__}: {exc}"
                log.error("question type %r skipped: %s", entry.name, reason)
                if errors is not None:
                    errors[f"{ENTRY_POINT_GROUP}:{entry.name}"] = reason

    def get(self, type_id: str) -> QuestionType:
        try:
            return self._types[type_id]
        except KeyError:
            raise UnknownQuestionType(type_id, self.left_out.get(type_id)) from None

    def __contains__(self, type_id: object) -> bool:
        return type_id in self._types

    @property
    def ids(self) -> list[str]:
        return list(self._types)
