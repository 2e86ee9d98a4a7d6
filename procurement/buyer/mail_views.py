"""Buyer staff: 已发送邮件, every mail the service sent or is sending (development, test and demo
only: ``MAIL_OUTBOX_PAGE``), one message's text, its HTML in a sandboxed frame, and its .eml.

A message holding a sign-in link shows no body at all (已清除（含登录链接）): the reset link is
its recipient's alone. In production the page does not exist (404).

重新发送 (:func:`mail_resend`, every configuration): a mail whose delivery failed, from the
failed mails on the buyer's home.
"""
from __future__ import annotations

from email.utils import format_datetime

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procurement.auth.permissions import roles_required
from procurement.buyer.views import bp
from procurement.extensions import db
from procurement.forms_common import parse_id
from procurement.headers import MAIL_PREVIEW_POLICY
from procurement.mail import transport
from procurement.models import MailMessage
from procurement.queries import mail as mail_queries
from procurement.services import mail as mail_service
from procurement.web import attempt, send_bytes


def _page_enabled() -> None:
    """:raise 404: where the configuration has no outbox page (production)."""
    if not current_app.config.get("MAIL_OUTBOX_PAGE"):
        abort(404)


def _shown(message_id: int) -> mail_queries.MailView:
    """:raise 404: without the page, or for no such message."""
    _page_enabled()
    view = mail_queries.mail_view(message_id)
    if view is None:
        abort(404)
    return view


@bp.route("/mail")
@roles_required("buyer")
def mail_outbox():
    """The list, newest first, a page at a time (``?page=``)."""
    _page_enabled()
    page = mail_queries.outbox_page(min(parse_id(request.args.get("page", "1")) or 1, 10**6))
    return render_template("buyer/mail_outbox.html", page=page, transport_mode=transport.mode())


@bp.route("/mail/<int:message_id>")
@roles_required("buyer")
def mail_message(message_id: int):
    """One message: addressee, subject, status (with the error), text, and the HTML in a frame."""
    return render_template("buyer/mail_message.html", view=_shown(message_id))


@bp.route("/mail/<int:message_id>/body.html")
@roles_required("buyer")
def mail_message_html(message_id: int):
    """The HTML body alone, for the frame: sandboxed (no script, opaque origin), framed by us only.

    :raise 404: for a message without an HTML body, or one whose body is withheld.
    """
    view = _shown(message_id)
    if view.html is None:
        abort(404)
    response = Response(view.html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = MAIL_PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/mail/<int:message_id>/message.eml")
@roles_required("buyer")
def mail_message_eml(message_id: int):
    """The message as a mail client opens it (``.eml``), rebuilt from the row.

    :raise 404: for a message whose body is withheld.
    """
    view = _shown(message_id)
    if view.text is None and view.html is None:
        abort(404)
    row = view.row
    outgoing = transport.Outgoing(row.id, row.to_address, None, row.subject, view.text or "", view.html)
    message = transport.build(outgoing)
    message.replace_header("Date", format_datetime(row.sent_at or row.created_at))
    data = message.as_bytes()
    return send_bytes(data, "message/rfc822", f"mail-{row.id:06d}.eml", hint=f"mail-{row.id}")


@bp.route("/mail/<int:message_id>/resend", methods=["POST"])
@roles_required("buyer")
def mail_resend(message_id: int):
    """Send a failed mail again (the same message: its job queued again); back to the home's list.

    :raise 404: for no such message.
    """
    message = db.session.get(MailMessage, message_id)
    if message is None:
        abort(404)
    if attempt(None, mail_service.resend, message, current_user):
        flash(_("已重新发送邮件（收件人：%(to)s）。", to=message.to_address), "success")
    return redirect(url_for("buyer.home") + "#failed-mails")
