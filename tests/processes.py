"""Helpers for tests that run the app in real server processes (gunicorn) and talk HTTP to them."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A tablet talking to one server: keeps its cookies (they work on the other server too)."""

    def __init__(
        self, port: int, cookies: dict[str, str] | None = None, timeout: float = 20
    ) -> None:
        self.port = port
        self.cookies = dict(cookies or {})
        self.timeout = timeout

    def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        head = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            head["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=head)
            response = conn.getresponse()
            text = response.read().decode()
        finally:
            conn.close()  # also when a killed worker dropped the connection
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return response.status, dict(response.headers), text

    def token(self, path: str) -> str:
        return CSRF.search(self.request("GET", path)[2]).group(1)

    def until_answered(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict, str]:
        """Send again while the connection fails (a worker died), as the tablets' scripts do."""
        deadline = time.monotonic() + 15
        while True:
            try:
                return self.request(method, path, form, headers)
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


def server_env(app: Flask, **extra: str) -> dict[str, str]:
    """The environment that makes ``wsgi:app`` serve ``app``'s database and content."""
    return {
        **os.environ,
        "LMS_DATABASE_URL": app.config["LMS_DATABASE_URL"],
        "LMS_CONTENT_DIR": app.config["LMS_CONTENT_DIR"],
        "LMS_SECRET_KEY": app.config["SECRET_KEY"],
        **extra,
    }


class Gunicorn:
    """``gunicorn wsgi:app`` (or ``app``) with ``workers`` processes (``threads`` each); its log
    in a file."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        workers: int = 1,
        threads: int = 1,
        app: str = "wsgi:app",
    ) -> None:
        self.port = free_port()
        self.log = log
        command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads)]
        command += ["-b", f"127.0.0.1:{self.port}", "--log-level", "warning", app]
        with log.open("wb") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=out)
        self.workers = workers
        self.wait_ready()

    def wait_ready(self, seconds: float = 20) -> None:
        """Until every worker runs and the server answers."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if len(self.worker_pids()) == self.workers:
                try:
                    Browser(self.port).request("GET", "/healthz")
                    return
                except OSError:
                    pass
            time.sleep(0.1)
        raise TimeoutError(f"gunicorn did not start: {self.log.read_text()}")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill_workers(self) -> list[int]:
        """SIGKILL every worker, as the kernel's OOM killer would; the master starts new ones."""
        killed = self.worker_pids()
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        return killed

    def respawned(self, killed: list[int]) -> None:
        """Wait until new workers replaced the killed ones and answer."""
        deadline = time.monotonic() + 20
        while set(self.worker_pids()) & set(killed) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.wait_ready()

    def stop(self) -> str:
        """Stop the server; its log."""
        self.process.terminate()
        self.process.wait(timeout=15)
        return self.log.read_text(errors="replace")
