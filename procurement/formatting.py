"""Formatting for people: Beijing time, dates, quantities, notice hours, translated messages.

Plain functions shared by templates (as filters, see ``procurement.templating``), documents and
services, so that no service needs the templating layer.

Two families. ``cn_*``, :func:`hours_text` and :func:`hours_cutoff` write the Chinese of the
notices (2025年1月2日 16:00); ``local_*`` follow the interface's language (the same Chinese, or
2 Jan 2025, 16:00 in English) and are what the page filters use. Times are Beijing time in both.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import LazyString, gettext
from markupsafe import Markup, escape

from procurement import i18n


BEIJING = ZoneInfo("Asia/Shanghai")
WEEKDAYS = "一二三四五六日"
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


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


CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


def mark_chinese(value) -> Markup | str:
    """Text users entered (a title, a name) or a document carries, marked ``lang="zh"`` when it
    holds Chinese and the page is in English; unchanged otherwise (and always on a Chinese page)."""
    if value is None:
        return ""
    if not _english() or not CJK.search(str(value)):
        return value
    return Markup('<span lang="zh">%s</span>') % value


def parenthesised(value) -> Markup:
    """A value in parentheses as the interface's language writes them: （value） or " (value)"."""
    if value is None or value == "":
        return Markup("")
    if not _english():
        return Markup("（%s）") % value
    return Markup(" (%s)") % value


def _english() -> bool:
    return not i18n.is_chinese()


def en_date(value: date) -> str:
    """2 Jan 2025."""
    return f"{value.day} {EN_MONTHS[value.month - 1]} {value.year}"


def local_date(value: date | datetime | None) -> str:
    """A day in the interface's language: 2025年1月3日 or 3 Jan 2025 (a datetime in Beijing time)."""
    if value is None or not _english():
        return cn_date(value)
    if isinstance(value, datetime):
        value = to_beijing(value).date()
    return en_date(value)


def local_datetime(value: datetime | None, weekday: bool = False) -> str:
    """An instant in Beijing time in the interface's language: 2025年1月2日 16:00 or 2 Jan 2025, 16:00.

    ``weekday`` adds the day of the week: 2025年1月2日（星期四）16:00, Thu 2 Jan 2025, 16:00.
    """
    if value is None or not _english():
        return cn_datetime(value, weekday)
    local = to_beijing(value)
    text = f"{en_date(local.date())}, {local:%H:%M}"
    return f"{EN_WEEKDAYS[local.weekday()][:3]} {text}" if weekday else text


def local_seconds(value: datetime | None) -> str:
    """A server time to the second, Beijing time: 2025年1月2日 15:59:59 or 2 Jan 2025, 15:59:59."""
    if value is None:
        return ""
    local = to_beijing(value)
    if _english():
        return f"{en_date(local.date())}, {local:%H:%M:%S}"
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"


def local_clock(value: datetime | None) -> str:
    """An instant as the notice writes it (2025年1月2日16点00分) in Chinese, :func:`local_datetime` in English."""
    if value is None or not _english():
        return cn_clock(value)
    return local_datetime(value)


def local_weekday(value: date) -> str:
    """星期三 or Wednesday."""
    return EN_WEEKDAYS[value.weekday()] if _english() else cn_weekday(value)


def local_hours(hours: list) -> str:
    """The daily windows: 上午09:30至13:00时、下午15:30至18:00时, or 09:30–13:00 and 15:30–18:00."""
    if not _english():
        return hours_text(hours)
    return _en_list([f"{start}–{end}" for start, end in hours])


def local_hours_cutoff(hours: list) -> str:
    """Each window's end is exclusive, said plainly in the interface's language (see :func:`hours_cutoff`)."""
    if not hours or not _english():
        return hours_cutoff(hours)
    last = hours[-1][1]
    text = f"Closes at {last} each day; nothing is accepted from {last}"
    gaps = [f"{earlier[1]} to {later[0]}" for earlier, later in zip(hours, hours[1:])]
    if gaps:
        text += " (nor from " + _en_list(gaps, "or") + ")"
    return text


def _en_list(parts: list[str], conjunction: str = "and") -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {conjunction} " + parts[-1]


def list_separator() -> str:
    """Between the items of a list in running text: 、 in Chinese, a comma in English."""
    return ", " if _english() else "、"


def clause_separator() -> str:
    """Between clauses of a list of problems: ； in Chinese, a semicolon in English."""
    return "; " if _english() else "；"


def _display_value(value, mark=None):
    """A message parameter as the reader reads it (see :func:`translate`); ``mark`` wraps user text."""
    if isinstance(value, datetime):
        return local_datetime(value)
    if isinstance(value, date):
        return local_date(value)
    if isinstance(value, dict) and "message" in value:
        return _translate(value["message"], value.get("params"), mark)
    if isinstance(value, dict) and "date" in value and set(value) <= {"date", "weekday", "year"}:
        return _stored_date(value)
    if isinstance(value, dict) and set(value) == {"clauses"}:
        return _joined(value["clauses"], clause_separator(), mark)
    if isinstance(value, (list, tuple)):
        return _joined(value, list_separator(), mark)
    if mark is not None and isinstance(value, str):
        return mark(value)
    return value


def _joined(items, separator: str, mark):
    parts = [_display_value(item, mark) for item in items]
    if mark is not None:
        return Markup(escape(separator)).join(parts)
    return separator.join(str(part) for part in parts)


def _stored_date(value: dict) -> str:
    """A date a message carries as ``{"date": "2024-12-30", "weekday": true, "year": false}``:
    2024年12月30日, 12月30日（星期一）, 30 Dec 2024, Mon 30 Dec (``year`` defaults to true)."""
    try:
        day = date.fromisoformat(str(value["date"]))
    except ValueError:
        return str(value["date"])
    year, weekday = value.get("year", True), value.get("weekday", False)
    if _english():
        text = f"{day.day} {EN_MONTHS[day.month - 1]}" + (f" {day.year}" if year else "")
        return f"{EN_WEEKDAYS[day.weekday()][:3]} {text}" if weekday else text
    text = (f"{day.year}年" if year else "") + f"{day.month}月{day.day}日"
    return text + (f"（{cn_weekday(day)}）" if weekday else "")


def _translate(message, params, mark):
    if not message:
        return ""
    text = str(message) if isinstance(message, LazyString) else gettext(message)
    if mark is not None:
        text = Markup(escape(text))
    if params:
        try:
            return text % {key: _display_value(value, mark) for key, value in params.items()}
        except (KeyError, TypeError, ValueError):
            return text
    return text


def translate(message, params: dict | None = None) -> str:
    """Translate a domain message template (marked with ``N_``) and fill its parameters.

    Parameters are shown in the reader's language too: a datetime or date is formatted
    (:func:`local_datetime`, :func:`local_date`; ``{"date": "2024-12-20"}`` for a stored one), a
    nested ``{"message": ..., "params": ...}`` is translated in turn, a list is joined with
    :func:`list_separator` (、) and ``{"clauses": [...]}`` with :func:`clause_separator` (；). A lazy
    string (``_l``) is already translated. Plain text, fit for an attribute too.
    """
    return _translate(message, params, None)


def translate_marked(message, params: dict | None = None):
    """:func:`translate` for a page's text: on an English page the parameters that hold Chinese (a
    name, a title that users entered) are marked ``<span lang="zh">``, the rest escaped (Markup).
    On a Chinese page this is :func:`translate` itself."""
    if not _english():
        return translate(message, params)
    return _translate(message, params, mark_chinese)


def gettext_marked(message: str, **params):
    """``gettext(message, **params)`` with :func:`translate_marked`'s marking of Chinese parameters
    (for flash messages that name what users entered)."""
    return translate_marked(message, params)
