"""Property-based tests (Hypothesis): every question type's parsing and scoring, and the Markdown
pipeline's sanitising.

Examples written by hand live beside the code they check: tests/test_quiz_types.py (each type's
scores) and tests/test_content_format.py::test_authors_cannot_inject_script_styles_or_handlers.
Here the same rules must hold for any definition a type accepts and any response or text.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from lms import LMS
from lms.content.facts import load_facts
from lms.content.render import LinkContext, render
from lms.quiz.bank import load_bank
from lms.quiz.types import BUILT_IN, QuestionType, QuestionTypeRegistry, ResponseError

# Deterministic in CI (same examples on every run, no flaky deadlines); a few more locally.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=150,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=150, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

CONTENT = Path(__file__).resolve().parents[1] / "modules_content"
REGISTRY = QuestionTypeRegistry()

# Definitions: ids as authors write them in YAML (words or numbers), distinct as text.

ids = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=6),
    st.integers(min_value=0, max_value=99),
)


def distinct_ids(minimum: int, maximum: int = 6) -> st.SearchStrategy[list[Any]]:
    return st.lists(ids, min_size=minimum, max_size=maximum, unique_by=str)


def options(id_list: list[Any]) -> list[dict[str, Any]]:
    return [{"id": i, "text": {"en": f"Option {i}"}} for i in id_list]


@st.composite
def single(draw: st.DrawFn) -> dict[str, Any]:
    found = draw(distinct_ids(2))
    return {"options": options(found), "answer": draw(st.sampled_from(found))}


@st.composite
def multiple(draw: st.DrawFn) -> dict[str, Any]:
    found = draw(distinct_ids(3))
    right = draw(st.lists(st.sampled_from(found), min_size=1, unique_by=str))
    return {"options": options(found), "answer": right}


@st.composite
def true_false(draw: st.DrawFn) -> dict[str, Any]:
    return {"answer": draw(st.booleans())}


BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
numbers = st.one_of(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 6)),
)


@st.composite
def numeric(draw: st.DrawFn) -> dict[str, Any]:
    value: Any = draw(numbers)
    if draw(st.booleans()):
        value = str(value)
        if draw(st.booleans()):
            value = value.translate(BENGALI_DIGITS)
    tolerance = draw(st.one_of(st.just(0), st.decimals(min_value=0, max_value=100, places=2)))
    return {"answer": {"value": value, "tolerance": str(tolerance)}}


@st.composite
def ordering(draw: st.DrawFn) -> dict[str, Any]:
    found = draw(distinct_ids(3))
    return {"options": options(found), "answer": draw(st.permutations(found))}


@st.composite
def matching(draw: st.DrawFn) -> dict[str, Any]:
    prompts = draw(distinct_ids(2, 5))
    found = draw(distinct_ids(2))
    answer = {p: draw(st.sampled_from(found)) for p in prompts}
    return {"prompts": options(prompts), "options": options(found), "answer": answer}


DEFINITIONS: dict[str, Callable[[], st.SearchStrategy[dict[str, Any]]]] = {
    "single": single,
    "multiple": multiple,
    "true_false": true_false,
    "numeric": numeric,
    "ordering": ordering,
    "matching": matching,
}

# Responses: anything JSON can hold, plus values built from the definition's own ids.

json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)


def near_misses(item: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    known = [str(o["id"]) for key in ("options", "prompts") for o in item.get(key) or []] or ["x"]
    word = st.sampled_from(known) | st.text(max_size=4)
    return st.one_of(
        word,
        st.lists(word, max_size=8),
        st.dictionaries(word, word, max_size=6),
        st.sampled_from(["1e999999999", "-1e999999999", "NaN", "Infinity", "1" * 400, "৬০০"]),
    )


def correct_form(type_id: str, item: Mapping[str, Any]) -> MultiDict:
    """The form fields a tablet posts for the right answer."""
    answer = item["answer"]
    if type_id in ("single", "multiple"):
        return MultiDict(
            [("answer", str(a)) for a in (answer if type_id == "multiple" else [answer])]
        )
    if type_id == "true_false":
        return MultiDict({"answer": "true" if answer else "false"})
    if type_id == "numeric":
        return MultiDict({"answer": str(answer["value"])})
    if type_id == "ordering":
        return MultiDict({f"position-{a}": str(n) for n, a in enumerate(answer, start=1)})
    return MultiDict({f"match-{p}": str(o) for p, o in answer.items()})


def form_fields(item: Mapping[str, Any]) -> st.SearchStrategy[MultiDict]:
    """Arbitrary posted forms with the field names the types read."""
    names = ["answer"] + [
        f"{prefix}-{o['id']}"
        for key, prefix in (("options", "position"), ("prompts", "match"))
        for o in item.get(key) or []
    ]
    values = st.one_of(
        st.text(max_size=12),
        st.sampled_from([str(o["id"]) for o in item.get("options") or []] or ["a"]),
        st.integers(-3, 9).map(str),
        st.sampled_from(["1e50000000", "1e999999999", "১", "2.5", "true", "false", "NaN"]),
    )
    pairs = st.lists(st.tuples(st.sampled_from(names), values), max_size=10)
    return pairs.map(MultiDict)


def assert_fraction(qtype: QuestionType, item: Mapping[str, Any], response: Any) -> float:
    fraction = qtype.score(item, response)
    assert isinstance(fraction, float)
    assert 0.0 <= fraction <= 1.0
    assert qtype.score(item, response) == fraction  # deterministic
    return fraction


def test_every_registered_type_has_a_definition_strategy() -> None:
    """A new built-in type must join these properties."""
    assert set(REGISTRY.ids) == set(DEFINITIONS) == {cls.id for cls in BUILT_IN}


@pytest.mark.parametrize("type_id", sorted(DEFINITIONS))
@given(data=st.data())
def test_scores_are_fractions_and_the_right_answer_scores_one(type_id: str, data: Any) -> None:
    qtype = REGISTRY.get(type_id)
    item = data.draw(DEFINITIONS[type_id](), label="definition")
    assert qtype.validate(item) == []
    assert assert_fraction(qtype, item, qtype.correct_response(item)) == 1.0
    response = data.draw(st.one_of(json_like, near_misses(item)), label="response")
    assert_fraction(qtype, item, response)


@pytest.mark.parametrize("type_id", sorted(DEFINITIONS))
@given(data=st.data())
def test_parsing_any_form_gives_a_scorable_response_or_the_documented_error(
    type_id: str, data: Any
) -> None:
    qtype = REGISTRY.get(type_id)
    item = data.draw(DEFINITIONS[type_id](), label="definition")
    right = qtype.parse(item, correct_form(type_id, item))
    assert assert_fraction(qtype, item, right) == 1.0
    form = data.draw(form_fields(item), label="form")
    try:
        response = qtype.parse(item, form)
    except ResponseError:
        return
    if response is not None:
        assert_fraction(qtype, item, response)


def shipped_items() -> list[tuple[str, Any]]:
    """Every shipped item as each country's learners are given it (facts filled in, in each
    text's language: an app's languages)."""
    app = Flask("shipped_items", instance_path=tempfile.mkdtemp())
    app.config.update(SECRET_KEY="shipped items", LMS_CONTENT_DIR=str(CONTENT))
    LMS(app)
    with app.app_context():
        return _resolved_items(load_facts(CONTENT))


def _resolved_items(book: Any) -> list[tuple[str, Any]]:
    found = []
    for path in sorted(CONTENT.glob("*/quiz.yaml")):
        bank = load_bank(path, REGISTRY)
        for item in bank.items:
            for country in ("IN", "BD"):
                given = item.resolved(country, book) if item.for_country(country) else None
                if given is not None:
                    found.append((f"{path.parent.name}/{item.id}/{country}", given))
    return found


SHIPPED = shipped_items()


def test_the_shipped_banks_have_items_of_every_type() -> None:
    assert len(SHIPPED) > 50
    assert {item.type for _name, item in SHIPPED} == set(DEFINITIONS)


@given(data=st.data())
def test_shipped_items_score_their_answer_one_and_anything_else_a_fraction(data: Any) -> None:
    _name, item = data.draw(st.sampled_from(SHIPPED), label="item")
    qtype = REGISTRY.get(item.type)
    assert qtype.validate(item.data) == []
    assert assert_fraction(qtype, item.data, qtype.correct_response(item.data)) == 1.0
    assert (
        assert_fraction(
            qtype, item.data, qtype.parse(item.data, correct_form(item.type, item.data))
        )
        == 1.0
    )
    response = data.draw(st.one_of(json_like, near_misses(item.data)), label="response")
    assert_fraction(qtype, item.data, response)


# The Markdown pipeline: nothing an author writes comes out active.

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1) 'title')",
    "[x]( javascript:alert(1))",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "<svg><a xlink:href=javascript:alert(1)><text>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--><script>alert(1)</script>-->",
    "<!-- <img src=x onerror=alert(1)> -->",
    "<!--[if IE]><script>alert(1)</script><![endif]-->",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    '<form action="https://evil.example"><input name=p></form>',
    "<base href=https://evil.example/>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<details open ontoggle=alert(1)>",
    "<b onmouseover=alert(1)>x</b>",
    '## Heading {: onclick="alert(1)" }',
    "[x](https://ok.example){: onclick=alert(1) href=javascript:alert(1) }",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<textarea><script>alert(1)</script></textarea>",
    "```\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    '!!! tip "<script>alert(1)</script>"\n    body',
    "[^1]\n\n[^1]: <script>alert(1)</script>",
]
MARKDOWN_BITS = [
    "\n",
    "\n\n",
    "## ",
    "# ",
    "- ",
    "1. ",
    "> ",
    "    ",
    "|a|b|\n|-|-|\n",
    "<",
    ">",
    '"',
    "'",
    "`",
    "&",
    "&#",
    "[",
    "](",
    ")",
    "{: ",
    "}",
    "!!! note\n    ",
    "*",
    "_",
]

DANGEROUS_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "input",
    "base",
    "meta",
    "link",
    "textarea",
    "noscript",
    "frame",
    "frameset",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
}


class _Audit(HTMLParser):
    """Everything active a browser would find in the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}=")
            if name in URL_ATTRIBUTES and value is not None:
                squeezed = "".join(c for c in value if c > " ").lower()
                if squeezed.startswith(("javascript:", "vbscript:", "data:")):
                    self.found.append(f"{tag} {name}={value}")

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.found.append("<!-- -->")


def audit(html: str) -> list[str]:
    parser = _Audit()
    parser.feed(html)
    parser.close()
    lowered = html.lower()
    return parser.found + [t for t in ("<script", "<iframe", "<style") if t in lowered]


def link_context() -> LinkContext:
    """As the app builds it: module links and assets become site paths."""
    return LinkContext(
        link_for=lambda slug, anchor: (
            f"/modules/{slug or 'here'}" + (f"#{anchor}" if anchor else "")
        ),
        asset_url=lambda path: f"/modules/here/assets/{path}",
        translate=lambda message: message,
    )


markdown_texts = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.sampled_from(MARKDOWN_BITS), st.text(max_size=30)),
    min_size=1,
    max_size=12,
).map("".join)


@pytest.mark.parametrize("fragment", HOSTILE)
def test_each_hostile_fragment_comes_out_inactive(fragment: str) -> None:
    html = render(f"Text before.\n\n{fragment}\n\nText after.\n", link_context())
    assert audit(html) == [], (fragment, html)


@given(markdown_texts)
@example("<scr<script>ipt>alert(1)</script>")
@example("[a](<javascript:alert(1)>)")
@example("<a href='&#106;avascript:alert(1)'>x</a>")
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_any_markdown_comes_out_without_script_handlers_or_dangerous_urls(text: str) -> None:
    html = render(text, link_context())
    assert audit(html) == [], html
