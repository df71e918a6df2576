"""Learners read modules (catalog, sections, resume); authors check, preview, edit and save."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms import signals
from lms.content import services
from lms.db import db
from tests.conftest import MODULE_YAML, csrf_token, login, post, write_module


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    write_module(root, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    write_module(
        root,
        "tax",
        order=2,
        title="Tax basics",
        bn="auto",
        yaml_text=MODULE_YAML.format(slug="tax", order=2).replace("basic", "advanced"),
    )
    return root


@pytest.fixture
def app(make_app: Callable[..., Flask], content: Path) -> Flask:
    return make_app(LMS_CONTENT_DIR=str(content))


@pytest.fixture
def learner(client: FlaskClient, make_user):  # noqa: ANN001, ANN201
    user = make_user("learner", name="Rekha")
    login(client, user.email)
    return user


def touch(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))


def test_catalog_lists_modules_and_filters(client: FlaskClient, learner) -> None:  # noqa: ANN001
    page = client.get("/modules").get_data(as_text=True)
    assert "Tanning basics" in page and "Tax basics" in page
    assert page.index("Tanning basics") < page.index("Tax basics")
    advanced = client.get("/modules?level=advanced").get_data(as_text=True)
    assert "Tax basics" in advanced and "Tanning basics" not in advanced
    topic = client.get("/modules?topic=branding").get_data(as_text=True)
    assert "No module matches these filters." in topic


def test_reading_pages_through_sections_and_resumes(app, client, learner) -> None:  # noqa: ANN001
    overview = client.get("/modules/tanning").get_data(as_text=True)
    assert "Learn one thing." in overview and "Intro text of Tanning basics." in overview
    assert 'href="/modules/tanning/1"' in overview and ">Start reading<" in overview
    first = client.get("/modules/tanning/1").get_data(as_text=True)
    assert "Section 1 of 3" in first and "A useful tip." in first
    assert 'href="/modules/tanning/2#second-steps"' in first  # the anchor's own section page
    response = post(client, "/modules/tanning/1/go", {"to": "2"})
    assert response.headers["Location"] == "/modules/tanning/2"
    again = client.get("/modules/tanning").get_data(as_text=True)
    assert 'href="/modules/tanning/2">Continue reading<' in again.replace("\n", "").replace(
        "  ", ""
    )
    catalog = client.get("/modules").get_data(as_text=True)
    assert "Section 2 of 3" in catalog
    # Another tablet: the same learner resumes at the same place.
    with app.app_context():
        assert services.progress_for(learner.id)["tanning"].current_section == 2


def test_finishing_a_module_is_recorded_once(app, client, learner) -> None:  # noqa: ANN001
    finished = []
    receiver = lambda sender, **kw: finished.append(kw)  # noqa: E731
    signals.module_completed.connect(receiver, sender=app)
    try:
        assert post(client, "/modules/tanning/2/go", {}).status_code == 400  # neither to nor finish
        post(client, "/modules/tanning/1/go", {"to": "2"})  # sections 1 and 2 opened
        response = post(client, "/modules/tanning/3/go", {"finish": "1"})
        assert response.headers["Location"] == "/modules/tanning?done=1"
        post(client, "/modules/tanning/3/go", {"finish": "1"})
    finally:
        signals.module_completed.disconnect(receiver, sender=app)
    assert finished == [{"user_id": learner.id, "module_id": "tanning"}]
    with app.app_context():
        assert services.has_completed(learner.id, "tanning")
        assert not services.has_completed(learner.id, "tax")
    assert "✓ Finished" in client.get("/modules").get_data(as_text=True)


def test_opening_a_section_records_it_for_resume(app, client, learner) -> None:  # noqa: ANN001
    response = post(client, "/modules/tanning/3/seen")
    assert response.json == {"current": 3, "furthest": 3}
    post(client, "/modules/tanning/1/seen")
    with app.app_context():
        row = services.progress_for(learner.id)["tanning"]
        assert (row.current_section, row.furthest_section) == (1, 3)
    assert client.post("/modules/tanning/3/seen").status_code == 400  # no CSRF token
    assert client.get("/modules/tanning/3/seen").status_code == 405  # no change on GET


def test_reader_language_and_fallback_notice(client: FlaskClient, make_user) -> None:  # noqa: ANN001
    user = make_user(locale="bn_BD")
    login(client, user.email)
    own = client.get("/modules/tanning").get_data(as_text=True)
    assert "পরীক্ষার মডিউল (bn_BD)" in own and "is not yet in" not in own
    fallback = client.get("/modules/tax/1").get_data(as_text=True)
    assert "প্রথম ধাপ" in fallback
    assert 'lang="bn"' in fallback
    assert "বাংলা (ভারত)" in fallback and "বাংলা (বাংলাদেশ)" in fallback  # the notice
    assert '<p class="admonition-title">পরামর্শ</p>' in fallback


def test_unknown_pages_and_paths(client: FlaskClient, learner) -> None:  # noqa: ANN001
    assert client.get("/modules/nothing").status_code == 404
    assert client.get("/modules/tanning/0").status_code == 404
    assert client.get("/modules/tanning/4").status_code == 404
    assert client.get("/modules/tanning/assets/../module.yaml").status_code == 404
    assert client.get("/modules/tanning/assets/%2e%2e/module.yaml").status_code == 404


def test_assets_are_served(content: Path, client: FlaskClient, learner) -> None:  # noqa: ANN001
    (content / "tanning" / "assets").mkdir()
    (content / "tanning" / "assets" / "drum.svg").write_text("<svg/>")
    with client.get("/modules/tanning/assets/drum.svg") as response:
        assert response.status_code == 200 and response.data == b"<svg/>"


def test_a_broken_module_does_not_take_the_catalog_down(content, client, make_user) -> None:  # noqa: ANN001
    (content / "tax" / "module.yaml").write_text("id: tax\norder: [oops\n")
    learner = make_user()
    login(client, learner.email)
    page = client.get("/modules")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Tanning basics" in text and "Tax basics" not in text
    assert client.get("/modules/tax").status_code == 404
    post(client, "/logout")
    author = make_user("author")
    login(client, author.email)
    assert "Module tax has errors" in client.get("/modules").get_data(as_text=True)


def test_a_changed_file_shows_without_restart(content, client, learner) -> None:  # noqa: ANN001
    assert "Intro text of Tanning basics." in client.get("/modules/tanning").get_data(as_text=True)
    path = content / "tanning" / "en.md"
    path.write_text(path.read_text().replace("Intro text of", "Fresh intro of"))
    touch(path)
    assert "Fresh intro of Tanning basics." in client.get("/modules/tanning").get_data(as_text=True)


def test_pages_stay_light_for_weak_wifi(client: FlaskClient, learner) -> None:  # noqa: ANN001
    for path in ("/modules", "/modules/tanning", "/modules/tanning/1"):
        assert len(client.get(path).data) < 100_000, path


# Authors.


@pytest.fixture
def author(client: FlaskClient, make_user):  # noqa: ANN001, ANN201
    user = make_user("author")
    login(client, user.email)
    return user


def test_only_authors_reach_the_authoring_tools(client: FlaskClient, learner) -> None:  # noqa: ANN001
    for path in (
        "/author/content",
        "/author/content/tanning/en",
        "/author/content/tanning/en/edit",
        "/author/content/tanning/compare/bn",
    ):
        assert client.get(path).status_code == 403, path


def test_dashboard_shows_every_module_and_language(content, client, author) -> None:  # noqa: ANN001
    english = content / "tanning" / "en.md"
    english.write_text(english.read_text() + "\nNew English paragraph.\n")
    touch(english)
    (content / "tax" / "en.md").write_text((content / "tax" / "en.md").read_text() + "\n<b>x</b>\n")
    page = client.get("/author/content").get_data(as_text=True)
    assert page.count("stale") >= 2  # tanning bn and bn_BD
    assert "missing" in page  # tax has no bn_BD
    assert "1 error" in page  # tax en has raw HTML
    assert "en.md</code>:" in page and "raw HTML &lt;<code>b</code>&gt;" in page
    assert "words" in page


def test_preview_and_side_by_side(client: FlaskClient, author) -> None:  # noqa: ANN001
    preview = client.get("/author/content/tanning/bn").get_data(as_text=True)
    assert "প্রথম ধাপ" in preview and "দ্বিতীয় ধাপ" in preview and "তৃতীয় ধাপ" in preview
    compare = client.get("/author/content/tanning/compare/bn").get_data(as_text=True)
    assert compare.index("First steps") < compare.index("প্রথম ধাপ") < compare.index("Second steps")
    missing = client.get("/author/content/tax/compare/bn_BD").get_data(as_text=True)
    assert "There is no translation yet." in missing
    assert client.get("/author/content/tanning/fr").status_code == 404
    assert client.get("/author/content/tanning/..%2fen/edit").status_code == 404


def _editor_form(client: FlaskClient, path: str) -> dict[str, str]:
    import re

    page = client.get(path).get_data(as_text=True)
    base = re.search(r'name="base_hash" value="([0-9a-f]+)"', page).group(1)
    return {"csrf_token": csrf_token(client, path), "base_hash": base}


def test_editing_saves_back_to_the_file(content, client, author) -> None:  # noqa: ANN001
    path = content / "tanning" / "en.md"
    form = _editor_form(client, "/author/content/tanning/en/edit")
    new_text = path.read_text().replace("Intro text of", "Edited intro of")
    response = client.post(
        "/author/content/tanning/en/edit", data={**form, "text": new_text.replace("\n", "\r\n")}
    )
    assert response.status_code == 302
    assert path.read_text() == new_text  # browser CRLF stored as LF
    page = client.get("/author/content/tanning/en/edit").get_data(as_text=True)
    assert "Saved. The checker found 0 errors and 0 warnings." in page


def test_saving_reports_the_checkers_messages(content, client, author) -> None:  # noqa: ANN001
    form = _editor_form(client, "/author/content/tanning/en/edit")
    text = (content / "tanning" / "en.md").read_text().replace("A useful tip.", "![](x.png)")
    client.post("/author/content/tanning/en/edit", data={**form, "text": text})
    page = client.get("/author/content/tanning/en/edit").get_data(as_text=True)
    assert "Saved. The checker found 2 errors" in page
    assert "has no alt text" in page


def test_saving_refuses_to_overwrite_a_file_changed_on_disk(content, client, author) -> None:  # noqa: ANN001
    path = content / "tanning" / "en.md"
    form = _editor_form(client, "/author/content/tanning/en/edit")
    theirs = path.read_text().replace("The end.", "Someone else's ending.")
    path.write_text(theirs)
    mine = theirs.replace("Someone else's ending.", "My ending.").replace("Intro text", "My intro")
    response = client.post("/author/content/tanning/en/edit", data={**form, "text": mine})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Not saved" in page
    assert "Someone else&#39;s ending." in page and "My intro" in page  # both shown
    assert path.read_text() == theirs  # nothing lost on disk
    import re

    new_base = re.search(r'name="base_hash" value="([0-9a-f]+)"', page).group(1)
    again = client.post(
        "/author/content/tanning/en/edit", data={**form, "base_hash": new_base, "text": mine}
    )
    assert again.status_code == 302 and "My intro" in path.read_text()


def test_writing_a_missing_translation_creates_it(content, client, author) -> None:  # noqa: ANN001
    page = client.get("/author/content/tax/bn_BD/edit").get_data(as_text=True)
    assert "This file does not exist yet." in page and "Intro text of Tax basics." in page
    form = _editor_form(client, "/author/content/tax/bn_BD/edit")
    text = (content / "tax" / "bn.md").read_text()
    client.post("/author/content/tax/bn_BD/edit", data={**form, "text": text})
    assert (content / "tax" / "bn_BD.md").read_text() == text


def test_live_preview_renders_unsaved_text(content, client, author) -> None:  # noqa: ANN001
    token = csrf_token(client, "/author/content/tanning/en/edit")
    text = "---\ntitle: T\nsummary: S\nobjectives: [a]\n---\n\n## Draft\n\n"
    text += "<script>x()</script>**bold**\n"
    response = client.post(
        "/author/content/tanning/en/preview", data={"text": text}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert "<strong>bold</strong>" in response.json["html"]
    assert "<script" not in response.json["html"]
    assert response.json["problems"][0]["line"] == 9
    assert "raw HTML" in response.json["problems"][0]["message"]
    assert "Intro text of" in (content / "tanning" / "en.md").read_text()  # nothing saved
    post(client, "/language", {"locale": "bn"})
    token = csrf_token(client, "/author/content/tanning/en/edit")
    response = client.post(
        "/author/content/tanning/en/preview", data={"text": text}, headers={"X-CSRFToken": token}
    )
    problem = response.json["problems"][0]
    assert (problem["line"], problem["line_text"], problem["label"]) == (9, "৯", "ভুল")


def test_mark_as_up_to_date_from_the_dashboard(content, client, author) -> None:  # noqa: ANN001
    english = content / "tanning" / "en.md"
    english.write_text(english.read_text() + "\nMore.\n")
    touch(english)
    assert "stale" in client.get("/author/content").get_data(as_text=True)
    post(client, "/author/content/tanning/bn/mark-translated")
    post(client, "/author/content/tanning/bn_BD/mark-translated")
    page = client.get("/author/content").get_data(as_text=True)
    assert "Marked as translated" in page
    assert "state-stale" not in page


def test_saving_stays_inside_the_module_folder(content: Path, app: Flask) -> None:
    module = app.extensions["lms"].content_library.get("tanning")
    with pytest.raises(ValueError):
        services.source_path(module, "../../etc/passwd")
    with pytest.raises(ValueError):
        services.source_path(module, "module")
    with app.app_context():
        assert services.source_path(module, "bn") == (content / "tanning" / "bn.md").resolve()
        db.session.remove()


def test_checker_messages_quoting_author_text_are_escaped(content, client, author) -> None:  # noqa: ANN001
    english = content / "tax" / "en.md"
    english.write_text(english.read_text() + "\nSee[^<svg/onload=alert(1)>].\n")
    page = client.get("/author/content").get_data(as_text=True)
    assert "footnote [^<code>&lt;svg/onload=alert(1)&gt;</code>] has no definition" in page
    assert "<svg/onload" not in page
