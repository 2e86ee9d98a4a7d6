"""JSON text with exact decimal numbers: ``Decimal("7173.50")`` is written ``7173.50``, never
through a float (which would print ``7173.5`` at best and lose digits at worst).

Compact (no spaces) and in insertion order, so the same value always gives the same bytes, which
the API's ETags and the stored releases rely on.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal


def dumps(value) -> str:
    """``value`` (dicts, lists, str, int, bool, None, Decimal) as compact JSON text.

    :raise TypeError: for anything else (a float, a datetime: callers format dates themselves).
    """
    parts: list[str] = []
    _write(value, parts.append)
    return "".join(parts)


def _write(value, out) -> None:
    if value is None or isinstance(value, (bool, str)):
        out(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"not a JSON number: {value}")
        out(format(value, "f"))
    elif isinstance(value, int):
        out(str(value))
    elif isinstance(value, dict):
        out("{")
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys are strings, not {type(key).__name__}")
            if index:
                out(",")
            out(json.dumps(key, ensure_ascii=False))
            out(":")
            _write(item, out)
        out("}")
    elif isinstance(value, (list, tuple)):
        out("[")
        for index, item in enumerate(value):
            if index:
                out(",")
            _write(item, out)
        out("]")
    elif isinstance(value, (datetime, date)):
        raise TypeError("format dates before writing JSON (see procurement.ocds.releases.timestamp)")
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")


def loads(text: str):
    """Parse JSON text keeping every number with a fraction as ``Decimal`` (the inverse of :func:`dumps`)."""
    return json.loads(text, parse_float=Decimal)
