"""The one source of "now" for every rule and view.

``now()`` asks the clock installed on the app. Production installs the system clock
and nothing else. Development, demo and test configurations install the simulated
clock: the wall clock unless buyer staff (or ``SIMULATED_NOW``) set a simulated time,
which is stored in the database so every worker process agrees, and keeps ticking
from the instant it was set. Tests may install a :class:`FixedClock` instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from flask import current_app, g


def utcnow() -> datetime:
    """The real wall-clock time, aware UTC (only clocks call this)."""
    return datetime.now(timezone.utc)


class Clock(Protocol):
    """Anything that tells the time."""

    def now(self) -> datetime:
        """The current time, aware UTC."""

    @property
    def simulated(self) -> bool:
        """Whether the time shown is not the real time."""


class SystemClock:
    """The real time; the only clock a production configuration gets."""

    simulated = False

    def now(self) -> datetime:
        """The real time."""
        return utcnow()


@dataclass
class FixedClock:
    """A clock that says what a test tells it to; ``advance`` moves it."""

    at: datetime
    simulated: bool = field(default=True)

    def now(self) -> datetime:
        """The fixed time."""
        return self.at

    def set(self, at: datetime | None, user_id: int | None = None) -> None:
        """Move to ``at`` (aware); ``None`` is ignored (a fixed clock has no real time to return to)."""
        if at is None:
            return
        if at.tzinfo is None:
            raise ValueError("aware datetime required")
        self.at = at.astimezone(timezone.utc)


class SimulatedClock:
    """The demo clock: real time unless a simulated time is stored; shared via the database."""

    def _setting(self):
        from procurement.extensions import db
        from procurement.models import ClockSetting

        # Cache per request: a request sees one consistent time source.
        if "clock_setting" not in g:
            g.clock_setting = db.session.get(ClockSetting, 1)
        return g.clock_setting

    @property
    def simulated(self) -> bool:
        """Whether a simulated time is set."""
        return self._setting() is not None

    def now(self) -> datetime:
        """Simulated time advanced by the real time elapsed since it was set."""
        setting = self._setting()
        if setting is None:
            return utcnow()
        return setting.simulated_at + (utcnow() - setting.real_anchor)

    def set(self, at: datetime | None, user_id: int | None = None) -> None:
        """Set (or with ``None`` clear) the simulated time; the caller commits."""
        from procurement.extensions import db
        from procurement.models import ClockSetting

        setting = db.session.get(ClockSetting, 1)
        if at is None:
            if setting is not None:
                db.session.delete(setting)
        else:
            if setting is None:
                setting = ClockSetting(id=1, simulated_at=at, real_anchor=utcnow())
                db.session.add(setting)
            setting.simulated_at = at.astimezone(timezone.utc)
            setting.real_anchor = utcnow()
            setting.set_by_id = user_id
        g.pop("clock_setting", None)


def init_app(app) -> None:
    """Install the clock the configuration allows."""
    if "clock" in app.extensions:  # a test installed its own
        return
    app.extensions["clock"] = SimulatedClock() if app.config["ALLOW_SIMULATED_CLOCK"] else SystemClock()


def get_clock() -> Clock:
    """The clock installed on the current app."""
    return current_app.extensions["clock"]


def now() -> datetime:
    """The current time, aware UTC, from the app's clock."""
    return get_clock().now()
