"""No password-reset token in a log: the link's one request line (werkzeug's dev server, gunicorn's
access log with its Referer, an error line naming the URL) is written with ``[redacted]`` instead."""
from __future__ import annotations

import http.client
import logging
import re
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from procurement.extensions import db
from procurement.log_redaction import FILTER, LOGGERS, redact
from procurement.services import password_reset
from tests.factories import make_supplier

ANSI = re.compile(r"\x1b\[[0-9;]*m")
TOKEN = "eyJ1IjoxfQ.Zz9aBc.sig-part_1"  # shaped like one


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_the_dev_server_logs_the_link_without_its_token(app, caplog):
    """A real werkzeug server (as the browser tests' and ``flask run``'s) answers the link; its access
    log line keeps the path, the status and nothing of the token."""
    token = password_reset.token_for(make_supplier())
    db.session.commit()  # the server's requests have connections of their own
    server = make_server("127.0.0.1", 0, app)  # one request at a time: each is logged before shutdown returns
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            statuses = [_get(server.server_port, f"/auth/reset-password/{token}"), _get(server.server_port, f"/auth/reset-password/{token[:-3]}?x=1")]
    finally:
        server.shutdown()
        thread.join(10)
    assert statuses == [302, 400]
    lines = [ANSI.sub("", record.getMessage()) for record in caplog.records if record.name == "werkzeug"]  # it colours the line
    assert any('"GET /auth/reset-password/[redacted] HTTP/1.1" 302' in line for line in lines), lines
    assert any('"GET /auth/reset-password/[redacted]?x=1 HTTP/1.1" 400' in line for line in lines), lines
    assert token[:20] not in caplog.text


def test_a_werkzeug_style_record_is_redacted_when_formatted(app, caplog):
    """werkzeug passes the request line in ``record.args``: the filter redacts the formatted message."""
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('127.0.0.1 - - [02/Dec/2026 19:00:00] "%s" %s %s', "GET /auth/reset-password/eyJ1Ijo.abc.XYZ HTTP/1.1", "302", "-")
    [record] = caplog.records
    assert record.getMessage() == '127.0.0.1 - - [02/Dec/2026 19:00:00] "GET /auth/reset-password/[redacted] HTTP/1.1" 302 -'
    assert "eyJ1Ijo" not in caplog.text


def test_gunicorn_access_log_redacts_the_request_line_and_the_referer(app, tmp_path):
    """gunicorn's own logger, as it writes the default access format (request line and Referer)."""
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    loggers = [logging.getLogger(name) for name in ("gunicorn.access", "gunicorn.error")]
    before = [(list(log.handlers), log.propagate, log.level) for log in loggers]
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    try:
        logger = Logger(config)  # gunicorn's own setup of its loggers, as in a worker
        environ = {
            "REQUEST_METHOD": "GET", "RAW_URI": f"/auth/reset-password/{TOKEN}", "PATH_INFO": f"/auth/reset-password/{TOKEN}",
            "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.7",
            "HTTP_REFERER": f"https://caigou.example.cn/auth/reset-password/{TOKEN}", "HTTP_USER_AGENT": "Firefox",
        }
        logger.access(SimpleNamespace(status="302 FOUND", headers=[], sent=0), SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))
        for handler in loggers[0].handlers:
            handler.flush()
        written = (tmp_path / "access.log").read_text()
    finally:
        for log, (handlers, propagate, level) in zip(loggers, before):
            for handler in [h for h in log.handlers if h not in handlers]:
                log.removeHandler(handler)
                handler.close()
            log.propagate, log.level = propagate, level
    assert '"GET /auth/reset-password/[redacted] HTTP/1.1" 302 0 "https://caigou.example.cn/auth/reset-password/[redacted]" "Firefox"' in written
    assert TOKEN.split(".")[0] not in written and TOKEN.split(".")[2] not in written


def test_a_child_logger_and_a_traceback_are_redacted_and_the_arguments_keep_their_shape(app, caplog):
    """A logger's filters miss its children's records; the record factory does not."""
    with caplog.at_level(logging.INFO):
        logging.getLogger("procurement.jobs.runner").info("job for %s", f"/auth/reset-password/{TOKEN}")
        logging.getLogger("gunicorn.access").info("%(r)s %(s)s", {"r": f"GET /auth/reset-password/{TOKEN} HTTP/1.1", "s": 302})
        try:
            raise LookupError(f"no route /auth/reset-password/{TOKEN}")
        except LookupError:
            logging.getLogger("procurement.mail.transport").exception("failed")
    child, access, failure = caplog.records
    assert child.getMessage() == "job for /auth/reset-password/[redacted]"
    assert access.args == {"r": "GET /auth/reset-password/[redacted] HTTP/1.1", "s": 302}
    assert "no route /auth/reset-password/[redacted]" in caplog.text
    assert all(part not in caplog.text for part in TOKEN.split("."))


def test_the_filter_is_on_every_logger_a_request_url_reaches(app):
    for name in (*LOGGERS, app.logger.name):
        assert FILTER in logging.getLogger(name).filters, name
    assert "werkzeug" in LOGGERS and "gunicorn.access" in LOGGERS and "gunicorn.error" in LOGGERS


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Error handling request /auth/reset-password/abc.def-_ghi", "Error handling request /auth/reset-password/[redacted]"),
        ("Exception on /auth/reset-password/abc.def [GET]", "Exception on /auth/reset-password/[redacted] [GET]"),
        ('"POST /auth/reset-password/set HTTP/1.1" 400', '"POST /auth/reset-password/set HTTP/1.1" 400'),  # the form: no token
        ("/auth/reset-password/settle.x /auth/reset-password/a#b", "/auth/reset-password/[redacted] /auth/reset-password/[redacted]#b"),
        ("/auth/forgot-password", "/auth/forgot-password"),
    ],
)
def test_redact(line, expected):
    assert redact(line) == expected


def test_the_link_endpoint_is_the_path_the_filter_knows(app):
    from flask import url_for

    with app.test_request_context():
        assert url_for("auth.reset_password", token="T") == "/auth/reset-password/T"
        assert url_for("auth.reset_password_form") == "/auth/reset-password/set"
