"""Registration drafts: the supplier's answers kept as typed, with its uploads, whenever the window is open.

A draft may be saved outside the daily hours too (see ``registration_window``); it is shown
again when the supplier comes back and is cleared by a submission.
"""
from __future__ import annotations

from collections.abc import Mapping

from werkzeug.datastructures import FileStorage

from procurement import audit, clock
from procurement.domain.qualification import ARTICLE22_DECLARATIONS
from procurement.models import Company, Project, Registration
from procurement.services.registration_uploads import Submission, check_uploads, get_or_create, store_uploads
from procurement.services.registration_window import ensure_can_prepare
from procurement.services.unit_of_work import command

#: What a draft keeps of the form, and the longest value kept for each text field.
DRAFT_TEXT_FIELDS = {"registrant": 16, "agent_name": 100, "agent_id_number": 30, "entity": 16}


def clean_draft(values: Mapping[str, object]) -> dict:
    """The form's raw answers as a draft keeps them: known text fields (trimmed to size) and the ticked declarations."""
    draft: dict = {}
    for name, limit in DRAFT_TEXT_FIELDS.items():
        value = values.get(name)
        draft[name] = value.strip()[:limit] if isinstance(value, str) else ""
    ticked = values.get("declarations") or ()
    draft["declarations"] = [key for key in ARTICLE22_DECLARATIONS if key in ticked]
    return draft


def keep_draft(registration: Registration, draft: Mapping[str, object]) -> None:
    """Keep ``draft`` (see :func:`clean_draft`) on the registration, stamped with the time (not committed)."""
    registration.draft = clean_draft(draft) | {"saved_at": clock.now().isoformat()}


@command
def save_draft(
    project: Project,
    company: Company,
    draft: Mapping[str, object],
    uploads: Mapping[str, FileStorage | None],
    actor,
    *,
    via_agent: bool = False,
) -> Submission:
    """Keep the supplier's answers as a draft and store its acceptable uploads, without submitting.

    Allowed whenever the window is open, inside or outside the daily hours. A registration
    already submitted keeps its submitted answers and status until it is submitted again.

    :raise ServiceError: from :func:`ensure_can_prepare`; nothing is stored then.
    """
    ensure_can_prepare(project, company)
    checked = check_uploads(uploads, via_agent)  # the slow part, before anything is written
    registration = get_or_create(project, company, actor)
    submission = Submission(registration)
    store_uploads(submission, checked, actor)
    keep_draft(registration, draft)
    audit.record("registration.draft", registration, details={"documents": submission.saved}, actor=actor)
    return submission
