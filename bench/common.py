"""Shared pieces of the benchmarks: a result row, a throw-away app, a real gunicorn server."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Row:
    """One figure of the table: its value, the target, and whether the target is met."""

    figure: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None
    ratio: float | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """``gunicorn wsgi:app`` on a free loopback port with its own SQLite instance folder."""

    def __init__(self, instance: Path, workers: int = 4, threads: int = 4, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environ = {
            **os.environ,
            "LMS_DATABASE_URL": f"sqlite:///{instance}/lms.sqlite3",
            "LMS_SECRET_KEY": "bench",
            "LMS_IDLE_TIMEOUT": "0",
            **env,
        }
        subprocess.run(
            [sys.executable, "-m", "flask", "lms", "init"],
            cwd=ROOT,
            env=environ,
            check=True,
            capture_output=True,
        )
        self.environ = environ
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(workers),
                "-k",
                "gthread",
                "--threads",
                str(threads),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=environ,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def create_users(self, emails: list[str], password: str) -> None:
        """Accounts in the server's database, made in this process (faster than the CLI)."""
        from lms.accounts.services import create_user
        from wsgi import create_app

        app = create_app(
            {
                key: value
                for key, value in self.environ.items()
                if key.startswith("LMS_") and key != "LMS_ENV"
            }
        )
        with app.app_context():
            for email in emails:
                create_user(email, email.split("@")[0], password, ["learner"])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
