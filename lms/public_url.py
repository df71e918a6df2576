"""The site's public address, ``LMS_BASE_URL``: what certificates, credentials and their PDFs
name, never a request's ``Host`` header (anyone can send any Host).

Production refuses to start without it; development uses :data:`DEVELOPMENT_BASE_URL`. A
standalone app (``wsgi.py``) also limits the Host headers it answers to :func:`trusted_hosts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.wrappers import Response

#: The public address in development when ``LMS_BASE_URL`` is empty (``flask run``'s).
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
#: Hosts a standalone app answers in development, besides ``LMS_BASE_URL``'s.
DEVELOPMENT_HOSTS = ("localhost", "127.0.0.1")


def check(config: Mapping[str, Any]) -> None:
    """Refuse (before anything changes) production without ``LMS_BASE_URL``, or an address
    that is not ``http(s)://host[:port][/path]``."""
    raw = config["LMS_BASE_URL"]
    if not raw:
        if config["LMS_ENV"] == "production":
            raise RuntimeError(
                "LMS_ENV=production needs LMS_BASE_URL, the site's public address (such as "
                "https://dakshata.example.org): certificates, their credentials and QR codes "
                "are made with it, never with the Host header of a request."
            )
        return
    try:
        parts = urlsplit(raw) if isinstance(raw, str) else None
        valid = (
            parts is not None
            and parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and parts.port != 0
            and not (parts.query or parts.fragment or parts.username or parts.password)
        )
    except ValueError:  # a port that is not a number
        valid = False
    if not valid:
        raise RuntimeError(
            f"LMS_BASE_URL must be an http(s) address such as https://dakshata.example.org "
            f"(no query, fragment or user), not {raw!r}"
        )


def base_url(config: Mapping[str, Any]) -> str:
    """``LMS_BASE_URL`` without its trailing slash, else :data:`DEVELOPMENT_BASE_URL`."""
    return (config.get("LMS_BASE_URL") or DEVELOPMENT_BASE_URL).rstrip("/")


def trusted_hosts(config: Mapping[str, Any]) -> list[str]:
    """Flask's ``TRUSTED_HOSTS`` for a standalone app: ``LMS_BASE_URL``'s host, and in
    development also ``localhost`` and ``127.0.0.1``. (Never set on a host app that mounts
    the LMS: its hosts are its own decision.)"""
    hosts = [urlsplit(base_url(config)).hostname or ""]
    if config["LMS_ENV"] != "production":
        hosts += DEVELOPMENT_HOSTS
    return list(dict.fromkeys(host for host in hosts if host))


def answer_only_trusted_hosts(app: Flask) -> None:
    """Set the app's ``TRUSTED_HOSTS`` (unless it has some) to :func:`trusted_hosts`: a request
    with another Host header gets a plain 400. The standalone ``wsgi.py`` calls it; a host app
    may, after ``LMS(app)``."""
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    app.register_error_handler(SecurityError, _untrusted_host)


def _untrusted_host(error: SecurityError) -> Response:
    """A plain 400, not the LMS's error page: its layout builds URLs, and no trusted host is
    there to build them on."""
    return error.get_response()
