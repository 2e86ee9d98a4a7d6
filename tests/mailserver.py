"""A real SMTP server on loopback (aiosmtpd) for the tests of mail: it keeps what arrived."""
from __future__ import annotations

import email
import socket
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import default
from typing import Iterator

from aiosmtpd.controller import Controller


class _Keep:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[tuple[int, _Keep]]:
    """Start an SMTP server on 127.0.0.1 and yield its port and what it received."""
    keep = _Keep()
    port = _free_port()
    controller = Controller(keep, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, keep
    finally:
        controller.stop()


def body_text(message: EmailMessage, subtype: str = "plain") -> str:
    """The message's text (or HTML) part, decoded."""
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None else ""
