"""Mounting the LMS in the cooperative's app: its routes stay, the LMS is under /learn, a refused
init changes nothing, `db.create_all()` leaves the LMS tables to `flask lms init`, and the host's
SQLite settings are its own."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import add_member, migrate_all, run_cli, sign_in
from flask import Flask, url_for
from flask.testing import FlaskClient
from flask_sqlalchemy import SQLAlchemy
from host_app.models import Order, db
from sqlalchemy import inspect, select, text

from lms import LMS
from lms import db as lms_database
from lms.migrations import VERSION_TABLE, current_heads


def test_the_lms_answers_under_learn_and_the_hosts_routes_still_work(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        assert url_for("lms.core.home") == "/learn/"
        assert url_for("site.home") == "/"

    home = client.get("/")
    assert home.status_code == 200
    assert "Tanneries and leather-goods makers" in home.get_data(as_text=True)
    assert "Content-Security-Policy" not in home.headers  # the LMS's headers are for its pages

    cart = client.get("/cart")
    assert cart.status_code == 200
    assert "Your cart is empty." in cart.get_data(as_text=True)

    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    page = missing.get_data(as_text=True)
    assert '<h1 class="site-404">Page not found</h1>' in page  # the host's own 404 page
    assert "lms-static" not in page

    learn = client.get("/learn/")
    assert learn.status_code == 200
    assert "/learn/lms-static/lms.css" in learn.get_data(as_text=True)
    assert "Content-Security-Policy" in learn.headers


def test_a_host_nav_link_added_in_the_layout_override_shows_on_lms_pages(
    app: Flask, client: FlaskClient
) -> None:
    sign_in(client, add_member(app))
    response = client.get("/learn/modules")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # templates/lms/base.html of the host: {% extends "lms/_layout.html" %} + lms_nav_extra
    assert '<a href="/">Home</a>' in page
    assert '<a href="/shop">Shop</a>' in page
    assert '<a href="/cart">Cart</a>' in page
    # ... and the LMS's own page is all there: its stylesheet, script, CSRF token and content
    assert re.search(r'rel="stylesheet" href="/learn/lms-static/lms.css\?v=[0-9a-f]{12}">', page)
    assert re.search(r'src="/learn/lms-static/lms.js\?v=[0-9a-f]{12}"', page)
    assert '<meta name="csrf-token"' in page
    assert "Getting ready to export" in page  # a module of the catalog
    assert "Bantala Leather Complex" not in page  # not the host's own layout.html
    assert "<script>" not in page and "style=" not in page  # still fits the LMS's CSP


def _config_snapshot(app: Flask) -> dict[str, object]:
    return copy.deepcopy(dict(app.config))


@pytest.mark.parametrize("how", ["without db=", "another SQLAlchemy"])
def test_a_refused_init_changes_nothing(make_host: Callable[..., Flask], how: str) -> None:
    app = make_host(migrate=False, MOUNT_LMS=False)
    before = _config_snapshot(app)
    extensions, blueprints = set(app.extensions), dict(app.blueprints)
    before_request = copy.copy(app.before_request_funcs)
    commands = set(app.cli.commands)

    with pytest.raises(RuntimeError):
        if how == "without db=":
            LMS(app, url_prefix="/learn")
        else:
            LMS(app, db=SQLAlchemy(), url_prefix="/learn")

    assert _config_snapshot(app) == before
    assert not [key for key in app.config if key.startswith("LMS_")]
    assert {k: v for k, v in app.config.items() if k.startswith("SESSION_COOKIE")} == {
        k: v for k, v in before.items() if k.startswith("SESSION_COOKIE")
    }
    assert set(app.extensions) == extensions and "lms" not in app.extensions
    assert app.blueprints == blueprints
    assert app.before_request_funcs == before_request
    assert set(app.cli.commands) == commands
    assert app.test_client().get("/").status_code == 200


def test_mounting_adds_lms_keys_and_changes_no_other_setting(
    make_host: Callable[..., Flask],
) -> None:
    app = make_host(migrate=False, MOUNT_LMS=False)
    before = _config_snapshot(app)
    LMS(app, db=db, url_prefix="/learn")
    after = {k: v for k, v in _config_snapshot(app).items() if not k.startswith("LMS_")}
    assert after == before  # SECRET_KEY, SESSION_COOKIE_*, SQLALCHEMY_* ... as the host set them
    assert app.config["LMS_URL_PREFIX"] == "/learn"


def test_create_all_then_lms_init_adopts_the_lms_tables(make_host: Callable[..., Flask]) -> None:
    app = make_host(migrate=False)
    with app.app_context():
        db.create_all()  # the host's own tables only: the LMS's are on their own MetaData
        assert set(inspect(db.engine).get_table_names()) == {"users", "orders"}
        lms_database.db.create_all()  # e.g. in a host's test set-up
        made = set(inspect(db.engine).get_table_names())
        assert set(lms_database.metadata.tables) <= made
        assert VERSION_TABLE not in made

    run_cli(app, "lms", "init")

    with app.app_context():
        versions = db.session.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
        assert sorted(versions) == sorted(current_heads())
        db.session.remove()
    run_cli(app, "lms", "init")  # and again: nothing to do

    client = app.test_client()
    sign_in(client, add_member(app))
    assert client.get("/learn/my/record").status_code == 200


def _pragmas(app: Flask) -> dict[str, object]:
    """The settings of a new connection from the host's engine."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("foreign_keys", "journal_mode", "busy_timeout", "synchronous")
        }


def test_the_hosts_sqlite_pragmas_are_its_own(
    make_host: Callable[..., Flask], tmp_path: Path
) -> None:
    without = make_host(
        migrate=False, MOUNT_LMS=False, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'a.db'}"
    )
    run_cli(without, "db", "upgrade")
    expected = _pragmas(without)
    assert expected["foreign_keys"] == 0
    assert expected["journal_mode"] == "delete"

    mounted = make_host(migrate=False, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'b.db'}")
    migrate_all(mounted)
    client = mounted.test_client()
    sign_in(client, add_member(mounted))
    for path in ("/learn/", "/learn/modules", "/learn/my/record"):
        assert client.get(path).status_code == 200
    with mounted.app_context():
        db.engine.dispose()  # new connections, as a new worker would open them
    assert _pragmas(mounted) == expected

    # No foreign keys enforced, as the host had it: an orphan order still goes in.
    with mounted.app_context():
        db.session.add(Order(user_id=424242, item="gloves", quantity=1))
        db.session.commit()
        orphan = db.session.scalar(select(Order).where(Order.user_id == 424242))
        assert orphan is not None
