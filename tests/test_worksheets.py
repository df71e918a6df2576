"""A module's self-assessment checklist (issue 20, the LWG audit's): checked with file and line,
filled in by the learner for their country's items, saved, and shown on their record and to
whoever follows them up on the mentorship page."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.content.library import ContentLibrary
from lms.db import db
from lms.programme.models import Mentorship
from lms.worksheets import checklist as checklists
from lms.worksheets import services
from lms.worksheets.models import ChecklistAnswer
from tests.conftest import login, post, write_module

SHIPPED = Path(__file__).resolve().parents[1] / "modules_content"
SLUG = "lwg-audit-preparation"
URL = f"/modules/{SLUG}/self-assessment"


def test_the_shipped_lwg_checklist_is_clean_and_differs_by_country(app: Flask) -> None:
    with app.app_context():
        module = ContentLibrary(SHIPPED).get(SLUG)
        found = checklists.load(module.folder / checklists.FILE, SLUG)
    assert found.problems == [] and found.id == "lwg-self-assessment"
    india = {i.id for i in found.items("IN")}
    bangladesh = {i.id for i in found.items("BD")}
    assert len(india) >= 30 and len(bangladesh) >= 30
    assert "consent-valid" in india and "consent-valid" not in bangladesh
    assert india - bangladesh and bangladesh - india


BAD = """\
id: check
title: {en: T, bn: ট, bn_BD: ট}
intro: {en: I, bn: ই, bn_BD: ই}
sections:
  - id: one
    title: {en: One, bn: এক}
    items:
      - id: a
        country: any
        text: {en: A, bn: ক, bn_BD: ক}
      - id: a
        country: NP
        text: {en: B, bn: খ, bn_BD: খ}
"""


def test_checklist_problems_name_file_and_line(app: Flask, tmp_path: Path) -> None:
    folder = write_module(tmp_path / "content", "x")
    (folder / "checklist.yaml").write_text(BAD, encoding="utf-8")
    with app.app_context():
        lines = [
            p.format(tmp_path / "content")
            for p in checklists.load(folder / "checklist.yaml", "x").problems
        ]
    assert "x/checklist.yaml:6: error: title has no bn_BD" in lines
    assert "x/checklist.yaml:11: error: item a is already on line 8" in lines
    assert "x/checklist.yaml:12: error: country must be any, IN or BD" in lines
    (folder / "checklist.yaml").write_text("id: [x\n", encoding="utf-8")
    with app.app_context():
        broken = checklists.load(folder / "checklist.yaml", "x").problems
    assert broken and broken[0].line == 2 and "YAML cannot be read" in str(broken[0].message)


@pytest.fixture
def lwg_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    root = tmp_path / "content"
    shutil.copytree(SHIPPED / SLUG, root / SLUG)
    shutil.copytree(SHIPPED / "facts", root / "facts")
    for needed in ("quality-standards", "cleaner-production"):  # its prerequisites
        shutil.copytree(SHIPPED / needed, root / needed)
    return make_app(LMS_CONTENT_DIR=str(root))


def _learner(app: Flask, email: str, country: str) -> tuple[FlaskClient, int]:
    from lms.accounts.services import create_user

    with app.app_context():
        user_id = create_user(email, "Mita", "a long password 1", country=country).id
    client = app.test_client()
    login(client, email, password="a long password 1")
    return client, user_id


def test_a_learner_answers_their_countrys_items_and_changes_an_answer(lwg_app: Flask) -> None:
    client, user_id = _learner(lwg_app, "mita@example.org", "BD")
    page = client.get(URL).get_data(as_text=True)
    assert 'name="item-ecc-valid"' in page or "item-" in page
    assert 'name="item-consent-valid"' not in page  # India's consent, not Bangladesh's
    first = re.findall(r'name="item-([^"]+)"', page)[0]
    sent = {
        f"item-{first}": "partly",
        "item-consent-valid": "ready",  # not this reader's item: ignored
        "section": "env-permits",
    }
    saved = post(client, URL, sent)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(URL + "#env-permits")
    post(client, URL, {f"item-{first}": "ready"})
    post(client, URL, {f"item-{first}": "maybe"})  # not an answer: the saved one stays
    with lwg_app.app_context():
        assert services.answers(user_id, "lwg-self-assessment") == {first: "ready"}
        assert db.session.query(ChecklistAnswer).count() == 1
    page = client.get(URL).get_data(as_text=True)
    assert re.search(rf'name="item-{first}" value="ready" checked', page)
    assert "1 of " in page and "answered · 1 ready" in page


def test_the_page_is_in_bengali_with_bengali_digits(lwg_app: Flask) -> None:
    client, _ = _learner(lwg_app, "rina@example.org", "IN")
    post(client, "/language", {"locale": "bn", "next": "/"})
    page = client.get(URL).get_data(as_text=True)
    assert "LWG অডিটের সেলফ-অ্যাসেসমেন্ট" in page
    progress = re.search(r'<p class="checklist-progress"[^>]*>([^<]+)</p>', page).group(1)
    assert re.search("[০-৯]", progress) and not re.search("[0-9]", progress)


def test_the_record_and_the_mentorship_page_show_the_answers(
    lwg_app: Flask,
    make_user,  # noqa: ANN001
) -> None:
    client, user_id = _learner(lwg_app, "asha@example.org", "IN")
    post(client, URL, {"item-consent-valid": "not-yet"})
    record = client.get("/my/record").get_data(as_text=True)
    assert "LWG audit self-assessment" in record and "Not yet" in record
    with lwg_app.app_context():
        mentorship = Mentorship(user_id=user_id)
        db.session.add(mentorship)
        db.session.commit()
        mentorship_id = mentorship.id
    admin = lwg_app.test_client()
    from lms.accounts.services import create_user

    with lwg_app.app_context():
        create_user("boss@example.org", "Boss", "a long password 1", ["admin"])
    login(admin, "boss@example.org", password="a long password 1")
    page = admin.get(f"/programme/mentorship/{mentorship_id}").get_data(as_text=True)
    assert "LWG audit self-assessment" in page
    assert re.search(r'class="status-not-yet"><span class="badge">Not yet</span> Our WBPCB', page)


def test_a_module_without_a_checklist_has_no_page(client: FlaskClient, make_user) -> None:  # noqa: ANN001
    login(client, make_user().email)
    assert client.get("/modules/nothing/self-assessment").status_code == 404


def test_two_saves_at_once_keep_one_answer_per_item(lwg_app: Flask) -> None:
    """A double tap on Save: both land, one row per item (on SQLite and PostgreSQL)."""
    import threading

    _client, user_id = _learner(lwg_app, "dipa@example.org", "IN")
    with lwg_app.app_context():
        module = ContentLibrary(SHIPPED).get(SLUG)
        found = checklists.load(module.folder / checklists.FILE, SLUG)
    meeting = threading.Barrier(2, timeout=20)
    errors: list[BaseException] = []

    def tap(status: str) -> None:
        with lwg_app.app_context():
            try:
                meeting.wait()
                services.save(user_id, found, "IN", {"item-consent-valid": status})
            except BaseException as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=tap, args=(s,)) for s in ("ready", "partly")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with lwg_app.app_context():
        rows = db.session.query(ChecklistAnswer).filter_by(user_id=user_id).all()
        assert [(r.item_id, r.status in ("ready", "partly")) for r in rows] == [
            ("consent-valid", True)
        ]
