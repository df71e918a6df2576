"""What the LMS gives away: redirects only within the site, no version on the public health
check unless asked, and database files readable by their owner only."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy import SQLAlchemy

from lms import LMS, __version__
from tests.conftest import build_app, csrf_token, login, post, write_module
from tests.quiz_bank import QUIZ_YAML

# A refused test start goes back to the page it came from: only a page of this site.


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(root))


def refused_start(client: FlaskClient, make_user, referrer: str) -> str:  # noqa: ANN001
    """Where a refused start (the pre-test again: it is taken once) sends the learner."""
    login(client, make_user().email)
    started = post(client, "/quiz/tanning/pre/start")
    post(client, started.headers["Location"].rsplit("/", 1)[0] + "/submit")
    token = csrf_token(client, "/modules/tanning")
    response = client.post(
        "/quiz/tanning/pre/start", data={"csrf_token": token}, headers={"Referer": referrer}
    )
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.mark.parametrize(
    "referrer",
    [
        "https://evil.example/x",
        "//evil.example/x",
        "http://evil.example/modules/tanning",
        "http://localhost.evil.example/modules/tanning",
        "javascript:alert(1)",
    ],
)
def test_a_refused_start_does_not_follow_another_sites_referrer(
    client: FlaskClient,
    make_user,  # noqa: ANN001
    referrer: str,
) -> None:
    target = urlsplit(refused_start(client, make_user, referrer))
    assert target.scheme == "" and target.netloc == ""
    assert target.path == "/modules/tanning"  # the module's page instead


def test_a_refused_start_goes_back_to_the_page_of_this_site_it_came_from(
    client: FlaskClient,
    make_user,  # noqa: ANN001
) -> None:
    location = refused_start(client, make_user, "http://localhost/modules?level=basic")
    assert location == "/modules?level=basic"


# The health check.


def test_healthz_does_not_show_the_version_by_default(client: FlaskClient) -> None:
    health = client.get("/healthz").json
    assert health["status"] == "ok" and "version" not in health
    assert __version__ not in client.get("/healthz").get_data(as_text=True)


def test_healthz_shows_the_version_when_configured(make_app: Callable[..., Flask]) -> None:
    app = make_app(LMS_HEALTHZ_VERSION=True)
    assert app.test_client().get("/healthz").json["version"] == __version__


def test_an_unreachable_database_does_not_show_the_version_either(tmp_path: Path) -> None:
    down = build_app(
        tmp_path / "down",
        migrate=False,
        LMS_DATABASE_URL="postgresql://nobody@127.0.0.1:9/none?connect_timeout=2",
    )
    response = down.test_client().get("/healthz")
    assert response.status_code == 503 and "version" not in response.json


# Files of the instance folder.


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask of most systems (0o022: files readable by everyone unless made private)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_sqlite_database_and_its_wal_files_are_private(
    tmp_path: Path,
    usual_umask: None,
) -> None:
    instance = tmp_path / "instance"
    database = instance / "lms.sqlite3"
    app = build_app(instance, LMS_DATABASE_URL=f"sqlite:///{database}")  # migrated
    with app.app_context():
        from lms.accounts.services import create_user

        create_user("rekha@example.org", "Rekha", "correct horse battery", ["learner"])
    wal, shm = Path(f"{database}-wal"), Path(f"{database}-shm")
    assert wal.exists() and shm.exists()  # WAL mode, a connection still open
    assert {p.name: mode(p) for p in (database, wal, shm)} == {
        "lms.sqlite3": 0o600,
        "lms.sqlite3-wal": 0o600,
        "lms.sqlite3-shm": 0o600,
    }


def test_the_generated_secret_key_is_private(tmp_path: Path, usual_umask: None) -> None:
    app = Flask("keyed", instance_path=str(tmp_path))
    LMS(app, database_url=f"sqlite:///{tmp_path}/lms.sqlite3")
    assert mode(tmp_path / "secret_key") == 0o600


def test_a_host_apps_database_file_is_left_alone(tmp_path: Path, usual_umask: None) -> None:
    host_file = tmp_path / "host.sqlite3"
    app = Flask("host", instance_path=str(tmp_path))
    app.config.update(SECRET_KEY="host", SQLALCHEMY_DATABASE_URI=f"sqlite:///{host_file}")
    host_db = SQLAlchemy()
    host_db.init_app(app)
    LMS(app, db=host_db)
    assert not host_file.exists()  # the LMS neither creates nor changes the host's database
