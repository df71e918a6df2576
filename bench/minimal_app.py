"""The baseline of the pages benchmark: the smallest Flask app that serves an HTML page, run by
gunicorn exactly as the LMS is (``bench.common.Gunicorn(app="bench.minimal_app:app")``)."""

from __future__ import annotations

from flask import Flask, render_template_string

app = Flask(__name__)
PAGE = "<!doctype html><html lang=en><title>{{ title }}</title><p>{{ text }}</p></html>"


@app.get("/healthz")
@app.get("/")
def page() -> str:
    return render_template_string(PAGE, title="Minimal", text="A minimal Flask page.")
