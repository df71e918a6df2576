"""Two authors save the same file at once, from the same text: exactly one save is written and
says "Saved"; the other gets the conflict page with both versions (the file as it is now, and
the author's own text, so nothing typed is lost), in the author's language. Tested with threads
in one process and with two gunicorn worker processes.

Both saves are made to reach the write together (two saves that both passed the "changed on
disk?" check before either wrote, which happened 2 times in 15 when left to chance): in one
process with a barrier, across workers with tests/rendezvous_wsgi.py.
"""

from __future__ import annotations

import contextlib
import html
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.i18n import gettext_in
from tests.conftest import PASSWORD, csrf_token, login, write_module
from tests.processes import Browser, Gunicorn, server_env

EDIT = "/author/content/tanning/en/edit"
CONFLICT = (
    "Not saved: someone changed this file since you opened it. Compare the two "
    "versions, copy what you need into yours, then save again."
)
ROUNDS = 2


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    write_module(root, "tanning", title="Tanning basics")
    return root


@pytest.fixture
def app(make_app: Callable[..., Flask], content: Path) -> Flask:
    return make_app(LMS_CONTENT_DIR=str(content))


def _base_hash(page: str) -> str:
    return re.search(r'name="base_hash" value="([0-9a-f]+)"', page).group(1)


def _texts(path: Path, round_: int) -> list[str]:
    """Two different edits of the file as it is now (ending with a newline, as saved)."""
    now = path.read_text(encoding="utf-8")
    return [now + f"\nরাউন্ড {round_}: লেখক {who}-এর নতুন অনুচ্ছেদ।\n" for who in (1, 2)]


def _at_once(sends: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; their results in order."""
    start = threading.Barrier(len(sends))
    results: list[Any] = [None] * len(sends)

    def run(index: int) -> None:
        start.wait()
        results[index] = sends[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def _check_round(
    path: Path, texts: list[str], answers: list[tuple[int, str, str]], conflict: str
) -> None:
    """``answers``: (status, Location, page) per author, in the order of ``texts``."""
    statuses = sorted(status for status, _location, _page in answers)
    assert statuses == [302, 409], statuses
    winner = next(i for i, (status, _l, _p) in enumerate(answers) if status == 302)
    loser = 1 - winner
    assert answers[winner][1].endswith(EDIT)  # "Saved" is flashed on the editor it leads to
    assert path.read_text(encoding="utf-8") == texts[winner]  # whole, not mixed with the other
    page = html.unescape(answers[loser][2])
    assert conflict in page
    disk, mine = page.split('id="source-text"')  # the file on disk now, then the author's own
    assert texts[winner] in disk and texts[loser] not in disk
    assert texts[loser] in mine


# Threads in one process.


@pytest.fixture
def writes_meet(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Hold each content write until the other save writes too (at most 1 s); call to rearm."""
    mkstemp = tempfile.mkstemp
    meeting = [threading.Barrier(2, timeout=1)]

    def meet_then_mkstemp(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("suffix") == ".tmp":
            # (Broken: the other save is not writing: it waits for the lock, or gave up.)
            with contextlib.suppress(threading.BrokenBarrierError):
                meeting[0].wait()
        return mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", meet_then_mkstemp)
    return lambda: meeting.__setitem__(0, threading.Barrier(2, timeout=1))


def _author(app: Flask, make_user) -> FlaskClient:  # noqa: ANN001
    client = app.test_client()
    login(client, make_user("author", locale="bn").email)
    return client


def test_two_saves_in_one_process_one_wins_the_other_sees_both(
    app: Flask, content: Path, make_user, writes_meet: Callable[[], None]
) -> None:
    authors = [_author(app, make_user), _author(app, make_user)]
    path = content / "tanning" / "en.md"
    with app.app_context():
        conflict = gettext_in("bn", CONFLICT)
    for round_ in range(ROUNDS):
        writes_meet()
        forms = [
            {"csrf_token": csrf_token(a, EDIT), "base_hash": _base_hash(a.get(EDIT).text)}
            for a in authors
        ]
        texts = _texts(path, round_)
        saves = [partial(_save, authors[n], {**forms[n], "text": texts[n]}) for n in (0, 1)]
        _check_round(path, texts, _at_once(saves), conflict)


def _save(author: FlaskClient, form: dict[str, str]) -> tuple[int, str, str]:
    response = author.post(EDIT, data=form)
    return response.status_code, response.headers.get("Location", ""), response.text


# Two gunicorn workers.


@pytest.fixture
def server(app: Flask, tmp_path: Path) -> Iterator[tuple[Gunicorn, Path]]:
    meeting = tmp_path / "rendezvous"
    meeting.mkdir()
    env = server_env(app, LMS_TEST_RENDEZVOUS=str(meeting))
    gunicorn = Gunicorn(env, tmp_path / "gunicorn.log", workers=2, app="tests.rendezvous_wsgi:app")
    try:
        yield gunicorn, meeting
    finally:
        gunicorn.stop()


def test_two_saves_in_two_workers_one_wins_the_other_sees_both(
    app: Flask, content: Path, make_user, server: tuple[Gunicorn, Path]
) -> None:
    gunicorn, meeting = server
    authors = []
    for _ in range(2):
        browser = Browser(gunicorn.port)
        email = make_user("author", locale="bn").email
        form = {"email": email, "password": PASSWORD, "csrf_token": browser.token("/login")}
        assert browser.request("POST", "/login", form)[0] == 302
        authors.append(browser)
    path = content / "tanning" / "en.md"
    with app.app_context():
        conflict = gettext_in("bn", CONFLICT)
    for round_ in range(ROUNDS):
        for arrived in meeting.iterdir():
            arrived.unlink()
        pages = [a.request("GET", EDIT)[2] for a in authors]
        forms = [
            {"csrf_token": a.token(EDIT), "base_hash": _base_hash(page)}
            for a, page in zip(authors, pages, strict=True)
        ]
        texts = _texts(path, round_)
        saves = [partial(_send, authors[n], {**forms[n], "text": texts[n]}) for n in (0, 1)]
        _check_round(path, texts, _at_once(saves), conflict)


def _send(author: Browser, form: dict[str, str]) -> tuple[int, str, str]:
    status, headers, page = author.request("POST", EDIT, form)
    return status, headers.get("Location", ""), page


# Marking a translation while someone saves it.

MARK_CONFLICT = "Not marked: the file was saved by someone else just now. Try again."


def test_marking_a_file_saved_meanwhile_keeps_their_text_and_says_so(
    app: Flask, content: Path, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lms.content import services

    write_module(content, "tanning", title="Tanning basics", bn="auto")
    path = content / "tanning" / "bn.md"
    theirs = path.read_text(encoding="utf-8") + "\nঅন্য লেখকের নতুন অনুচ্ছেদ।\n"
    stamp = services.stamp_translation

    def saved_meanwhile(text: str, fingerprint: str) -> str:
        path.write_text(theirs, encoding="utf-8")  # another author's save lands now
        return stamp(text, fingerprint)

    monkeypatch.setattr(services, "stamp_translation", saved_meanwhile)
    author = _author(app, make_user)
    response = author.post(
        "/author/content/tanning/bn/mark-translated",
        data={"csrf_token": csrf_token(author, "/author/content")},
        follow_redirects=True,
    )
    with app.app_context():
        assert gettext_in("bn", MARK_CONFLICT) in html.unescape(response.text)
    assert path.read_text(encoding="utf-8") == theirs


@pytest.mark.parametrize("fingerprint", ["257654204375", "123e45678901", "0a1b2c3d4e5f"])
def test_a_stamped_fingerprint_is_read_back_as_text(fingerprint: str) -> None:
    """A fingerprint YAML would take for a number (digits, or digits with an e) is quoted."""
    import yaml

    from lms.content.services import stamp_translation

    stamped = stamp_translation("---\ntitle: ক\n---\n\nলেখা\n", fingerprint)
    front = yaml.safe_load(stamped.split("---\n")[1])
    assert front["translated_from"] == fingerprint
