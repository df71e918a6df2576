"""The extension contract: init_app, state, config, mounting in a host app, two apps at once."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from flask import Flask, url_for
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy

from lms import LMS, LMSState
from tests.conftest import build_app, login


def test_state_and_defaults_on_the_app(app: Flask) -> None:
    state = app.extensions["lms"]
    assert isinstance(state, LMSState)
    assert isinstance(state.extension, LMS)
    assert app.config["LMS_LOCALES"] == ("en", "bn", "bn_BD")
    assert app.config["LMS_IDLE_TIMEOUT"] == 900
    assert app.config["LMS_LOCALE_FALLBACKS"] == {"bn_BD": ["bn"]}


def test_init_app_twice_is_refused(app: Flask) -> None:
    with pytest.raises(RuntimeError, match="already registered"):
        LMS(app)


def test_options_set_config_keys_and_unknown_options_fail(tmp_path: Path) -> None:
    app = Flask("opts", instance_path=str(tmp_path))
    app.config["SECRET_KEY"] = "x"
    LMS(idle_timeout=60, url_prefix="/l").init_app(app)
    assert app.config["LMS_IDLE_TIMEOUT"] == 60
    assert app.config["LMS_URL_PREFIX"] == "/l"
    with pytest.raises(TypeError, match="unknown option 'colour'"):
        LMS(Flask("other", instance_path=str(tmp_path)), colour="red")


def test_host_app_mounts_lms_under_a_prefix(tmp_path: Path, make_user) -> None:  # noqa: ANN001
    host = build_app(tmp_path / "host", LMS_URL_PREFIX="/learn")

    @host.get("/")
    def host_home() -> str:
        return "the host's own home page"

    @host.get("/about")
    def about() -> str:
        return "about the host"

    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "the host's own home page"
    assert client.get("/about").status_code == 200
    page = client.get("/learn/")
    assert page.status_code == 200
    assert 'href="/learn/login"' in page.get_data(as_text=True)
    with client.get("/learn/lms-static/lms.css") as css:
        assert css.status_code == 200 and b"--touch" in css.data
    assert client.get("/learn/healthz").json["status"] == "ok"
    with host.test_request_context():
        assert url_for("lms.accounts.login") == "/learn/login"
    # Sign-in works under the prefix and lands on the LMS home inside it.
    with host.app_context():
        from lms.accounts.services import create_user

        create_user("host@example.org", "Host User", "correct horse battery", ["learner"])
    response = login(client, "host@example.org", prefix="/learn")
    assert response.status_code == 302
    assert response.headers["Location"] == "/learn/"
    assert "Host User" in client.get("/learn/").get_data(as_text=True)


def test_two_apps_in_one_process_keep_their_own_state(make_app) -> None:  # noqa: ANN001
    english = make_app(LMS_DEFAULT_LOCALE="en")
    bengali = make_app(LMS_DEFAULT_LOCALE="bn", LMS_URL_PREFIX="/bn")
    assert english.extensions["lms"] is not bengali.extensions["lms"]
    en_page = english.test_client().get("/login").get_data(as_text=True)
    bn_page = bengali.test_client().get("/bn/login").get_data(as_text=True)
    assert '<html lang="en">' in en_page and "Sign in" in en_page
    assert '<html lang="bn-IN">' in bn_page and "সাইন ইন" in bn_page
    # Alternating requests do not leak locale or translations between the apps.
    assert "Sign in" in english.test_client().get("/login").get_data(as_text=True)
    assert english.test_client().get("/bn/login").status_code == 404


def test_development_secret_key_is_generated_once_and_private(tmp_path: Path) -> None:
    first = Flask("a", instance_path=str(tmp_path))
    LMS(first, database_url=f"sqlite:///{tmp_path}/a.db")
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    second = Flask("b", instance_path=str(tmp_path))
    LMS(second, database_url=f"sqlite:///{tmp_path}/b.db")
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) == 64


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    app = Flask("prod", instance_path=str(tmp_path))
    with pytest.raises(RuntimeError, match="needs a secret key"):
        LMS(app, env="production", database_url=f"sqlite:///{tmp_path}/p.db")
    assert not (tmp_path / "secret_key").exists()
    ok = Flask("prod2", instance_path=str(tmp_path))
    LMS(
        ok,
        env="production",
        secret_key="s" * 40,
        base_url="https://dakshata.example.org",
        database_url=f"sqlite:///{tmp_path}/p.db",
    )
    assert ok.config["SESSION_COOKIE_SECURE"] is True
    assert ok.config["SESSION_COOKIE_HTTPONLY"] is True
    assert ok.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_a_host_with_its_own_sqlalchemy_must_pass_it_and_its_login_manager_is_used(
    tmp_path: Path,
) -> None:
    # Issue 12 reversed this test's old contract ("a host with its own SQLAlchemy or
    # LoginManager is refused"): the host passes its db, and its LoginManager signs people in.
    app = Flask("own_db", instance_path=str(tmp_path))
    app.config.update(SECRET_KEY="x", SQLALCHEMY_DATABASE_URI="sqlite://")
    host_db = SQLAlchemy(app)
    with pytest.raises(RuntimeError, match=r"pass it to the LMS as LMS\(app, db=db\)"):
        LMS(app)
    LMS(app, db=host_db)
    assert app.extensions["lms"].db is host_db
    other = Flask("own_login", instance_path=str(tmp_path))
    other.config["SECRET_KEY"] = "x"
    manager = LoginManager(other)
    LMS(other, database_url=f"sqlite:///{tmp_path}/l.db")
    assert other.login_manager is manager
    assert other.extensions["lms"].login_manager is None


def test_standalone_factory_reads_instance_config_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wsgi

    monkeypatch.setenv("LMS_IDLE_TIMEOUT", "120")
    monkeypatch.setenv("LMS_SECRET_KEY", "12345")
    app = wsgi.create_app({"LMS_DATABASE_URL": f"sqlite:///{tmp_path}/s.db"})
    assert app.config["LMS_IDLE_TIMEOUT"] == 120
    assert app.config["SECRET_KEY"] == "12345"  # text keys stay text, even when numeric
    assert app.config["LMS_APP_ERROR_PAGES"] is True
