"""What runs the reminder tick (``services.reminders.tick``), which reads the one clock itself:

- ``flask reminders tick``: once; ``--every SECONDS``: in a loop, the production way (a systemd
  unit beside ``flask worker``; any number of them, each tick is serialised and idempotent);
- the embedded default (no Redis, jobs after the response): this process, after a response, at
  most once every ``REMINDER_TICK_SECONDS`` (60) — nothing else to install or start;
- the demo clock's page, right after buyer staff move the simulated time.

``REMINDERS_AFTER_RESPONSE`` forces the after-response tick on (``1``) or off (``0``); empty
means on exactly when jobs run after the response.
"""
from __future__ import annotations

import logging
import threading
import time

import click
from flask import Flask, Response, current_app, request
from flask.cli import AppGroup

log = logging.getLogger(__name__)
_STATE = "reminders.after_response"

reminders_cli = AppGroup("reminders", help="Reminders from the clock (deadlines near).")


def run_tick(app: Flask) -> int | None:
    """One tick in a fresh app context (a fresh clock reading and session); ``None`` if it failed (logged)."""
    from procurement.extensions import db
    from procurement.services import reminders

    with app.app_context():
        try:
            return reminders.tick()
        except Exception:
            log.exception("reminder tick failed")
            return None
        finally:
            db.session.remove()


def after_response_enabled(app: Flask) -> bool:
    """Whether this process ticks after its responses (the embedded default)."""
    from procurement.jobs.queue import mode

    chosen = str(app.config.get("REMINDERS_AFTER_RESPONSE") or "")
    if chosen:
        return chosen in ("1", "true", "yes")
    return mode(app) == "after_response"


def _state(app: Flask) -> dict:
    return app.extensions.setdefault(_STATE, {"last": None, "lock": threading.Lock(), "ticks": 0})


def _claim(app: Flask) -> bool:
    """Whether this response may tick (none did within the interval, in this process)."""
    state = _state(app)
    interval = float(app.config.get("REMINDER_TICK_SECONDS", 60))
    moment = time.monotonic()
    with state["lock"]:
        if state["last"] is not None and moment - state["last"] < interval:
            return False
        state["last"] = moment
        state["ticks"] += 1
    return True


def _after_request(response: Response) -> Response:
    app = current_app._get_current_object()
    if request.endpoint == "static" or not after_response_enabled(app) or not _claim(app):
        return response
    response.call_on_close(lambda: run_tick(app))
    return response


@reminders_cli.command("tick")
@click.option("--every", type=click.IntRange(min=0), default=0, help="Tick again every SECONDS, until stopped (production).")
def tick_command(every: int) -> None:
    """Send every reminder due at the service's clock now (each once)."""
    app = current_app._get_current_object()
    while True:
        from procurement.extensions import db
        from procurement.services import reminders

        with app.app_context():
            try:
                sent = reminders.tick()
            except Exception:
                if not every:
                    raise
                log.exception("reminder tick failed")
                sent = None
            finally:
                db.session.remove()
        if sent is not None:
            click.echo(f"{sent} reminder(s) sent")
        if not every:
            return
        time.sleep(every)


def init_app(app: Flask) -> None:
    """Register ``flask reminders`` and the after-response tick."""
    app.cli.add_command(reminders_cli)
    app.after_request(_after_request)
