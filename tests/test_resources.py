"""The business resource centre: entries, their checker, full-text search on SQLite and
PostgreSQL, the pages and the module pages' related entries."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from lms.content.library import ContentLibrary
from lms.db import db
from lms.resources import search, services
from lms.resources.checker import check
from lms.resources.entries import load
from tests.conftest import login, write_module
from tests.shipped import OTHER_FOLDERS

SHIPPED = Path(__file__).resolve().parent.parent / "modules_content"
TODAY = dt.date(2026, 12, 5)

VAT = """\
- id: bd-vat-return
  country: BD
  title:
    en: "Bangladesh: the monthly VAT return"
    bn: "বাংলাদেশ: মাসিক ভ্যাট রিটার্ন"
    bn_BD: "বাংলাদেশ: মাসিক ভ্যাট রিটার্ন"
  summary:
    en: "File the return by the 15th of the next month."
    bn: "পরের মাসের ১৫ তারিখের মধ্যে রিটার্ন জমা দিন।"
    bn_BD: "পরের মাসের ১৫ তারিখের মধ্যে রিটার্ন জমা দিন।"
  keywords: ["VAT", "Mushak 9.1", "ভ্যাট", "মূসক"]
  source: "https://nbr.gov.bd/"
  source_title: "National Board of Revenue"
  checked: 2026-11-20
  modules: [gst-vat]
"""

# Four entries: their words are chosen so each search test has one right answer.
TARIFFS = (
    VAT
    + """
- id: in-gst-rates
  country: IN
  title:
    en: "India: GST rates on leather"
    bn: "ভারত: চামড়ায় জিএসটি-র হার"
    bn_BD: "ভারত: চামড়ায় জিএসটি-র হার"
  summary:
    en: "Finished leather pays 5% GST; footwear above a price pays 18%. Not VAT."
    bn: "ফিনিশড চামড়ায় জিএসটি ৫%; জুতোয় দাম বেশি হলে ১৮%।"
    bn_BD: "ফিনিশড চামড়ায় জিএসটি ৫%; জুতায় দাম বেশি হলে ১৮%।"
  keywords: ["GST", "জিএসটি"]
  source: "https://cbic-gst.gov.in/"
  source_title: "CBIC"
  checked: 2026-11-20
  modules: [gst-vat]
"""
)

INSTITUTIONS = """\
- id: any-exporters-guide
  country: any
  title:
    en: "Exporters' guide to documents"
    bn: "রপ্তানিকারকের নথির নির্দেশিকা"
    bn_BD: "রপ্তানিকারকের নথির নির্দেশিকা"
  summary:
    en: "Which papers a buyer asks for, and the certificate of origin."
    bn: "ক্রেতা কোন কাগজ চান, আর উৎস শংসাপত্র।"
    bn_BD: "ক্রেতা কোন কাগজ চান, আর উৎস সনদপত্র।"
  keywords: ["export", "রপ্তানি"]
  source: "https://www.trade.gov/"
  source_title: "Trade guide"
  checked: 2026-11-20
  contact: "Export help desk, Room 4"
- id: in-leather-office
  country: IN
  title:
    en: "A leather office"
    bn: "চামড়ার দপ্তর"
    bn_BD: "চামড়ার দপ্তর"
  summary:
    en: "Help with export documents and the certificate of origin."
    bn: "রপ্তানি ও উৎস শংসাপত্রে সাহায্য।"
    bn_BD: "রপ্তানি ও উৎস সনদপত্রে সাহায্য।"
  keywords: ["office"]
  source: "https://example.org/office"
  source_title: "The office"
  checked: 2026-11-20
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    write_module(root, "gst-vat")
    folder = root / "resources"
    folder.mkdir()
    (folder / "tariffs.yaml").write_text(TARIFFS, encoding="utf-8")
    (folder / "institutions.yaml").write_text(INSTITUTIONS, encoding="utf-8")
    return root


@pytest.fixture
def app(make_app: Callable[..., Flask], content: Path) -> Flask:
    return make_app(LMS_CONTENT_DIR=str(content))


def _touch(path: Path, body: str) -> None:
    """Rewrite ``path`` so that its signature changes even within one clock tick."""
    path.write_text(body, encoding="utf-8")
    later = time.time() + 5
    os.utime(path, (later, later))


# The loader.


def test_loader_reads_every_entry_with_its_topic_and_line(content: Path) -> None:
    found = load(content)
    assert found.problems == []
    assert [(e.id, e.topic) for e in found.entries] == [
        ("any-exporters-guide", "institutions"),
        ("in-leather-office", "institutions"),
        ("bd-vat-return", "tariffs"),
        ("in-gst-rates", "tariffs"),
    ]
    vat = found.get("bd-vat-return")
    assert vat is not None and vat.line == 1 and vat.checked == dt.date(2026, 11, 20)
    assert found.get("in-gst-rates").line == 17
    assert vat.modules == ("gst-vat",) and found.get("any-exporters-guide").contact


def test_text_falls_back_from_bn_bd_to_bn_to_en(content: Path) -> None:
    entry = load(content).get("bd-vat-return")
    assert entry is not None
    partial = type(entry)(**{**entry.__dict__, "title": {"en": "E", "bn": "B", "bn_BD": ""}})
    assert partial.text("title", ["bn_BD", "bn"]) == ("B", "bn")
    assert partial.text("title", ["bn_BD"]) == ("E", "en")


def test_catalogue_is_read_again_when_a_file_changes_and_is_per_app(
    app: Flask, make_app: Callable[..., Flask], content: Path, tmp_path: Path
) -> None:
    with app.app_context():
        assert len(services.catalogue().entries) == 4
        _touch(content / "resources" / "tariffs.yaml", VAT)
        assert len(services.catalogue().entries) == 3
    other = make_app(LMS_CONTENT_DIR=str(tmp_path / "empty"))
    with other.app_context():
        assert services.catalogue().entries == []
    with app.app_context():
        assert len(services.catalogue().entries) == 3


# The checker: every rule, with file and line.


def _problems(content: Path, today: dt.date = TODAY) -> list[str]:
    return [p.format(content) for p in check(content, ["gst-vat"], today)]


def _write(content: Path, body: str, name: str = "tariffs.yaml") -> None:
    _touch(content / "resources" / name, body)


def test_shipped_like_entries_have_no_problems(content: Path) -> None:
    assert _problems(content) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("  source_title:", "  source_titel:"),
            "resources/tariffs.yaml:1: error: resource bd-vat-return: source_title is missing",
        ),
        (
            ("  source_title:", "  source_titel:"),
            "resources/tariffs.yaml:13: error: resource bd-vat-return: unknown field source_titel",
        ),
        (
            ('    bn_BD: "বাংলাদেশ: মাসিক ভ্যাট রিটার্ন"\n', ""),
            "resources/tariffs.yaml:3: error: resource bd-vat-return: title has no bn_BD text",
        ),
        (
            ("country: BD", "country: NP"),
            "resources/tariffs.yaml:2: error: resource "
            "bd-vat-return: country must be one of: IN, BD, any",
        ),
        (
            ('source: "https://nbr.gov.bd/"', 'source: "ftp://nbr.gov.bd/"'),
            "resources/tariffs.yaml:12: error: resource bd-vat-return: source must be a web "
            "address (http or https)",
        ),
        (
            (
                "checked: 2026-11-20\n  modules: [gst-vat]\n\n",
                "checked: 20 November\n  modules: [gst-vat]\n\n",
            ),
            "resources/tariffs.yaml:14: error: resource bd-vat-return: checked "
            "must be a date written as YYYY-MM-DD",
        ),
        (
            ("modules: [gst-vat]\n\n", "modules: [gst-vat]\n  when: [May]\n\n"),
            "resources/tariffs.yaml:16: error: resource bd-vat-return: when must be text",
        ),
        (
            ("modules: [gst-vat]\n\n", "modules: [gst-vat, no-such-module]\n\n"),
            "resources/tariffs.yaml:1: error: resource bd-vat-return: no module no-such-module",
        ),
        (
            ('keywords: ["GST", "জিএসটি"]', 'keywords: "GST"'),
            "resources/tariffs.yaml:27: "
            "error: resource in-gst-rates: keywords must be a list of words",
        ),
        (
            ('title:\n    en: "India', 'title: [unclosed\n    en: "India'),
            "resources/tariffs.yaml:20: error: YAML cannot be read",
        ),
    ],
)
def test_checker_reports_each_problem_at_its_line(
    content: Path, change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in TARIFFS
    _write(content, TARIFFS.replace(old, new, 1))
    found = _problems(content)
    assert any(line.startswith(expected) for line in found), found


def test_checker_names_the_other_file_of_a_duplicate_id(content: Path) -> None:
    _write(content, VAT, "schemes.yaml")
    found = _problems(content)
    assert found == [
        "resources/tariffs.yaml:1: error: duplicate resource id bd-vat-return (also in "
        "schemes.yaml:1)"
    ]


def test_checker_warns_of_entries_not_checked_for_twelve_months(content: Path) -> None:
    _write(content, TARIFFS.replace("checked: 2026-11-20", "checked: 2025-11-01", 1))
    assert _problems(content) == [
        "resources/tariffs.yaml:1: warning: resource bd-vat-return was last checked on "
        "2025-11-01, more than 12 months ago: check it against its source and renew checked"
    ]
    assert _problems(content, dt.date(2026, 10, 31)) == []


def test_check_content_command_lists_resource_problems(app: Flask, content: Path) -> None:
    _write(content, TARIFFS.replace("country: BD", "country: NP", 1))
    result = app.test_cli_runner().invoke(args=["lms", "check-content", str(content)])
    assert result.exit_code == 1
    assert "tariffs.yaml:2: error: resource bd-vat-return: country must be one of" in result.output


def test_shipped_entries_pass_the_checker() -> None:
    modules = [m.slug for m in ContentLibrary(SHIPPED, OTHER_FOLDERS).modules()]
    assert "courses" not in modules and "resources" not in modules
    found = [p.format(SHIPPED) for p in check(SHIPPED, modules, TODAY)]
    assert found == []
    assert len(load(SHIPPED).entries) >= 80


# Search, with the database's full-text engine (run also under scripts/with-postgres).


def _ids(query: str, country: str | None = None, topic: str | None = None) -> list[str]:
    return [e.id for e in services.find(query, country, topic).entries]


def test_bengali_words_stay_whole_in_the_query() -> None:
    assert search.words("ভ্যাট, রপ্তানি; সনদপত্র  VAT's") == ["ভ্যাট", "রপ্তানি", "সনদপত্র", "vat", "s"]
    assert search.words("র\u200d্যাব") == ["র\u200d্যাব"]


def test_search_in_english_and_in_bengali_finds_the_vat_entry(app: Flask) -> None:
    with app.app_context():
        assert _ids("VAT return") == ["bd-vat-return"]
        assert _ids("ভ্যাট") == ["bd-vat-return"]  # bn and bn_BD spell it alike
        assert _ids("মাসিক ভ্যাট রিটার্ন") == ["bd-vat-return"]


def test_search_finds_words_of_the_bn_bd_and_the_bn_text(app: Flask) -> None:
    with app.app_context():
        assert _ids("জুতায়", "IN") == ["in-gst-rates"]  # bn_BD
        assert _ids("জুতোয়", "IN") == ["in-gst-rates"]  # bn
        assert _ids("সনদপত্রে", "IN") == ["in-leather-office"]


def test_bengali_words_with_conjuncts_are_found_whole(app: Flask) -> None:
    with app.app_context():
        assert _ids("সনদপত্র") == ["any-exporters-guide"]
        assert _ids("রপ") == [] and _ids("সনদ") == []  # no piece of a word matches
        rows = _index_rows()
        assert rows == 4


def _index_rows() -> int:
    with db.engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {search.TABLE}")).scalar_one()


def test_a_bengali_keyword_finds_an_english_titled_entry(app: Flask) -> None:
    with app.app_context():
        # "export" is in English text only; its Bengali word is a keyword (and in bn text).
        assert _ids("রপ্তানি", None) == ["any-exporters-guide", "in-leather-office"]
        assert _ids("মূসক") == ["bd-vat-return"]  # in no text, only in the keywords


def test_a_title_match_ranks_above_a_summary_only_match(app: Flask) -> None:
    with app.app_context():
        assert _ids("VAT", None) == ["bd-vat-return", "in-gst-rates"]
        assert _ids("documents", None) == ["any-exporters-guide", "in-leather-office"]
        assert _ids("office export", None) == ["in-leather-office"]


def test_country_filter_keeps_entries_for_any_country(app: Flask) -> None:
    with app.app_context():
        assert _ids("রপ্তানি", "BD") == ["any-exporters-guide"]
        assert _ids("VAT", "IN") == ["in-gst-rates"]
        assert _ids("", "BD") == ["any-exporters-guide", "bd-vat-return"]
        assert _ids("", None, "tariffs") == ["bd-vat-return", "in-gst-rates"]
        assert _ids("VAT", None, "institutions") == []


def test_index_follows_the_files_and_is_rebuilt_once(app: Flask, content: Path) -> None:
    with app.app_context():
        assert services.ensure_index(force=True) is True
        assert services.ensure_index() is False
        search.rebuild([], "other files")  # another host, other files (or a restored backup)
        assert _index_rows() == 0 and services.ensure_index() is True and _index_rows() == 4
        changed = TARIFFS.replace("monthly VAT return", "monthly VAT filing", 1)
        _write(content, changed)
        assert _ids("filing") == ["bd-vat-return"]
        assert _index_rows() == 4


def test_queries_of_punctuation_or_fts_syntax_are_harmless(app: Flask) -> None:
    with app.app_context():
        assert _ids('"') == _ids("") and _ids("*") == _ids("")
        assert _ids('VAT" OR "GST') == []
        assert _ids("NEAR(VAT GST)") == []
        assert _ids("VAT AND") == []


def test_resources_index_command(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["lms", "resources-index"])
    assert result.exit_code == 0, result.output
    assert "4 resource entries indexed" in result.output
    with app.app_context():
        assert _index_rows() == 4


# The pages.


def _bengali_reader(client: FlaskClient, make_user: Callable, country: str = "BD") -> None:
    login(client, make_user("learner", locale="bn", country=country).email)


def test_pages_need_a_signed_in_user(client: FlaskClient) -> None:
    for path in ("/resources", "/resources/bd-vat-return"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_search_page_in_bengali_with_bengali_digits(client: FlaskClient, make_user) -> None:  # noqa: ANN001
    _bengali_reader(client, make_user)
    page = client.get("/resources?q=ভ্যাট").get_data(as_text=True)
    assert "বাংলাদেশ: মাসিক ভ্যাট রিটার্ন" in page
    assert "India: GST" not in page and "ভারত: চামড়ায়" not in page
    assert "২০২৬" in page and "2026" not in page
    assert re.search(r"[০-৯]", page)
    assert 'href="https://nbr.gov.bd/"' in page
    listing = client.get("/resources").get_data(as_text=True)
    # The reader's country (BD) and "any"; the count in Bengali digits.
    assert "রপ্তানিকারকের নথির নির্দেশিকা" in listing and "ভারত: চামড়ায়" not in listing
    assert ": ২" in listing
    everything = client.get("/resources?country=all").get_data(as_text=True)
    assert "ভারত: চামড়ায়" in everything and ": ৪" in everything


def test_entry_page_shows_the_entry_in_the_readers_language(client, make_user) -> None:  # noqa: ANN001
    _bengali_reader(client, make_user)
    page = client.get("/resources/any-exporters-guide").get_data(as_text=True)
    assert "রপ্তানিকারকের নথির নির্দেশিকা" in page and "Export help desk, Room 4" in page
    assert "২০ নভেম্বর, ২০২৬" in page or "নভেম্বর ২০, ২০২৬" in page
    assert client.get("/resources/no-such-entry").status_code == 404


def test_unknown_filters_fall_back_to_the_defaults(client: FlaskClient, make_user) -> None:  # noqa: ANN001
    login(client, make_user("learner", country="BD").email)
    page = client.get("/resources?country=XX&topic=nope&q=" + "x" * 5000)
    assert page.status_code == 200


def test_module_page_lists_related_resources(client: FlaskClient, make_user) -> None:  # noqa: ANN001
    login(client, make_user("learner", country="IN").email)
    page = client.get("/modules/gst-vat").get_data(as_text=True)
    assert 'href="/resources/in-gst-rates"' in page
    assert 'href="/resources/bd-vat-return"' not in page  # another country's


def test_the_sqlite_table_uses_the_tokenizer_the_query_follows(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("SQLite's FTS5 table")
        made = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE name = :name"), {"name": search.TABLE}
        ).scalar_one()
    assert search.TOKENIZE in made
