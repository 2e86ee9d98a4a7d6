"""Where a message goes (config ``MAIL_TRANSPORT``; empty picks by ``MAIL_SERVER``).

- ``smtp``: to ``MAIL_SERVER``:``MAIL_PORT`` with ``smtplib`` (STARTTLS with ``MAIL_USE_TLS``,
  implicit TLS with ``MAIL_USE_SSL``, ``MAIL_USERNAME``/``MAIL_PASSWORD`` when set).
- ``outbox`` (the embedded default, no mail server): a ``.eml`` file per message in the
  instance folder's ``outbox`` (``MAIL_OUTBOX`` overrides it), so ``make run`` shows every mail.
"""
from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path

from flask import Flask, current_app

from procurement import clock


@dataclass(frozen=True)
class Outgoing:
    """What a transport sends: one message to one address."""

    message_id: int
    to_address: str
    to_name: str | None
    subject: str
    text: str
    html: str | None


def mode(app: Flask | None = None) -> str:
    """``smtp`` or ``outbox``."""
    config = (app or current_app).config
    return config.get("MAIL_TRANSPORT") or ("smtp" if config.get("MAIL_SERVER") else "outbox")


def outbox_folder(app: Flask | None = None) -> Path:
    """The folder the outbox transport writes to."""
    app = app or current_app
    return Path(app.config.get("MAIL_OUTBOX") or os.path.join(app.instance_path, "outbox"))


def build(outgoing: Outgoing, app: Flask | None = None) -> EmailMessage:
    """The MIME message: plain text, and HTML as the alternative when there is one."""
    app = app or current_app
    config = app.config
    sender = config.get("MAIL_DEFAULT_SENDER") or "noreply@localhost"
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = formataddr((outgoing.to_name, outgoing.to_address)) if outgoing.to_name else outgoing.to_address
    message["Subject"] = outgoing.subject
    message["Date"] = format_datetime(clock.now())
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(idstring=f"m{outgoing.message_id}", domain=domain)
    message.set_content(outgoing.text)
    if outgoing.html:
        message.add_alternative(outgoing.html, subtype="html")
    return message


def send(outgoing: Outgoing, app: Flask | None = None) -> None:
    """Hand the message over; raises on failure (the job records it and retries)."""
    app = app or current_app
    message = build(outgoing, app)
    if mode(app) == "smtp":
        _send_smtp(message, app)
    else:
        _write_outbox(message, outgoing, app)


def _send_smtp(message: EmailMessage, app: Flask) -> None:
    config = app.config
    host = config["MAIL_SERVER"]
    port = int(config.get("MAIL_PORT") or (465 if config.get("MAIL_USE_SSL") else 25))
    timeout = float(config.get("MAIL_TIMEOUT", 30))
    if config.get("MAIL_USE_SSL"):
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    with connection:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            connection.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        connection.send_message(message)


def _write_outbox(message: EmailMessage, outgoing: Outgoing, app: Flask) -> None:
    folder = outbox_folder(app)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{outgoing.message_id:06d}.eml"  # a retry rewrites the same file
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(message.as_bytes())
    os.replace(temporary, folder / name)  # a reader never sees half a message
