"""Evaluation (评审): the commands of the panel, its votes, abnormally low prices, ranking, the report.

design.md §2.5 and §4. The use cases live in sibling modules, one each:

- :mod:`.panel`: appointment, chair, replacement, declarations, the start and credit re-check;
- :mod:`.votes`: each member's review, one supplier at a time, and the chair's reopening;
- :mod:`.abnormal`: abnormally low prices, the supplier's explanation, the panel's decision;
- :mod:`.ranking`: aggregation and the lowest-price ranking;
- :mod:`.report`: the members' signatures and the evaluation's completion (evaluated / failed).

Reads (participants, evidence, outcomes, page models, the report's content) are on the read
side, ``procurement.queries.evaluation*``; the names below are re-exported so callers keep
``from procurement.services import evaluation`` working.
"""
from __future__ import annotations

from procurement.domain.credit import LIST_KINDS  # noqa: F401
from procurement.queries.evaluation import (  # noqa: F401  (re-exported reads)
    CRITERION_LABELS,
    QUOTE_COMPLIANCE,
    REPORT_KIND,
    TERMINATION_KIND,
    Evidence,
    active_members,
    available_panel_accounts,
    can_review,
    chair_of,
    company_value,
    criteria_of,
    criterion_label,
    document_label,
    evidence_for,
    is_recused,
    membership,
    opened_quotes,
    panel_members,
    participants,
    quote_compliance,
)
from procurement.queries.evaluation_votes import (  # noqa: F401  (re-exported reads)
    abnormal_low_flags,
    abnormal_low_review,
    abnormal_low_settings,
    all_submitted,
    open_request_for,
    outcomes,
    passes,
    percent,
    report_document,
    results_of,
    termination_document,
    vote_counts,
)
from procurement.queries.evaluation_pages import Progress, SheetCell, SheetRow, progress, review_sheet  # noqa: F401
from procurement.queries.evaluation_report import ReportCell, ReportVote, report_context  # noqa: F401
from procurement.queries.lookups import evaluation_of  # noqa: F401
from procurement.services.evaluation.abnormal import (  # noqa: F401
    DECISION_ACCEPT,
    DECISION_REJECT,
    decide_abnormal_low,
    request_explanation,
    submit_explanation,
)
from procurement.services.evaluation.panel import (  # noqa: F401
    appoint_member,
    declare,
    remove_member,
    replace_member,
    rerun_credit_checks,
    set_chair,
    start_evaluation,
)
from procurement.services.evaluation.ranking import rank  # noqa: F401
from procurement.services.evaluation.report import confirm_report  # noqa: F401
from procurement.services.evaluation.votes import CellInput, VoteSheetError, reopen_votes, save_votes  # noqa: F401
