"""The person's messages: the list (newest first, unread marked), one message (opening it reads
it), mark all read, and the e-mail switch per kind (消息设置; in-app messages are always kept)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procurement.auth.permissions import signed_in
from procurement.inbox import bp
from procurement.inbox.forms import field_name, switches_form
from procurement.queries.notifications import message_list, own_notification, switches, unread_count
from procurement.services import notifications


@bp.app_context_processor
def unread_for_nav():
    """``unread_notifications()`` for the navigation: the signed-in person's unread count, read once per page."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:
            g.unread_notifications = unread_count(current_user.id)
        return g.unread_notifications

    return {"unread_notifications": unread_notifications}


def safe_link(link: str | None) -> str | None:
    """A message's link if it is a path of this site (the service wrote it; never another host)."""
    if not link or not link.startswith("/") or link.startswith("//") or "\\" in link:
        return None
    return link


@bp.route("/")
@signed_in
def index():
    """My messages, newest first; the unread ones marked."""
    page = request.args.get("page", 1, type=int) or 1
    return render_template("inbox/list.html", page=message_list(current_user.id, page))


@bp.route("/<int:notification_id>")
@signed_in
def message(notification_id: int):
    """One of my messages; opening it marks it read. Someone else's answers 404."""
    notification = own_notification(current_user.id, notification_id)
    if notification is None:
        abort(404)
    if notification.read_at is None:
        notifications.mark_read(notification, current_user._get_current_object())
    return render_template("inbox/message.html", message=notification, link=safe_link(notification.link))


@bp.route("/read-all", methods=["POST"])
@signed_in
def read_all():
    """Mark every message of mine read."""
    count = notifications.mark_all_read(current_user._get_current_object())
    flash(_("已将 %(count)s 条消息标为已读。", count=count), "success")
    return redirect(url_for("inbox.index"))


@bp.route("/settings", methods=["GET", "POST"])
@signed_in
def settings():
    """消息设置: every kind I can receive, in Chinese, with its e-mail switch (default on)."""
    lines = switches(current_user)
    kinds = [line.kind for line in lines]
    form = switches_form(kinds)
    if request.method == "GET":
        for line in lines:
            form[field_name(line.kind)].data = line.email
    if form.validate_on_submit():
        notifications.set_email_switches(
            current_user._get_current_object(), {kind.code: bool(form[field_name(kind)].data) for kind in kinds}
        )
        flash(_("消息设置已保存。"), "success")
        return redirect(url_for("inbox.settings"))
    status = 400 if request.method == "POST" else 200
    return render_template("inbox/settings.html", form=form, lines=lines, field_name=field_name), status
