"""Reading the API's query parameters: each bad value is a 400 that names the parameter."""
from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import gettext as _

from procurement.api.http import ApiError

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


def _invalid(name: str, message: str) -> ApiError:
    return ApiError(400, "invalid_parameter", _("参数 %(name)s 无效：%(reason)s", name=name, reason=message))


def integer(name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
    """A whole number within bounds, or ``default`` when absent."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise _invalid(name, _("应为正整数。"))
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            raise _invalid(name, _("不能小于 %(minimum)s。", minimum=minimum))
        raise _invalid(name, _("应在 %(minimum)s 至 %(maximum)s 之间。", minimum=minimum, maximum=maximum))
    return value


def choice(name: str, allowed: tuple[str, ...]) -> str | None:
    """One of ``allowed``, or ``None`` when absent."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise _invalid(name, _("应为以下之一：%(allowed)s。", allowed="、".join(allowed)))
    return raw


def day(name: str) -> date | None:
    """A date written YYYY-MM-DD (Beijing), or ``None`` when absent."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise _invalid(name, _("应为 YYYY-MM-DD 格式的日期。")) from None


def paging() -> tuple[int, int]:
    """``page`` (1 first) and ``per_page`` (1 to 100, default 20)."""
    return integer("page", 1), integer("per_page", DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
