"""Template filters and context: Beijing time, Chinese dates, money, masked IDs, the clock banner."""
from __future__ import annotations

from flask import Flask, current_app
from flask_login import current_user

from procurement.formatting import (  # noqa: F401  (re-exported: templates and older imports use them)
    BEIJING,
    WEEKDAYS,
    to_beijing,
    cn_date,
    cn_datetime,
    cn_time,
    cn_weekday,
    cn_clock,
    hours_text,
    hours_cutoff,
    quantity,
    translate,
)


def init_app(app: Flask) -> None:
    """Register filters and the page context."""
    from procurement.domain.identifiers import mask_id_number
    from procurement.documents.wrapping import wrap_amount_words, wrap_name
    from procurement.domain.money import amount_in_words_rmb, format_yuan

    app.jinja_env.filters.update(
        beijing=cn_datetime,
        cn_clock=cn_clock,
        qty=quantity,
        hours_text=hours_text,
        hours_cutoff=hours_cutoff,
        cn_time=cn_time,
        cn_date=cn_date,
        cn_weekday=cn_weekday,
        yuan=format_yuan,
        rmb_words=amount_in_words_rmb,
        mask_id=mask_id_number,
        tr=translate,
        wrap_name=wrap_name,
        wrap_amount_words=wrap_amount_words,
    )
    app.jinja_env.globals.update(tr=translate)

    @app.context_processor
    def page_context():
        clk = current_app.extensions["clock"]
        return {
            "now": clk.now(),
            "clock_simulated": bool(getattr(clk, "simulated", False)) and current_app.config["ALLOW_SIMULATED_CLOCK"],
            "clock_movable": current_app.config["ALLOW_SIMULATED_CLOCK"],
            "mail_outbox_page": bool(current_app.config.get("MAIL_OUTBOX_PAGE")),
            "current_user": current_user,
        }
