"""Template filters and context: Beijing time, dates, money, masked IDs, the clock banner.

The date and time filters (``beijing``, ``cn_date``, ``cn_weekday``, ``hours_text``,
``hours_cutoff``) follow the interface's language; documents are rendered in Chinese
(``procurement.i18n.chinese``), so in a notice they write the notice's Chinese. ``cn_clock`` and
``rmb_words`` (大写) are the documents' own and always Chinese. ``zh`` marks text that users
entered or documents carry, when it is Chinese inside an English page (``<span lang="zh">``).
"""
from __future__ import annotations

from flask import Flask, current_app
from flask_login import current_user
from markupsafe import Markup

from procurement.i18n import is_chinese

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
    local_date,
    local_datetime,
    local_hours,
    local_hours_cutoff,
    local_weekday,
    list_separator,
    mark_chinese,
    parenthesised,
    translate_marked,
)


def init_app(app: Flask) -> None:
    """Register filters and the page context."""
    from procurement.domain.identifiers import mask_id_number
    from procurement.documents.wrapping import wrap_amount_words, wrap_name
    from procurement.domain.money import amount_in_words_rmb, format_yuan

    app.jinja_env.filters.update(
        beijing=local_datetime,
        cn_clock=cn_clock,
        qty=quantity,
        hours_text=local_hours,
        hours_cutoff=local_hours_cutoff,
        cn_time=cn_time,
        cn_date=local_date,
        cn_weekday=local_weekday,
        yuan=format_yuan,
        rmb_words=amount_in_words_rmb,
        mask_id=mask_id_number,
        tr=translate,
        wrap_name=wrap_name,
        wrap_amount_words=wrap_amount_words,
        zh=mark_chinese,
        paren=parenthesised,
    )
    app.jinja_env.globals.update(tr=translate, trm=translate_marked, list_sep=list_separator, zh_lang=zh_lang)

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



def zh_lang() -> Markup:
    """`` lang="zh-CN"`` for an element that holds only Chinese text (documents' titles), on an English page."""
    return Markup("") if is_chinese() else Markup(' lang="zh-CN"')
