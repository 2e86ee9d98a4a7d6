"""The demo clock: buyer staff move the simulated time (never in production)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procurement import audit, clock
from procurement.auth.permissions import roles_required
from procurement.buyer.forms import ClockForm
from procurement.buyer.views import bp
from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import STATUS_PUBLISHED, Project
from procurement.queries.lookups import schedule_of
from procurement.services import reminders
from procurement.services.unit_of_work import transaction


def _simulated_clock():
    if not current_app.config["ALLOW_SIMULATED_CLOCK"]:
        abort(404)
    clk = clock.get_clock()
    if not hasattr(clk, "set"):
        abort(404)
    return clk


def _shortcuts() -> list[tuple[str, datetime]]:
    """Useful moments of the open projects: inside registration, the deadline, just after."""
    moments = []
    for project in db.session.query(Project).filter(Project.status == STATUS_PUBLISHED).order_by(Project.id):
        schedule = schedule_of(project)
        moments.append((_("%(code)s 报名期内（首日 10:00）", code=project.code), datetime.combine(schedule.registration_opens, time(10, 0), BEIJING)))
        moments.append((_("%(code)s 报价截止前 5 分钟", code=project.code), project.opening_at - timedelta(minutes=5)))
        moments.append((_("%(code)s 开启时间", code=project.code), project.opening_at))
        moments.append((_("%(code)s 开启后 10 分钟", code=project.code), project.opening_at + timedelta(minutes=10)))
    return moments


@bp.route("/clock", methods=["GET", "POST"], endpoint="clock")
@roles_required("buyer")
def clock_settings():
    """Set, move or clear the simulated time (demo and development only)."""
    clk = _simulated_clock()
    form = ClockForm()
    if request.method == "GET":
        form.at.data = clock.now().astimezone(BEIJING).replace(tzinfo=None, second=0, microsecond=0)
    if request.method == "POST" and request.form.get("action") == "reset":
        with transaction():
            clk.set(None)
            audit.record("clock.reset", object_type="clock", object_id="1", actor=current_user)
        reminders.tick()
        flash(_("已恢复真实时间。"), "success")
        return redirect(url_for("buyer.clock"))
    if request.method == "POST" and request.form.get("shortcut"):
        try:
            at = datetime.fromisoformat(request.form["shortcut"])
        except ValueError:
            abort(400)
        # The page's shortcuts are aware times of this century; anything else was not sent by it.
        if at.tzinfo is None or not 2000 <= at.year <= 2100:
            abort(400)
        return _set(clk, at)
    if form.validate_on_submit():
        return _set(clk, form.at.data.replace(tzinfo=BEIJING))
    status = 400 if request.method == "POST" else 200
    return render_template("buyer/clock.html", form=form, shortcuts=_shortcuts()), status


def _set(clk, at: datetime):
    with transaction():
        clk.set(at, user_id=current_user.id)
        audit.record("clock.set", object_type="clock", object_id="1", details={"simulated_at": at.isoformat()}, actor=current_user)
    # The reminders follow the simulated time: those due at the new moment go out now.
    reminders.tick()
    flash(_("模拟时间已设为 %(when)s（北京时间）。", when=at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")), "success")
    return redirect(_back() or url_for("buyer.clock"))


def _back() -> str | None:
    """The page the buyer came from (a same-site path only), to return to after moving the clock."""
    target = request.args.get("back") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and not target.startswith(url_for("buyer.clock")):
        return target
    return None

