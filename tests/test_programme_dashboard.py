"""The officials' dashboard: figures worked out by hand on a small programme, filters, SVG charts,
CSV/XLSX downloads, the PDF report in Bengali, admin-only access and the programme demo data."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from lms.certificates.models import Certificate
from lms.db import db
from lms.i18n import format_percent
from lms.programme import scope
from lms.programme.dashboard import charts, reports
from lms.programme.dashboard import tables as dashboard_tables
from lms.programme.dashboard.services import Dashboard
from lms.programme.models import (
    Assessment,
    Beneficiary,
    Cluster,
    Enrolment,
    Enterprise,
    Feedback,
    Milestone,
    Programme,
    SessionModule,
    TrainingSession,
)
from lms.quiz import results
from lms.quiz.models import Attempt
from tests.conftest import login

SVG = re.compile(r"<svg .*?</svg>", re.S)
NS = "{http://www.w3.org/2000/svg}"
PROGRAMME_NAME = "চর্মশিল্প দক্ষতা কর্মসূচি"
#: The day the world below is built for; dashboards are asked about this day, not the clock's,
#: so a run that passes midnight sees the same figures.
TODAY = date.today()
BASE = TODAY - timedelta(days=60)


@dataclass
class Fixture:
    programme: int
    other: int
    tangra: int
    savar: int
    trainer1: int
    trainer2: int
    learner: int


def _areas() -> list[str]:
    from lms.programme.needs import services as needs

    return list(needs.area_titles())


def _gaps(value: float, **special: float | None) -> dict[str, float | None]:
    return {area: special.get(area, value) for area in _areas()}


def _answers(complete: bool = True) -> dict[str, str]:
    """Answers to every question of the shipped questionnaire (all but one if not complete)."""
    from lms.programme.needs import services as needs

    questions = needs.questionnaire().questions
    return {q.id: q.options[0].id for q in (questions if complete else questions[1:])}


def _session(title: str, day: date, cluster: Cluster, programme: Programme, trainers, people):  # noqa: ANN001, ANN202
    """``people``: ``{beneficiary: present}``."""
    session = TrainingSession(
        title=title,
        held_on=day,
        cluster=cluster,
        programme_id=programme.id,
        checkin_token=f"token-{title}",
    )
    session.trainers = list(trainers)
    session.enrolments = [Enrolment(beneficiary=b, present=p) for b, p in people.items()]
    db.session.add(session)
    return session


@pytest.fixture
def world(app: Flask, make_user) -> Fixture:  # noqa: ANN001
    """Two clusters, six people, three sessions held in the programme (3, 2 and 1 present), one
    held with nobody present, one planned, and one in another programme."""
    t1 = make_user("trainer", name="সুব্রত দাস")
    t2 = make_user("trainer", name="Rita Mukherjee")
    learner = make_user("learner", name="শম্পা দাস")
    stranger = make_user("learner")
    with app.app_context():
        from lms.accounts.models import User

        trainer1, trainer2 = db.session.get(User, t1.id), db.session.get(User, t2.id)
        programme = Programme(
            name=PROGRAMME_NAME,
            starts_on=BASE,
            ends_on=TODAY + timedelta(days=60),
            target_sessions=4,
            target_per_session=3,
            target_women_share=0.5,
            target_marginalised_share=0.25,
        )
        programme.milestones = [
            Milestone(
                kind="assessment",
                due_on=BASE + timedelta(days=10),
                done_on=BASE + timedelta(days=5),
            ),
            Milestone(kind="delivery", due_on=TODAY + timedelta(days=40)),
        ]
        other = Programme(name="Another programme", starts_on=BASE, ends_on=TODAY)
        tangra, savar = (
            Cluster(name="Tangra", country="IN"),
            Cluster(name="Savar (Tannery Estate)", country="BD"),
        )
        e1 = Enterprise(name="Shampa Bags", cluster=tangra, segment="leather-goods", women_led=True)
        e2 = Enterprise(name="Alam Footwear", cluster=tangra, segment="footwear")
        e3 = Enterprise(name="Savar Tannery", cluster=savar, segment="tannery")
        db.session.add_all([programme, other, e1, e2, e3])
        db.session.flush()
        b1 = Beneficiary(
            enterprise=e1,
            name="b1",
            gender="female",
            social_category="sc",
            category_consent=True,
            user_id=learner.id,
        )
        b2 = Beneficiary(enterprise=e1, name="b2", gender="male")
        b3 = Beneficiary(
            enterprise=e2,
            name="b3",
            gender="female",
            social_category="general",
            category_consent=True,
        )
        b4 = Beneficiary(
            enterprise=e2, name="b4", gender="male", social_category="obc", category_consent=True
        )
        b5 = Beneficiary(enterprise=e3, name="b5", gender="female")
        b6 = Beneficiary(
            enterprise=e3,
            name="b6",
            gender="male",
            social_category="minority",
            category_consent=True,
        )
        s1 = _session(
            "S1",
            BASE + timedelta(days=10),
            tangra,
            programme,
            [trainer1],
            {b1: True, b2: True, b3: True, b4: False},
        )
        s1.module_rows = [SessionModule(module_slug="gst-vat", position=0)]
        s2 = _session(
            "S2", BASE + timedelta(days=20), savar, programme, [trainer2], {b5: True, b6: True}
        )
        _session(
            "S3",
            BASE + timedelta(days=30),
            tangra,
            programme,
            [trainer1, trainer2],
            {b1: False, b4: True},
        )
        _session("S4", TODAY + timedelta(days=5), tangra, programme, [trainer1], {b2: False})
        _session("S5", BASE + timedelta(days=15), tangra, other, [trainer1], {b2: True})
        _session("S6", BASE + timedelta(days=40), savar, programme, [trainer2], {b5: False})
        db.session.flush()
        db.session.add_all(
            [
                Feedback(
                    session_id=s1.id,
                    user_id=learner.id,
                    role="participant",
                    ratings={"overall": 5, "useful": 4},
                ),
                Feedback(
                    session_id=s1.id,
                    user_id=stranger.id,
                    role="participant",
                    ratings={"overall": 3},
                ),
                Feedback(session_id=s1.id, user_id=t1.id, role="trainer", ratings={"overall": 1}),
                Feedback(
                    session_id=s2.id, user_id=None, role="participant", ratings={"overall": 2}
                ),
            ]
        )
        issued = datetime.combine(BASE + timedelta(days=12), time(10), tzinfo=UTC)
        for code, user_id, slug, revoked in (
            ("C1", learner.id, "gst-vat", None),
            ("C2", learner.id, "e-commerce", issued),
            ("C3", stranger.id, "gst-vat", None),
        ):
            db.session.add(
                Certificate(
                    code=code,
                    user_id=user_id,
                    kind="module",
                    achievement_id=slug,
                    titles={"en": slug.upper(), "bn": "জিএসটি"},
                    holder_name="x",
                    score_band="pass",
                    issued_at=issued,
                    revoked_at=revoked,
                    kid="k",
                    credential_jwt="jwt",
                )
            )
        for kind, score in (("pre", 4), ("post", 8), ("retention", 6)):
            db.session.add(
                Attempt(
                    user_id=learner.id,
                    module_id="gst-vat",
                    kind=kind,
                    number=1,
                    form="A",
                    country="IN",
                    locale="bn",
                    seed=1,
                    items=[],
                    started_at=issued,
                    submitted_at=issued,
                    score=score,
                    max_score=10,
                )
            )
        db.session.commit()
        results.rebuild()  # attempts written directly, not through the quiz's submit
        return Fixture(programme.id, other.id, tangra.id, savar.id, t1.id, t2.id, learner.id)


def test_headline_figures_worked_by_hand(app: Flask, world: Fixture) -> None:
    with app.test_request_context():
        dash = Dashboard(scope.Filters(programme_id=world.programme), today=TODAY)
        assert [r.session.title for r in dash.held] == ["S1", "S2", "S3"]  # S6: nobody came
        assert dash.at_target(dash.held) == 1  # only S1 reached 3 present
        assert dash.mean_present == pytest.approx(2.0)
        assert dash.upcoming == 1
        out = dash.outreach
        assert (out.people, out.women, out.women_led, out.marginalised) == (6, 3, 2, 3)
        assert out.women_share == pytest.approx(0.5)
        assert out.women_led_share == pytest.approx(1 / 3)
        assert dash.certificates_issued == 1  # the revoked one and a stranger's do not count
        assert dash.gain == pytest.approx((80 - 40) / 60)
        assert dash.retention_ratio == pytest.approx(0.75)
        cells = dashboard_tables.headline(dash).cells()
        assert cells[0] == ["Sessions held", "3", "4"]
        assert cells[4] == ["Women", "50%", "50%"]


def test_sessions_and_clusters(app: Flask, world: Fixture) -> None:
    with app.test_request_context():
        dash = Dashboard(scope.Filters(programme_id=world.programme), today=TODAY)
        rows = {r.session.title: r for r in dash.sessions}
        assert (rows["S1"].enrolled, rows["S1"].present, rows["S1"].outreach.women) == (4, 3, 2)
        assert rows["S1"].rating == pytest.approx(4.0) and rows["S1"].responses == 2
        assert rows["S2"].rating == pytest.approx(2.0)
        assert rows["S4"].held is False and rows["S6"].held is False
        savar, tangra = dash.clusters  # by name
        assert (tangra.name, tangra.held, tangra.at_target, tangra.outreach.people) == (
            "Tangra",
            2,
            1,
            4,
        )
        assert tangra.outreach.marginalised_share == pytest.approx(0.5)
        assert (savar.held, savar.at_target, savar.outreach.people, savar.outreach.women_led) == (
            1,
            0,
            2,
            0,
        )
        session_rows = dashboard_tables.sessions(dash).cells()
        assert session_rows[0][2:] == [
            "Tangra",
            "সুব্রত দাস",
            session_rows[0][4],
            "4",
            "3",
            "2",
            "1",
            "4",
            "2",
        ]
        trainers = {t.name: t for t in dash.trainers}
        assert (trainers["সুব্রত দাস"].sessions, trainers["সুব্রত দাস"].responses) == (2, 2)
        assert trainers["Rita Mukherjee"].rating == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("change", "held", "people"),
    [
        ({"cluster_id": "savar"}, ["S2"], 2),
        ({"start": 15, "end": 25}, ["S2"], 2),
        ({"trainer_id": "trainer2"}, ["S2", "S3"], 3),
        ({"programme_id": "other"}, ["S5"], 1),
        ({"programme_id": None}, ["S1", "S5", "S2", "S3"], 6),
    ],
)
def test_filters_change_the_figures(app: Flask, world: Fixture, change, held, people) -> None:  # noqa: ANN001
    values = {}
    for key, value in change.items():
        if key in ("start", "end"):
            values[key] = BASE + timedelta(days=value)
        else:
            values[key] = getattr(world, value) if isinstance(value, str) else value
    with app.test_request_context():
        filters = replace(scope.Filters(programme_id=world.programme), **values)
        dash = Dashboard(filters, today=TODAY)
        assert [r.session.title for r in dash.held] == held
        assert dash.outreach.people == people


def test_timeline_and_milestones(app: Flask, world: Fixture) -> None:
    with app.test_request_context():
        dash = Dashboard(scope.Filters(programme_id=world.programme), today=TODAY)
        t = dash.timeline
        assert t.days[:2] == [BASE, BASE + timedelta(days=6)] and t.days[-1] == TODAY
        assert t.sessions[-1] == 3 and t.beneficiaries[-1] == 6
        assert t.sessions[1:3] == [0, 1]  # S1 on day 10 is in the second week
        due = TODAY + timedelta(days=40)
        assert t.target_sessions[-1] == pytest.approx(4 * 60 / (due - BASE).days)
        assert t.target_beneficiaries[-1] == pytest.approx(12 * 60 / (due - BASE).days)
        statuses = {m.kind: m.status for m in dash.milestones}
        assert statuses == {"assessment": "done", "delivery": "on-track"}  # 3 held, path at 2.4


def test_scores_gaps_and_certificates(app: Flask, world: Fixture) -> None:
    with app.app_context():
        e1, e2, e3 = db.session.scalars(select(Enterprise).order_by(Enterprise.id)).all()
        area, other_area = _areas()[:2]
        old = datetime.now(UTC) - timedelta(days=30)
        full, part = _answers(), _answers(complete=False)

        def assessment(enterprise: Enterprise, answers, gaps, **kw) -> Assessment:  # noqa: ANN001
            return Assessment(
                enterprise_id=enterprise.id, version="1", answers=answers, gaps=gaps, **kw
            )

        db.session.add_all(
            [
                assessment(e1, full, _gaps(0.9), submitted_at=old),
                assessment(e1, full, _gaps(0.2, **{other_area: 0.6})),
                assessment(e2, full, _gaps(0.4, **{other_area: 0.0}), submitted_at=old),
                assessment(e2, part, _gaps(0.1, **{other_area: None})),  # not finished
                assessment(e3, full, _gaps(1.0)),
            ]
        )
        db.session.commit()
    with app.test_request_context():
        dash = Dashboard(scope.Filters(programme_id=world.programme), today=TODAY)
        (module,) = dash.scores
        assert module.slug == "gst-vat" and module.learners == 1
        assert (
            module.histogram("pre")[4],
            module.histogram("post")[8],
            module.histogram("retention")[6],
        ) == (1, 1, 1)
        gaps = dash.gaps
        assert gaps.clusters == ["Savar (Tannery Estate)", "Tangra"] and gaps.counts == [1, 2]
        columns = [a for a, _title in gaps.areas]
        assert gaps.values[1][columns.index(area)] == pytest.approx(0.3)  # (0.2 + 0.4) / 2
        assert gaps.values[1][columns.index(other_area)] == pytest.approx(0.3)  # (0.6 + 0.0) / 2
        assert gaps.values[0][columns.index(area)] == pytest.approx(1.0)
        assert [(c.achievement, c.issued, c.revoked) for c in dash.certificates] == [
            ("gst-vat", 1, 0),
            ("e-commerce", 0, 1),
        ]
        heat = reports.figures(dash)["gaps"]
        root = ET.fromstring(SVG.search(heat).group(0))
        texts = [t.text for t in root.iter(f"{NS}text")]
        assert texts.count("30%") >= 2 and "100%" in texts


def _svg_root(markup: str) -> ET.Element:
    return ET.fromstring(SVG.search(markup).group(0))


def test_charts_are_well_formed_and_described(app: Flask) -> None:
    with app.test_request_context():
        bars = charts.bar_chart("b", "Present <per> session", [("S&1", 3), ("S2", 1)], target=3)
        root = _svg_root(bars)
        assert root.get("role") == "img" and root.get("viewBox").startswith("0 0 640")
        assert root.find(f"{NS}title").text == "Present <per> session"
        assert (
            "S&1: 3" in root.find(f"{NS}desc").text and "Target: 3" in root.find(f"{NS}desc").text
        )
        assert "style=" not in bars and "<table" in bars and "S&amp;1" in bars
        line = charts.line_chart(
            "l",
            "Sessions",
            [charts.Series("Held", [(BASE, 0), (TODAY, 5)])],
            target=charts.Series("Target path", [(BASE, 0), (TODAY, 8)]),
            milestones=[(TODAY, "Delivery")],
        )
        assert "Held 5" in _svg_root(line).find(f"{NS}desc").text
        hist = charts.histogram(
            "h", "Scores", ["0–49", "50–100"], [("Pre-test", [2, 1]), ("Post-test", [0, 3])]
        )
        assert len(_svg_root(hist).findall(f".//{NS}rect")) == 4 + 2  # bars and legend
        heat = charts.heat_map("m", "Gaps", ["Tangra"], ["Export", "Tax"], [[0.25, None]])
        texts = [t.text for t in _svg_root(heat).iter(f"{NS}text")]
        assert "25%" in texts and "—" in texts
        assert charts.heat_colour(0.0) != charts.heat_colour(0.95)
    with app.test_request_context(headers={"Accept-Language": "bn"}):
        bengali = charts.progress_bar("p", "নারী", 0.32, 0.3, fmt=format_percent)
        assert "৩২%" in _svg_root(bengali).find(f"{NS}desc").text


@pytest.fixture
def admin(client: FlaskClient, make_user, world: Fixture) -> FlaskClient:  # noqa: ANN001
    login(client, make_user("admin", locale="en").email)
    return client


def test_the_page_shows_every_chart_and_keeps_the_filters(
    admin: FlaskClient, world: Fixture
) -> None:
    page = admin.get(f"/programme/dashboard?cluster={world.tangra}").get_data(as_text=True)
    svgs = SVG.findall(page)
    assert len(svgs) >= 8
    for svg in svgs:
        assert ET.fromstring(svg).find(f"{NS}desc").text
    assert "Tangra" in page and PROGRAMME_NAME in page
    assert (
        f"/programme/dashboard/export/sessions.csv?programme={world.programme}&amp;cluster={world.tangra}"
        in page
    )
    assert f"/programme/report.pdf?programme={world.programme}&amp;cluster={world.tangra}" in page
    everything = admin.get("/programme/dashboard?programme=").get_data(as_text=True)
    assert (
        "export/sessions.csv?programme=&amp;" in everything
        or 'export/sessions.csv?programme="' in everything
    )


def test_csv_and_xlsx_downloads(admin: FlaskClient, world: Fixture) -> None:
    csv = admin.get(f"/programme/dashboard/export/clusters.csv?programme={world.programme}")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Cluster,Sessions held,")
    assert "Women (%)" in lines[0]
    assert lines[2] == "Tangra,2,1,2.0,4,50.0,50.0,50.0"
    xlsx = admin.get(
        f"/programme/dashboard/export/sessions.xlsx?programme={world.programme}&trainer={world.trainer2}"
    )
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Session", "Date")
    assert [r[0] for r in rows[1:]] == ["S2", "S3", "S6"]
    assert rows[1][6] == 2  # present, a number
    assert admin.get("/programme/dashboard/export/nothing.csv").status_code == 404
    assert admin.get("/programme/dashboard/export/clusters.pdf").status_code == 404


def test_the_pdf_report_in_bengali(
    app: Flask, client: FlaskClient, make_user, world: Fixture
) -> None:  # noqa: ANN001
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext missing: run `make system-deps` (poppler-utils)")
    login(client, make_user("admin", locale="bn").email)
    with client.get(f"/programme/report.pdf?programme={world.programme}") as response:
        assert response.mimetype == "application/pdf"
        pdf = response.data
    assert pdf.startswith(b"%PDF") and b"/Type /Page" in pdf
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    squeezed = "".join(text.split())
    for expected in ("চর্মশিল্পদক্ষতাকর্মসূচি", "সুব্রতদাস", "Tangra", "জিএসটি"):
        assert expected in squeezed, expected
    assert re.search("[০-৯]", squeezed)  # numbers in Bengali digits


def test_the_pdf_report_shows_the_latest_sessions_and_says_so(
    client: FlaskClient, make_user, world: Fixture, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    """A programme of 500 sessions would print 40 pages of them: the report lists the latest
    (here 2 of the 3 held, 2 of the 5 in the table) and says where the rest are; every figure
    still counts them all."""
    from lms.programme.dashboard import reports

    monkeypatch.setattr(reports, "REPORT_SESSIONS", 2)
    login(client, make_user("admin").email)
    pdf = client.get(f"/programme/report.pdf?programme={world.programme}").data
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    rest = "The sessions download (CSV or XLSX) has every one."
    assert f"The latest 2 of 3 sessions held. {rest}" in text
    assert f"The latest 2 of 5 sessions. {rest}" in text
    sessions = text.split("The latest 2 of 5 sessions")[1].split("Clusters")[0]
    assert "S6" in sessions and "S1 " not in sessions and "S2" not in sessions


@pytest.mark.parametrize(
    "path",
    ["/programme/dashboard", "/programme/dashboard/export/sessions.csv", "/programme/report.pdf"],
)
def test_only_admins(client: FlaskClient, make_user, path: str) -> None:  # noqa: ANN001
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    for role in ("learner", "trainer"):
        other = client.application.test_client()
        login(other, make_user(role).email)
        assert other.get(path).status_code == 403


def test_an_empty_programme_shows_no_data_but_works(client: FlaskClient, make_user) -> None:  # noqa: ANN001
    login(client, make_user("admin").email)
    page = client.get("/programme/dashboard").get_data(as_text=True)
    assert "No data yet." in page and "Choose a programme to compare with its targets." in page
    for svg in SVG.findall(page):
        ET.fromstring(svg)
    with client.get("/programme/report.pdf") as response:
        assert response.data.startswith(b"%PDF")
    lines = client.get("/programme/dashboard/export/sessions.csv").get_data(as_text=True)
    assert lines.lstrip("\ufeff").startswith("Session,Date,Cluster")


def test_admins_get_a_home_link(admin: FlaskClient) -> None:
    assert "/programme/dashboard" in admin.get("/").get_data(as_text=True)


def _counts() -> dict[str, int]:
    from lms.accounts.models import User

    tables = (
        Programme,
        Enterprise,
        Beneficiary,
        TrainingSession,
        Enrolment,
        User,
        Attempt,
        Certificate,
        Feedback,
        Assessment,
    )
    return {t.__name__: db.session.scalar(select(func.count()).select_from(t)) for t in tables}


def test_the_demo_loads_once_and_fills_every_chart(app: Flask) -> None:
    from lms.demo import load_demo
    from lms.programme import demo

    with app.app_context():
        load_demo("dakshata-demo")
        first = _counts()
        demo.load("dakshata-demo")
        load_demo("dakshata-demo")
        assert _counts() == first
        assert first["Beneficiary"] >= 600 and first["TrainingSession"] == 14
    with app.test_request_context():
        programme = db.session.scalar(select(Programme).where(Programme.name == demo.NAME))
        dash = Dashboard(scope.Filters(programme_id=programme.id))
        assert len(dash.held) == 12 and dash.upcoming == 2
        assert {r.present < 50 for r in dash.held} == {True, False}
        assert len(dash.clusters) == 3 and 0.2 < dash.outreach.women_share < 0.5
        assert len(dash.timeline.days) > 4 and dash.milestones
        assert all(m.learners for m in dash.scores) and dash.certificates_issued > 0
        assert len(dash.gaps.clusters) >= 3 and all(dash.gaps.counts)
        assert all(t.responses for t in dash.trainers)
        for markup in reports.figures(dash).values():
            assert "No data yet" not in markup
            _svg_root(markup)


def test_the_report_grid_measures_text_as_fpdf2_does(app: Flask) -> None:
    """The report draws plain text itself and right-aligns it by widths summed from the font:
    they must be fpdf2's own, in both families, or the numbers' columns would be ragged."""
    from fpdf import FPDF

    from lms.certificates.pdf import use_noto_fonts
    from lms.programme.dashboard import pdf_grid

    pdf = FPDF()
    with app.app_context():
        use_noto_fonts(pdf)
    pdf.add_page()
    checked = 0
    for family in pdf_grid.FAMILIES:
        for style in ("", "B"):
            pdf.set_font(family, style, 8.5)
            for text in ("Tangra (Kolkata) 12", "১২,৩৪৫", "45%", "০.৮", "—"):
                if pdf_grid.needs_shaping(text) or not pdf_grid.has_glyphs(pdf, text):
                    continue
                pdf.set_text_shaping(False)
                assert pdf_grid.text_width(pdf, text) == pytest.approx(pdf.get_string_width(text))
                checked += 1
    pdf.output()  # closes the font files
    assert checked >= 8
