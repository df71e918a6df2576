"""No Latin letters or ASCII digits on Bengali pages.

Every role signs in, chooses bn or bn_BD and opens every GET page of the URL map it may open, with
the ids of the demo data (the world of tests/test_security_matrix.py). The visible text of each
page must be Bengali: a Latin letter or an ASCII digit is a missing translation or a number that
did not go through Babel. Not checked: tags, scripts, styles, attribute values, text areas (what
someone typed), ``<code>`` (identifiers), and anything marked as another language with ``lang``.
Allowed: the few things named in ``ALLOWED``, what someone typed into the demo data (names,
phone numbers, registration numbers) and the Latin that the modules' Bengali texts themselves
contain (e.g. HS codes and form names such as GSTR-1, which authors keep as printed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.accounts.models import User
from lms.db import db
from lms.demo import load_demo
from lms.live.models import LiveQuiz
from lms.programme.models import (
    Beneficiary,
    Cluster,
    Enterprise,
    Feedback,
    Mentorship,
    Programme,
    TrainingSession,
)
from tests.conftest import _built_apps, build_app, csrf_token
from tests.security_rules import OK, RULES
from tests.test_security_matrix import (
    DEMO_PASSWORD,
    EMAILS,
    World,
    _copy_content,
    _pick,
    lms_rules,
)

LOCALES = ("bn", "bn_BD")
#: The test's accounts (tests/security_rules.py): the programme officials are the admins.
ROLES = ("anonymous", "learner", "trainer", "author", "admin")

#: What may stay Latin on a Bengali page, each with why. Keep it short: a word that is missing
#: here is a missing translation, not an entry to add.
ALLOWED: dict[str, str] = {
    r"https?://[^\s<>\"]+": "web addresses (sources, the verify link)",
    r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:gov|com|org|net)(?:\.(?:bd|in))?\b": "web sites named by "
    "their address (a diagram's 'apply on vat.gov.bd')",
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+": "e-mail addresses (accounts, contacts)",
    r"\b[2-9A-HJ-NP-TV-Z]{4}-[2-9A-HJ-NP-TV-Z]{4}-[2-9A-HJ-NP-TV-Z]{3}\b": "certificate codes",
    r"\bGST(?:IN)?\b": "India's Goods and Services Tax and its number, written so in Bengali",
    r"\bVAT\b": "Bangladesh's value added tax, written so in Bangla",
    r"\bBIN\b": "Bangladesh's VAT Business Identification Number",
    r"\be-TIN\b": "Bangladesh's electronic tax number",
    r"\bHS\b": "the Harmonized System of customs codes",
    r"\bUPI\b": "India's payment system",
    r"\bISO\b": "the standards body",
    r"\bLWG\b": "the Leather Working Group",
    r"\bQR\b": "QR codes",
    r"\b(?:PDF|CSV|XLSX|JSON)\b": "file formats offered for download",
    r"\bExcel\b": "the spreadsheet program, named as its own menus name it",
    r"\bUTF-8\b": "the text encoding, named as spreadsheet programs' save dialogs name it",
    r"\.(?:jwt|json|csv|xlsx|pdf)\b": "file name extensions, as file pickers show them",
    r"\b[KM]B\b": "file sizes' units, as phones and computers show them",
    r"\bOpen Badges 3\.0\b": "the name of the certificates' standard",
    r"\bEnglish\b": "the English language's own name, among the languages to choose",
    r"\b0123456789\b": "the Latin digits themselves, in the setting that offers them",
    r"\b1800(?= বা ১৮০০)": "a number question's hint: a number may be typed in either digits",
    # The editor's preview shows the text as written; in a table, | splits {fact:id|number}.
    r"\{fact:[\w-]+(?:\|number\})?|\bnumber\}": "facts' placeholders, as authors write them",
}
_ALLOWED = re.compile("|".join(f"(?:{pattern})" for pattern in ALLOWED))
#: A run of Latin: letters and digits, joined by the marks codes use (GSTR-2B, 4101–4103).
_RUN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.\-/–]*[A-Za-z0-9])?")
#: Runs of the content that are allowed: codes, names and numbers (a capital, a digit or a
#: hyphen), not plain English words ("as", "table"), which only a missing translation shows.
_CODE_LIKE = re.compile(r"[A-Z0-9-]")
#: The locales whose texts a page in ``locale`` may show (the content's fallbacks, not English).
CHAIN = {"bn": ("bn",), "bn_BD": ("bn_BD", "bn")}


class VisibleText(HTMLParser):
    """The text a reader sees: no scripts, styles, text areas (what someone typed), code
    (identifiers), avatars (a typed name's initial) or attribute values, and nothing inside an
    element whose ``lang`` is not Bengali."""

    SKIPPED = {"script", "style", "textarea", "template", "code"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._open: list[bool] = []  # per open element: whether its text is skipped

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        values = dict(attrs)
        lang = values.get("lang")
        other = lang is not None and not lang.lower().startswith("bn")
        avatar = "avatar" in (values.get("class") or "").split()
        self._open.append(tag in self.SKIPPED or other or avatar)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if not any(self._open) and data.strip():
            self.chunks.append(" ".join(data.split()))


@dataclass(frozen=True)
class Allowed:
    """What may be Latin beyond ``ALLOWED``: typed names (whole, or cut short with "…") and
    the runs of Latin in the Bengali content."""

    names: re.Pattern[str]
    runs: frozenset[str]

    def latin_in(self, html: str) -> list[str]:
        """The words of a page's visible text that hold Latin no allowance covers."""
        parser = VisibleText()
        parser.feed(html)
        parser.close()
        found = []
        for chunk in parser.chunks:
            chunk = _ALLOWED.sub(" ", self.names.sub(" ", chunk))
            found += [
                word
                for word in chunk.split()
                if any(run not in self.runs for run in _RUN.findall(word))
            ]
        return found


def allowed(names: list[str], runs: set[str]) -> Allowed:
    """``names`` taken out whole, longest first, or cut short with an ellipsis (charts)."""
    ordered = sorted(set(names), key=len, reverse=True)
    pattern = "|".join(
        f"{re.escape(name)}|{re.escape(name[:8])}[^…]{{0,{len(name)}}}…" for name in ordered
    )
    return Allowed(re.compile(pattern or "(?!)"), frozenset(runs))


def typed_names() -> list[str]:
    """Names and numbers someone typed into the demo data or the configuration (people,
    enterprises, places, sessions, comments, mentors, phone and registration numbers, the
    issuer's name), in whatever script they were typed; the part of a place's name before its
    parenthesis, as charts show it; and the live quiz's join code."""
    columns = [
        User.name,
        User.enterprise_name,
        Beneficiary.name,
        Beneficiary.phone,
        Enterprise.name,
        Enterprise.udyam,
        Enterprise.gstin,
        Enterprise.bin,
        Enterprise.etin,
        Enterprise.trade_licence,
        Cluster.name,
        TrainingSession.title,
        TrainingSession.venue,
        Programme.name,
        Feedback.comment,
        Mentorship.mentor_name,
        Mentorship.mentor_organisation,
        LiveQuiz.title,
    ]
    found: set[str] = {current_app.config["LMS_ISSUER_NAME"]}
    for column in columns:
        found.update(v for v in db.session.scalars(select(column).distinct()) if v)
    found.update(name.split(" (")[0] for name in list(found))
    # A live quiz's join code, as the projector shows it: typed on the tablets' number pads.
    codes = db.session.scalars(select(LiveQuiz.code).where(LiveQuiz.code.is_not(None)))
    found.update(f"{code[:3]} {code[3:]}" for code in codes)
    return [name for name in found if _RUN.search(name)]


def _strings(node: object, keys: tuple[str, ...]) -> Iterator[str]:
    """The texts under ``keys`` anywhere in a YAML tree (numbers and dates are formatted on a
    page, so they are not taken)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in keys and isinstance(value, str):
                yield value
            else:
                yield from _strings(value, keys)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, keys)


def content_runs(root: Path, locale: str) -> set[str]:
    """The runs of Latin in the content for ``locale``: the codes, names and numbers of its
    Bengali texts (Markdown, item banks, questionnaire, facts' values), and every identifier
    authors gave (module slugs, item and question ids), shown on the staff's pages."""
    chain = CHAIN[locale]
    texts = [p.read_text("utf-8") for loc in chain for p in root.glob(f"*/{loc}.md")]
    ids = [p.name for p in root.iterdir()]
    for path in root.rglob("*.yaml"):
        tree = yaml.safe_load(path.read_text("utf-8"))
        texts += _strings(tree, (*chain, "value") if "facts" in path.parts else chain)
        ids += _strings(tree, ("id",))
    texts += [_ALLOWED.sub(" ", text) for text in texts]  # as the check sees them on a page
    found = {run for text in texts for run in _RUN.findall(text) if _CODE_LIKE.search(run)}
    return found | {run for text in ids for run in _RUN.findall(text)}


@dataclass
class Sweep:
    pages: int
    failures: list[str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("no-latin")
    content_dir = _copy_content(root / "content")
    app = build_app(root / "instance", LMS_CONTENT_DIR=str(content_dir))
    _built_apps.remove(app)  # this app serves the whole module
    try:
        with app.app_context():
            load_demo(DEMO_PASSWORD)
            made = World(app=app, content_dir=content_dir, emails=dict(EMAILS))
            _pick(made)
        yield made
    finally:
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


def _client(world: World, role: str, locale: str) -> FlaskClient:
    client = world.client(role)
    token = csrf_token(client, "/")
    answer = client.post("/language", data={"locale": locale, "csrf_token": token})
    assert answer.status_code == 302
    return client


#: More of a page than its plain URL shows: query strings per endpoint.
VARIANTS: dict[str, tuple[str, ...]] = {
    "lms.programme.feedback_summary": tuple(
        f"?tab={tab}&role={role}"
        for tab in ("session", "trainer", "module")
        for role in ("participant", "trainer")
    ),
    "lms.programme.needs_questionnaire": ("?lang=bn_BD&country=BD", "?lang=bn&country=IN"),
    "lms.programme.needs_owner": ("?step=2", "?step=5"),
    "lms.programme.sessions": ("?mine=1",),
    "lms.programme.training_session": ("?all=1",),
    "lms.quiz.analysis": ("?kind=pre", "?kind=practice&attempts=all"),
    "lms.content.preview": ("?country=BD", "?country=IN"),
    "lms.content.compare": ("?country=BD",),
}


def _pages(world: World, role: str) -> Iterator[str]:
    """The GET pages ``role`` may open (a 200 in the rule table), with the demo's ids, and the
    same pages' other tabs, countries and steps."""
    for url_rule in lms_rules(world.app):
        rule = RULES[url_rule.endpoint]
        if "GET" in url_rule.methods and rule.get and rule.get[role] == OK:
            url = world.url(url_rule, rule.params)
            yield url
            yield from (f"{url}{variant}" for variant in VARIANTS.get(url_rule.endpoint, ()))
    if role == "learner":  # the test's other questions (choices with their letters)
        yield from (f"/quiz/attempt/{world.attempt}/{n}" for n in range(2, 6))
        yield from (f"/modules/{world.module}/{n}" for n in range(2, 4))


@pytest.fixture(scope="module")
def sweep(world: World) -> Sweep:
    with world.app.app_context():
        names = typed_names()
    failures, pages = [], 0
    for locale in LOCALES:
        allowance = allowed(names, content_runs(world.content_dir, locale))
        for role in ROLES:
            client = _client(world, role, locale)
            for url in _pages(world, role):
                response = client.get(url)
                html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
                response.close()
                if not html:
                    continue
                pages += 1
                words = allowance.latin_in(html)
                if words:
                    shown = " ".join(dict.fromkeys(words))
                    failures.append(f"{locale} {role} {url}: {shown}")
    return Sweep(pages, failures)


def test_the_check_sees_only_visible_text_and_allows_only_what_it_names() -> None:
    check = allowed(["Kavita Das", "Bantala (Kolkata Leather Complex)"], {"GSTR-1"})
    html = (
        '<p title="Latin">এক <b>GST</b> ২</p><script>var x = 1;</script><code>gst-vat</code>'
        '<span lang="en">English</span><p>Show as table 12</p><textarea>typed</textarea>'
        "<p>GSTR-1-এ GSTR-3B</p>"
    )
    assert check.latin_in(html) == ["Show", "as", "table", "12", "GSTR-3B"]
    assert check.latin_in("<p>Kavita Das, ৩; Bantala (Kolkata Le…</p>") == []
    assert check.latin_in("<p>ABCD-EFGH-JKC বা https://x.org/a দেখুন</p>") == []
    assert check.latin_in("<p>৫ মার্চ ২০২৬, 2:07 PM</p>") == ["2:07", "PM"]


def test_bengali_pages_show_no_latin_letters_or_ascii_digits(sweep: Sweep) -> None:
    assert sweep.pages >= 40 * len(LOCALES)
    assert not sweep.failures, "\n".join(sweep.failures)
