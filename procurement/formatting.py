"""Formatting for people: Beijing time, Chinese dates, quantities, notice hours, translated messages.

Plain functions shared by templates (as filters, see ``procurement.templating``), documents and
services, so that no service needs the templating layer.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext


BEIJING = ZoneInfo("Asia/Shanghai")
WEEKDAYS = "一二三四五六日"


def to_beijing(value: datetime) -> datetime:
    """An aware datetime in Beijing time."""
    return value.astimezone(BEIJING)


def cn_date(value: date | datetime | None) -> str:
    """2025年1月3日 (a datetime is first converted to Beijing time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_beijing(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: datetime | None, weekday: bool = False) -> str:
    """2025年1月2日 16:00 in Beijing time; with ``weekday`` adds （星期四）."""
    if value is None:
        return ""
    local = to_beijing(value)
    text = f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    if weekday:
        text = f"{local.year}年{local.month}月{local.day}日（星期{WEEKDAYS[local.weekday()]}）{local:%H:%M}"
    return text


def cn_time(value: datetime | None) -> str:
    """18:00: the wall-clock time of an instant in Beijing time."""
    if value is None:
        return ""
    return f"{to_beijing(value):%H:%M}"


def cn_weekday(value: date) -> str:
    """星期三."""
    return "星期" + WEEKDAYS[value.weekday()]


def cn_clock(value: datetime | None) -> str:
    """2025年1月2日16点00分, the notice's own style, in Beijing time."""
    if value is None:
        return ""
    local = to_beijing(value)
    return f"{local.year}年{local.month}月{local.day}日{local.hour}点{local.minute:02d}分"


def hours_text(hours: list) -> str:
    """上午09:30至13:00时、下午15:30至18:00时 from [["09:30", "13:00"], ...]."""
    parts = []
    for start, end in hours:
        half = "上午" if start < "12:00" else "下午"
        parts.append(f"{half}{start}至{end}时")
    return "、".join(parts)


def hours_cutoff(hours: list) -> str:
    """每日18:00截止，18:00起不再受理（13:00至15:30不受理）: each window's end is exclusive, said plainly.

    Notice wording (like :func:`hours_text`), so it reads the same on the page and in the PDF.
    """
    if not hours:
        return ""
    last = hours[-1][1]
    text = f"每日{last}截止，{last}起不再受理"
    gaps = [f"{earlier[1]}至{later[0]}" for earlier, later in zip(hours, hours[1:])]
    if gaps:
        text += f"（{'、'.join(gaps)}不受理）"
    return text


def quantity(value) -> str:
    """A quantity without exponent or trailing zeros: 1200.000 -> 1200, 12.500 -> 12.5."""
    if value is None:
        return ""
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text


def translate(message: str, params: dict | None = None) -> str:
    """Translate a domain message template (marked with ``N_``) and fill its parameters."""
    text = gettext(message)
    if params:
        try:
            return text % params
        except (KeyError, TypeError, ValueError):
            return text
    return text
