"""Calendar forms: a regional holiday, a CSV file, a year's national schedule."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional, ValidationError

from procurement.forms_common import BaseForm, BoundedIntegerField, length, required, sensible_year


class RegionalHolidayForm(BaseForm):
    """One regional holiday (藏历新年, 雪顿节, ...)."""

    day = DateField(_l("日期"), validators=[required(_l("请选择日期。")), sensible_year()])
    name = StringField(_l("名称"), validators=[required(), length(100)], description=_l("例如：藏历新年、雪顿节"))


class CsvUploadForm(BaseForm):
    """A CSV file upload."""

    file = FileField(_l("CSV 文件"), validators=[FileRequired(_l("请选择文件。"))])


def _parse_dates(text: str, year: int | None) -> list[date]:
    result = []
    for token in text.replace("，", ",").replace("\n", ",").split(","):
        token = token.strip()
        if not token:
            continue
        try:
            day = date.fromisoformat(token)
        except ValueError:
            raise ValidationError(_l("无法识别的日期：%(token)s（格式应为 2027-01-01）", token=token))
        if year is not None and day.year != year:
            raise ValidationError(_l("%(token)s 不在所录入的年份内。", token=token))
        result.append(day)
    return result


class YearEntryForm(BaseForm):
    """A whole year's State Council schedule typed in: days off and make-up working days."""

    year = BoundedIntegerField(_l("年份"), validators=[required(_l("请输入年份。")), NumberRange(min=2000, max=2100, message=_l("年份应在 2000 到 2100 之间。"))])
    holidays = TextAreaField(
        _l("放假日期"), validators=[required(_l("请输入放假日期。")), length(2000)], description=_l("用逗号或换行分隔，例如：2027-01-01, 2027-02-06"),
        render_kw={"rows": 5},
    )
    workdays = TextAreaField(_l("调休上班日期（周末上班）"), validators=[Optional(), length(2000)], render_kw={"rows": 3})

    holiday_dates: list[date] = []
    workday_dates: list[date] = []

    def validate_holidays(self, field):
        self.holiday_dates = _parse_dates(field.data or "", self.year.data)

    def validate_workdays(self, field):
        self.workday_dates = _parse_dates(field.data or "", self.year.data)
        for day in self.workday_dates:
            if day.weekday() < 5:
                raise ValidationError(_l("%(day)s 是工作日，调休上班日应为周末。", day=day.isoformat()))
        both = set(self.workday_dates) & set(getattr(self, "holiday_dates", []))
        if both:
            raise ValidationError(_l("%(day)s 不能既放假又上班。", day=sorted(both)[0].isoformat()))
