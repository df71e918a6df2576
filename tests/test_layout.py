"""The layout contract for host apps, and the LMS's own translation functions in its templates.

Pages extend ``lms/base.html``, which only extends ``lms/_layout.html``: a host overrides
``lms/base.html`` to extend the layout and fill its ``lms_*`` blocks, and every LMS page follows.
LMS templates translate with ``_lms()`` / ``_lms_n()`` (the LMS catalog), never with the
host's ``_()`` / ``gettext()`` / ``ngettext()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import ChoiceLoader, Environment, FileSystemLoader

import lms
from lms import i18n
from tests.conftest import CSRF_META, PASSWORD, build_app, login, write_module

TEMPLATES = Path(lms.__file__).parent / "templates"
TEMPLATE_FILES = sorted(TEMPLATES.rglob("*.html"))

HOST_BASE = """\
{% extends "lms/_layout.html" %}
{# The shop's own link in the LMS top bar; everything else stays the LMS's. #}
{% block lms_nav_extra %}<a href="/shop">Shop</a>{% endblock %}
"""


def source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def name_of(path: Path) -> str:
    return path.relative_to(TEMPLATES).as_posix()


# A host's layout.


@pytest.fixture
def host(tmp_path: Path) -> Flask:
    """A host app whose own templates folder overrides ``lms/base.html`` in three lines."""
    templates = tmp_path / "host_templates"
    (templates / "lms").mkdir(parents=True)
    (templates / "lms" / "base.html").write_text(HOST_BASE, encoding="utf-8")
    app = build_app(tmp_path / "host")
    # The app's own loader is searched before the blueprints' folders, as a host's templates are.
    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(templates)), app.jinja_loader])
    return app


def assert_lms_layout(page: str) -> None:
    """Every element of the LMS layout is on ``page``."""
    assert CSRF_META.search(page)
    assert 'rel="stylesheet" href="/lms-static/lms.css' in page
    assert 'src="/lms-static/lms.js' in page
    assert 'class="brand"' in page
    assert 'class="lang-switch"' in page
    assert '<main id="main">' in page


def test_a_host_adds_a_link_to_lms_pages_by_overriding_base(host: Flask) -> None:
    assert len(HOST_BASE.splitlines()) == 3
    client = host.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert '<a href="/shop">Shop</a>' in page
    assert_lms_layout(page)
    # After the brand, in the top bar.
    shop = page.index('href="/shop"')
    assert page.index('class="brand"') < shop < page.index("</header>")
    assert shop < page.index('class="lang-switch"')

    login(client, add_learner(host))
    home = client.get("/").get_data(as_text=True)
    assert '<a href="/shop">Shop</a>' in home
    assert_lms_layout(home)
    assert 'id="sign-out-form"' in home


def add_learner(app: Flask, email: str = "rekha@example.org") -> str:
    """A learner account in ``app``'s database; its e-mail address."""
    from lms.accounts import services

    with app.app_context():
        return services.create_user(email, "Rekha", PASSWORD, ["learner"]).email


def test_without_a_host_override_there_is_no_extra_link(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert "/shop" not in page
    assert_lms_layout(page)


def test_base_only_extends_the_layout() -> None:
    env = Environment()
    body = env.parse(source(TEMPLATES / "lms" / "base.html")).body
    assert [type(node).__name__ for node in body] == ["Extends"]
    assert body[0].template.value == "lms/_layout.html"


def test_pages_fill_only_the_lms_blocks() -> None:
    """The layout's blocks all start with ``lms_``; the old names would silently do nothing."""
    old = re.compile(r"\{%-?\s*block\s+(title|head|content)\s*-?%\}")
    assert [name_of(p) for p in TEMPLATE_FILES if old.search(source(p))] == []


def test_every_page_that_fills_lms_head_calls_super_first() -> None:
    block = re.compile(r"\{%-?\s*block\s+lms_head\s*-?%\}")
    super_first = re.compile(r"\s*\{\{-?\s*super\(\)\s*-?\}\}")
    filled = []
    for path in TEMPLATE_FILES:
        if name_of(path) == "lms/_layout.html":
            continue
        text = source(path)
        for match in block.finditer(text):
            filled.append(name_of(path))
            assert super_first.match(text, match.end()), f"{name_of(path)}: no super() first"
    assert "lms/content/section.html" in filled and "lms/quiz/question.html" in filled


def test_a_section_page_has_the_lms_head_and_its_own_script(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    content = tmp_path / "content"
    write_module(content, "tanning", title="Tanning basics")
    app = make_app(LMS_CONTENT_DIR=str(content))
    client = app.test_client()
    login(client, add_learner(app))
    page = client.get("/modules/tanning/1").get_data(as_text=True)
    assert "Tanning basics" in page
    head = page[: page.index("</head>")]
    assert "/lms-static/lms.css" in head and "/lms-static/lms.js" in head
    assert "/lms-static/content.js" in head
    assert head.index("lms.css") < head.index("content.js")


# Translation: the LMS's catalog, never the host's.

HOST_GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext"}


def test_no_lms_template_calls_the_hosts_gettext() -> None:
    env = Environment()
    found = []
    for path in TEMPLATE_FILES:
        tokens = list(env.lexer.tokeniter(source(path), name_of(path)))
        for i, (line, kind, value) in enumerate(tokens):
            if kind == "name" and value in HOST_GETTEXT:
                found.append(f"{name_of(path)}:{line}: {value}")
            # {% trans %} blocks translate with the installed (host's) gettext too.
            if kind == "name" and value == "trans" and tokens[i - 1][1] == "block_begin":
                found.append(f"{name_of(path)}:{line}: trans")
    assert found == []


def test_no_lms_template_source_has_a_bare_underscore_call() -> None:
    bare = re.compile(r"(?<![\w.])(_|gettext|ngettext)\(")
    assert [name_of(p) for p in TEMPLATE_FILES if bare.search(source(p))] == []


def test_lms_pages_ignore_the_hosts_translation_functions(app: Flask) -> None:
    """The host's Flask-Babel ``_``/``gettext``/``ngettext`` are not used on an LMS page."""

    def host(*args: object, **kwargs: object) -> str:
        return "HOST-CATALOG"

    app.jinja_env.globals.update(_=host, gettext=host, ngettext=host)
    page = app.test_client().get("/login", headers={"Accept-Language": "bn"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "HOST-CATALOG" not in text
    assert "দক্ষতা" in text  # "Dakshata" from the LMS's Bengali catalog
    assert "সাইন ইন" in text  # "Sign in"


def render(app: Flask, template: str, **context: object) -> str:
    return app.jinja_env.from_string(template).render(**context)


def test_lms_gettext_escapes_variables_and_formats_like_jinja(app: Flask) -> None:
    with app.test_request_context():
        hello = '{{ _lms("Hello %(name)s", name=x) }}'
        assert render(app, hello, x="<b>") == "Hello &lt;b&gt;"
        raw = '{% autoescape false %}{{ _lms("Hello %(name)s", name=x) }}{% endautoescape %}'
        assert render(app, raw, x="<b>") == "Hello <b>"
        # Always a format string: %% is a percent sign even without variables.
        assert render(app, '{{ _lms("100%% sure") }}') == "100% sure"
        # Variables may have any name, even that of the message argument.
        assert render(app, '{{ _lms("%(message)s!", message=m) }}', m="<i>") == "&lt;i&gt;!"
        plural = '{{ _lms_n("%(num)s error", "%(num)s errors", n) }}'
        assert render(app, plural, n=3) == "3 errors"
        assert render(app, plural, n=1) == "1 error"
        named = '{{ _lms_n("%(num)s file from %(who)s", "%(num)s files from %(who)s", 2, who=w) }}'
        assert render(app, named, w="<script>") == "2 files from &lt;script&gt;"


def test_lms_gettext_uses_the_lms_catalog_of_the_request_locale(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "bn"}):
        assert i18n.locale_code() == "bn"
        assert render(app, '{{ _lms("Dakshata") }}') == "দক্ষতা"
        assert render(app, '{{ _lms("Not a message of the catalog") }}') == (
            "Not a message of the catalog"
        )
    with app.app_context():  # outside a request: the default locale
        assert render(app, '{{ _lms("Dakshata") }}') == i18n.gettext_in(
            app.config["LMS_DEFAULT_LOCALE"], "Dakshata"
        )


def test_macros_imported_without_context_translate(app: Flask) -> None:
    """``_lms`` is a global, so a macro imported without the page's context still has it."""
    page = '{% from "lms/_groups.html" import group_select %}{{ group_select([], none) }}'
    with app.test_request_context(headers={"Accept-Language": "bn"}):
        expected = i18n.gettext_in("bn", "All learners")
        assert expected != "All learners"
        assert f'<option value="">{expected}</option>' in render(app, page)


# The top bar's parts, as the configuration decides.


def _top_bar(page: str) -> set[str]:
    parts = {
        "switch": "/switch" in page and "Switch learner" in page,
        "sign-out": 'id="sign-out-form"' in page,
        "language": 'class="lang-switch"' in page,
    }
    return {name for name, there in parts.items() if there}


@pytest.mark.parametrize(
    ("config", "shown"),
    [
        ({}, {"switch", "sign-out", "language"}),
        ({"LMS_SWITCH_LEARNER": False}, {"sign-out", "language"}),
    ],
)
def test_the_top_bar_follows_the_configuration(
    make_app: Callable[..., Flask], config: dict[str, bool], shown: set[str]
) -> None:
    app = make_app(**config)
    with app.app_context():
        from lms.accounts.services import create_user

        create_user("rekha@example.org", "Rekha", PASSWORD)
    client = app.test_client()
    assert _top_bar(client.get("/login").get_data(as_text=True)) == {"language"}
    login(client, "rekha@example.org")
    page = client.get("/").get_data(as_text=True)
    assert _top_bar(page) == shown and "Rekha" in page


def test_no_language_switch_when_the_host_chooses_the_language(app: Flask) -> None:
    app.extensions["lms"].locale_selector = lambda: "bn"
    page = app.test_client().get("/login").get_data(as_text=True)
    assert '<html lang="bn-IN">' in page and "language" not in _top_bar(page)
