"""The room's screen of a live quiz on a projector (issue 16.3), in a real browser: opened from
the trainer's page, it follows the trainer's taps by push; at 1280x720 and 1920x1080 in Bengali
the longest shipped questions and all their options fit above the fold, the code is large in
the lobby and small during a question. Screenshots go to /tmp/projector-shots/. And the guest's
name field is as large as the other fields (issue 16.4)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lms.accounts import services as accounts
from lms.content import services as content
from lms.live import services
from lms.quiz import services as quiz_services
from lms.quiz.bank import Item, text_in
from tests.browser.conftest import TABLET_PORTRAIT
from tests.browser.test_live import choose, join, tablet
from tests.browser.test_live_push import act, start_quiz
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/projector-shots")
SHIPPED = Path(__file__).resolve().parents[2] / "modules_content"
SCREENS = {"720p": {"width": 1280, "height": 720}, "1080p": {"width": 1920, "height": 1080}}
#: The halls: West Bengal in Bengali, Bangladesh in Bangla.
HALLS = (("bn", "IN"), ("bn_BD", "BD"))
BENGALI_DIGIT = re.compile("[০-৯]")
#: What must be inside the window: the question and each of its options, as the room sees them.
SHOWN = ".room-stem, .room-option, .room-steps li"
FIT = "() => document.querySelector('.room-screen').style.getPropertyValue('--fit')"


def trainer_page(browser: Any, base: str, app: Flask, locale: str, size: dict[str, int]) -> Any:
    with app.app_context():
        email = f"trainer.{locale}@example.org"
        if accounts.find_user(email) is None:
            accounts.create_user(email, "Trainer", PASSWORD, ["trainer"])
    context = browser.new_context(viewport=size)
    context.add_cookies([{"name": "lms_locale", "value": locale, "url": base}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(base + "/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    return page


def outside(page: Any, selector: str) -> list[str]:
    """The texts of the elements of ``selector`` not wholly inside the window."""
    return page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector)).filter((e) => {
             const r = e.getBoundingClientRect();
             return r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth;
           }).map((e) => e.textContent.trim().slice(0, 60))""",
        selector,
    )


def font_share(page: Any, selector: str) -> float:
    """The font size of ``selector`` as a share of the window's height."""
    return page.evaluate(
        "(s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize) / innerHeight",
        selector,
    )


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_the_room_screen_follows_the_trainers_taps(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    base, app, quiz_id, code = start_quiz(live_server, tmp_path)
    host = trainer_page(browser, base, app, "bn", SCREENS["720p"])
    blocked: list[str] = []  # what the Content-Security-Policy blocked, on either page
    host.context.on(
        "console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None
    )
    host.goto(f"{base}/live/host/{quiz_id}")
    with host.context.expect_page() as opened:
        host.get_by_role("link", name="প্রজেক্টরের পর্দা খুলুন").click()  # Open the projector screen
    room = opened.value
    room.set_viewport_size(SCREENS["720p"])
    room.wait_for_url(f"**/live/host/{quiz_id}/screen")
    shown = " ".join((code[:3], code[3:])).translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
    assert room.locator(".room-code").inner_text() == shown
    assert font_share(room, ".room-code") >= 0.10  # read from the back of the hall
    assert outside(room, ".room-code, .room-qr") == []
    for hidden in (".topbar", "form", ".host-actions", "text=সাইন আউট"):
        assert room.locator(hidden).count() == 0 or not room.locator(hidden).first.is_visible()

    ann = tablet(browser, base, "en")
    join(ann, base, code, "Ann")
    room.locator(".room-joined", has_text="১ জন").wait_for()  # the lobby fills by itself
    room.locator(".room-names li", has_text="Ann").wait_for()
    shot(room, "push-lobby-bn-720p")
    host.get_by_role("button", name="প্রথম প্রশ্ন").click()  # "First question", on the host page
    room.locator(".room-stem", has_text="কোন ড্রাম কম জল নষ্ট করে?").wait_for(timeout=3000)
    assert room.locator(".room-option .letter").all_inner_texts() == ["ক", "খ"]
    assert font_share(room, ".room-code-small") <= 0.05  # small, in a corner, for late joiners
    assert room.locator(".room-code-small").inner_text() == shown
    assert room.locator(".room-qr").count() == 0
    assert outside(room, SHOWN + ", .room-code-small") == []
    shot(room, "push-question-bn-720p")
    shot(host, "host-question-bn-720p")  # the trainer's own page: small code, the buttons
    choose(ann, "Batch washing")
    room.locator(".room-answered", has_text="১ জনের মধ্যে ১ জন").wait_for(timeout=3000)
    host.get_by_role("button", name="উত্তর দেখান").first.click()  # "Show the answer"
    right = room.locator(".bar-row.right", has_text="ব্যাচ ধোয়া")
    right.wait_for(timeout=3000)
    assert right.locator(".bar-n").inner_text() == "১"  # the room's answers, counted
    shot(room, "push-reveal-bn-720p")
    act(app, quiz_id, "leaderboard")
    room.locator(".room-board li", has_text="Ann").wait_for(timeout=3000)
    shot(room, "push-leaderboard-bn-720p")
    act(app, quiz_id, "next")
    room.locator(".room-stem", has_text="কখনও একা গর্তে").wait_for(timeout=3000)
    assert room.locator(".room-option").all_inner_texts() == ["সত্য", "মিথ্যা"]
    assert blocked == []
    ann.context.close()
    host.context.close()


def test_full_screen_hides_its_own_button(browser: Any, live_server: Any, tmp_path: Path) -> None:
    base, app, quiz_id, _code = start_quiz(live_server, tmp_path)
    room = trainer_page(browser, base, app, "en", SCREENS["720p"])
    room.goto(f"{base}/live/host/{quiz_id}/screen")
    button = room.get_by_role("button", name="Full screen")
    button.click()
    room.wait_for_function("() => document.fullscreenElement === document.documentElement")
    assert not button.is_visible()
    room.evaluate("() => document.exitFullscreen()")
    button.wait_for(state="visible")
    room.context.close()


def longest(app: Flask, locale: str, country: str) -> dict[str, list[str]]:
    """The shipped items that take the most room on the screen in ``locale`` (their question
    and options), one of each type, and the one with the longest question: ids by module."""
    chain = [locale, "bn", "en"]
    found: list[tuple[int, int, str, str, str]] = []
    with app.app_context():
        for module in content.library().modules():
            bank = quiz_services.bank_for(module)
            for item in bank.items if bank else []:
                if item.for_country(country):
                    stem, rest = _lengths(item, chain)
                    found.append((stem + rest, stem, item.type, module.slug, item.id))
    chosen = [max(row for row in found if row[2] == kind) for kind in {row[2] for row in found}]
    chosen.append(max(found, key=lambda row: row[1]))
    picked: dict[str, list[str]] = {}
    for *_sizes, slug, item_id in sorted(chosen, key=lambda row: row[4]):
        if item_id not in picked.get(slug, []):
            picked.setdefault(slug, []).append(item_id)
    return picked


def _lengths(item: Item, chain: list[str]) -> tuple[int, int]:
    data = item.data
    parts = list(data.get("options") or []) + list(data.get("prompts") or [])
    return len(text_in(data["stem"], chain)), sum(len(text_in(p["text"], chain)) for p in parts)


def create(app: Flask, slug: str, items: list[str], country: str) -> tuple[int, list[str]]:
    """A quiz of ``items`` in its lobby, with a countdown; its id and its questions' stems."""
    with app.app_context():
        bank = quiz_services.bank_for(content.library().get(slug))
        quiz = services.create(
            bank,
            slug,
            items,
            title="সবচেয়ে লম্বা প্রশ্ন",
            mode="correctness",
            countdown=600,
            session_label="",
            user_id=None,
            country=country,
        )
        services.start(quiz)
        return quiz.id, [entry["data"]["stem"] for entry in quiz.items]


@pytest.mark.parametrize("size", SCREENS)
def test_the_longest_shipped_questions_fit_above_the_fold(
    browser: Any, live_server: Any, size: str
) -> None:
    base = live_server(LMS_CONTENT_DIR=str(SHIPPED))
    app = live_server.servers[-1].lms_app
    checked = 0
    for locale, country in HALLS:
        room = trainer_page(browser, base, app, locale, SCREENS[size])
        chain = [locale, "bn", "en"]
        for slug, items in longest(app, locale, country).items():
            quiz_id, stems = create(app, slug, items, country)
            room.goto(f"{base}/live/host/{quiz_id}/screen")
            if not checked:
                assert font_share(room, ".room-code") >= 0.10
                assert outside(room, ".room-code, .room-qr, .room-joined") == []
                shot(room, f"lobby-{locale}-{size}")
            for index, stem in enumerate(stems):
                act(app, quiz_id, "next")
                with app.app_context():
                    text = text_in(stem, chain, country)
                room.locator(".room-stem", has_text=text[:40]).wait_for()
                room.locator(".timer", has_text=BENGALI_DIGIT).wait_for()
                assert font_share(room, ".room-code-small") <= 0.05
                assert BENGALI_DIGIT.search(room.locator(".room-code-small").inner_text())
                assert outside(room, SHOWN) == [], f"{slug} {items[index]} at {size}"
                assert room.evaluate("() => document.documentElement.scrollHeight <= innerHeight")
                fit = room.evaluate(FIT)
                print(f"{locale} {size} {items[index]}: --fit {fit}")
                shot(room, f"question-{locale}-{size}-{items[index]}")
                act(app, quiz_id, "reveal")
                room.locator(".room-reveal").wait_for()
                assert outside(room, ".room-stem, .bar-row") == [], f"{items[index]} revealed"
                shot(room, f"reveal-{locale}-{size}-{items[index]}")
                checked += 1
        room.context.close()
    assert checked >= 6


def test_the_guests_name_field_is_as_large_as_the_others(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    base, _app, _quiz_id, code = start_quiz(live_server, tmp_path)
    page = tablet(browser, base, "bn")
    page.goto(f"{base}/live/{code}")
    field = page.locator("input[name=name]")
    box = field.bounding_box()
    form = page.locator("form").last.bounding_box()
    root = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    size = field.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")
    assert box["height"] >= 48 and size >= 1.1 * root
    assert box["width"] >= form["width"] - 1 and box["width"] >= TABLET_PORTRAIT["width"] / 2
    shot(page, "join-name-bn-tablet")
    page.context.close()
