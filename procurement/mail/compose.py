"""Writing a mail: its plain text and HTML from ``templates/mail/<name>.txt`` and ``.html``, with
absolute links built from ``PUBLIC_BASE_URL`` (the request's address when unset, as the
documents do), so a mail composed by a job or the reminder clock links to the right host.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_request_context, render_template, request

FALLBACK_BASE_URL = "http://127.0.0.1:5000/"


@dataclass(frozen=True)
class Composed:
    """A mail's subject and bodies, ready for ``services.mail.queue_mail``."""

    subject: str
    text: str
    html: str


def base_url() -> str:
    """The address links in mails start with."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        base = request.url_root if has_request_context() else FALLBACK_BASE_URL
    return base.rstrip("/") + "/"


def absolute_url(endpoint: str, **values) -> str:
    """The full address of ``endpoint`` (works outside a request: a job, a CLI command)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base_url() + path.lstrip("/")


def compose(name: str, subject: str, *, can_opt_out: bool = False, **context) -> Composed:
    """Render ``mail/<name>.txt`` (which includes ``mail/_footer.txt``) and ``mail/<name>.html``
    (which extends ``mail/_layout.html``); ``can_opt_out``: the footer says where to switch the
    kind of mail off (a notification), not for a mail the person asked for (a reset link)."""
    from procurement.i18n import chinese

    context = {"subject": subject, "base_url": base_url(), "can_opt_out": can_opt_out, **context}
    with chinese():  # mails are written in Chinese, like the notices they announce
        text = render_template(f"mail/{name}.txt", **context).strip() + "\n"
        html = render_template(f"mail/{name}.html", **context)
    return Composed(subject=subject, text=text, html=html)
