"""Offline tablets (issue 21), the server's side: the learner key, which pages the service
worker may keep, "Save for offline" and its size, the kept list, the manifest and the worker."""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

import lms
from lms.db import db
from lms.offline import learner_key
from lms.offline import services as offline
from tests.conftest import PASSWORD, login, post, write_module

PICTURE_TEXT = """\
---
title: Drums
summary: Drums for tests.
objectives: [Know drums.]
---

Intro ![A drum](images/drum.png)

## First

![A drum again](images/drum.png) text of the first section.

## Second

![A hide](images/hide.png) text of the second section.
"""

BENGALI = "০১২৩৪৫৬৭৮৯"


def _picture(path: Path, size: tuple[int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "white").save(path)


@pytest.fixture
def pictures_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    root = tmp_path / "content"
    folder = write_module(root, "drums", en=PICTURE_TEXT)
    _picture(folder / "images" / "drum.png", (64, 48))
    _picture(folder / "images" / "hide.png", (30, 20))
    write_module(root, "plain", order=2, title="Plain module")
    return make_app(LMS_CONTENT_DIR=str(root))


def _signed_in(app: Flask, make_user: Callable[..., object], **fields: object) -> tuple:
    user = make_user(**fields)
    client = app.test_client()
    login(client, user.email)
    return client, user


def _reader(app: Flask, email: str, locale: str = "en") -> tuple[FlaskClient, int]:
    """A signed-in learner of ``app`` (an app of its own content), and their id."""
    from lms.accounts.services import create_user

    with app.app_context():
        user_id = create_user(email, email, PASSWORD, ["learner"], locale=locale).id
    client = app.test_client()
    login(client, email)
    return client, user_id


# The learner key.


def test_the_learner_key_is_short_opaque_stable_and_per_secret(
    make_app: Callable[..., Flask],
) -> None:
    first, other = make_app(), make_app(SECRET_KEY="another secret")
    with first.app_context():
        key = learner_key(7)
        assert re.fullmatch(r"[0-9a-f]{16}", key)
        assert learner_key(7) == key
        assert learner_key(8) != key
    with other.app_context():
        assert learner_key(7) != key


# Which pages the service worker may keep.


def test_module_and_section_pages_opt_in_with_the_learners_key(
    app: Flask, make_user: Callable[..., object]
) -> None:
    client, user = _signed_in(app, make_user)
    with app.app_context():
        key = learner_key(user.id)
    for path in ("/modules/gst-vat", "/modules/gst-vat/1", "/modules/gst-vat/2"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["X-LMS-Offline"] == "page", path
        assert response.headers["X-LMS-Learner"] == key, path
        assert f'<meta name="lms-learner" content="{key}">' in response.get_data(as_text=True)


def test_personal_and_private_pages_never_opt_in(
    app: Flask, make_user: Callable[..., object]
) -> None:
    client, _user = _signed_in(app, make_user)
    for path in (
        "/",
        "/my/record",
        "/settings",
        "/certificates",
        "/modules",
        "/offline/keep",
        "/modules/gst-vat/99",
    ):
        response = client.get(path)
        assert "X-LMS-Offline" not in response.headers, path
        assert "X-LMS-Learner" not in response.headers, path
    moved = post(client, "/modules/gst-vat/1/go", {"to": "2"})
    assert moved.status_code == 302 and "X-LMS-Offline" not in moved.headers
    admin_client, _admin = _signed_in(app, make_user, role="admin")
    for path in ("/admin/users", "/quiz/results", "/author/content"):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert "X-LMS-Offline" not in response.headers, path


def test_signed_out_pages_have_no_learner_and_nothing_to_keep(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/login")
    assert 'name="lms-learner"' not in page.get_data(as_text=True)
    assert 'rel="manifest"' in page.get_data(as_text=True)
    module = client.get("/modules/gst-vat")
    assert module.status_code == 302 and "X-LMS-Offline" not in module.headers
    assert client.get("/offline/keep").status_code == 302


# "Save for offline": what is kept of a module, and its size.


def test_a_modules_plan_counts_each_page_and_each_picture_once(tmp_path: Path) -> None:
    drum = tmp_path / "images" / "drum.png"
    _picture(drum, (64, 48))
    pages = [
        ("/m/x", '<p>intro</p><img src="/modules/x/images/drum.png" alt="">'),
        ("/m/x/1", '<img alt="" src="/modules/x/images/drum.png"> <img src="/elsewhere.png">'),
        ("/m/x/2", "<p>কাজ</p>"),
    ]

    def picture(src: str) -> Path | None:
        return offline.picture_file(tmp_path, "x", src)

    plan = offline.plan_module(pages, picture)
    assert plan.urls == ("/m/x", "/modules/x/images/drum.png", "/m/x/1", "/m/x/2")
    text = sum(len(body.encode("utf-8")) for _url, body in pages)
    assert plan.size == text + drum.stat().st_size
    assert offline.picture_file(tmp_path, "x", "/modules/other/images/drum.png") is None
    assert offline.picture_file(tmp_path, "x", "/modules/x/images/../module.yaml") is None


def test_the_module_page_offers_save_for_offline_with_its_size(pictures_app: Flask) -> None:
    from lms.offline.views import module_plan

    client, _user = _reader(pictures_app, "ria@example.org")
    page = client.get("/modules/drums").get_data(as_text=True)
    panel = re.search(r"<section class=\"panel offline-save\".*?</section>", page, re.S)
    assert panel, page
    urls = json.loads(html.unescape(re.search(r'data-urls="([^"]*)"', panel.group(0)).group(1)))
    assert urls == [
        "/modules/drums",
        "/modules/drums/images/drum.png",
        "/modules/drums/1",
        "/modules/drums/2",
        "/modules/drums/images/hide.png",
    ]
    with pictures_app.test_request_context():
        from lms.content import services as content

        plan = module_plan(content.library().get("drums"))
        folder = content.library().root / "drums" / "images"
    assert plan is not None and plan.urls == tuple(urls)
    pictures = sum((folder / name).stat().st_size for name in ("drum.png", "hide.png"))
    assert plan.size > pictures
    # What the tablet keeps: the pages as they come, and the pictures.
    fetched = 0
    for url in urls:
        with client.get(url) as response:
            assert response.status_code == 200, url
            fetched += len(response.data)
    shown = int(re.search(r"Save for offline \((\d+) KB\)", panel.group(0)).group(1)) * 1024
    assert 0.8 < shown / fetched < 1.2, (shown, fetched)


def test_the_size_is_written_in_bengali_digits_for_a_bengali_reader(pictures_app: Flask) -> None:
    client, _user = _reader(pictures_app, "mou@example.org", locale="bn")
    page = client.get("/modules/drums").get_data(as_text=True)
    button = re.search(r"<button [^>]*data-offline-save-button[^>]*>([^<]*)</button>", page)
    assert button, page
    label = button.group(1)
    assert any(c in BENGALI for c in label) and not any(c.isascii() and c.isdigit() for c in label)


# The pages a tablet keeps for its learner without asking.


def test_the_kept_list_has_the_sessions_modules_and_the_opened_ones(pictures_app: Flask) -> None:
    from lms.content import services as content
    from lms.programme.models import Beneficiary, Enrolment, Enterprise, TrainingSession

    client, user_id = _reader(pictures_app, "asha@example.org")
    other_client, _other = _reader(pictures_app, "bina@example.org")
    assert client.get("/offline/keep").get_json()["urls"] == []
    with pictures_app.app_context():
        person = Beneficiary(name="Asha", user_id=user_id)
        db.session.add(Enterprise(name="Unit", segment="tannery", beneficiaries=[person]))
        session = TrainingSession(
            title="Day 1",
            held_on=date(2026, 11, 1),
            checkin_token="t1",
            enrolments=[Enrolment(beneficiary=person)],
        )
        db.session.add(session)
        db.session.flush()
        from lms.programme.models import SessionModule

        db.session.add(SessionModule(session_id=session.id, module_slug="drums", position=0))
        db.session.commit()
        content.visit(user_id, "plain", 1, 3)
    listed = client.get("/offline/keep").get_json()
    assert "/modules/drums/2" in listed["urls"]
    assert "/modules/drums/images/hide.png" in listed["urls"]
    assert "/modules/plain/3" in listed["urls"]
    assert listed["urls"].index("/modules/drums") < listed["urls"].index("/modules/plain")
    assert other_client.get("/offline/keep").get_json()["urls"] == []
    with pictures_app.app_context():
        root = content.library().root
    (root / "plain" / "en.md").write_text(
        (root / "plain" / "en.md").read_text() + "\nMore text.\n", encoding="utf-8"
    )
    assert client.get("/offline/keep").get_json()["digest"] != listed["digest"]


# The installable app.


@pytest.mark.parametrize(
    ("locale", "lang", "short_name"),
    [("en", "en", "Dakshata"), ("bn", "bn-IN", "দক্ষতা"), ("bn_BD", "bn-BD", "দক্ষতা")],
)
def test_the_manifest_names_the_app_in_the_readers_language(
    make_app: Callable[..., Flask], locale: str, lang: str, short_name: str
) -> None:
    app = make_app(LMS_URL_PREFIX="/learn")
    client = app.test_client()
    response = client.get(f"/learn/manifest.webmanifest?lang={locale}")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["lang"] == lang
    assert manifest["short_name"] == short_name
    assert manifest["name"]
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == manifest["scope"] == "/learn/"
    assert manifest["theme_color"] == "#7a3e12"
    css = (Path(lms.__file__).parent / "static" / "lms.css").read_text(encoding="utf-8")
    assert f"--brand: {manifest['theme_color']}" in css
    page = client.get("/learn/login").get_data(as_text=True)
    assert 'href="/learn/manifest.webmanifest?lang=' in page


def test_the_manifests_icons_are_pngs_of_their_sizes(app: Flask) -> None:
    client = app.test_client()
    icons = client.get("/manifest.webmanifest").get_json(force=True)["icons"]
    assert {icon.get("purpose") for icon in icons} == {"any", "maskable"}
    for icon in icons:
        with client.get(icon["src"]) as response:
            assert response.status_code == 200 and response.mimetype == "image/png"
            width, height = Image.open(io.BytesIO(response.data)).size
        assert f"{width}x{height}" == icon["sizes"]


def test_the_worker_is_served_from_the_lms_root_with_this_deploys_version(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(LMS_URL_PREFIX="/learn")
    client: FlaskClient = app.test_client()
    response = client.get("/learn/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    first_line, source = response.get_data(as_text=True).split("\n", 1)
    settings = json.loads(first_line.removeprefix("self.LMS_OFFLINE = ").removesuffix(";"))
    assert settings["scope"] == "/learn/"
    assert response.headers["Service-Worker-Allowed"] == "/learn/"
    with app.app_context():
        from lms.web import bp

        assert settings["version"] == offline.static_version(bp.static_folder)
    assert all(
        url.startswith("/learn/lms-static/") and "?v=" in url for url in settings["precache"]
    )
    assert '"lms-static-" + SETTINGS.version' in source
    page = client.get("/learn/login").get_data(as_text=True)
    assert 'data-worker="/learn/sw.js"' in page
    assert "<script>" not in page  # no inline script: the policy stays strict


def test_the_static_version_changes_when_a_static_file_does(app: Flask, tmp_path: Path) -> None:
    folder = tmp_path / "static"
    (folder / "icons").mkdir(parents=True)
    (folder / "a.js").write_text("one", encoding="utf-8")
    (folder / "icons" / "b.png").write_bytes(b"png")
    with app.app_context():
        before = offline.static_version(str(folder))
        assert offline.static_version(str(folder)) == before
        (folder / "icons" / "b.png").write_bytes(b"png2")
        changed = offline.static_version(str(folder))
        (folder / "c.css").write_text("x", encoding="utf-8")
        added = offline.static_version(str(folder))
    assert len({before, changed, added}) == 3


def test_the_offline_page_speaks_every_language_and_names_nobody(app, client, make_user) -> None:  # noqa: ANN001
    """What an offline tablet shows for a page it never kept: kept by the worker at install,
    so it is the same for everyone (no name, no token)."""
    learner = make_user(name="Asha Khatun")
    login(client, learner.email)
    page = client.get("/offline").get_data(as_text=True)
    assert "No internet" in page and "ইন্টারনেট নেই" in page
    assert page.count('lang="bn-BD"') == 1 and "Asha" not in page and "csrf" not in page
    worker = client.get("/sw.js").get_data(as_text=True).splitlines()[0]
    assert '"fallback": "/offline"' in worker
