"""Plugins by entry point (``lms.plugins``): question types with their templates, static files and
translations; broken and clashing plugins skipped; the per-app allow-list of question types."""

from __future__ import annotations

import logging
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from lms.db import db
from lms.live.models import LiveAnswer
from tests.conftest import csrf_token, login, post, write_module
from tests.quiz_bank import QUIZ_YAML

PLUGIN_SOURCE = Path(__file__).parent / "plugins" / "lms_estimate"
ESTIMATE_ITEM = """\
  - id: t-estimate
    type: estimate
    country: any
    forms: [A]
    stem:
      en: "What does one pair cost to make?"
      bn: "এক জোড়া বানাতে কত খরচ?"
      bn_BD: "এক জোড়া বানাতে কত খরচ?"
    answer: {value: 850, tolerance: 50}
    feedback:
      en: "Materials, labour and overheads: 850."
      bn: "উপকরণ, মজুরি ও অন্যান্য খরচ: ৮৫০।"
      bn_BD: "উপকরণ, মজুরি ও অন্যান্য খরচ: ৮৫০।"
"""


def install(site: Path, name: str, entry: str, package: Path | None = None) -> None:
    """Install a plugin as pip would for ``importlib.metadata``: the package on the path and a
    ``*.dist-info`` folder with its entry point."""
    if package is not None:
        target = site / package.name
        shutil.copytree(package, target, ignore=shutil.ignore_patterns("*.po", "__pycache__"))
        for po in package.rglob("*.po"):
            with po.open("rb") as source:
                catalog = read_po(source)
            mo = target / po.relative_to(package).with_suffix(".mo")
            with mo.open("wb") as out:
                write_mo(out, catalog)
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[lms.plugins]\n{entry}\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    for module in [m for m in sys.modules if m.split(".")[0] in ("lms_estimate", "lms_broken")]:
        del sys.modules[module]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    folder = write_module(root, "costing", title="Costing basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML + ESTIMATE_ITEM, encoding="utf-8")
    return root


@pytest.fixture
def app(site: Path, content: Path, make_app: Callable[..., Flask]) -> Flask:
    """An app with the estimate plugin installed (``make_user`` makes its users)."""
    install(site, "lms_estimate", "estimate = lms_estimate:plugin", PLUGIN_SOURCE)
    return make_app(LMS_CONTENT_DIR=str(content))


@pytest.fixture
def estimate_app(app: Flask) -> Flask:
    return app


def test_a_plugin_brings_its_type_templates_static_files_and_translations(
    estimate_app: Flask,
    make_user,  # noqa: ANN001
) -> None:
    lms_state = estimate_app.extensions["lms"]
    assert "estimate" in lms_state.plugins and not lms_state.plugin_errors
    assert "estimate" in lms_state.question_types
    client = estimate_app.test_client()
    with client.get("/lms-static/plugins/estimate/estimate.css") as css:
        assert css.status_code == 200 and b".estimate-reveal" in css.data
    learner = make_user(locale="bn")
    login(client, learner.email)
    # The plugin's item loads with the bank, and shows in Bengali in an attempt made for it.
    with estimate_app.app_context():
        from lms.content import services as content
        from lms.quiz import services

        module = content.library().get("costing")
        bank = services.bank_for(module)
        assert bank.usable and bank.item("t-estimate") is not None
    page = _open_estimate_question(estimate_app, client, learner.id)
    assert "আপনার আনুমানিক হিসাব" in page  # "Your estimate", from the plugin's catalog
    assert "/lms-static/plugins/estimate/estimate.css" in page


def _open_estimate_question(app: Flask, client: FlaskClient, user_id: int) -> str:
    """Start an attempt whose only item is the estimate, and open it."""
    with app.app_context():
        from lms.quiz.models import Attempt

        attempt = Attempt(
            user_id=user_id,
            module_id="costing",
            kind="practice",
            form=None,
            country="IN",
            locale="bn",
            seed=1,
            number=1,
            items=[
                {"v": 1, "id": "t-estimate", "type": "estimate", "points": 1, "data": _item(app)}
            ],
            max_score=1,
        )
        db.session.add(attempt)
        db.session.commit()
        attempt_id = attempt.id
    page = client.get(f"/quiz/attempt/{attempt_id}/1")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _item(app: Flask) -> dict:
    from lms.content import services as content
    from lms.quiz import services

    return services.bank_for(content.library().get("costing")).item("t-estimate").data


def test_a_plugin_type_shows_its_own_reveal_in_a_live_quiz(
    estimate_app: Flask,
    make_user,  # noqa: ANN001
) -> None:
    trainer = estimate_app.test_client()
    login(trainer, make_user("trainer", locale="bn").email)
    token = csrf_token(trainer, "/live/host/new/costing")
    created = trainer.post(
        "/live/host/new/costing",
        data={
            "csrf_token": token,
            "items": ["t-estimate"],
            "title": "Costing check",
            "mode": "correctness",
            "countdown": "0",
            "session": "Bantala, day 1",
        },
    )
    quiz_id = int(created.headers["Location"].rsplit("/", 1)[1])
    post(trainer, f"/live/host/{quiz_id}/start")
    with estimate_app.app_context():
        from lms.live.models import LiveQuiz

        code = db.session.get(LiveQuiz, quiz_id).code
    post(trainer, f"/live/host/{quiz_id}/next")
    for name, guess in (("Asha", "840"), ("Bilal", "৯৪০"), ("Chandan", "2000")):
        tablet = estimate_app.test_client()
        tablet.set_cookie("lms_locale", "bn")
        token = csrf_token(tablet, "/live")
        tablet.post(f"/live/{code}", data={"name": name, "csrf_token": token})
        question = tablet.get(f"/live/{code}/play").get_data(as_text=True)
        assert "আপনার আনুমানিক হিসাব" in question
        token = csrf_token(tablet, f"/live/{code}/play")
        sent = tablet.post(
            f"/live/{code}/answer",
            data={"csrf_token": token, "index": "0", "answer": guess},
            headers={"X-Requested-With": "fetch"},
        )
        assert sent.status_code == 200, sent.get_data(as_text=True)
    with estimate_app.app_context():
        fractions = sorted(a.fraction for a in db.session.query(LiveAnswer))
    assert fractions == [0.0, 0.5, 1.0]
    post(trainer, f"/live/host/{quiz_id}/reveal")
    projector = trainer.get(f"/live/host/{quiz_id}").get_data(as_text=True)
    assert "সঠিক সংখ্যা: ৮৫০" in projector  # the plugin's reveal, in Bengali digits
    counts = re.findall(r'<span class="bar-n">([^<]+)</span>', projector)
    assert counts == ["১", "১", "১"]  # one close, one near, one far


def test_a_broken_plugin_is_logged_and_skipped(
    site: Path, content: Path, make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    broken = site / "lms_broken"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ImportError('needs a library that is missing')\n")
    install(site, "lms_broken", "broken = lms_broken:plugin")
    with caplog.at_level(logging.ERROR):
        app = make_app(LMS_CONTENT_DIR=str(content))
    assert "needs a library that is missing" in app.extensions["lms"].plugin_errors["broken"]
    assert any("broken" in r.getMessage() for r in caplog.records)
    assert app.test_client().get("/login").status_code == 200  # the app runs without it
    result = app.test_cli_runner().invoke(args=["lms", "check-content", str(content)])
    assert result.exit_code == 1  # the estimate item has no type here
    assert "plugin broken was skipped: ImportError: needs a library that is missing" in (
        result.output
    )
    assert re.search(r"quiz\.yaml:\d+: error: item t-estimate: .*estimate", result.output)


def test_a_clashing_plugin_is_skipped_as_a_whole(
    site: Path, content: Path, make_app: Callable[..., Flask]
) -> None:
    clash = site / "lms_clash"
    clash.mkdir()
    (clash / "__init__.py").write_text(
        "from lms.plugins import Plugin\n"
        "from lms.quiz.types import SingleChoice\n"
        "class Mine(SingleChoice):\n    pass\n"
        "class Clash(Plugin):\n"
        "    question_types = (Mine,)\n"
        "    record_sections = (lambda user: None,)\n"
        "plugin = Clash()\n"
    )
    plain = make_app(LMS_CONTENT_DIR=str(content)).extensions["lms"]
    install(site, "lms_clash", "clash = lms_clash:plugin")
    lms_state = make_app(LMS_CONTENT_DIR=str(content)).extensions["lms"]
    assert "already registered" in lms_state.plugin_errors["clash"]
    assert "clash" not in lms_state.plugins
    assert len(lms_state.record_sections) == len(plain.record_sections)  # none of it added
    sys.modules.pop("lms_clash", None)


def test_plugins_and_question_types_are_chosen_per_app(
    site: Path, content: Path, make_app: Callable[..., Flask]
) -> None:
    install(site, "lms_estimate", "estimate = lms_estimate:plugin", PLUGIN_SOURCE)
    without = make_app(LMS_CONTENT_DIR=str(content), LMS_PLUGINS=[])
    assert "estimate" not in without.extensions["lms"].question_types
    only_choices = make_app(
        LMS_CONTENT_DIR=str(content), LMS_QUESTION_TYPES=["single", "multiple", "true_false"]
    )
    registry = only_choices.extensions["lms"].question_types
    assert sorted(registry.ids) == ["multiple", "single", "true_false"]
    result = only_choices.test_cli_runner().invoke(args=["lms", "check-content", str(content)])
    assert "question type estimate is not used in this app (LMS_QUESTION_TYPES)" in result.output
    assert "question type numeric is not used in this app" in result.output
