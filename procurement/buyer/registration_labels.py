"""The words the buyer's registration pages print: criteria (full and short), statuses, documents."""
from __future__ import annotations

from procurement.domain import N_
from procurement.domain.qualification import ARTICLE22_DECLARATIONS, DOCUMENT_KINDS
from procurement.queries.registrations import CRITERION_LABELS, CRITERION_SHORT_LABELS, STATUS_LABELS

# The registration list's status filter, in the order its tabs show.
FILTER_LABELS = {"all": N_("全部"), "accepted": N_("报名成功"), "rejected": N_("未通过自动审核"), "draft": N_("未提交")}


def registration_label_context() -> dict:
    """The labels the registration templates use, passed explicitly by the views that render them."""
    return {
        "criterion_labels": CRITERION_LABELS,
        "criterion_short_labels": CRITERION_SHORT_LABELS,
        "registration_status_labels": STATUS_LABELS,
        "registration_filter_labels": FILTER_LABELS,
        "document_labels": DOCUMENT_KINDS,
        "article22_declarations": ARTICLE22_DECLARATIONS,
    }
