"""The LMS's own static files, cheap on a hall's weak wifi.

Every ``url_for("lms.static", filename=...)`` carries the file's content hash (``?v=...``). A
request with the current hash may be kept for a year without asking again (``immutable``), so a
returning tablet loads a page's stylesheet and scripts with no round trip; a new deployment
changes the hash, hence the URL. Text files go out gzip-compressed to browsers that accept it,
compressed once per file version. Without the hash (an old page, a hand-typed URL) a file is
revalidated each time, as before.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, request
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

from .state import state

#: Kinds of file worth compressing (images and fonts are compressed already).
COMPRESSIBLE = frozenset({".css", ".js", ".svg", ".json", ".webmanifest", ".txt", ".map"})
#: Below this, gzip's own header costs more than it saves.
MIN_COMPRESS = 512
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class StaticFile:
    """One version of a static file: its hash and, for text, its gzip-compressed bytes."""

    version: str
    gzipped: bytes | None


def describe(folder: str | None, filename: str) -> StaticFile | None:
    """The current version of ``filename`` in ``folder`` (None: no such file). Read and
    compressed once per change of the file (kept in the app's own cache)."""
    path = safe_join(folder, filename) if folder else None
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (stat.st_mtime_ns, stat.st_size)
    made = state().cache("web.static_files")
    found = made.get(path)
    if found is not None and found[0] == key:
        return found[1]
    data = Path(path).read_bytes()
    compress = Path(path).suffix.lower() in COMPRESSIBLE and len(data) >= MIN_COMPRESS
    file = StaticFile(
        version=hashlib.sha256(data).hexdigest()[:12],
        gzipped=gzip.compress(data, 9, mtime=0) if compress else None,
    )
    made[path] = (key, file)
    return file


def add_version(blueprint: Blueprint, endpoint: str, values: dict[str, Any]) -> None:
    """``url_defaults`` of a blueprint with static files: its static URLs carry the hash."""
    if endpoint != f"{blueprint.name}.static" or "v" in values:
        return
    file = describe(blueprint.static_folder, str(values.get("filename", "")))
    if file is not None:
        values["v"] = file.version


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


class StaticBlueprint(Blueprint):
    """A blueprint whose static files are versioned and compressed (see the module's text)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.url_defaults(lambda endpoint, values: add_version(self, endpoint, values))

    def send_static_file(self, filename: str) -> Response:
        file = describe(self.static_folder, filename)
        if file is not None and file.gzipped is not None and _accepts_gzip():
            response = self._gzipped(filename, file)
        else:
            response = super().send_static_file(filename)
        if file is not None and file.gzipped is not None:
            response.vary.add("Accept-Encoding")
        if file is not None and request.args.get("v") == file.version:
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response

    def _gzipped(self, filename: str, file: StaticFile) -> Response:
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        response = current_app.response_class(file.gzipped, mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
        response.set_etag(f"{file.version}-gzip")
        response.cache_control.no_cache = True
        return response.make_conditional(request)
