"""The standalone Dakshata app: one host of the ``lms`` extension.

``flask lms ...`` and ``flask run`` find it from the repository root; gunicorn serves it as
``gunicorn -w 4 wsgi:app``. Configuration, later sources winning: defaults, ``instance/config.py``,
``LMS_*`` environment variables, then ``test_config``. It answers only the Host of
``LMS_BASE_URL`` (and localhost in development) unless the config sets ``TRUSTED_HOSTS``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from flask import Flask

from lms import LMS, public_url
from lms import config as lms_config


def _env_config(app: Flask) -> dict[str, Any]:
    """``LMS_*`` environment variables; keys that are not text take JSON (``900``, ``["en"]``)."""
    known = lms_config.defaults(app)
    config: dict[str, Any] = {}
    for key, raw in os.environ.items():
        if key not in known:
            continue
        config[key] = raw if isinstance(known[key], str) else json.loads(raw)
    return config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.config.from_mapping(LMS_APP_ERROR_PAGES=True, MAX_CONTENT_LENGTH=16 * 1024 * 1024)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(_env_config(app))
    if test_config is not None:
        app.config.update(test_config)
    LMS(app)
    public_url.answer_only_trusted_hosts(app)  # a forged Host header gets 400
    return app


def __getattr__(name: str) -> Flask:
    # ``wsgi:app`` is built on first use, so importing create_app has no side effects.
    if name in ("app", "application"):
        globals()["app"] = globals()["application"] = create_app()
        return globals()[name]
    raise AttributeError(name)
