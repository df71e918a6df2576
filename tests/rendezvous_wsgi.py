"""``wsgi:app`` for tests/test_content_saves.py: a worker about to write a content file waits
(up to a second) until another worker is about to write too, so two saves that both passed
the "changed on disk?" check would both write. The real app, with only that wait added."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from wsgi import app

__all__ = ["app"]

_FOLDER = Path(os.environ["LMS_TEST_RENDEZVOUS"])
_mkstemp = tempfile.mkstemp


def _meet_then_mkstemp(*args: Any, **kwargs: Any) -> Any:
    if kwargs.get("suffix") == ".tmp":  # a content file is about to be written
        (_FOLDER / f"{os.getpid()}-{time.monotonic_ns()}").touch()
        deadline = time.monotonic() + 1
        while len(list(_FOLDER.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    return _mkstemp(*args, **kwargs)


tempfile.mkstemp = _meet_then_mkstemp
