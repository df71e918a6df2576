"""Hostile input through the web: authors' Markdown, traversal in paths, redirects through
``next``, oversized bodies, NUL characters and broken front matter. Each gets a clear refusal
and leaves what is stored as it was.

Already covered elsewhere, not repeated here:
- tests/test_content_format.py::test_authors_cannot_inject_script_styles_or_handlers (render())
- tests/test_content_web.py::test_live_preview_renders_unsaved_text (<script> in the live preview)
- tests/test_content_web.py::test_unknown_pages_and_paths (``../`` and ``%2e%2e`` in asset paths)
- tests/test_content_web.py::test_preview_and_side_by_side (``..%2f`` as an editor locale)
- tests/test_content_web.py::test_saving_stays_inside_the_module_folder (source_path())
- tests/test_content_web.py::test_checker_messages_quoting_author_text_are_escaped
- tests/test_accounts.py::test_next_only_redirects_within_the_site (https://, //, /\\ on /login)
- tests/test_i18n.py::test_language_switch_refuses_unknown_locales_and_get
- tests/test_programme_records.py::test_unreadable_uploads_are_refused_clearly (2 MB imports)
Quiz answers, live quizzes and certificates: tests/test_hostile_answers.py; names, exports and
imports: tests/test_hostile_names.py; properties of scoring and sanitising: test_properties.py;
YAML (aliases, caps): test_hostile_yaml.py; ids and counts: test_hostile_numbers.py; import
sizes: test_hostile_tables.py; simultaneous saves: test_content_saves.py.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from lms.accounts.models import User
from lms.db import db
from lms.programme.models import Enterprise
from tests.conftest import build_app, csrf_token, login, post, write_module
from tests.quiz_bank import QUIZ_YAML

SECRET = "top-secret-outside-the-content-folder"

HOSTILE_MARKDOWN = """\
---
title: Hostile module
summary: Everything an author should not be able to do.
objectives:
  - Stay safe.
---

Intro <script>alert(1)</script> and <img src="x" onerror="alert(2)">.

## Links and frames

[click](javascript:alert(3)) [data](data:text/html,<script>alert(4)</script>)
<a href=" JaVaScRiPt:alert(5)">mixed case</a>
<iframe src="https://evil.example/"></iframe>
<object data="javascript:alert(6)"></object><embed src="javascript:alert(7)">

## Styles, SVG and comments

<style>body { display: none }</style>
<p style="position: fixed">overlay</p>
<svg onload="alert(8)"><script>alert(9)</script></svg>
<!--><script>alert(10)</script>-->
<!--[if IE]><script>alert(11)</script><![endif]-->
![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<base href="https://evil.example/">

## Attributes

Heading text {: onclick="alert(12)" }

[ok](https://ok.example/){: onmouseover="alert(13)" href="javascript:alert(14)" }
<details open ontoggle="alert(15)">x</details>
<form action="https://evil.example/"><input name="password"></form>
"""


class _PageAudit(HTMLParser):
    """Anything active on a page that the layout itself does not put there."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not (values.get("src") or "").startswith("/lms-static/"):
                self.found.append(f"<script {values}>")
        if tag in ("style", "iframe", "object", "embed", "frame", "base"):
            self.found.append(f"<{tag}>")
        if tag == "meta" and values.get("http-equiv"):
            self.found.append("<meta http-equiv>")
        if tag == "form" and not (values.get("action") or "/").startswith("/"):
            self.found.append(f"<form action={values.get('action')}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=>")
            squeezed = "".join(c for c in value or "" if c > " ").lower()
            if name in ("href", "src", "action", "formaction", "data") and squeezed.startswith(
                ("javascript:", "vbscript:", "data:")
            ):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append("inline script")


def active_parts(page: str) -> list[str]:
    audit = _PageAudit()
    audit.feed(page)
    audit.close()
    return audit.found


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    write_module(root, "hostile", order=2, en=HOSTILE_MARKDOWN, bn="auto")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    return root


@pytest.fixture
def app(make_app: Callable[..., Flask], content: Path) -> Flask:
    return make_app(LMS_CONTENT_DIR=str(content))


def signed_in(app: Flask, make_user, role: str = "learner", **fields) -> FlaskClient:  # noqa: ANN001
    client = app.test_client()
    login(client, make_user(role, **fields).email)
    return client


# Markdown from authors.


def test_hostile_markdown_is_inactive_for_learners(app: Flask, make_user) -> None:  # noqa: ANN001
    learner = signed_in(app, make_user)
    for path in ("/modules/hostile", "/modules/hostile/1", "/modules/hostile/2"):
        response = learner.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert active_parts(page) == [], path
        assert "evil.example" not in page.replace('"https://evil.example/"', ""), path
    section = learner.get("/modules/hostile/1").get_data(as_text=True)
    assert "mixed case" in section and 'href="https://evil.example' not in section
    # The CSP would still stop anything that got through.
    assert (
        "script-src 'self'" in learner.get("/modules/hostile/1").headers["Content-Security-Policy"]
    )


def test_hostile_markdown_is_inactive_in_every_author_view(app: Flask, make_user) -> None:  # noqa: ANN001
    author = signed_in(app, make_user, "author")
    for path in (
        "/author/content/hostile/en",
        "/author/content/hostile/compare/bn",
        "/author/content/hostile/en/edit",
    ):
        page = author.get(path).get_data(as_text=True)
        assert active_parts(page) == [], path
    token = csrf_token(author, "/author/content/hostile/en/edit")
    preview = author.post(
        "/author/content/hostile/en/preview",
        data={"text": HOSTILE_MARKDOWN},
        headers={"X-CSRFToken": token},
    )
    assert active_parts(preview.json["html"]) == []
    assert any("raw HTML" in p["message"] for p in preview.json["problems"])


def test_markdown_nested_too_deeply_shows_a_message_not_an_error(
    content: Path,
    app: Flask,
    make_user,  # noqa: ANN001
) -> None:
    nested = "".join("    " * depth + "- deeper\n" for depth in range(300))
    text = HOSTILE_MARKDOWN.split("## Links")[0] + "## Deep\n\n" + nested
    (content / "hostile" / "en.md").write_text(text, encoding="utf-8")
    learner = signed_in(app, make_user)
    page = learner.get("/modules/hostile/1")
    assert page.status_code == 200
    assert "nested too deeply to be shown" in page.get_data(as_text=True)
    author = signed_in(app, make_user, "author")
    assert author.get("/author/content").status_code == 200
    assert author.get("/author/content/hostile/en").status_code == 200


# Traversal in module slugs, editor URLs and asset paths.

TRAVERSALS = [
    "..%2f..%2fetc%2fpasswd",
    "..%2F..%2Fsecret.txt",
    "%2e%2e",
    "%2e%2e%2fsecret.txt",
    "..%5c..%5csecret.txt",
    "%252e%252e%252fsecret.txt",
    "..%c0%afsecret.txt",
    "....//secret.txt",
]


@pytest.mark.parametrize("slug", TRAVERSALS)
def test_traversal_in_module_urls_is_not_found(app: Flask, make_user, slug: str) -> None:  # noqa: ANN001
    learner = signed_in(app, make_user)
    author = signed_in(app, make_user, "author")
    for client, path in (
        (learner, f"/modules/{slug}"),
        (learner, f"/modules/{slug}/1"),
        (learner, f"/modules/{slug}/assets/x.png"),
        (learner, f"/modules/tanning/assets/{slug}"),
        (learner, f"/modules/tanning/assets/..%2f..%2f{slug}"),
        (author, f"/author/content/{slug}/en"),
        (author, f"/author/content/{slug}/en/edit"),
        (author, f"/author/content/tanning/{slug}/edit"),
        (author, f"/author/content/{slug}/compare/bn"),
    ):
        with client.get(path) as response:
            assert response.status_code in (404, 405), path  # 405: a path ending in a real route
            assert SECRET.encode() not in response.data, path
            assert b"root:" not in response.data, path


def test_absolute_and_backslash_asset_paths_stay_in_the_module(
    content: Path,
    app: Flask,
    make_user,  # noqa: ANN001
) -> None:
    (content / "tanning" / "assets").mkdir()
    (content / "tanning" / "assets" / "ok.svg").write_text("<svg/>")
    learner = signed_in(app, make_user)
    secret = content.parent / "secret.txt"
    for path in (
        f"/modules/tanning/assets/{secret}",
        f"/modules/tanning/assets/{str(secret).replace('/', '%2f')}",
        "/modules/tanning/assets/..\\..\\secret.txt",
        "/modules/tanning/assets/ok.svg%00.png",
        "/modules/tanning/assets/ok.svg/../../../secret.txt",
    ):
        with learner.get(path, follow_redirects=True) as response:  # "//" is merged: a 308
            assert response.status_code in (400, 404), path
            assert SECRET.encode() not in response.data
    with learner.get("/modules/tanning/assets/ok.svg") as response:
        assert response.data == b"<svg/>"


def test_author_save_and_stamp_with_a_traversal_slug_write_nothing(
    content: Path,
    app: Flask,
    make_user,  # noqa: ANN001
) -> None:
    author = signed_in(app, make_user, "author")
    before = sorted(p.relative_to(content.parent) for p in content.parent.rglob("*"))
    for slug, locale in [
        ("..%2f..%2f", "en"),
        ("%2e%2e", "en"),
        ("tanning", "..%2f..%2fsecret"),
        ("tanning", "..%5cmodule"),
        ("tanning", "module"),
    ]:
        for action in ("edit", "preview", "mark-translated"):
            response = post(
                author,
                f"/author/content/{slug}/{locale}/{action}",
                {"text": "---\ntitle: x\n---\n\n## Owned\n", "base_hash": ""},
            )
            assert response.status_code == 404, (slug, locale, action)
    after = sorted(p.relative_to(content.parent) for p in content.parent.rglob("*"))
    assert after == before
    assert (content.parent / "secret.txt").read_text() == SECRET


# Open redirects through ``next``.

OFF_SITE = [
    "//evil.example",
    "https://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    "/\t/evil.example",
    " //evil.example",
    "https:evil.example",
    "http://localhost@evil.example",
    "data:text/html,<script>alert(1)</script>",
]


def _stays_on_site(location: str) -> bool:
    return (
        location.startswith("/")
        and not location.startswith(("//", "/\\"))
        and ("evil.example" not in location.split("?")[0].split("/")[1])
    )


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_redirects_off_site(app: Flask, make_user, target: str) -> None:  # noqa: ANN001
    user = make_user()
    client = app.test_client()
    token = csrf_token(client, "/login")
    page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    main = page.split("<main")[1]  # (the language switch keeps the page's own address)
    assert "evil.example" not in main and "javascript:" not in main and active_parts(page) == []
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/", target


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_never_redirects_off_site(client: FlaskClient, target: str) -> None:
    response = post(client, "/language", {"locale": "bn", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/", target
    assert "lms_locale=bn" in response.headers["Set-Cookie"]


def test_a_raw_encoded_next_is_refused_and_a_real_path_kept(app: Flask, make_user) -> None:  # noqa: ANN001
    user = make_user()
    for raw, expected in [
        ("%2F%2Fevil.example", "/"),
        ("%2f%5cevil.example", "/"),
        ("%09%2F%2Fevil.example", "/"),
        ("%2Fsettings", "/settings"),
        ("/%252F/evil.example", "/%2F/evil.example"),  # a path on this site: no host in it
    ]:
        client = app.test_client()
        token = csrf_token(client, "/login")
        response = client.post(
            f"/login?next={raw}",
            data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
        )
        assert response.headers["Location"] == expected, raw
        assert _stays_on_site(response.headers["Location"])


# Oversized bodies and uploads.

BIG = 4 * 1024 * 1024 + 1


def test_a_too_large_import_is_refused_in_the_users_language(app: Flask, make_user) -> None:  # noqa: ANN001
    admin = signed_in(app, make_user, "admin", locale="bn")
    token = csrf_token(admin, "/programme/enterprises/import")
    csv_bytes = b"name,cluster,segment\n" + b"Alam Leather,Tangra,footwear\n" * (BIG // 28 + 1)
    upload = FileStorage(io.BytesIO(csv_bytes), "big.csv", content_type="text/csv")
    boundary, body = encode_multipart({"csrf_token": token, "file": upload})  # in memory
    response = admin.post(
        "/programme/enterprises/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "আপনি যা পাঠিয়েছেন তা খুব বড়।" in page and "৪১৩" in page
    with app.app_context():
        assert db.session.query(Enterprise).count() == 0


def test_a_too_large_body_gets_a_page_that_says_nothing_was_saved(
    app: Flask,
    make_user,  # noqa: ANN001
) -> None:
    learner = signed_in(app, make_user, name="Rekha")
    token = csrf_token(learner, "/settings")
    response = learner.post(
        "/settings", data={"csrf_token": token, "name": "x" * BIG, "locale": "en"}
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "What you sent is too large." in page and "Nothing was saved." in page
    with app.app_context():
        assert db.session.query(User).filter_by(name="Rekha").count() == 1


def test_a_body_sent_without_a_length_is_cut_off_at_the_limit(app: Flask, make_user) -> None:  # noqa: ANN001
    learner = signed_in(app, make_user, name="Rekha")
    token = csrf_token(learner, "/settings")
    body = f"csrf_token={token}&locale=en&name=".encode() + b"x" * BIG
    response = learner.post(
        "/settings",
        input_stream=io.BytesIO(body),
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    with app.app_context():
        assert db.session.query(User).filter_by(name="Rekha").count() == 1


def test_the_limit_is_for_lms_pages_only_and_never_loosens_the_hosts(tmp_path: Path) -> None:
    host = build_app(tmp_path / "host", LMS_MAX_REQUEST_BYTES=1024)
    host.add_url_rule("/upload", "upload", lambda: "ok", methods=["POST"])
    assert host.test_client().post("/upload", data=b"x" * 10_000).status_code == 200
    assert host.test_client().post("/login", data=b"x" * 10_000).status_code == 413
    strict = build_app(tmp_path / "strict", MAX_CONTENT_LENGTH=1024)
    assert strict.config["LMS_MAX_REQUEST_BYTES"] == 4 * 1024 * 1024
    assert strict.test_client().post("/login", data=b"x" * 10_000).status_code == 413
    off = build_app(tmp_path / "off", LMS_MAX_REQUEST_BYTES=0)
    response = off.test_client().post("/login", data={"email": "x" * 10_000})
    assert response.status_code == 400  # no limit: refused for its missing CSRF token


# NUL characters: PostgreSQL cannot store them, so they are refused before any saving.


def test_nul_characters_are_refused_before_anything_is_saved(app: Flask, make_user) -> None:  # noqa: ANN001
    learner = signed_in(app, make_user, name="Rekha")
    response = post(learner, "/settings", {"name": "Re\x00kha", "locale": "en"})
    assert response.status_code == 400
    assert "The request could not be understood." in response.get_data(as_text=True)
    admin = signed_in(app, make_user, "admin")
    form = {"name": "Alam\x00Leather", "cluster": "", "segment": "footwear"}
    assert post(admin, "/programme/enterprises/new", form).status_code == 400
    assert admin.get("/programme/enterprises?x=a%00b").status_code == 400
    assert admin.get("/verify/AB%00CD").status_code == 400
    with app.app_context():
        assert db.session.query(User).filter_by(name="Rekha").count() == 1
        assert db.session.query(Enterprise).count() == 0


# Broken front matter from the in-browser editor.


def _editor(client: FlaskClient, path: str) -> dict[str, str]:
    import re

    page = client.get(path).get_data(as_text=True)
    base = re.search(r'name="base_hash" value="([0-9a-f]+)"', page).group(1)
    return {"csrf_token": csrf_token(client, path), "base_hash": base}


@pytest.mark.parametrize(
    ("front", "line", "problem"),
    [
        ("title: [Tanning\nsummary: x\n", 3, "YAML cannot be read"),
        ("title: Tanning\n  summary: : x\n", 3, "YAML cannot be read"),
        ("title: 'open quote\nsummary: x\n", 3, "YAML cannot be read"),
        ("- a list\n- not keys\n", 2, "must be a set of"),
    ],
)
def test_broken_front_matter_is_not_saved_and_the_line_is_named(
    content: Path,
    app: Flask,
    make_user,
    front: str,
    line: int,
    problem: str,  # noqa: ANN001
) -> None:
    path = content / "tanning" / "en.md"
    before = path.read_bytes()
    author = signed_in(app, make_user, "author")
    form = _editor(author, "/author/content/tanning/en/edit")
    text = "---\n" + front + "---\n\nIntro.\n\n## First steps\n\nMy new text.\n"
    response = author.post("/author/content/tanning/en/edit", data={**form, "text": text})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Not saved" in page and f"line {line}:" in page and problem in page
    assert "My new text." in page  # what the author typed is still in the editor
    assert path.read_bytes() == before
    learner = signed_in(app, make_user)
    assert learner.get("/modules/tanning").status_code == 200  # readers keep the module


@pytest.mark.parametrize(
    "text",
    [
        "No front matter at all.\n\n## First steps\n\nText.\n",
        "---\ntitle: Never closed\n\n## First steps\n\nText.\n",
        "",
    ],
)
def test_a_missing_or_unclosed_front_matter_block_is_not_saved(
    content: Path,
    app: Flask,
    make_user,
    text: str,  # noqa: ANN001
) -> None:
    path = content / "tanning" / "bn.md"
    before = path.read_bytes()
    author = signed_in(app, make_user, "author")
    form = _editor(author, "/author/content/tanning/bn/edit")
    response = author.post("/author/content/tanning/bn/edit", data={**form, "text": text})
    assert response.status_code == 422
    assert "line 1:" in response.get_data(as_text=True)
    assert path.read_bytes() == before


def test_a_broken_module_yaml_is_reported_with_its_line_and_left_alone(
    content: Path,
    app: Flask,
    make_user,  # noqa: ANN001
) -> None:
    """module.yaml is not editable in the browser; a broken one is shown with its line and the
    module's texts still save (see also test_content_web's broken-module test for learners)."""
    yaml_path = content / "tanning" / "module.yaml"
    yaml_path.write_text("id: tanning\norder: [oops\nlevel: basic\n", encoding="utf-8")
    before = yaml_path.read_bytes()
    author = signed_in(app, make_user, "author")
    page = author.get("/author/content").get_data(as_text=True)
    assert "module.yaml</code>:" in page and "YAML cannot be read" in page
    form = _editor(author, "/author/content/tanning/bn/edit")
    text = (content / "tanning" / "bn.md").read_text(encoding="utf-8") + "\nআরও।\n"
    response = author.post("/author/content/tanning/bn/edit", data={**form, "text": text})
    assert response.status_code == 302
    assert yaml_path.read_bytes() == before
