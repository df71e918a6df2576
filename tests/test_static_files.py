"""Static files for weak wifi (issue 16.11): URLs carry the file's hash and may be kept for a
year; text goes out gzip-compressed; an old or missing hash is revalidated as before."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from lms.static_files import StaticBlueprint

STATIC = Path(__file__).resolve().parents[1] / "lms" / "static"


def _version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_pages_link_static_files_by_their_hash(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="/lms-static/lms\.css\?v=([0-9a-f]+)"', page)
    js = re.search(r'src="/lms-static/lms\.js\?v=([0-9a-f]+)"', page)
    assert css and css.group(1) == _version(STATIC / "lms.css")
    assert js and js.group(1) == _version(STATIC / "lms.js")


def test_a_versioned_file_is_kept_a_year_and_sent_compressed(client: FlaskClient) -> None:
    url = f"/lms-static/lms.css?v={_version(STATIC / 'lms.css')}"
    response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    cache = response.cache_control
    assert cache.public and cache.max_age == 365 * 24 * 3600 and cache.immutable
    assert not cache.no_cache
    assert response.mimetype == "text/css"
    assert gzip.decompress(response.data) == (STATIC / "lms.css").read_bytes()
    assert len(response.data) < (STATIC / "lms.css").stat().st_size / 3


def test_a_browser_without_gzip_gets_the_plain_file(client: FlaskClient) -> None:
    url = f"/lms-static/lms.js?v={_version(STATIC / 'lms.js')}"
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == (STATIC / "lms.js").read_bytes()
    assert response.cache_control.immutable
    response.close()


@pytest.mark.parametrize("query", ["", "?v=0123456789ab"])
def test_an_old_or_missing_hash_is_revalidated(client: FlaskClient, query: str) -> None:
    first = client.get("/lms-static/lms.css" + query, headers={"Accept-Encoding": "gzip"})
    assert first.cache_control.no_cache and not first.cache_control.max_age
    again = client.get(
        "/lms-static/lms.css" + query,
        headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304 and not again.data


def test_a_missing_file_or_a_path_outside_is_not_found(client: FlaskClient) -> None:
    assert client.get("/lms-static/nothing.css").status_code == 404
    assert client.get("/lms-static/../wsgi.py").status_code == 404


def test_a_changed_file_gets_a_new_url_and_small_files_stay_plain(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    folder = tmp_path / "static"
    folder.mkdir()
    script = folder / "x.js"
    script.write_text("let a = 1;\n" * 100, encoding="utf-8")
    (folder / "tiny.css").write_text("p{margin:0}", encoding="utf-8")
    app = make_app()
    extra = StaticBlueprint("extra", __name__, static_folder=str(folder), static_url_path="/x")
    app.register_blueprint(extra)
    client = app.test_client()
    with app.test_request_context():
        before = url_for("extra.static", filename="x.js")
        script.write_text("let b = 2;\n" * 100, encoding="utf-8")
        after = url_for("extra.static", filename="x.js")
        tiny = url_for("extra.static", filename="tiny.css")
    assert before != after and after.endswith(_version(script))
    response = client.get(after, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(response.data) == script.read_bytes()
    small = client.get(tiny, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers and small.data == b"p{margin:0}"
    assert small.cache_control.immutable
    small.close()


def test_fetching_a_stylesheet_is_no_sign_of_activity(make_app: Callable[..., Flask]) -> None:
    from tests.test_shared_tablets import _idle_since, _learner, _session_row

    app = make_app(LMS_IDLE_TIMEOUT=120)
    client, user_id = _learner(app)
    _idle_since(app, user_id, 100)
    seen = _session_row(app, user_id).last_seen_at
    with client.get("/lms-static/lms.css") as response:
        assert response.status_code == 200
    assert _session_row(app, user_id).last_seen_at == seen
