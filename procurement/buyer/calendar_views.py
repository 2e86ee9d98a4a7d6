"""The working-day calendar: regional holidays and entered national years."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from procurement.auth.permissions import roles_required
from procurement.buyer.calendar_forms import CsvUploadForm, RegionalHolidayForm, YearEntryForm
from procurement.buyer.views import bp
from procurement.domain import N_
from procurement.domain.calendar import CalendarImportError, UnknownYearError, YearSchedule
from procurement.domain.uploads import MAX_CALENDAR_CSV_BYTES
from procurement.extensions import db
from procurement.models import CalendarYear, Holiday
from procurement.services import ServiceError, uploads
from procurement.services import calendar as calendar_service
from procurement.services import projects as project_service
from procurement.formatting import gettext_marked, local_date, translate
from procurement import clock
from procurement.domain.schedule import beijing
from procurement.web import attempt


def _year_status(years: list[int]) -> list[dict]:
    calendar = calendar_service.load_calendar()
    entered = set(db.session.scalars(sa.select(CalendarYear.year)))
    rows = []
    for year in years:
        try:
            calendar.is_working_day(date(year, 6, 1))
            known = True
        except UnknownYearError:
            known = False
        rows.append({"year": year, "known": known, "entered": year in entered})
    return rows


def _render(status=200, **forms):
    today = beijing(clock.now()).date()
    forms.setdefault("regional_form", RegionalHolidayForm(prefix="regional"))
    forms.setdefault("regional_csv_form", CsvUploadForm(prefix="regional_csv"))
    forms.setdefault("year_form", YearEntryForm(prefix="year"))
    forms.setdefault("year_csv_form", CsvUploadForm(prefix="year_csv"))
    regional = db.session.scalars(sa.select(Holiday).where(Holiday.kind == "regional_holiday").order_by(Holiday.day)).all()
    national = db.session.scalars(sa.select(Holiday).where(Holiday.kind != "regional_holiday").order_by(Holiday.day)).all()
    years = _year_status([today.year - 1, today.year, today.year + 1])
    return (
        render_template(
            "buyer/calendar.html", regional=regional, national=national, years=years,
            affected=project_service.schedule_drifts(), **forms,
        ),
        status,
    )


def _drift_keys() -> dict[int, tuple]:
    """What today's calendar would make of each published project's dates, keyed by project id."""
    return {a.project.id: _drift_key(a) for a in project_service.schedule_drifts()}


def _drift_key(affected) -> tuple:
    if affected.drift is None:
        return ("missing", affected.missing_year)
    proposed = affected.drift.proposed
    return (proposed.registration_opens, proposed.registration_closes, proposed.notice_ends, proposed.working_days)


def _report_drifts(before: dict[int, tuple]) -> None:
    """After a calendar change, name the published projects whose dates it would move.

    Their published schedules stay as they are; the calendar page lists them with a link to
    each one's correction notice (更正公告).
    """
    changed = [a for a in project_service.schedule_drifts() if before.get(a.project.id) != _drift_key(a)]
    if not changed:
        return
    projects = [
        {
            "message": N_("%(code)s %(title)s（%(change)s）"),
            "params": {"code": a.project.code, "title": a.project.title, "change": _drift_summary(a)},
        }
        for a in changed
    ]
    flash(
        gettext_marked(
            N_(
                "此次日历调整会改变 %(n)s 个已发布项目的日程：%(projects)s。已发布的日程保持不变，报名仍按公告进行；"
                "如需调整，请在下方列表中为该项目发布更正公告。"
            ),
            n=len(changed),
            projects=projects,
        ),
        "warning",
    )


def _drift_summary(affected) -> str:
    if affected.drift is None:
        return _("缺少 %(year)s 年的节假日安排，无法重新计算", year=affected.missing_year)
    labels = {
        "registration_opens": _("报名开始"),
        "registration_closes": _("报名截止"),
        "notice_ends": _("公告期截止"),
    }
    parts = [
        _("%(label)s %(old)s → %(new)s", label=labels[name], old=local_date(old), new=local_date(new))
        for name, old, new in affected.drift.changes
    ]
    return _("，").join(parts) or _("报名日有变化，起止日期不变")


@bp.route("/calendar")
@roles_required("buyer")
def calendar():
    """The calendar: which years are known, regional holidays, entered national days."""
    return _render()


@bp.route("/calendar/regional", methods=["POST"])
@roles_required("buyer")
def calendar_regional_add():
    """Add one regional holiday."""
    form = RegionalHolidayForm(prefix="regional")
    if form.validate_on_submit():
        before = _drift_keys()
        if attempt(form, calendar_service.add_regional_holiday, form.day.data, form.name.data, current_user):
            flash(_("已添加地方节假日 %(day)s。", day=form.day.data.isoformat()), "success")
            _report_drifts(before)
            return redirect(url_for("buyer.calendar"))
    return _render(400, regional_form=form)


def _csv_import(prefix: str, run, success):
    """Read an uploaded CSV, hand it to ``run`` (all or nothing), flash ``success(result)``.

    Every bad row is listed beside the file field with its line number; the page answers 400.
    """
    form = CsvUploadForm(prefix=prefix)
    if form.validate_on_submit():
        try:
            text = uploads.check_upload(form.file.data, uploads.CSV_TYPES, field="file", max_bytes=MAX_CALENDAR_CSV_BYTES).text
        except ServiceError as error:
            form.add_domain_error(error, "file")
        else:
            before = _drift_keys()
            try:
                result = run(text, current_user)
            except CalendarImportError as error:
                for row in error.errors:
                    form.file.errors.append(_("第 %(line)s 行：", line=row.line) + translate(row.message, row.params))
            else:
                flash(success(result), "success")
                _report_drifts(before)
                return redirect(url_for("buyer.calendar"))
    return _render(400, **{f"{prefix}_form": form})


@bp.route("/calendar/regional.csv", methods=["POST"])
@roles_required("buyer")
def calendar_regional_import():
    """Import regional holidays from CSV (date,name); all or nothing."""
    return _csv_import(
        "regional_csv", calendar_service.import_regional_holidays, lambda added: ngettext("已导入 %(num)s 个地方节假日。", "已导入 %(num)s 个地方节假日。", added)
    )


@bp.route("/calendar/year", methods=["POST"])
@roles_required("buyer")
def calendar_year_enter():
    """Enter a year's national schedule typed into the form."""
    form = YearEntryForm(prefix="year")
    if form.validate_on_submit():
        schedule = YearSchedule(year=form.year.data, holidays=frozenset(form.holiday_dates), workdays=frozenset(form.workday_dates))
        before = _drift_keys()
        calendar_service.enter_year(schedule, {}, current_user)
        flash(_("已录入 %(year)s 年国务院节假日安排。", year=form.year.data), "success")
        _report_drifts(before)
        return redirect(url_for("buyer.calendar"))
    return _render(400, year_form=form)


@bp.route("/calendar/year.csv", methods=["POST"])
@roles_required("buyer")
def calendar_year_import():
    """Enter a year's national schedule from CSV (date,kind,name); all or nothing."""
    return _csv_import(
        "year_csv", calendar_service.import_year, lambda schedule: _("已录入 %(year)s 年国务院节假日安排。", year=schedule.year)
    )


@bp.route("/calendar/holidays/<int:holiday_id>/delete", methods=["POST"])
@roles_required("buyer")
def calendar_holiday_delete(holiday_id: int):
    """Remove one regional holiday or entered national day."""
    holiday = db.session.get(Holiday, holiday_id)
    if holiday is None:
        abort(404)
    before = _drift_keys()
    day = holiday.day
    calendar_service.remove_holiday(holiday, current_user)
    flash(_("已删除 %(day)s。", day=day.isoformat()), "success")
    _report_drifts(before)
    return redirect(url_for("buyer.calendar"))


@bp.route("/calendar/years/<int:year>/delete", methods=["POST"])
@roles_required("buyer")
def calendar_year_delete(year: int):
    """Forget an entered year (the library's data, if any, applies again)."""
    if db.session.get(CalendarYear, year) is None:
        abort(404)
    before = _drift_keys()
    calendar_service.remove_year(year, current_user)
    flash(_("已删除 %(year)s 年的录入安排。", year=year), "success")
    _report_drifts(before)
    return redirect(url_for("buyer.calendar"))
