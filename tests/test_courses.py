"""Courses (issue 20, part 1): course files checked with file and line, each learner's path with
the reason a course is locked, the trainer's eligibility list, admissions and its download, the
course certificate (an OB 3.0 credential whose evidence names the module certificates), and the
migration that turned the programme certificates into course certificates, still valid."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select

from lms.certificates import credential
from lms.certificates import services as certificates
from lms.certificates.models import Certificate
from lms.content import services as content
from lms.courses import definitions, paths, services
from lms.courses.checker import check_root
from lms.courses.models import CourseAdmission, CourseSession
from lms.db import db
from lms.programme.models import Mentorship, TrainingSession
from lms.quiz import services as quiz
from tests import jsonld_terms
from tests.conftest import build_app, login, post, write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT

BASE = "https://dakshata.example.org"
OB3 = Path(__file__).resolve().parents[2] / "shared" / "standards" / "ob3"

BASIC = """\
level: basic
order: 1
title: {en: "Basic course", bn: "প্রাথমিক কোর্স", bn_BD: "প্রাথমিক কোর্স"}
summary: {en: "Two modules.", bn: "দুটি মডিউল।", bn_BD: "দুটি মডিউল।"}
modules: [tanning, dyeing]
"""
ADVANCED = """\
level: advanced
order: 2
title: {en: "Export course", bn: "রপ্তানি কোর্স", bn_BD: "রপ্তানি কোর্স"}
summary: {en: "One module.", bn: "একটি মডিউল।", bn_BD: "একটি মডিউল।"}
modules: [exporting]
prerequisites:
  - course: basic
    min_score: 60
selection:
  - course: basic
    min_score: 85
  - mentorship: true
  - trainer: true
"""


def write_content(root: Path) -> Path:
    for order, (slug, title) in enumerate(
        (("tanning", "Tanning basics"), ("dyeing", "Dyeing"), ("exporting", "Exporting")), 1
    ):
        folder = write_module(root, slug, order=order, title=title, bn="auto", bn_BD="auto")
        (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    (root / "courses").mkdir(exist_ok=True)
    (root / "courses" / "basic.yaml").write_text(BASIC, encoding="utf-8")
    (root / "courses" / "advanced.yaml").write_text(ADVANCED, encoding="utf-8")
    return root


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    root = write_content(tmp_path / "content")
    return make_app(LMS_CONTENT_DIR=str(root), LMS_BASE_URL=BASE)


def earn(app: Flask, user_id: int, slug: str, right: int = 3) -> None:
    """Read ``slug`` and take its final test with ``right`` of 3 answers right."""
    with app.app_context():
        module = content.library().get(slug)
        content.save_position(user_id, slug, 3, 3, finished=True)
        attempt = quiz.start_attempt(user_id, module, "post", "en")
        for entry in attempt.items[:right]:
            quiz.save_answer(attempt, entry["id"], RIGHT[entry["id"]])
        quiz.submit(attempt)


def course_certificate(app: Flask, user_id: int, course_id: str) -> Certificate | None:
    with app.app_context():
        found = certificates.find(user_id, "course", course_id)
        if found is not None:
            db.session.expunge(found)
        return found


# 1. The files, checked with file and line.


def test_the_shipped_courses_have_no_problems(shipped_library) -> None:  # noqa: ANN001
    root = shipped_library.root
    slugs = [m.slug for m in shipped_library.modules()]
    assert check_root(root, slugs) == []
    found = definitions.load(root)
    levels = {c.id: c.level for c in found.courses}
    assert levels == {"basic": "basic", "export-advanced": "advanced"}
    advanced = found.get("export-advanced")
    assert advanced is not None and advanced.trainer_may_admit
    assert all(shipped_library.get(slug).level == "advanced" for slug in advanced.modules)


def problems_of(tmp_path: Path, text: str, name: str = "broken.yaml") -> list[tuple[int, str]]:
    root = write_content(tmp_path / "content")
    (root / "courses" / name).write_text(text, encoding="utf-8")
    found = check_root(root, ["tanning", "dyeing", "exporting"])
    return [(p.line, str(p.message)) for p in found if p.path.name == name]


def test_a_course_file_s_mistakes_are_named_with_their_line(tmp_path: Path) -> None:
    text = (
        "level: expert\n"  # line 1
        "title: {en: A, bn: B}\n"  # line 2: no bn_BD
        "summary: {en: A, bn: B, bn_BD: C}\n"
        "modules:\n"
        "  - tanning\n"
        "  - weaving\n"  # line 6: no such module
        "prerequisites:\n"
        "  - course: basic\n"
        "    min_score: 120\n"  # line 9
        "selection:\n"
        "  - mentorship: yes please\n"  # line 11
    )
    found = problems_of(tmp_path, text)
    assert (1, "level must be basic or advanced") in found
    assert (2, "title has no bn_BD") in found
    assert (9, "min_score must be a percent from 0 to 100") in found
    assert (11, "mentorship: write true") in found
    # The file's own mistakes keep it out; fixed, the links are checked at their lines.
    fixed = text.replace("expert", "basic").replace("bn: B}", "bn: B, bn_BD: C}")
    fixed = fixed.replace("120", "60").replace("yes please", "true")
    assert problems_of(tmp_path, fixed) == [(6, "course broken: no module weaving")]


def test_unknown_courses_circles_and_taken_ids_are_refused(tmp_path: Path) -> None:
    circle = ADVANCED.replace("course: basic\n    min_score: 60", "course: loop")
    assert (7, "course loop: no course nowhere") in problems_of(
        tmp_path, circle.replace("course: loop", "course: nowhere"), "loop.yaml"
    )
    assert (6, "course loop needs itself through its prerequisites") in problems_of(
        tmp_path, circle, "loop.yaml"
    )
    assert problems_of(tmp_path, BASIC, "tanning.yaml") == [
        (1, "course tanning has the id of a module")
    ]
    assert problems_of(tmp_path, BASIC, "programme.yaml")[0][1].startswith("the file name is")
    assert problems_of(tmp_path, "modules: [tanning\n", "bad.yaml")[0][0] == 2  # YAML error


def test_check_content_reports_course_problems(tmp_path: Path, make_app) -> None:  # noqa: ANN001
    root = write_content(tmp_path / "content")
    (root / "courses" / "basic.yaml").write_text(BASIC.replace("dyeing", "dying"), "utf-8")
    app = make_app(LMS_CONTENT_DIR=str(root))
    result = app.test_cli_runner().invoke(args=["lms", "check-content"])
    assert result.exit_code != 0
    assert "basic.yaml:5" in result.output
    assert result.output.count("no module dying") == 1  # once, not once per module


# 2. The path: done, open, locked, and why.


@pytest.fixture
def known(tmp_path: Path) -> definitions.Catalogue:
    found = definitions.load(write_content(tmp_path / "content"))
    assert found.problems == []
    return found


def test_a_course_is_locked_until_its_prerequisite_and_one_route_are_met(
    known: definitions.Catalogue,
) -> None:
    basic, advanced = known.get("basic"), known.get("advanced")
    nothing = paths.Record()
    assert paths.state_of(basic, nothing, known).state == paths.OPEN
    locked = paths.state_of(advanced, nothing, known)
    assert locked.state == paths.LOCKED
    assert [u.requirement.target for u in locked.unmet] == ["basic"]
    assert [u.requirement.kind for u in locked.routes] == ["course", "mentorship", "trainer"]
    half = paths.Record(certified={"tanning": 90.0})
    assert paths.state_of(basic, half, known).next_module == "dyeing"
    assert paths.state_of(advanced, half, known).unmet[0].score is None
    passed = paths.Record(certified={"tanning": 70.0, "dyeing": 80.0})
    finished = paths.state_of(basic, passed, known)
    assert finished.state == paths.DONE and finished.score == 75.0
    just = paths.state_of(advanced, passed, known)
    assert just.state == paths.LOCKED and just.unmet == ()
    assert just.routes[0].score == 75.0  # below the route's 85
    for record, how in (
        (paths.Record(certified={"tanning": 90.0, "dyeing": 80.0}), "course"),
        (paths.Record(certified=passed.certified, mentorship=True), "mentorship"),
        (paths.Record(admissions={"advanced": "Exports already"}), "trainer"),  # no basics
    ):
        opened = paths.state_of(advanced, record, known)
        assert (opened.state, opened.way_in) == (paths.OPEN, how)
    low = paths.Record(certified={"tanning": 50.0, "dyeing": 60.0}, mentorship=True)
    assert paths.state_of(advanced, low, known).unmet[0].score == 55.0


def test_the_path_page_says_why_a_course_is_locked_in_the_learners_language(
    app: Flask, make_user
) -> None:  # noqa: ANN001
    learner = make_user(locale="bn")
    earn(app, learner.id, "tanning", right=2)
    earn(app, learner.id, "dyeing", right=3)
    client = app.test_client()
    login(client, learner.email)
    page = client.get("/courses").get_data(as_text=True)
    assert 'data-course="basic"' in page and 'data-course="advanced"' in page
    advanced = page.split('data-course="advanced"')[1]
    assert "course-locked" in page.split('data-course="advanced"')[0][-200:]
    assert "৮৩" in advanced  # the learner's score (83%), in Bengali digits
    assert "৮৫" in advanced  # the route's 85%
    assert "83" not in advanced
    english = make_user(locale="en")
    login(client, english.email)
    page = client.get("/courses").get_data(as_text=True)
    advanced = page.split('data-course="advanced"')[1]
    assert "Finish the course “Basic course” with a score of at least 60%." in advanced
    module = client.get("/modules/exporting").get_data(as_text=True)
    assert "course-panel" in module and "Finish the course" in module
    record = client.get("/my/record").get_data(as_text=True).split("course-record")[1]
    assert 'data-course="advanced"' in record and "Finish the course" in record


# 3. The course certificate.


def test_finishing_the_modules_issues_one_course_certificate(app: Flask, make_user) -> None:  # noqa: ANN001
    learner = make_user(name="Rina Das")
    earn(app, learner.id, "tanning")
    assert course_certificate(app, learner.id, "basic") is None
    earn(app, learner.id, "dyeing")
    certificate = course_certificate(app, learner.id, "basic")
    assert certificate is not None and certificate.score_percent == 100.0
    with app.app_context():
        assert services.maybe_issue(learner.id) == []
        count = db.session.scalar(
            select(func.count()).select_from(Certificate).where(Certificate.kind == "course")
        )
        assert count == 1
    assert course_certificate(app, learner.id, "advanced") is None  # not finished, nor open


def test_the_course_credential_is_valid_and_names_its_module_certificates(
    app: Flask, client, make_user
) -> None:  # noqa: ANN001
    learner = make_user(name="Rina Das")
    earn(app, learner.id, "tanning")
    earn(app, learner.id, "dyeing")
    certificate = course_certificate(app, learner.id, "basic")
    claims = credential.payload(certificate.credential_jwt)
    if OB3.is_dir():
        schema = json.loads((OB3 / "achievementcredential-vc2.json").read_text())
        jsonschema.validate(claims, schema)
    assert jsonld_terms.dropped(claims) == []
    achievement = claims["credentialSubject"]["achievement"]
    assert achievement["name"] == "Basic course"
    assert achievement["id"] == f"{BASE}/achievements/basic"
    assert "Tanning basics" in achievement["criteria"]["narrative"]
    with app.app_context():
        codes = {
            slug: certificates.find(learner.id, "module", slug).code
            for slug in ("tanning", "dyeing")
        }
    evidence = claims["evidence"]
    assert [e["id"] for e in evidence] == [
        f"{BASE}/verify/{codes['tanning']}.json",
        f"{BASE}/verify/{codes['dyeing']}.json",
    ]
    assert [e["name"] for e in evidence] == ["Tanning basics", "Dyeing"]
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "✓ Valid" in page and "Basic course" in page
    about = client.get("/achievements/basic").json
    assert about["name"] == "Basic course" and about["type"] == ["Achievement"]
    assert client.get("/achievements/basic/bn").json["name"] == "প্রাথমিক কোর্স"
    assert client.get("/achievements/basic/image.png").mimetype == "image/png"


def test_the_course_certificate_pdf_is_in_bengali(app: Flask, client, make_user) -> None:  # noqa: ANN001
    from tests.test_certificate_pdf import download, squeezed

    learner = make_user(name="রিনা দাস", locale="bn")
    earn(app, learner.id, "tanning")
    earn(app, learner.id, "dyeing")
    certificate = course_certificate(app, learner.id, "basic")
    login(client, learner.email)
    text = squeezed(download(client, certificate.code, "bn"))
    assert "প্রাথমিককোর্স" in text and "রিনাদাস" in text


def test_concurrent_issues_make_one_course_certificate(app: Flask, make_user) -> None:  # noqa: ANN001
    learner = make_user()
    earn(app, learner.id, "tanning")
    earn(app, learner.id, "dyeing")
    with app.app_context():  # issued as the second module was: take it back to issue it again
        db.session.execute(Certificate.__table__.delete().where(Certificate.kind == "course"))
        db.session.commit()
    meeting = threading.Barrier(4, timeout=20)
    found: list[object] = []

    def issue() -> None:
        with app.app_context():
            meeting.wait()
            found.extend(c.code for c in services.maybe_issue(learner.id, "basic"))
            db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        rows = db.session.scalars(
            select(Certificate.code).where(Certificate.kind == "course")
        ).all()
    assert len(rows) == 1 and set(found) == set(rows)


# 4. The trainer's list, admissions, the download, sessions.


def test_the_trainer_sees_who_may_take_the_course_and_admits_with_a_reason(
    app: Flask, client, make_user
) -> None:  # noqa: ANN001
    star, close, new = (
        make_user(name="Asha Star"),
        make_user(name="Bina Close"),
        make_user(name="Chitra New"),
    )
    for learner, right in ((star, 3), (close, 2)):
        earn(app, learner.id, "tanning", right=right)
        earn(app, learner.id, "dyeing", right=right)
    trainer = make_user("trainer", name="Trainer Tapan")
    login(client, trainer.email)
    page = client.get("/courses/advanced/eligible").get_data(as_text=True)
    assert f'data-user="{star.id}"' in page and f'data-user="{close.id}"' not in page
    everyone = client.get("/courses/advanced/eligible?show=all").get_data(as_text=True)
    row = everyone.split(f'data-user="{close.id}"')[1].split("</tr>")[0]
    assert "One of these:" in row and "67%" in row and "(yours: 67%)" in row
    new_row = everyone.split(f'data-user="{new.id}"')[1].split("</tr>")[0]
    assert "Finish the course “Basic course”" in new_row
    refused = post(client, "/courses/advanced/admit", {"user": close.id, "reason": "  "})
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CourseAdmission)) == 0
    post(client, "/courses/advanced/admit", {"user": close.id, "reason": "Ships to Italy"})
    with app.app_context():
        admission = db.session.scalar(select(CourseAdmission))
        assert (admission.user_id, admission.admitted_by_id) == (close.id, trainer.id)
        assert admission.reason == "Ships to Italy"
        assert services.learner_path(close.id)[1].state == paths.OPEN
    page = client.get("/courses/advanced/eligible").get_data(as_text=True)
    assert "Ships to Italy" in page.split(f'data-user="{close.id}"')[1].split("</tr>")[0]


def test_the_selection_list_downloads_as_csv_and_xlsx(app: Flask, client, make_user) -> None:  # noqa: ANN001
    star = make_user(name="Asha Star")
    make_user(name="Dipa Other")
    earn(app, star.id, "tanning")
    earn(app, star.id, "dyeing")
    login(client, make_user("trainer").email)
    csv_text = client.get("/courses/advanced/eligible.csv").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Name,Enterprise,Country,May take it")
    assert len(lines) == 2 and lines[1].startswith("Asha Star,")
    response = client.get("/courses/advanced/eligible.xlsx?show=all")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    names = {r[0]: r for r in rows[1:]}
    assert set(names) == {"Asha Star", "Dipa Other"}
    assert names["Asha Star"][3] == "Yes" and names["Dipa Other"][3] == "No"
    assert "Finish the course" in names["Dipa Other"][6]
    assert client.get("/courses/advanced/eligible.pdf").status_code == 404


def test_only_trainers_see_the_list_and_admit(app: Flask, client, make_user) -> None:  # noqa: ANN001
    learner = make_user()
    login(client, learner.email)
    assert client.get("/courses/advanced/eligible").status_code == 403
    assert (
        post(client, "/courses/advanced/admit", {"user": learner.id, "reason": "me"}).status_code
        == 403
    )
    assert client.get("/courses/nowhere").status_code == 404


def test_concurrent_admissions_keep_one_row(app: Flask, make_user) -> None:  # noqa: ANN001
    learner, trainer = make_user(), make_user("trainer")
    meeting = threading.Barrier(4, timeout=20)

    def admit(n: int) -> None:
        with app.app_context():
            course = services.get("advanced")
            meeting.wait()
            services.admit(course, learner.id, f"reason {n}", trainer.id)
            db.session.remove()

    threads = [threading.Thread(target=admit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CourseAdmission)) == 1


def test_a_mentee_may_take_the_advanced_course(app: Flask, make_user) -> None:  # noqa: ANN001
    """The mentorship list opens the course, and a referral issues its certificate to a learner
    who had already finished its modules (``signals.mentees_referred``)."""
    from lms import signals

    learner = make_user()
    for slug in ("tanning", "dyeing", "exporting"):
        earn(app, learner.id, slug, right=2)
    with app.app_context():
        assert services.learner_path(learner.id)[1].state == paths.LOCKED
        assert certificates.find(learner.id, "course", "advanced") is None
        db.session.add(Mentorship(user_id=learner.id, status="proposed"))
        db.session.commit()
        signals.mentees_referred.send(app, user_ids=[learner.id])
        assert services.learner_path(learner.id)[1].state == paths.DONE
        assert certificates.find(learner.id, "course", "advanced") is not None


def test_a_course_lists_its_training_sessions(app: Flask, client, make_user) -> None:  # noqa: ANN001
    import datetime as dt

    with app.app_context():
        session = TrainingSession(
            title="Export day, Tangra", held_on=dt.date(2027, 1, 12), checkin_token="t" * 20
        )
        db.session.add(session)
        db.session.commit()
        session_id = session.id
    login(client, make_user("trainer").email)
    post(client, "/courses/advanced/sessions", {"session": session_id})
    with app.app_context():
        assert db.session.get(CourseSession, session_id).course_id == "advanced"
    learner = make_user()
    login(client, learner.email)
    page = client.get("/courses/advanced").get_data(as_text=True)
    assert "Export day, Tangra" in page
    login(client, make_user("trainer").email)
    post(client, "/courses/advanced/sessions", {"session": session_id, "action": "remove"})
    with app.app_context():
        assert db.session.get(CourseSession, session_id) is None


# 5. Courses replace the programme certificate.


def test_the_old_programme_setting_is_refused_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="courses replace the programme certificate"):
        build_app(tmp_path / "i", migrate=False, LMS_PROGRAMME_MODULES=("tanning",))


def test_the_migration_keeps_programme_certificates_valid(app: Flask, make_user) -> None:  # noqa: ANN001
    from alembic import command

    from lms import migrations
    from lms.certificates import achievements

    learner = make_user(name="Rina Das")
    with app.app_context():
        db.session.remove()
        command.downgrade(migrations.alembic_config(), "0023")
        about = achievements.text(achievements.PROGRAMME, "en")
        old = certificates.issue(
            learner.id, "programme", "programme", {"en": "Leather MSME skills programme"},
            80.0, "merit", about.about(),
        )  # fmt: skip
        code, token = old.code, old.credential_jwt
        db.session.remove()
        command.upgrade(migrations.alembic_config(), "head")
        moved = certificates.by_code(code)
        assert (moved.kind, moved.achievement_id) == ("course", "programme")
        assert moved.credential_jwt == token and moved.status() == "valid"
    client = app.test_client()
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "✓ Valid" in page and "Leather MSME skills programme" in page
    assert client.get("/achievements/programme").json["name"] == "Leather MSME skills programme"


def test_the_selection_list_is_written_from_the_command_line(
    app: Flask, make_user, tmp_path: Path
) -> None:  # noqa: ANN001
    star = make_user(name="Asha Star")
    make_user(name="Dipa Other")
    earn(app, star.id, "tanning")
    earn(app, star.id, "dyeing")
    runner = app.test_cli_runner()
    out = tmp_path / "list.xlsx"
    result = runner.invoke(args=["lms", "course-selection", "advanced", str(out), "--all"])
    assert result.exit_code == 0, result.output
    assert "1 of 2 learners may take it" in result.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["Asha Star", "Dipa Other"]
    csv_out = tmp_path / "list.csv"
    assert runner.invoke(args=["lms", "course-selection", "advanced", str(csv_out)]).exit_code == 0
    assert csv_out.read_text("utf-8-sig").splitlines()[1].startswith("Asha Star,")
    wrong = runner.invoke(args=["lms", "course-selection", "nowhere", str(csv_out)])
    assert wrong.exit_code != 0 and "courses: basic, advanced" in wrong.output


def test_issuing_what_was_earned_adds_course_certificates_of_courses_added_later(
    app: Flask, make_user
) -> None:  # noqa: ANN001
    """A deployment that adds a course: learners who had finished its modules get the course
    certificate from "issue what they have earned" (``flask lms issue-certificates``)."""
    learner = make_user()
    earn(app, learner.id, "tanning")
    earn(app, learner.id, "dyeing")
    with app.app_context():
        db.session.execute(Certificate.__table__.delete().where(Certificate.kind == "course"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["lms", "issue-certificates"])
    assert result.exit_code == 0, result.output
    assert course_certificate(app, learner.id, "basic") is not None


def test_only_a_certificate_that_can_complete_a_course_looks_for_course_certificates(
    app: Flask, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    """Issuing a module's certificate works out the learner's courses (several queries) only
    when it can complete one: a course teaches or requires the module, and the learner holds
    all that course's modules (bench/certificates.py)."""
    folder = write_module(Path(app.config["LMS_CONTENT_DIR"]), "pricing", order=4, title="Pricing")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    asked: list[int] = []
    real = services.maybe_issue
    monkeypatch.setattr(
        services, "maybe_issue", lambda user_id, *a: asked.append(user_id) or real(user_id, *a)
    )
    learner = make_user()
    earn(app, learner.id, "pricing")
    with app.app_context():
        assert certificates.find(learner.id, "module", "pricing") is not None
    assert asked == []
    earn(app, learner.id, "tanning")
    assert asked == []  # the basic course still lacks dyeing
    earn(app, learner.id, "dyeing")
    assert asked == [learner.id]
    assert course_certificate(app, learner.id, "basic") is not None
    requires = definitions.Course(
        "later",
        "advanced",
        3,
        {},
        {},
        ("exporting",),
        (definitions.Requirement("module", "pricing"),),
    )
    assert [c.id for c in definitions.Catalogue([requires]).mentioning("pricing")] == ["later"]
    assert definitions.Catalogue([requires]).mentioning("tanning") == []


def test_issuing_what_was_earned_counts_the_course_certificate_a_module_one_brings(
    app: Flask, make_user
) -> None:  # noqa: ANN001
    learner = make_user()
    earn(app, learner.id, "tanning")
    earn(app, learner.id, "dyeing")
    with app.app_context():
        db.session.execute(Certificate.__table__.delete())
        db.session.commit()
        issued = certificates.issue_for([learner.id])
        assert sorted((c.kind, c.achievement_id) for c in issued) == [
            ("course", "basic"),
            ("module", "dyeing"),
            ("module", "tanning"),
        ]
        assert certificates.issue_for([learner.id]) == []
