"""Shared pieces of the benchmarks: a result row, a throw-away app, a real gunicorn server."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
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
    """``gunicorn wsgi:app`` on a free loopback port with its own SQLite instance folder
    (``threads=0``: gunicorn's default sync workers)."""

    def __init__(
        self,
        instance: Path,
        workers: int = 4,
        threads: int = 4,
        extra: tuple[str, ...] = (),
        app: str = "wsgi:app",
        **env: str,
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environ = {
            **os.environ,
            "LMS_DATABASE_URL": f"sqlite:///{instance}/lms.sqlite3",
            "LMS_SECRET_KEY": "bench",
            "LMS_IDLE_TIMEOUT": "0",
            **env,
        }
        if app == "wsgi:app":
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
                *(("-k", "gthread", "--threads", str(threads)) if threads else ()),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                *extra,
                app,
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

    def worker_pids(self) -> list[int]:
        """The master's worker processes."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.append(int(stat.parent.name))
        return found

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Tablet:
    """One learner's browser: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict, str]:
        data = urllib.parse.urlencode(body or {}, doseq=True) if body is not None else None
        head = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        if data is not None:
            head["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=data, headers=head)
            response = self.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed an idle keep-alive connection: reconnect, as a browser does.
            self.conn.close()
            self.conn.request(method, path, body=data, headers=head)
            response = self.conn.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return response.status, dict(response.headers), text
