"""Rendered certificate documents (the PDFs), kept in ``<instance>/certificates`` after their
first download. They name the holder and their enterprise, so the folder and its files are the
owner's only, and erasing the holder deletes them."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import current_app

from .models import Certificate


def folder() -> Path:
    return Path(current_app.instance_path) / "certificates"


#: Part of a kept document's name: documents kept before this changed are rendered again
#: (2: the date in the certificate's country, not UTC's; 3: labels once in English, the
#: country's title, the criteria, logo and signature).
EDITION = 3


def kept(
    certificate: Certificate, renderer: str, locale: str, latin: bool, render: Callable[[], bytes]
) -> Path:
    """The kept document, rendered by ``render()`` on first use."""
    path = folder() / f"{certificate.code}-{locale}-{int(latin)}-{EDITION}.{renderer}"
    if path.is_file():
        if path.stat().st_mode & 0o077:  # kept before documents were private
            path.chmod(0o600)
    else:
        _write_private(path, render(), certificate.code)
    return path


def _write_private(path: Path, data: bytes, code: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.parent.chmod(0o700)
    # mkstemp makes the file 0600; a unique name lets two workers render at once.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{code}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def forget(code: str) -> None:
    """Delete every kept document of certificate ``code``, in every language and format."""
    if not folder().is_dir():
        return
    for pattern in (f"{code}-*", f".{code}-*"):
        for path in folder().glob(pattern):
            path.unlink(missing_ok=True)
