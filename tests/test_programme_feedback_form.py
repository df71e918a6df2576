"""The feedback form's error marks: a question named like a dict method ("clear") is not taken
for a problem before anything was sent."""

from __future__ import annotations

from flask import Flask

from tests.conftest import csrf_token
from tests.test_programme_feedback import World, client_for, world  # noqa: F401 (the fixture)


def test_a_fresh_form_marks_no_question_and_a_refused_one_marks_the_missing(
    app: Flask,
    world: World,  # noqa: F811
) -> None:
    client = client_for(app, world, "L1")
    path = f"/programme/sessions/{world.a}/feedback"
    page = client.get(path).get_data(as_text=True)
    assert "has-error" not in page and "built-in method" not in page
    sent = {"csrf_token": csrf_token(client, path), "overall": "5", "useful": "4", "pace": "3"}
    refused = client.post(path, data={**sent, "language": "4"}).get_data(as_text=True)
    assert refused.count('class="rating has-error"') == 1  # "clear" was not answered
    assert 'aria-describedby="error-clear"' in refused and "built-in method" not in refused
