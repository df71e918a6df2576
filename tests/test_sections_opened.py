"""A module is finished only when every section has been opened (issue 17.9): the sections
opened are recorded per learner, finishing early names the sections still unread, and the
migration keeps the modules finished before it finished."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, inspect, select

from lms import signals
from lms.content import services
from lms.content.models import ReadingProgress, SectionOpened
from lms.db import db
from tests.conftest import login, post, write_module


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    write_module(root, "tanning", title="Tanning basics", bn="auto")
    return root


@pytest.fixture
def app(make_app: Callable[..., Flask], content: Path) -> Flask:
    return make_app(LMS_CONTENT_DIR=str(content))


@pytest.fixture
def learner(client: FlaskClient, make_user):  # noqa: ANN001, ANN201
    user = make_user("learner", name="Rekha")
    login(client, user.email)
    return user


def opened(app: Flask, user_id: int) -> set[int]:
    with app.app_context():
        return services.opened_sections(user_id, "tanning")


def completed(app: Flask, user_id: int) -> bool:
    with app.app_context():
        return services.has_completed(user_id, "tanning")


def test_finishing_from_the_last_section_alone_does_not_finish_the_module(
    app: Flask, client: FlaskClient, learner
) -> None:  # noqa: ANN001
    finished: list[dict] = []  # type: ignore[type-arg]
    receiver = lambda sender, **kw: finished.append(kw)  # noqa: E731
    signals.module_completed.connect(receiver, sender=app)
    try:
        response = post(client, "/modules/tanning/3/go", {"finish": "1"})
        assert response.headers["Location"] == "/modules/tanning/3"
        page = client.get("/modules/tanning/3").get_data(as_text=True)
        assert "Sections 1, 2 are still unread. Open them to finish the module." in page
        # The panel at the end of the page links to each unread section.
        assert 'href="/modules/tanning/1"' in page and "Section 1: First steps" in page
        assert "Section 2: Second steps" in page and "Section 3: Third steps" not in page
        assert not completed(app, learner.id) and finished == []
        post(client, "/modules/tanning/1/seen")
        response = post(client, "/modules/tanning/3/go", {"finish": "1"})
        assert response.headers["Location"] == "/modules/tanning/3"
        assert "Section 2 is still unread." in client.get("/modules/tanning/3").get_data(
            as_text=True
        )
        post(client, "/modules/tanning/2/seen")
        response = post(client, "/modules/tanning/3/go", {"finish": "1"})
        assert response.headers["Location"] == "/modules/tanning?done=1"
    finally:
        signals.module_completed.disconnect(receiver, sender=app)
    assert completed(app, learner.id)
    assert finished == [{"user_id": learner.id, "module_id": "tanning"}]


def test_next_previous_and_the_page_itself_record_the_sections_opened(
    app: Flask, client: FlaskClient, learner
) -> None:  # noqa: ANN001
    assert opened(app, learner.id) == set()
    post(client, "/modules/tanning/1/go", {"to": "2"})  # had 1 open, goes to 2
    assert opened(app, learner.id) == {1, 2}
    post(client, "/modules/tanning/3/seen")  # the page's script, on opening section 3
    assert opened(app, learner.id) == {1, 2, 3}
    post(client, "/modules/tanning/3/seen")  # again: still once each
    with app.app_context():
        rows = db.session.scalars(select(SectionOpened.section)).all()
    assert sorted(rows) == [1, 2, 3]
    assert client.post("/modules/tanning/2/go", data={"to": "1"}).status_code == 400  # no CSRF
    assert post(client, "/modules/tanning/9/go", {"to": "1"}).status_code == 404


def test_the_page_that_completes_the_reading_offers_to_finish(
    app: Flask, client: FlaskClient, learner
) -> None:  # noqa: ANN001
    post(client, "/modules/tanning/1/go", {"to": "3"})  # 1 and 3 opened, 2 skipped
    last = client.get("/modules/tanning/3").get_data(as_text=True)
    assert "Section 2: Second steps" in last and 'name="finish"' not in last
    second = client.get("/modules/tanning/2").get_data(as_text=True)
    assert "You have opened every section of this module." in second
    assert 'name="finish" value="1"' in second  # finishing works from here too
    response = post(client, "/modules/tanning/2/go", {"finish": "1"})
    assert response.headers["Location"] == "/modules/tanning?done=1"
    assert completed(app, learner.id)
    module_page = client.get("/modules/tanning?done=1").get_data(as_text=True)
    assert "You have finished reading. Well done!" in module_page


def test_the_module_page_ticks_the_sections_opened_not_those_passed_over(
    app: Flask, client: FlaskClient, learner
) -> None:  # noqa: ANN001
    post(client, "/modules/tanning/3/seen")  # jumped to the last section from the list
    page = client.get("/modules/tanning").get_data(as_text=True)
    ticks = page.split('class="sections"')[1].count('class="tick"')
    assert ticks == 1  # before, every section below the furthest one was ticked
    assert "1 of 3 sections read" in page


def test_a_finished_module_stays_finished_when_a_section_is_added(
    app: Flask, client: FlaskClient, learner, content: Path
) -> None:  # noqa: ANN001
    for number in (1, 2, 3):
        post(client, f"/modules/tanning/{number}/seen")
    post(client, "/modules/tanning/3/go", {"finish": "1"})
    english = content / "tanning" / "en.md"
    english.write_text(english.read_text() + "\n## Fourth steps\n\nMore.\n")
    with app.app_context():
        assert services.finish(learner.id, "tanning", 4, 4) == []
        assert services.reading_of(learner.id, "tanning", 4).completed


def test_bengali_reader_sees_bengali_digits_in_the_unread_message(
    app: Flask, client: FlaskClient, make_user
) -> None:  # noqa: ANN001
    user = make_user(locale="bn")
    login(client, user.email)
    post(client, "/modules/tanning/3/go", {"finish": "1"})
    page = client.get("/modules/tanning/3").get_data(as_text=True)
    assert "১, ২" in page  # the sections still unread, in Bengali digits


def test_the_migration_keeps_finished_modules_finished_and_records_what_was_reached(
    make_app: Callable[..., Flask], content: Path
) -> None:
    from alembic import command

    from lms import migrations
    from lms.accounts import services as accounts

    app = make_app(LMS_CONTENT_DIR=str(content))
    with app.app_context():
        done, reading = (
            accounts.create_user(f"{n}@example.org", n, "correct horse battery", ["learner"]).id
            for n in ("asha", "bikash")
        )
        db.session.remove()
        command.downgrade(migrations.alembic_config(), "0018")
        when = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
        for user_id, furthest, finished in ((done, 3, when), (reading, 2, None)):
            db.session.execute(
                insert(ReadingProgress.__table__).values(
                    user_id=user_id,
                    module_id="tanning",
                    current_section=furthest,
                    furthest_section=furthest,
                    sections_total=3,
                    completed_at=finished,
                    updated_at=when,
                )
            )
        db.session.commit()
        db.session.remove()
        command.upgrade(migrations.alembic_config(), "head")
        assert services.opened_sections(done, "tanning") == {1, 2, 3}
        assert services.opened_sections(reading, "tanning") == {1, 2}
        assert db.session.get(ReadingProgress, (done, "tanning")).completed_at is not None
        assert services.has_completed(done, "tanning")
        assert not services.has_completed(reading, "tanning")
        assert services.reading_of(reading, "tanning", 3).unread == [3]
        db.session.remove()
        command.downgrade(migrations.alembic_config(), "0018")
        assert "lms_section_opened" not in inspect(db.engine).get_table_names()
        command.upgrade(migrations.alembic_config(), "head")


def test_the_furthest_section_never_goes_back_when_saves_cross(app: Flask, make_user) -> None:  # noqa: ANN001
    """Two saves at once (two tablets, or a tablet sending the sections it read offline): the
    one that commits last must not lower the furthest section the other one saved. The first
    save's request still holds the row as it was (furthest 2) when the other commits 4, and
    then saves section 3."""
    from sqlalchemy import update

    user = make_user()
    with app.app_context():
        services.save_position(user.id, "tanning", 2, 5)
        held = db.session.get(ReadingProgress, (user.id, "tanning"))
        assert held.furthest_section == 2
        with db.engine.begin() as other:  # the other request, on its own connection
            other.execute(
                update(ReadingProgress)
                .where(ReadingProgress.user_id == user.id)
                .values(furthest_section=4, current_section=4)
            )
        saved = services.save_position(user.id, "tanning", 3, 5)
        assert (saved.current_section, saved.furthest_section) == (3, 4)
