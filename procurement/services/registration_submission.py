"""Submitting a registration (报名): the answers and stamped scans, checked at once per criterion.

Order of a submission: the window and the profile are checked first (nothing is stored outside
the window); then every acceptable upload is stored; then, if the answers are complete and every
upload went in, the automatic checks run against the company profile (snapshotted into the
registration) and the latest credit lists. All of it is one transaction.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from werkzeug.datastructures import FileStorage

from procurement import audit, clock
from procurement.domain.qualification import ARTICLE22_DECLARATIONS
from procurement.extensions import db
from procurement.models import REG_ACCEPTED, REG_REJECTED, Company, Project, QualificationCheck, Registration
from procurement.services import notify_suppliers
from procurement.services.quotes import withdraw_after_rejection
from procurement.services.registration_checks import run_check, snapshot
from procurement.services.registration_drafts import keep_draft
from procurement.services.registration_uploads import Submission, check_uploads, get_or_create, store_uploads
from procurement.services.registration_window import ensure_can_register
from procurement.services.unit_of_work import command


@dataclass(frozen=True)
class Answers:
    """What the registration form asks besides the uploads; ``agent_id_number`` already validated."""

    via_agent: bool
    agent_name: str | None
    agent_id_number: str | None
    consortium: bool
    declarations: Mapping[str, bool]


@command
def submit_registration(
    project: Project,
    company: Company,
    answers: Answers | None,
    uploads: Mapping[str, FileStorage | None],
    actor,
    *,
    via_agent: bool | None = None,
    draft: Mapping[str, object] | None = None,
) -> Submission:
    """Store the uploads, then (when ``answers`` are given and every upload was accepted) run the checks.

    ``answers`` is ``None`` when the form itself was invalid: the acceptable uploads are still
    stored so the supplier need not choose them again, and ``draft`` (the form's raw answers,
    see ``registration_drafts.clean_draft``) is kept when given. Agent documents are only
    taken when registering through an agent (``via_agent``: what the form chose, even when it
    was otherwise invalid; defaults to ``answers.via_agent``).

    :raise ServiceError: from :func:`ensure_can_register`; nothing is stored then (outside the
        daily hours the caller may keep everything with ``save_draft`` instead).
    """
    ensure_can_register(project, company)
    if via_agent is None:
        via_agent = answers.via_agent if answers is not None else False
    checked = check_uploads(uploads, via_agent)  # the slow part, before anything is written
    registration = get_or_create(project, company, actor)
    submission = Submission(registration)
    store_uploads(submission, checked, actor)
    if answers is None or submission.upload_errors:
        if draft is not None:
            keep_draft(registration, draft)
        return submission
    submission.check = _submit(registration, company, answers, actor)
    return submission


def _submit(registration: Registration, company: Company, answers: Answers, actor) -> QualificationCheck:
    now = clock.now()
    registration.via_agent = answers.via_agent
    registration.agent_name = answers.agent_name if answers.via_agent else None
    registration.agent_id_number = answers.agent_id_number if answers.via_agent else None
    registration.consortium = answers.consortium
    registration.declarations = {key: answers.declarations.get(key) is True for key in ARTICLE22_DECLARATIONS}
    registration.company_snapshot = snapshot(company)
    registration.submitted_at = now
    registration.draft = None
    check = run_check(registration, registration.project.criteria, context="registration", now=now)
    registration.status = REG_ACCEPTED if check.overall == "accepted" else REG_REJECTED
    db.session.flush()
    if registration.status != REG_ACCEPTED:
        withdraw_after_rejection(registration, now, actor)
    audit.record(
        "registration.submit",
        registration,
        details={
            "status": registration.status,
            "check_id": check.id,
            "via_agent": registration.via_agent,
            "consortium": registration.consortium,
            "documents": sorted(doc.kind for doc in registration.documents),
            "failed": [r["criterion"] for r in check.results if r["status"] == "fail"],
            "list_versions": check.list_versions,
        },
        actor=actor,
    )
    notify_suppliers.registration_checked(registration, check)
    return check
