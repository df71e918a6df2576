"""Certificates name the site's public address (``LMS_BASE_URL``), never the Host header a
client sent: a credential issued through a forged Host still points at the real issuer, its
status list and verify page, so a later revocation is seen. Production refuses to start without
the address; the standalone app answers only its own host names."""

from __future__ import annotations

import base64
import copy
import gzip
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask

from lms import LMS
from lms.accounts.services import create_user
from lms.certificates import services
from lms.content import services as content
from lms.db import db
from lms.quiz.models import Attempt
from tests.conftest import PASSWORD, write_module
from tests.processes import CSRF, ROOT, Browser, Gunicorn, free_port, server_env
from tests.quiz_bank import QUIZ_YAML, RIGHT_FORM

FORGED = {"Host": "evil.example"}
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def test_production_refuses_to_start_without_a_base_url(tmp_path: Path) -> None:
    app = Flask("prod", instance_path=str(tmp_path))
    app.config["SECRET_KEY"] = "s" * 40
    before = copy.deepcopy(dict(app.config))
    with pytest.raises(RuntimeError, match="LMS_ENV=production needs LMS_BASE_URL"):
        LMS(app, env="production", database_url=f"sqlite:///{tmp_path}/p.db")
    assert dict(app.config) == before and "lms" not in app.extensions
    for wrong in ("dakshata.example.org", "ftp://dakshata.example.org", "https://x.org/?a=1"):
        with pytest.raises(RuntimeError, match="LMS_BASE_URL must be an http"):
            LMS(app, base_url=wrong, database_url=f"sqlite:///{tmp_path}/p.db")
        assert dict(app.config) == before
    LMS(app, env="production", base_url="https://dakshata.example.org/", database_url="sqlite://")
    assert app.config.get("TRUSTED_HOSTS") is None  # a host app decides its own hosts


def test_the_standalone_app_trusts_only_its_own_hosts(tmp_path: Path) -> None:
    import wsgi

    config = {"LMS_DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "LMS_SECRET_KEY": "k"}
    development = wsgi.create_app({**config, "LMS_BASE_URL": "https://dakshata.example.org"})
    assert development.config["TRUSTED_HOSTS"] == ["dakshata.example.org", "localhost", "127.0.0.1"]
    assert wsgi.create_app(config).config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]
    own = wsgi.create_app({**config, "TRUSTED_HOSTS": [".example.org"]})
    assert own.config["TRUSTED_HOSTS"] == [".example.org"]


def test_a_forged_host_gets_400_from_the_standalone_app(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    app = make_app()
    env = server_env(app, LMS_ENV="production", LMS_BASE_URL="https://dakshata.example.org")
    server = Gunicorn(env, tmp_path / "gunicorn.log")
    try:
        browser = Browser(server.port)
        assert browser.request("GET", "/login", headers=FORGED)[0] == 400
        assert browser.request("GET", "/healthz", headers={"Host": "127.0.0.1"})[0] == 400
        genuine = {"Host": "dakshata.example.org"}
        assert browser.request("GET", "/login", headers=genuine)[0] == 200
    finally:
        server.stop()


# A site that mounts the LMS without TRUSTED_HOSTS (the host app's choice) and without
# LMS_BASE_URL (development): certificates still never take the Host header.

SITE = """\
from flask import Flask

from lms import LMS

app = Flask(__name__, instance_path={instance!r})
app.config.update({config!r})
LMS(app)
"""


class Site(Gunicorn):
    """``gunicorn lms_site:app``, a module the test writes (``wsgi:app`` is the standalone)."""

    def __init__(self, folder: Path, config: dict[str, object]) -> None:
        (folder / "lms_site.py").write_text(
            SITE.format(instance=str(folder / "instance"), config=config), encoding="utf-8"
        )
        self.port, self.log, self.workers = free_port(), folder / "gunicorn.log", 1
        command = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{self.port}"]
        env = {**os.environ, "PYTHONPATH": str(folder)}
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [*command, "--log-level", "warning", "lms_site:app"], cwd=ROOT, env=env, stderr=out
            )
        self.wait_ready()


def _pass_the_post_test(app: Flask, browser: Browser) -> None:
    """Sign in, take and submit the post-test over HTTP, every request with the forged Host."""

    def token(path: str) -> str:
        return CSRF.search(browser.request("GET", path, headers=FORGED)[2]).group(1)

    form = {"email": "forged@example.org", "password": PASSWORD, "csrf_token": token("/login")}
    assert browser.request("POST", "/login", form, FORGED)[0] == 302
    form = {"csrf_token": token("/")}
    _status, headers, _ = browser.request("POST", "/quiz/tanning/post/start", form, FORGED)
    attempt_id = int(re.search(r"/quiz/attempt/(\d+)/", headers["Location"]).group(1))
    with app.app_context():
        items = [entry["id"] for entry in db.session.get(Attempt, attempt_id).items]
    for number, item in enumerate(items, 1):
        form = {**RIGHT_FORM[item], "csrf_token": token("/")}
        path = f"/quiz/attempt/{attempt_id}/{number}"
        assert browser.request("POST", path, form, FORGED)[0] == 302
    path = f"/quiz/attempt/{attempt_id}/submit"
    assert browser.request("POST", path, {"csrf_token": token("/")}, FORGED)[0] == 302


def test_certificates_never_take_the_request_host(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext missing: run `make system-deps` (poppler-utils)")
    folder = write_module(tmp_path / "content", "tanning", title="Tanning basics")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    app = make_app(LMS_CONTENT_DIR=str(tmp_path / "content"))
    with app.app_context():
        user_id = create_user("forged@example.org", "Forged Host", PASSWORD).id
        content.save_position(user_id, "tanning", 3, 3, finished=True)
    config = {key: app.config[key] for key in ("SECRET_KEY", "LMS_DATABASE_URL", "LMS_CONTENT_DIR")}
    server = Site(tmp_path, {**config, "LMS_ENV": "development"})
    try:
        browser = Browser(server.port)
        _pass_the_post_test(app, browser)
        with app.app_context():
            code = services.find(user_id, "module", "tanning").code
        verified = json.loads(browser.request("GET", f"/verify/{code}.json", headers=FORGED)[2])
        claims = verified["credential"]
        jwt_head = verified["credential_jwt"].split(".")[0]
        credential_header = json.loads(
            base64.urlsafe_b64decode(jwt_head + "=" * (-len(jwt_head) % 4))
        )
        named = [
            claims["iss"],
            claims["id"],
            claims["issuer"]["id"],
            claims["issuer"]["url"],
            claims["credentialStatus"]["id"],
            claims["credentialStatus"]["statusListCredential"],
            claims["credentialSubject"]["achievement"]["id"],
            claims["credentialSubject"]["achievement"]["image"]["id"],
            credential_header["kid"],
        ]
        assert all(url.startswith(DEVELOPMENT_BASE_URL + "/") for url in named), named
        text = _pdf_text(browser, code)
        assert f"{DEVELOPMENT_BASE_URL}/verify/{code}" in text and "evil" not in text
        page = browser.request("GET", f"/verify/{code}", headers=FORGED)[2]
        assert "evil.example" not in page  # its link to the issuer's keys
        # Revoked later: the status list the credential names says so.
        with app.app_context():
            services.revoke(services.by_code(code), "Issued in error")
        entry = claims["credentialStatus"]
        status_list = urlsplit(entry["statusListCredential"]).path
        listed = browser.request("GET", status_list, headers=FORGED)[2].strip().split(".")[1]
        status = json.loads(base64.urlsafe_b64decode(listed + "=" * (-len(listed) % 4)))
        assert status["id"] == entry["statusListCredential"]
        assert status["issuer"].startswith(DEVELOPMENT_BASE_URL + "/") and "evil" not in listed
        encoded = status["credentialSubject"]["encodedList"][1:]
        bits = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        index = int(entry["statusListIndex"])
        assert bits[index // 8] & (0x80 >> (index % 8))
    finally:
        server.stop()


def _pdf_text(browser: Browser, code: str) -> str:
    """The certificate PDF downloaded with the forged Host, as text without white space."""
    conn = http.client.HTTPConnection("127.0.0.1", browser.port, timeout=20)
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    conn.request("GET", f"/certificates/{code}.pdf", headers={**FORGED, "Cookie": cookies})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    assert response.status == 200 and data.startswith(b"%PDF")
    pdftotext = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return "".join(pdftotext.stdout.decode().split())
