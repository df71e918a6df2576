"""Question types: validation messages, parsing, and the documented scoring rules."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from lms.quiz.types import (
    BUILT_IN,
    QuestionType,
    QuestionTypeRegistry,
    ResponseError,
    UnknownQuestionType,
    longest_ordered_run,
)

REGISTRY = QuestionTypeRegistry()
OPTIONS = [{"id": k, "text": {"en": k.upper()}} for k in ("a", "b", "c", "d")]


def score(type_id: str, item: dict, response: object) -> float:
    return REGISTRY.get(type_id).score(item, response)


def test_single_choice() -> None:
    item = {"options": OPTIONS, "answer": "b"}
    assert score("single", item, "b") == 1.0
    assert score("single", item, "a") == 0.0
    assert score("single", item, None) == 0.0
    assert REGISTRY.get("single").parse(item, MultiDict({"answer": "c"})) == "c"
    with pytest.raises(ResponseError):
        REGISTRY.get("single").parse(item, MultiDict({"answer": "z"}))


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (["a", "c"], 1.0),
        (["a"], 0.5),
        (["a", "b"], 0.0),
        (["a", "c", "d"], 0.5),
        (["b", "d"], 0.0),
        ([], 0.0),
        (["a", "b", "c", "d"], 0.0),
    ],
)
def test_multiple_response_partial_credit(response: list[str], expected: float) -> None:
    item = {"options": OPTIONS, "answer": ["a", "c"]}
    assert score("multiple", item, response) == expected


def test_true_false() -> None:
    item = {"answer": False}
    assert score("true_false", item, False) == 1.0
    assert score("true_false", item, True) == 0.0
    assert score("true_false", item, None) == 0.0
    assert REGISTRY.get("true_false").parse(item, MultiDict({"answer": "false"})) is False


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1800", 1.0),
        ("১৮০০", 1.0),
        ("1,800", 1.0),
        ("1800.4", 1.0),
        ("1799.5", 1.0),
        ("1801", 0.0),
        ("", 0.0),
        ("১,৮০০.০", 1.0),
    ],
)
def test_numeric_with_tolerance_and_bengali_digits(typed: str, expected: float) -> None:
    item = {"answer": {"value": 1800, "tolerance": 0.5}}
    assert score("numeric", item, typed) == expected


def test_numeric_refuses_text() -> None:
    with pytest.raises(ResponseError):
        REGISTRY.get("numeric").parse({}, MultiDict({"answer": "eighteen hundred"}))


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (["a", "b", "c", "d"], 1.0),
        (["b", "a", "c", "d"], 0.75),
        (["d", "c", "b", "a"], 0.25),
        (["a", "c", "d", "b"], 0.75),
        (["b", "c", "d", "a"], 0.75),
    ],
)
def test_ordering_scores_the_longest_run_in_order(order: list[str], expected: float) -> None:
    item = {"options": OPTIONS, "answer": ["a", "b", "c", "d"]}
    assert score("ordering", item, order) == expected
    assert longest_ordered_run(order, ["a", "b", "c", "d"]) == expected * 4


def test_ordering_parses_positions() -> None:
    item = {"options": OPTIONS[:3], "answer": ["a", "b", "c"]}
    form = MultiDict({"position-a": "৩", "position-b": "1", "position-c": "2"})
    assert REGISTRY.get("ordering").parse(item, form) == ["b", "c", "a"]
    with pytest.raises(ResponseError):  # two options in the same place
        REGISTRY.get("ordering").parse(
            item, MultiDict({"position-a": "1", "position-b": "1", "position-c": "2"})
        )


def test_matching() -> None:
    item = {
        "prompts": [{"id": "p1"}, {"id": "p2"}],
        "options": OPTIONS,
        "answer": {"p1": "a", "p2": "c"},
    }
    assert score("matching", item, {"p1": "a", "p2": "c"}) == 1.0
    assert score("matching", item, {"p1": "a", "p2": "b"}) == 0.5
    assert score("matching", item, None) == 0.0
    parsed = REGISTRY.get("matching").parse(item, MultiDict({"match-p1": "d", "match-p2": ""}))
    assert parsed == {"p1": "d"}


@pytest.mark.parametrize(
    ("type_id", "item", "message"),
    [
        ("single", {"options": OPTIONS, "answer": "z"}, "answer must be one of the option ids"),
        ("single", {"options": OPTIONS[:1], "answer": "a"}, "needs options"),
        ("multiple", {"options": OPTIONS, "answer": "a"}, "answer must be a list of option ids"),
        ("true_false", {"answer": "yes"}, "answer must be true or false"),
        ("numeric", {"answer": {"tolerance": 1}}, "answer needs value"),
        ("numeric", {"answer": {"value": 3, "tolerance": -1}}, "tolerance must be a number"),
        ("ordering", {"options": OPTIONS, "answer": ["a", "b"]}, "every option id once"),
        (
            "matching",
            {"prompts": [{"id": "p"}, {"id": "q"}], "options": OPTIONS, "answer": {"p": "a"}},
            "match every prompt",
        ),
    ],
)
def test_validation_tells_authors_what_is_wrong(type_id: str, item: dict, message: str) -> None:
    problems = [str(p) for p in REGISTRY.get(type_id).validate(item)]
    assert any(message in p for p in problems), problems


def test_the_six_built_in_types() -> None:
    assert [cls.id for cls in BUILT_IN] == [
        "single",
        "multiple",
        "true_false",
        "numeric",
        "ordering",
        "matching",
    ]


class Slider(QuestionType):
    """A type from outside the package: a value on a scale, right within 10%."""

    id = "slider"
    template = "lms/quiz/types/numeric.html"

    def parse(self, item: dict, form: dict) -> object:
        return form.get("answer")

    def score(self, item: dict, response: object) -> float:
        return 1.0 if abs(float(response) - item["answer"]) <= 0.1 * item["answer"] else 0.0


def test_registering_a_type_and_refusing_duplicates() -> None:
    registry = QuestionTypeRegistry()
    registry.register(Slider)
    assert registry.get("slider").score({"answer": 100}, "95") == 1.0
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Slider)
    with pytest.raises(UnknownQuestionType) as missing:
        registry.get("hotspot")
    assert "question type hotspot is not installed" in str(missing.value)
    assert "slider" not in QuestionTypeRegistry()  # each registry is its own


def test_a_type_is_loaded_from_the_entry_point_group(tmp_path: Path) -> None:
    (tmp_path / "dakshata_slider.py").write_text(
        textwrap.dedent("""
        from lms.quiz.types import QuestionType

        class Likert(QuestionType):
            id = "likert"
            template = "lms/quiz/types/single.html"
            def parse(self, item, form):
                return form.get("answer")
            def score(self, item, response):
                return 1.0
    """)
    )
    dist = tmp_path / "dakshata_slider-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: dakshata-slider\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[lms.question_types]\nlikert = dakshata_slider:Likert\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        registry = QuestionTypeRegistry()
        registry.load_entry_points()
        assert "likert" in registry
        assert registry.get("likert").score({}, "x") == 1.0
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("dakshata_slider", None)
