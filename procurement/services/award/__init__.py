"""Award (确定成交, design.md §2.6): confirm the candidates in order, publish the result and its notices.

The commands live by use case: :mod:`.decisions` (confirm a candidate, record a drop-out) and
:mod:`.publication` (publish the result, issue the notices). What the step looks like and what
the documents print are reads, in ``procurement.queries.award`` and
``procurement.queries.award_documents``; they are re-exported here under their old names so
callers (``award.state(project).exhausted``, the factories, the benchmarks) keep working.
"""
from __future__ import annotations

from procurement.queries.award import (
    AWARDED,
    DECLINED,
    DROP_OUT_STATUSES,
    INELIGIBLE,
    KIND_ANNOUNCEMENT,
    KIND_AWARD_NOTICE,
    KIND_RESULT_NOTICE,
    NOTICE_KINDS,
    AwardState,
    CandidateRow,
    candidates,
    decisions,
    own_notice,
    published_winners,
    quote_total,
    report_date,
    result_is_public,
    results,
    state,
    winners,
)
from procurement.queries.award_documents import (
    ItemLine,
    WinnerInfo,
    announcement_context,
    describe_failure,
    item_lines,
    notice_context,
    panel_names,
    participant_status,
    supplier_address,
    winner_infos,
)
from procurement.queries.lookups import supplier_name
from procurement.services.award.decisions import MAX_REASON_LENGTH, confirm, drop_out
from procurement.services.award.publication import issue_notice, publish

__all__ = [
    "AWARDED",
    "DECLINED",
    "DROP_OUT_STATUSES",
    "INELIGIBLE",
    "KIND_ANNOUNCEMENT",
    "KIND_AWARD_NOTICE",
    "KIND_RESULT_NOTICE",
    "MAX_REASON_LENGTH",
    "NOTICE_KINDS",
    "AwardState",
    "CandidateRow",
    "ItemLine",
    "WinnerInfo",
    "announcement_context",
    "candidates",
    "confirm",
    "decisions",
    "describe_failure",
    "drop_out",
    "issue_notice",
    "item_lines",
    "notice_context",
    "own_notice",
    "panel_names",
    "participant_status",
    "publish",
    "published_winners",
    "quote_total",
    "report_date",
    "result_is_public",
    "results",
    "state",
    "supplier_address",
    "supplier_name",
    "winner_infos",
    "winners",
]
