"""Needs assessment: the questionnaire as data (checked with file and line), gaps and roadmaps
worked by hand, owners answering on a tablet in their language, and cluster plans."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.accounts import services
from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.content import services as content
from lms.content.library import ContentLibrary
from lms.db import db
from lms.programme.models import Assessment, Beneficiary, Cluster, Enterprise, Programme
from lms.programme.needs import services as needs
from tests.conftest import PASSWORD, login, post, write_module

SHIPPED = Path(__file__).resolve().parent.parent / "modules_content" / needs.FILENAME
MODULES = {
    "export": ["export-readiness"],
    "tax": ["gst-vat"],
    "ecommerce": ["e-commerce", "branding"],
    "design": ["branding"],
    "branding": ["branding"],
    "finance": [],
    "credit": [],
    "quality": ["cleaner-production"],
    "environment": ["cleaner-production"],
}


def _option(option_id: str, score: int) -> str:
    return (
        f"      - {{id: {option_id}, score: {score}, "
        f"label: {{en: {option_id.title()}, bn: উত্তর {score}, bn_BD: জবাব {score}}}}}"
    )


def _question(area: str, number: int, scores: tuple[int, ...]) -> list[str]:
    names = ("none", "some", "most", "full")
    return [
        f"  - id: {area}-{number}",
        f"    area: {area}",
        f"    text: {{en: 'Question {number} about {area}?', bn: প্রশ্ন {number}, "
        f"bn_BD: প্রশ্ন {number}}}",
        "    options:",
        *[_option(names[i], score) for i, score in enumerate(scores)],
    ]


def questionnaire_text() -> str:
    """A small valid questionnaire: one question per area, two for export (out of 2 and 3)."""
    lines = ['version: "t1"', "areas:"]
    for area in needs.AREA_IDS:
        lines += [
            f"  - id: {area}",
            f"    title: {{en: {area.title()}, bn: {area} বাংলা, bn_BD: {area} বাংলাদেশ}}",
            f"    modules: [{', '.join(MODULES[area])}]",
        ]
    lines.append("questions:")
    for area in needs.AREA_IDS:
        lines += _question(area, 1, (0, 1, 2))
        if area == "export":
            lines += _question(area, 2, (0, 1, 2, 3))
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "needs.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, nth: int = 1) -> int:
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found[nth - 1]


@pytest.fixture
def small(tmp_path: Path) -> needs.Questionnaire:
    q = needs.load(write(tmp_path, questionnaire_text()))
    assert q.problems == [] and q.usable
    return q


# Gaps and roadmaps, worked by hand.


def test_gaps_by_hand(small: needs.Questionnaire) -> None:
    answers = {
        "export-1": "some",  # 1 of 2
        "export-2": "full",  # 3 of 3: export = 1 - 4/5
        "tax-1": "none",  # 0 of 2
        "ecommerce-1": "most",  # 2 of 2
        "design-1": "some",  # 1 of 2
        "branding-1": "bogus",  # not an option: not answered
    }
    gaps = needs.gaps(answers, small)
    assert list(gaps) == list(needs.AREA_IDS)
    assert gaps["export"] == pytest.approx(0.2)
    assert (gaps["tax"], gaps["ecommerce"], gaps["design"]) == (1.0, 0.0, 0.5)
    assert gaps["branding"] is None and gaps["finance"] is None
    assert needs.gaps({"export-2": "most"}, small)["export"] == pytest.approx(1 / 3)


def test_roadmap_orders_by_gap_then_questionnaire_order(small: needs.Questionnaire) -> None:
    gaps = {
        "export": 0.5,
        "tax": 0.8,
        "ecommerce": 0.5,  # ties with export, which comes first in the questionnaire
        "design": 0.34,  # just on the roadmap; branding is already there
        "branding": 0.33,  # just off
        "finance": 1.0,  # the largest gap, but no module yet
        "credit": None,
        "quality": 0.0,
    }
    assert [a.id for a in needs.gap_areas(gaps, small)] == [
        "finance",
        "tax",
        "export",
        "ecommerce",
        "design",
    ]
    assert needs.roadmap(gaps, small) == ["gst-vat", "export-readiness", "e-commerce", "branding"]
    swapped = {**gaps, "export": 0.5, "ecommerce": 0.6}
    assert needs.roadmap(swapped, small)[:3] == ["gst-vat", "e-commerce", "branding"]
    assert needs.roadmap({}, small) == []
    assert needs.roadmap(needs.gaps({"tax-1": "some", "export-2": "most"}, small), small) == [
        "gst-vat"  # tax 0.5 is a gap; export 1/3 is not
    ]


# The file: every mistake named with its line.


def problems_of(path: Path) -> list[str]:
    return [p.format(path.parent) for p in needs.load(path).problems]


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        ("    area: tax\n", "    area: taxes\n", "area: taxes", "unknown area taxes"),
        (
            "bn: প্রশ্ন 1, bn_BD: প্রশ্ন 1}",
            "bn: প্রশ্ন 1}",
            "text: {en: 'Question 1 about export?'",
            "text: missing language bn_BD",
        ),
        ("score: 1, label", "label", "{id: some, label", "option some needs a score"),
        ("id: credit-1", "id: tax-1", "id: tax-1", "duplicate question id tax-1 (also on line"),
        ("{id: most, score: 2", "{id: no, score: 2", "{id: no, score: 2", "id must be lowercase"),
        ("modules: [gst-vat]", "modules: gst-vat", "modules: gst-vat", "modules must be a list"),
        ('version: "t1"\n', "", "areas:", "version is missing"),
    ],
)
def test_mistakes_are_reported_with_their_line(
    tmp_path: Path, old: str, new: str, needle: str, expected: str
) -> None:
    text = questionnaire_text()
    assert old in text
    broken = text.replace(old, new, 1)
    path = write(tmp_path, broken)
    line = line_of(broken, needle, 2 if needle == "id: tax-1" else 1)
    found = problems_of(path)
    assert any(p.startswith(f"needs.yaml:{line}: error: {expected}") for p in found), found
    assert not needs.load(path).usable


def test_structural_mistakes(tmp_path: Path) -> None:
    text = questionnaire_text()
    no_quality_questions = re.sub(r"  - id: quality-1\n(    .*\n|      .*\n)*", "", text)
    found = problems_of(write(tmp_path, no_quality_questions))
    quality_line = line_of(no_quality_questions, "- id: quality")
    assert f"needs.yaml:{quality_line}: error: area quality has no questions" in found
    swapped = text.replace("- id: design", "- id: TMP").replace("- id: branding", "- id: design")
    found = problems_of(write(tmp_path, swapped.replace("- id: TMP", "- id: branding")))
    assert any("areas must be exactly these, once each, in this order" in p for p in found)
    bd = text.replace(
        "    area: tax\n", "    area: tax\n    text_BD: {bn: ভ্যাট}\n    txet: typo\n", 1
    )
    found = problems_of(write(tmp_path, bd))
    assert any(f":{line_of(bd, 'text_BD')}: error: text_BD gives English only" in p for p in found)
    assert f"needs.yaml:{line_of(bd, 'txet')}: warning: unknown key txet" in found
    found = problems_of(write(tmp_path, text + "  - {id: x, area: tax\n"))
    assert len(found) == 1 and re.match(r"needs\.yaml:\d+: error: YAML cannot be read", found[0])
    assert problems_of(tmp_path / "missing.yaml") == [
        "missing.yaml:1: error: the questionnaire file is missing or is not UTF-8 text"
    ]


def test_the_parsed_file_is_cached_until_it_changes(tmp_path: Path) -> None:
    path = write(tmp_path, questionnaire_text())
    first = needs.read(path)
    assert needs.read(path) is first
    path.write_text(questionnaire_text().replace('"t1"', '"t2"'), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = needs.read(path)
    assert second is not first and second.version == "t2"


# The questionnaire as shipped.


def test_the_shipped_questionnaire_is_complete_in_three_languages(app: Flask) -> None:
    with app.app_context():
        q = needs.questionnaire()
        assert q.path == SHIPPED
        assert q.problems == [] and q.usable
        assert needs.module_problems(q, content.library()) == []
        assert [a.id for a in q.areas] == list(needs.AREA_IDS)
        assert 20 <= len(q.questions) <= 27
        for area, questions in q.steps():
            assert 2 <= len(questions) <= 3, area.id
            assert set(area.titles) == {"en", "bn", "bn_BD"}
        for question in q.questions:
            assert set(question.question_text.values) == {"en", "bn", "bn_BD"}, question.id
            assert 3 <= len(question.options) <= 4, question.id
            for option in question.options:
                assert set(option.label_text.values) == {"en", "bn", "bn_BD"}, option.id
            for code in ("bn", "bn_BD"):
                text = question.question_text.values[code]
                assert len(re.findall("[\u0980-\u09ff]", text)) > 0.6 * len(re.findall(r"\w", text))
        assert needs.area_titles()["credit"] == "Credit access and digital loans"
        # Every gap has a module to close it: finance and credit have had theirs since issue 18.
        modules = {area.id: area.modules for area in q.areas}
        assert all(modules.values()), modules
        assert modules["finance"] == ["financial-literacy"]
        assert modules["credit"][0] == "digital-loans"
        gaps = {area: 0.0 for area in needs.AREA_IDS} | {"credit": 1.0, "finance": 0.5}
        assert needs.roadmap(gaps, q) == ["digital-loans", "financial-literacy"]


def test_each_country_reads_its_own_rules(app: Flask) -> None:
    with app.app_context():
        q = needs.questionnaire()
    tax = [question for question in q.questions if question.area == "tax"]
    india_en = " ".join(t.text("en", "IN") for t in tax)
    bangladesh_en = " ".join(t.text("en", "BD") for t in tax)
    assert "GST" in india_en and "VAT" not in india_en
    assert "VAT" in bangladesh_en and "GST" not in bangladesh_en and "BIN" in bangladesh_en
    west_bengal = " ".join(t.text("bn", "IN") for t in tax)
    bangladesh = " ".join(t.text(code, "BD") for t in tax for code in ("bn", "bn_BD"))
    assert "জিএসটি" in west_bengal and "ভ্যাট" not in west_bengal
    assert "ভ্যাট" in bangladesh and "মূসক" in bangladesh and "জিএসটি" not in bangladesh
    export = q.question("export-support")
    assert "রপ্তানি উন্নয়ন ব্যুরো" in export.text("bn_BD", "BD")
    assert "Export Promotion Bureau" in export.text("en", "BD")
    assert "Council for Leather Exports" in export.text("en", "IN")


def test_check_content_reports_the_questionnaire(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    shipped = runner.invoke(args=["lms", "check-content"])
    assert shipped.exit_code == 0 and "needs-assessment" not in shipped.output
    root = tmp_path / "content"
    write_module(root, "gst-vat", bn="auto", bn_BD="auto")
    assert [m.slug for m in ContentLibrary(root).modules()] == ["gst-vat"]
    clean = runner.invoke(args=["lms", "check-content", str(root)])
    assert clean.exit_code == 0, clean.output
    text = questionnaire_text()
    (root / needs.FILENAME).write_text(text, encoding="utf-8")
    assert [m.slug for m in ContentLibrary(root).modules()] == ["gst-vat"]  # not a module
    warned = runner.invoke(args=["lms", "check-content", str(root)])
    assert warned.exit_code == 0
    line = line_of(text, "modules: [export-readiness]")
    assert (
        f"{needs.FILENAME}:{line}: warning: module export-readiness is not in the library"
        in warned.output
    )
    (root / needs.FILENAME).write_text(text.replace("area: tax", "area: vat"), encoding="utf-8")
    broken = runner.invoke(args=["lms", "check-content", str(root)])
    assert broken.exit_code == 1
    assert (
        f"{needs.FILENAME}:{line_of(text, 'area: tax')}: error: unknown area vat" in broken.output
    )


# Owners on a tablet.


def make_owner(
    app: Flask, make_user: Callable, country: str = "IN", locale: str = "bn", name: str = "Alam"
) -> tuple[str, int]:
    user = make_user("learner", locale=locale)
    with app.app_context():
        cluster = db.session.query(Cluster).filter_by(country=country).first()
        if cluster is None:
            cluster = Cluster(name="Savar" if country == "BD" else "Tangra", country=country)
        enterprise = Enterprise(name=name, segment="footwear", cluster=cluster)
        enterprise.beneficiaries.append(Beneficiary(name=name, user_id=user.id))
        db.session.add(enterprise)
        db.session.commit()
        return user.email, enterprise.id


def screens(app: Flask, choose: Callable[[needs.Question], str]) -> list[dict[str, str]]:
    with app.app_context():
        steps = needs.questionnaire().steps()
    return [{f"answer-{q.id}": choose(q) for q in questions} for _area, questions in steps]


def lowest_in(*areas: str) -> Callable[[needs.Question], str]:
    """Choose no capability in ``areas`` and the best answer elsewhere."""

    def choose(question: needs.Question) -> str:
        ordered = sorted(question.options, key=lambda o: o.score)
        return (ordered[0] if question.area in areas else ordered[-1]).id

    return choose


def test_an_owner_answers_nine_screens_and_sees_the_roadmap_in_bengali(
    app: Flask, client: FlaskClient, make_user
) -> None:  # noqa: ANN001
    email, enterprise_id = make_owner(app, make_user)
    with app.app_context():
        owner_id = db.session.query(Beneficiary).one().user_id
        db.session.add(
            Certificate(
                code="TEST-CODE-001",
                user_id=owner_id,
                kind="module",
                achievement_id="gst-vat",
                titles={},
                holder_name="Alam",
                score_band="pass",
                kid="k",
                credential_jwt="x",
            )
        )
        db.session.commit()
        titles = {s: content.title(content.library().get(s), "bn") for s in ("gst-vat", "branding")}
    login(client, email)
    first = client.get("/programme/needs").get_data(as_text=True)
    assert 'name="step" value="1"' in first and "রপ্তানির নিয়মকানুন" in first
    assert "আপনার ইউনিটের কি ডিজিএফটি" in first  # India's Bengali
    answers = screens(app, lowest_in("tax", "design"))
    for number, screen in enumerate(answers, start=1):
        response = post(client, "/programme/needs", {"step": number, "go": "next", **screen})
        assert response.status_code == 302
    assert response.location.endswith("/programme/needs/roadmap")
    page = client.get("/programme/needs/roadmap").get_data(as_text=True)
    assert '<html lang="bn-IN">' in page
    assert "জিএসটি-র নিয়ম মেনে চলা" in page and "নতুন পণ্য ও ডিজাইন" in page
    assert "১০০" in page  # the gap, in Bengali digits
    gst, branding = page.index(titles["gst-vat"]), page.index(titles["branding"])
    assert gst < branding  # tax and design tie at 1.0: questionnaire order
    assert 'href="/modules/gst-vat"' in page and 'href="/modules/branding"' in page
    assert "✓" in page[gst:branding] and "✓" not in page[branding : page.index("</ol>")]
    assert "style=" not in page
    with app.app_context():
        saved = needs.latest(enterprise_id)
        assert saved.gaps["tax"] == 1.0 and saved.gaps["export"] == 0.0
        assert saved.user_id == owner_id and saved.locale == "bn" and saved.version == "2026-11"
        assert db.session.query(Assessment).count() == 1
    again = client.get("/programme/needs").get_data(as_text=True)
    assert "/programme/needs/roadmap" in again and "step=1" in again  # roadmap, or answer again


def test_a_partly_answered_assessment_resumes_where_it_stopped(
    app: Flask, client: FlaskClient, make_user
) -> None:  # noqa: ANN001
    email, enterprise_id = make_owner(app, make_user)
    login(client, email)
    answers = screens(app, lowest_in())
    for number in (1, 2, 3):
        post(client, "/programme/needs", {"step": number, "go": "next", **answers[number - 1]})
    # Another tablet, later: the same account goes on at screen 4.
    client.get("/programme/needs")
    resumed = client.get("/programme/needs").get_data(as_text=True)
    assert 'name="step" value="4"' in resumed
    back = client.get("/programme/needs?step=2").get_data(as_text=True)
    for field, option in answers[1].items():
        assert re.search(rf'name="{field}" value="{option}" required\s+checked', back)
    with app.app_context():
        assert needs.latest(enterprise_id) is None
        assert len(needs.draft(enterprise_id).answers) == sum(len(a) for a in answers[:3])
    incomplete = post(client, "/programme/needs", {"step": 4, "go": "next"})
    assert incomplete.status_code == 200
    # In the owner's language (bn): "Please choose an answer for every question."
    assert "অনুগ্রহ করে প্রতিটি প্রশ্নের একটি উত্তর বেছে নিন।" in incomplete.get_data(as_text=True)
    backwards = post(client, "/programme/needs", {"step": 4, "go": "back"})
    assert backwards.location.endswith("/programme/needs?step=3")


def test_bad_answers_are_refused_and_nothing_saved_is_lost(
    app: Flask, client: FlaskClient, make_user
) -> None:  # noqa: ANN001
    email, enterprise_id = make_owner(app, make_user)
    login(client, email)
    answers = screens(app, lowest_in())
    post(client, "/programme/needs", {"step": 1, "go": "next", **answers[0]})
    tampered = {field: "made-up" for field in answers[1]}
    response = post(client, "/programme/needs", {"step": 2, "go": "next", **tampered})
    assert response.status_code == 400
    assert "এ made-up নামে কোনো উত্তর নেই" in response.get_data(as_text=True)  # "has no answer"
    with app.app_context():
        kept = needs.draft(enterprise_id).answers
        assert kept == {f.removeprefix("answer-"): o for f, o in answers[0].items()}
        enterprise = db.session.get(Enterprise, enterprise_id)
        with pytest.raises(needs.NeedsError, match="There is no question nope"):
            needs.submit(enterprise, {"export-sold": "never", "nope": "x"}, None, "en")
        assert needs.draft(enterprise_id).answers == kept


@pytest.mark.parametrize(("locale", "expected"), [("bn_BD", "ভ্যাট"), ("bn", "ভ্যাট"), ("en", "VAT")])
def test_a_bangladesh_owner_reads_of_vat_not_gst(
    app: Flask, client: FlaskClient, make_user, locale: str, expected: str
) -> None:  # noqa: ANN001
    email, _enterprise_id = make_owner(app, make_user, country="BD", locale=locale)
    login(client, email)
    page = client.get("/programme/needs?step=2").get_data(as_text=True)
    question_text = " ".join(re.findall(r'<legend class="stem">([^<]*)</legend>', page))
    assert expected in question_text
    assert "GST" not in question_text and "জিএসটি" not in question_text


def test_who_may_open_what(app: Flask, make_user) -> None:  # noqa: ANN001
    anonymous = app.test_client()
    for path in ("/programme/needs", "/programme/needs/roadmap", "/programme/needs/clusters"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.location
    email, enterprise_id = make_owner(app, make_user)
    _other_email, other_id = make_owner(app, make_user, name="Shampa Bags")
    with app.app_context():
        cluster_id = db.session.query(Cluster).one().id
    owner = app.test_client()
    login(owner, email)
    for path in (
        f"/programme/enterprises/{other_id}/roadmap",
        f"/programme/enterprises/{other_id}/needs",
        f"/programme/enterprises/{enterprise_id}/roadmap",
        f"/programme/clusters/{cluster_id}/needs",
        "/programme/needs/clusters",
        "/programme/needs/questionnaire",
    ):
        assert owner.get(path).status_code == 403, path
    assert "/programme/needs" in owner.get("/").get_data(as_text=True)
    assert owner.get("/programme/needs/roadmap").location.endswith("/programme/needs")
    stranger = app.test_client()
    login(stranger, make_user("learner").email)
    page = stranger.get("/programme/needs").get_data(as_text=True)
    assert "Ask your trainer to link your account to your enterprise." in page
    trainer = app.test_client()
    login(trainer, make_user("trainer").email)
    assert "/programme/needs/clusters" in trainer.get("/").get_data(as_text=True)
    assert trainer.get(f"/programme/clusters/{cluster_id}/needs").status_code == 200
    assert trainer.get("/programme/needs/questionnaire").status_code == 403


def test_a_trainer_fills_in_for_an_enterprise(app: Flask, make_user) -> None:  # noqa: ANN001
    _email, enterprise_id = make_owner(app, make_user)
    trainer_user = make_user("trainer", locale="en")
    trainer = app.test_client()
    login(trainer, trainer_user.email)
    path = f"/programme/enterprises/{enterprise_id}/needs"
    assert trainer.get(f"/programme/enterprises/{enterprise_id}/roadmap").location.endswith(path)
    for number, screen in enumerate(screens(app, lowest_in("export")), start=1):
        response = post(trainer, path, {"step": number, "go": "next", **screen})
    assert response.location.endswith(f"/programme/enterprises/{enterprise_id}/roadmap")
    page = trainer.get(response.location).get_data(as_text=True)
    assert "Training roadmap: Alam" in page and "Getting ready to export" in page
    with app.app_context():
        assert needs.latest(enterprise_id).user_id == trainer_user.id


# Cluster plans.


def _assess(enterprise: Enterprise, choose: Callable[[needs.Question], str]) -> Assessment:
    q = needs.questionnaire()
    return needs.submit(enterprise, {x.id: choose(x) for x in q.questions}, None, "bn")


def test_cluster_plan_numbers(app: Flask) -> None:
    with app.app_context():
        today = date.today()
        db.session.add(
            Programme(
                name="P",
                starts_on=today - timedelta(days=1),
                ends_on=today + timedelta(days=1),
                target_per_session=2,
            )
        )
        cluster = Cluster(name="Tangra", country="IN")
        people = {"A": ["a1", "a2", "gone"], "B": ["b1"], "C": ["c1", "c2", "c3"]}
        firms = {}
        for name, names in people.items():
            firms[name] = Enterprise(name=name, segment="footwear", cluster=cluster)
            firms[name].beneficiaries.extend(Beneficiary(name=n) for n in names)
            db.session.add(firms[name])
        db.session.commit()
        firms["A"].beneficiaries[2].erased_at = firms["A"].created_at
        _assess(firms["A"], lowest_in())  # an older assessment: no gap at all
        _assess(firms["A"], lowest_in("export"))
        needs.submit(firms["A"], {"export-sold": "never"}, None, "bn")  # a draft: not counted
        _assess(firms["B"], lowest_in("export", "tax"))
        # C is not assessed: its people are not counted.
        data = needs.cluster_needs(cluster)
        assert (data.assessed, len(data.enterprises), data.per_session) == (2, 3, 2)
        assert [(r.slug, r.enterprises, r.people, r.sessions) for r in data.plan] == [
            ("export-readiness", 2, 3, 2),  # 2 + 1 people (the erased one is not counted)
            ("gst-vat", 1, 1, 1),
        ]
        means = {area.id: (mean, counted) for area, mean, counted in data.areas}
        assert means["export"] == (1.0, 2) and means["tax"] == (0.5, 2)
        assert means["design"] == (0.0, 2)
        assert [area.id for area, _m, _c in data.areas][:2] == ["export", "tax"]
        assert needs.cluster_needs(cluster, size=50).plan[0].sessions == 1
        assert [(c.name, total, done) for c, total, done in needs.cluster_counts()] == [
            ("Tangra", 3, 2)
        ]


def test_cluster_pages(app: Flask, client: FlaskClient, make_user) -> None:  # noqa: ANN001
    with app.app_context():
        cluster = Cluster(name="Savar", country="BD")
        enterprise = Enterprise(name="Hazaribagh Hides", segment="tannery", cluster=cluster)
        enterprise.beneficiaries.append(Beneficiary(name="Rina"))
        db.session.add(enterprise)
        db.session.commit()
        _assess(enterprise, lowest_in("environment"))
        cluster_id = cluster.id
    login(client, make_user("admin", locale="en").email)
    index = client.get("/programme/needs/clusters").get_data(as_text=True)
    assert f"/programme/clusters/{cluster_id}/needs" in index and "Bangladesh" in index
    page = client.get(f"/programme/clusters/{cluster_id}/needs").get_data(as_text=True)
    assert "1 of 1 enterprises assessed." in page
    assert "Cleaner production for small tanneries" in page and "style=" not in page
    assert client.get("/programme/clusters/999/needs").status_code == 404


# When the file is broken, and the authors' preview.


def test_a_broken_questionnaire_never_breaks_the_app(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    text = questionnaire_text().replace("area: tax", "area: vat")
    path = write(tmp_path, text)
    app = make_app(LMS_NEEDS_QUESTIONNAIRE=str(path))

    def user_here(role: str = "learner", **fields: str) -> User:
        with app.app_context():
            made = services.create_user(f"{role}@example.org", role, PASSWORD, [role], **fields)
            db.session.refresh(made)
            db.session.expunge(made)
            return made

    email, _enterprise_id = make_owner(app, user_here)
    owner = app.test_client()
    login(owner, email)
    assert owner.get("/").status_code == 200
    response = owner.get("/programme/needs")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "চাহিদা মূল্যায়ন এখন পাওয়া যাচ্ছে না।" in page
    assert "needs.yaml" not in page
    admin = app.test_client()
    login(admin, user_here("admin").email)
    page = admin.get("/programme/needs").get_data(as_text=True)
    where = f"needs.yaml</code>:{line_of(text, 'area: vat')}"  # names and ids as code
    assert where in page and "unknown area <code>vat</code>" in page
    preview = admin.get("/programme/needs/questionnaire").get_data(as_text=True)
    assert "unknown area <code>vat</code>" in preview


def test_the_preview_shows_each_language_and_country(app: Flask, make_user) -> None:  # noqa: ANN001
    author = app.test_client()
    login(author, make_user("author").email)
    page = author.get("/programme/needs/questionnaire?lang=bn_BD").get_data(as_text=True)
    assert "ভ্যাট রিটার্ন" in page and "রপ্তানি উন্নয়ন ব্যুরো" in page
    page = author.get("/programme/needs/questionnaire?lang=en&country=BD").get_data(as_text=True)
    assert "Do you file VAT returns" in page and "No problems found." in page
    page = author.get("/programme/needs/questionnaire?lang=en&country=IN").get_data(as_text=True)
    assert "Do you file GST returns" in page


def test_demo_assessments_are_deterministic_and_loaded_once(app: Flask) -> None:
    from lms.programme.records import services

    with app.app_context():
        services.load_demo("pw")
        needs.load_demo("pw")
        first = {a.enterprise_id: a.answers for a in db.session.query(Assessment)}
        needs.load_demo("pw")
        assert {a.enterprise_id: a.answers for a in db.session.query(Assessment)} == first
        assert len(first) == db.session.query(Enterprise).count() == 3
        assert all(needs.latest(enterprise_id) for enterprise_id in first)
    with app.app_context():
        db.session.query(Assessment).delete()
        db.session.commit()
        needs.load_demo("pw")
        assert {a.enterprise_id: a.answers for a in db.session.query(Assessment)} == first
