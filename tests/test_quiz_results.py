"""Trainers' results: gain and retention per learner and group, item analysis, ranking, and
results narrowed to a programme or a training session."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from lms.db import db
from lms.quiz import results as res
from lms.quiz import services
from lms.quiz.models import Attempt
from tests.conftest import login, write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(root))


def take(app: Flask, user_id: int, kind: str, right: int, when: datetime | None = None) -> Attempt:
    """A submitted attempt with the first ``right`` items answered right, the rest wrong."""
    with app.app_context():
        module = app.extensions["lms"].content_library.get("tanning")
        attempt = services.start_attempt(user_id, module, kind, "en", when)
        for index, entry in enumerate(attempt.items):
            if index < right:
                services.save_answer(attempt, entry["id"], RIGHT[entry["id"]], when)
        services.submit(attempt, (when or datetime.now(UTC)) + timedelta(minutes=5))
        db.session.expunge(attempt)
        return attempt


def test_gain_and_retention_formulas() -> None:
    assert res.normalised_gain(40, 70) == pytest.approx(0.5)
    assert res.normalised_gain(100, 100) is None
    assert res.normalised_gain(60, 30) == pytest.approx(-0.75)
    assert res.retention_ratio(80, 60) == pytest.approx(0.75)
    assert res.retention_ratio(0, 60) is None


def test_results_per_learner_and_group(app, make_user) -> None:  # noqa: ANN001
    a, b = make_user(name="Asha"), make_user(name="Bikash")
    past = datetime.now(UTC) - timedelta(days=40)
    take(app, a.id, "pre", 1, past)  # 33%
    take(app, a.id, "post", 3, past + timedelta(days=1))  # 100%
    take(app, a.id, "retention", 2)  # 67%
    take(app, b.id, "pre", 0, past)
    take(app, b.id, "post", 0, past + timedelta(days=1))
    take(app, b.id, "post", 3, past + timedelta(days=2))  # a retry: best, not first
    with app.app_context():
        rows = res.results_for([a.id, b.id], "tanning")
        asha, bikash = rows
        assert asha.pre == pytest.approx(100 / 3) and asha.post == 100
        assert asha.gain == pytest.approx(1.0)
        assert asha.retention_ratio == pytest.approx(2 / 3)
        assert bikash.post == 0 and bikash.best_post == 100 and bikash.gain == 0
        summary = res.summarise(rows)
        assert summary.learners == 2 and summary.post == 50
        assert summary.gain == pytest.approx(0.5)
        assert summary.class_gain == pytest.approx((50 - 100 / 6) / (100 - 100 / 6))


def test_trainer_results_page_and_csv(app, client, make_user) -> None:  # noqa: ANN001
    learner = make_user(name='=HYPERLINK("http://evil")')
    take(app, learner.id, "pre", 1)
    take(app, learner.id, "post", 3)
    trainer = make_user("trainer")
    login(client, trainer.email)
    page = client.get("/quiz/results?module=tanning").get_data(as_text=True)
    assert "Average normalised gain" in page and "100%" in page
    data = client.get("/quiz/results?module=tanning&format=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))
    assert rows[0][:3] == ["name", "email", "pre_percent"]
    assert rows[1][0].startswith("'=HYPERLINK")  # no formula injection in spreadsheets
    assert rows[1][2:4] == ["33.3", "100.0"]


def test_learners_cannot_see_results(client, make_user) -> None:  # noqa: ANN001
    learner = make_user()
    login(client, learner.email)
    for path in ("/quiz/results", "/quiz/ranking", "/quiz/analysis/tanning"):
        assert client.get(path).status_code == 403, path


def test_item_analysis_page_flags_items(app, client, make_user) -> None:  # noqa: ANN001
    for n in range(6):
        user = make_user()
        take(app, user.id, "pre", n % 4)
    author = make_user("author", locale="bn")
    login(client, author.email)
    page = client.get("/quiz/analysis/tanning?kind=pre").get_data(as_text=True)
    assert "t-single" in page or "t-multiple" in page
    assert "আইটেম বিশ্লেষণ" in page  # in the author's language
    assert 'class="flagged"' in page
    empty = client.get("/quiz/analysis/tanning?kind=retention").get_data(as_text=True)
    assert "এখনও জমা পড়া কোনো চেষ্টা নেই।" in empty


def test_analysis_uses_first_attempts_by_default(app, make_user) -> None:  # noqa: ANN001
    user = make_user()
    take(app, user.id, "post", 0)
    take(app, user.id, "post", 3)
    with app.app_context():
        first = res.analysis_for("tanning", "post")
        every = res.analysis_for("tanning", "post", first_only=False)
    assert first.test.n == 1 and first.test.mean == 0
    assert every.test.n == 2 and every.test.mean == 1.5


def test_ranking_marks_the_top_ten_percent(app, make_user) -> None:  # noqa: ANN001
    users = [make_user(name=f"Learner {n:02}") for n in range(11)]
    start = datetime.now(UTC) - timedelta(days=60)
    for n, user in enumerate(users):
        take(app, user.id, "post", 3 if n < 3 else n % 3, start + timedelta(hours=n))
    take(app, users[1].id, "retention", 3)  # breaks the tie at the top
    with app.app_context():
        rows = res.ranking([u.id for u in users], ["tanning"])
    assert len(rows) == 11
    assert [r.user.name for r in rows[:3]] == ["Learner 01", "Learner 00", "Learner 02"]
    assert [r.top for r in rows].count(True) == 2  # ceil(11 * 10%)
    assert rows[0].top and rows[1].top and not rows[2].top


def test_ranking_page_and_csv(app, client, make_user) -> None:  # noqa: ANN001
    learner = make_user(name="Top Learner")
    take(app, learner.id, "post", 3)
    admin = make_user("admin")
    login(client, admin.email)
    assert "Top Learner" in client.get("/quiz/ranking").get_data(as_text=True)
    data = client.get("/quiz/ranking?format=csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0][-1] == "mentorship_referral" and rows[1][1] == "Top Learner"
    assert rows[1][-1] == "yes"


def test_results_and_ranking_for_a_session_or_a_programme(app, client, make_user) -> None:  # noqa: ANN001
    from lms.programme.models import Beneficiary, Enrolment, Enterprise, Programme, TrainingSession

    a, b, outsider = make_user(name="A"), make_user(name="B"), make_user(name="Outsider")
    for user in (a, b, outsider):
        take(app, user.id, "post", 3)
    with app.app_context():
        programme = Programme(
            name="Leather 2026", starts_on=date(2026, 9, 1), ends_on=date(2026, 12, 31)
        )
        people = [Beneficiary(name=u.name, user_id=u.id) for u in (a, b)]
        db.session.add(Enterprise(name="Shampa Bags", segment="footwear", beneficiaries=people))
        session = TrainingSession(
            title="GST day 1",
            held_on=date(2026, 10, 1),
            checkin_token="t",
            programme=programme,
            enrolments=[
                Enrolment(beneficiary=people[0], present=True),
                Enrolment(beneficiary=people[1]),
            ],
        )
        db.session.add(session)
        db.session.commit()
        session_id, programme_id = session.id, programme.id
    login(client, make_user("trainer").email)
    page = client.get(f"/quiz/results?module=tanning&group=session:{session_id}").get_data(
        as_text=True
    )
    assert "Outsider" not in page and ">A<" in page and ">B<" in page
    assert "GST day 1" in page and "Leather 2026" in page  # the menu offers both kinds of group
    # A programme counts those present at its sessions.
    data = client.get(f"/quiz/ranking?group=programme:{programme_id}&format=csv").get_data(
        as_text=True
    )
    names = [row[1] for row in csv.reader(io.StringIO(data.lstrip("\ufeff")))][1:]
    assert names == ["A"]
    assert client.get("/quiz/results?group=session:999").status_code == 404
    assert client.get("/quiz/ranking?group=nonsense").status_code == 404


def test_long_results_and_rankings_come_in_pages(app, client, make_user, monkeypatch) -> None:  # noqa: ANN001
    """A page of rows at a time (the CSV has every one); ranks and the top 10 % run on."""
    from lms.quiz import results_views

    monkeypatch.setattr(results_views, "PAGE_SIZE", 4)
    users = [make_user(name=f"Learner {n:02}") for n in range(11)]
    start = datetime.now(UTC) - timedelta(days=60)
    for n, user in enumerate(users):
        take(app, user.id, "post", n % 4, start + timedelta(hours=n))
    login(client, make_user("trainer").email)

    def names(path: str) -> list[str]:
        page = client.get(path).get_data(as_text=True)
        return re.findall(r"<td>(Learner \d\d)</td>", page)

    assert names("/quiz/results?module=tanning") == [f"Learner {n:02}" for n in range(4)]
    third = client.get("/quiz/results?module=tanning&page=3").get_data(as_text=True)
    assert re.findall(r"<td>(Learner \d\d)</td>", third) == [
        "Learner 08",
        "Learner 09",
        "Learner 10",
    ]
    assert "9–11 of 11" in third and 'rel="prev"' in third and 'rel="next"' not in third
    assert names("/quiz/results?module=tanning&page=99") == names(
        "/quiz/results?module=tanning&page=3"
    )  # past the end: the last page
    assert names("/quiz/results?module=tanning&page=x") == names("/quiz/results?module=tanning")
    csv_rows = client.get("/quiz/results?module=tanning&format=csv").get_data(as_text=True)
    assert csv_rows.count("Learner ") == 11
    # The ranking: 3/3 right for n = 3, 7 (earliest first), then 2/3 ...
    first = client.get("/quiz/ranking").get_data(as_text=True)
    assert re.findall(r"<td>(Learner \d\d)</td>", first) == [
        "Learner 03",
        "Learner 07",
        "Learner 02",
        "Learner 06",
    ]
    assert first.count('class="top"') == 2  # ceil(11 / 10) of 11
    second = client.get("/quiz/ranking?page=2").get_data(as_text=True)
    assert 'class="top"' not in second and "5–8 of 11" in second
