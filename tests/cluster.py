"""Several app nodes on one database, as real processes, for the tests that need them.

:class:`Cluster` starts gunicorn nodes, and any other process (a queue worker, say), that share
one environment — the database, the file store, ``SECRET_KEY``, the KEK, Redis — each with an
instance folder of its own, as separate machines behind a load balancer would be. Every process
runs in its own session and is stopped by its own process group, nothing else.
:class:`Browser` is a plain HTTP client with a cookie jar that can talk to any node, as a
browser behind that load balancer does.
"""
from __future__ import annotations

import http.client
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Callable, Mapping

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.factories.rows import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
START_TIMEOUT = 90  # seconds a process may take to answer (importing WeasyPrint on a loaded machine)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Process:
    """One process we started, in its own session, logging to ``log``."""

    name: str
    popen: subprocess.Popen
    log: Path
    instance: Path

    def alive(self) -> bool:
        """Whether it is still running."""
        return self.popen.poll() is None

    def output(self) -> str:
        """What it logged so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        """SIGTERM to its process group, SIGKILL if it has not gone after 20 s."""
        if not self.alive():
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


@dataclass
class Node(Process):
    """A gunicorn node serving ``wsgi:app`` on ``url``."""

    url: str = ""

    @property
    def port(self) -> int:
        """The node's port on 127.0.0.1."""
        return urllib.parse.urlsplit(self.url).port


class Cluster:
    """App nodes and helper processes sharing ``env``; each gets ``<workdir>/<name>`` as its instance folder."""

    def __init__(self, workdir: Path, env: Mapping[str, str]) -> None:
        self.workdir = workdir
        self.env = dict(env)
        self.processes: list[Process] = []

    def environment(self, name: str) -> dict[str, str]:
        """The shared environment plus this process's own instance folder."""
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "TEST_DATABASE"))}
        env.update(self.env)
        env["INSTANCE_PATH"] = str(self.workdir / name)
        return env

    def start_process(self, name: str, args: list[str], *, ready: Callable[[Process], bool] | None = None) -> Process:
        """Start ``python args…`` (``["-m", "flask", "--app", "wsgi", "worker"]``, say) with the shared environment.

        ``ready`` is polled until it returns true; without it the process only has to stay alive
        for a moment.
        """
        instance = self.workdir / name
        instance.mkdir(parents=True, exist_ok=True)
        log = self.workdir / f"{name}.log"
        with open(log, "w") as handle:
            popen = subprocess.Popen(
                [sys.executable, *args], cwd=ROOT, env=self.environment(name), stdout=handle, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log, instance)
        self.processes.append(process)
        self._wait(process, ready or (lambda p: True))
        return process

    def start_node(self, name: str, *, workers: int = 1) -> Node:
        """Start a gunicorn node (``workers`` sync workers) and wait until it answers the sign-in page."""
        port = free_port()
        instance = self.workdir / name
        instance.mkdir(parents=True, exist_ok=True)
        log = self.workdir / f"{name}.log"
        command = [
            sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
            "--chdir", str(ROOT), "--timeout", "300", "--log-level", "warning", "wsgi:app",
        ]
        with open(log, "w") as handle:
            popen = subprocess.Popen(
                command, cwd=ROOT, env=self.environment(name), stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
            )
        node = Node(name, popen, log, instance, url=f"http://127.0.0.1:{port}")
        self.processes.append(node)
        self._wait(node, _answers)
        return node

    def _wait(self, process: Process, ready: Callable[[Process], bool]) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not process.alive():
                raise RuntimeError(f"{process.name} exited:\n{process.output()}")
            if ready(process):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{process.name} did not become ready:\n{process.output()}")

    def tracebacks(self) -> dict[str, str]:
        """Every process's log that contains a traceback."""
        return {p.name: p.output() for p in self.processes if "Traceback" in p.output()}

    def stop(self) -> None:
        """Stop every process this cluster started, newest first."""
        for process in reversed(self.processes):
            process.stop()


def _answers(node: Node) -> bool:
    try:
        return Browser().get(node, "/auth/login").status == 200
    except OSError:
        return False


@dataclass
class Answer:
    """One HTTP response, read whole."""

    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        """The redirect target, or ''."""
        return self.headers.get("Location") or ""


@dataclass
class Browser:
    """A browser's cookies and a way to send requests to any node with them."""

    cookies: dict[str, str] = field(default_factory=dict)
    user_agent: str = "procurement-tests/cluster"

    def request(self, node: Node, method: str, path: str, *, body: bytes | None = None, headers: Mapping[str, str] | None = None) -> Answer:
        """Send one request to ``node`` and keep the cookies it sets."""
        connection = http.client.HTTPConnection("127.0.0.1", node.port, timeout=300)
        sent = {"User-Agent": self.user_agent, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(response.status, response.msg, response.read())
        finally:
            connection.close()
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "expires=thu, 01 jan 1970" not in cookie.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return answer

    def get(self, node: Node, path: str, **headers: str) -> Answer:
        """GET ``path`` from ``node``."""
        return self.request(node, "GET", path, headers=headers)

    def csrf_token(self, node: Node, page: str) -> str:
        """The CSRF token of the form on ``page``, as a browser reads it."""
        answer = self.get(node, page)
        match = CSRF_RE.search(answer.text)
        if answer.status != 200 or match is None:
            raise AssertionError(f"no form on {page} at {node.name}: {answer.status}")
        return match.group(1)

    def post(self, node: Node, path: str, fields: Mapping[str, str] | None = None, *, files=None, page: str | None = None) -> Answer:
        """POST a form with the CSRF token of ``page`` (default: ``path``); ``files`` are {field: (name, bytes)}."""
        values = MultiDict({**(fields or {}), "csrf_token": self.csrf_token(node, page or path)})
        if files:
            for key, (name, data) in files.items():
                values.add(key, FileStorage(io.BytesIO(data), filename=name))
            boundary, body = encode_multipart(values)
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(list(values.items(multi=True))).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.request(node, "POST", path, body=body, headers={"Content-Type": content_type})

    def sign_in(self, node: Node, email: str, password: str = PASSWORD) -> None:
        """Sign in through the login form on ``node``."""
        answer = self.post(node, "/auth/login", {"email": email, "password": password})
        if answer.status != 302:
            raise AssertionError(f"sign-in as {email} on {node.name} answered {answer.status}")

