"""Hostile YAML in every file the LMS reads (front matter, module.yaml, quiz.yaml,
needs-assessment.yaml), from disk and from the editor: anchors and aliases are refused, so 358
bytes cannot expand into millions of values (a "billion laughs"); values and nesting are capped;
a value that is not a real date or number is a problem on its line, not a server error. Each
refusal is an ordinary authoring problem, ``path:line: error: message``, and nothing is saved.
"""

from __future__ import annotations

import html
import json
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from lms.content import source
from lms.content.source import load_yaml, parse_doc
from lms.i18n import gettext_in
from tests.conftest import EN_TEXT, PASSWORD, write_module
from tests.processes import ROOT, Browser, Gunicorn, server_env
from tests.quiz_bank import QUIZ_YAML

ALIASES = "YAML anchors (&name) and aliases (*name) are not allowed: write each value out in full."


def billion_laughs(levels: int = 7) -> str:
    """Front matter whose 7 levels of nine aliases each stand for 9⁷ (4.8 million) strings."""
    names = "abcdefghij"[:levels]
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for before, name in zip(names, names[1:], strict=False):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{before}"] * 9) + "]")
    return "---\ntitle: Billion laughs\n" + "\n".join(lines) + "\n---\n"


BOMB = billion_laughs()
BOMB_TEXT = BOMB + "\nIntro.\n\n## First steps\n\nMy new text.\n"
#: The same expansion in the other YAML files (its first anchor on line 2 of each).
BOMB_YAML = "version: 1\n" + "\n".join(BOMB.splitlines()[2:-1]) + "\n"


def test_the_bomb_is_the_one_reported() -> None:
    assert len(BOMB.encode()) == 358
    assert BOMB.count("*") == 6 * 9


# The loader itself, for every kind of refusal.


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("title: x\nsummary: &s Short\nother: *s\n", 2, ALIASES),
        ("title: x\nlist:\n  - &item {a: 1}\n", 3, ALIASES),
        ("title: x\nbase: {a: 1}\nmerged:\n  <<: *base\n", 4, ALIASES),
        ("title: x\nplain: &anchor_without_alias 1\n", 2, ALIASES),
        ("title: x\ndeep: " + "[" * 60 + "]" * 60 + "\n", 2, "The YAML is nested too deeply."),
        ("title: x\nlast_reviewed: 2026-13-01\n", 2, "The value 2026-13-01 is not a valid"),
        ("title: x\nnumber: " + "9" * 5000 + "\n", 2, "The value 9999"),
    ],
    ids=["alias", "anchor in a list", "merge key", "unused anchor", "depth", "date", "digits"],
)
def test_yaml_that_the_lms_does_not_read_is_a_problem_on_its_line(
    app: Flask, text: str, line: int, message: str
) -> None:
    with app.app_context():
        doc = parse_doc(f"---\n{text}---\n\n## One\n\nText.\n", Path("m/en.md"), "en")
        assert [(p.line, p.severity) for p in doc.problems] == [(line + 1, "error")]
        assert str(doc.problems[0].message).startswith(message)
        assert doc.front == {}  # nothing of it is used


def test_too_many_values_are_refused_before_they_are_built(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def items(count: int) -> str:
        return "items:\n" + "".join(f"  - {n}\n" for n in range(count))

    with app.app_context():
        data, _lines = load_yaml(items(20_000))
        assert len(data["items"]) == 20_000  # far more than the largest item bank
        monkeypatch.setattr(source, "MAX_YAML_NODES", 1000)
        with pytest.raises(ValueError) as refused:
            load_yaml(items(1000))  # with the mapping and its key: 1,002 values
        assert str(refused.value) == "The YAML has too many values."
        assert len(load_yaml(items(997))[0]["items"]) == 997


# From disk: every YAML file the checker reads, and the 358-byte bomb through the real command.


@pytest.fixture
def hostile_content(tmp_path: Path) -> Path:
    """A module whose four YAML texts each hold an anchor and its alias."""
    root = tmp_path / "content"
    alias = "summary: &s A short module.\nobjectives: [*s]\n"
    english = EN_TEXT.format(title="Tanning").replace(
        "summary: A short module for tests.\nobjectives:\n  - Learn one thing.\n", alias
    )
    folder = write_module(root, "tanning", en=english)
    meta = (folder / "module.yaml").read_text(encoding="utf-8")
    (folder / "module.yaml").write_text(
        meta.replace("level: basic", "level: &lvl basic\ntopics_level: *lvl"), encoding="utf-8"
    )
    (folder / "quiz.yaml").write_text(
        QUIZ_YAML.replace("pre: {count: 3, form: A}", "pre: &pre {count: 3, form: A}"),
        encoding="utf-8",
    )
    needs = (ROOT / "modules_content" / "needs-assessment.yaml").read_text(encoding="utf-8")
    (root / "needs-assessment.yaml").write_text(
        needs.replace("modules: [gst-vat]", "modules: &tax [gst-vat]", 1), encoding="utf-8"
    )
    return root


def test_check_content_names_each_file_and_line_with_an_alias(
    make_app: Callable[..., Flask], hostile_content: Path
) -> None:
    app = make_app(LMS_CONTENT_DIR=str(hostile_content))
    result = app.test_cli_runner().invoke(args=["lms", "check-content", str(hostile_content)])
    assert result.exit_code == 1
    reported = set(re.findall(r"(\S+?):(\d+): error: (.+)", result.output))
    needs = (hostile_content / "needs-assessment.yaml").read_text(encoding="utf-8")
    needs_line = next(n for n, line in enumerate(needs.splitlines(), start=1) if "&tax" in line)
    for name, line in [
        ("tanning/en.md", 3),
        ("tanning/module.yaml", 3),
        ("tanning/quiz.yaml", 3),
        ("needs-assessment.yaml", needs_line),
    ]:
        assert any(
            path.endswith(name) and int(at) == line and message == ALIASES
            for path, at, message in reported
        ), (name, result.output)


def _limit_memory() -> None:  # in the child, before it runs: the bomb would take gigabytes
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024**2, 1536 * 1024**2))


def test_check_content_refuses_the_358_byte_bomb_from_disk(app: Flask, tmp_path: Path) -> None:
    """The real command in its own process (memory-capped: the bomb took 2.3 GB)."""
    root = tmp_path / "bombs"
    folder = write_module(root, "tanning", en=BOMB_TEXT)
    (folder / "quiz.yaml").write_text(BOMB_YAML, encoding="utf-8")
    (root / "needs-assessment.yaml").write_text(BOMB_YAML, encoding="utf-8")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "lms", "check-content", str(root)],
        cwd=ROOT,
        env=server_env(app, LMS_CONTENT_DIR=str(root)),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_memory,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    for name in ("tanning/en.md:3", "tanning/quiz.yaml:2", "needs-assessment.yaml:2"):
        assert any(line.endswith(f"{name}: error: {ALIASES}") for line in lines), (name, lines)
    assert time.monotonic() - started < 60  # a generous guard: refused while composing


# From the editor, over HTTP: the live preview, the author's preview and the save.


@pytest.fixture
def server(app: Flask, tmp_path: Path) -> Iterator[Gunicorn]:
    gunicorn = Gunicorn(server_env(app), tmp_path / "gunicorn.log", workers=1)
    try:
        yield gunicorn
    finally:
        gunicorn.stop()


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    folder = write_module(tmp_path / "content", "tanning", title="Tanning basics", bn="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(tmp_path / "content"))


def _author(port: int, email: str) -> Browser:
    tablet = Browser(port, timeout=15)  # the bomb took 17.7 s: a generous guard
    form = {"email": email, "password": PASSWORD, "csrf_token": tablet.token("/login")}
    assert tablet.request("POST", "/login", form)[0] == 302
    return tablet


def test_the_editor_refuses_the_358_byte_bomb_over_http(
    app: Flask, server: Gunicorn, make_user, tmp_path: Path
) -> None:
    author = _author(server.port, make_user("author", locale="bn").email)
    with app.app_context():
        expected = gettext_in("bn", ALIASES)
    path = tmp_path / "content" / "tanning" / "en.md"
    before = path.read_bytes()
    edit = "/author/content/tanning/en/edit"
    page = author.request("GET", edit)[2]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    base = re.search(r'name="base_hash" value="([0-9a-f]+)"', page).group(1)

    status, _headers, body = author.request(
        "POST",
        "/author/content/tanning/en/preview",
        {"text": BOMB_TEXT},
        {"X-CSRFToken": token},
    )
    assert status == 200
    problems = json.loads(body)["problems"]
    assert {"line": 3, "severity": "error", "message": expected} in [
        {k: p[k] for k in ("line", "severity", "message")} for p in problems
    ]

    status, _headers, body = author.request(
        "POST", edit, {"csrf_token": token, "base_hash": base, "text": BOMB_TEXT}
    )
    assert status == 422
    shown = html.unescape(body)
    assert expected in shown and "My new text." in shown  # the author's text stays in the editor
    assert path.read_bytes() == before

    # A file that arrived on disk with the bomb: the author's preview lists the problem.
    path.write_text(BOMB_TEXT, encoding="utf-8")
    status, _headers, body = author.request("GET", "/author/content/tanning/en")
    assert status == 200 and expected in html.unescape(body)
