"""Registration (报名): a supplier's answers and stamped scans, checked at once per criterion.

Order of a submission: the window and the profile are checked first (nothing is stored outside
the window); then every acceptable upload is stored and committed, so a file the page calls
saved survives whatever follows; then, if the answers are complete, the automatic checks run
against the company profile (snapshotted into the registration) and the latest credit lists,
and the result is kept as a :class:`QualificationCheck` with the list versions it used.

Preparing is wider than submitting: from publication to the close, also outside the daily hours
(the lunch break, evenings, weekends), a supplier may save its answers as a draft and upload its
scans (:func:`save_draft`); only the submission waits for the hours, and the page says when
submitting opens next (:func:`next_submission`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.credit import LIST_KINDS
from procurement.domain.identifiers import division_label, uscc_division
from procurement.domain.qualification import (
    ARTICLE22_DECLARATIONS,
    DOCUMENT_KINDS,
    CheckResult,
    ListVersion,
    RegistrationFacts,
    overall_status,
    run_checks,
)
from procurement.domain.schedule import beijing
from procurement.domain.submission_window import SubmissionOpens, submission_opens
from procurement.extensions import db
from procurement.models import (
    REG_ACCEPTED,
    REG_DRAFT,
    REG_REJECTED,
    Company,
    Project,
    QualificationCheck,
    Registration,
    RegistrationDocument,
)
from procurement.services import ServiceError, credit
from procurement.services import projects as project_service
from procurement.services.uploads import SCAN_TYPES, check_upload, save
from procurement.services.companies import PROFILE_FIELDS
from procurement.formatting import cn_datetime, cn_time, hours_cutoff, hours_text
from procurement.queries.lookups import registered_value  # noqa: F401  (re-exported)

AGENT_DOCUMENTS = ("authorisation", "agent_id")
#: Refusals of :func:`ensure_can_register` that still allow preparing a draft: the window is open
#: (published, not closed) but this moment is outside the daily hours.
PREPARABLE_REFUSALS = ("registration_not_open", "registration_outside_hours")
#: What a draft keeps of the form, and the longest value kept for each text field.
DRAFT_TEXT_FIELDS = {"registrant": 16, "agent_name": 100, "agent_id_number": 30, "entity": 16}
# The registration keeps a copy of every profile field the checks read.
SNAPSHOT_FIELDS = PROFILE_FIELDS


@dataclass(frozen=True)
class Answers:
    """What the registration form asks besides the uploads; ``agent_id_number`` already validated."""

    via_agent: bool
    agent_name: str | None
    agent_id_number: str | None
    consortium: bool
    declarations: Mapping[str, bool]


@dataclass
class Submission:
    """The outcome of one POST of the registration form.

    ``saved`` lists the document kinds stored by this request; ``upload_errors`` maps a kind to
    the error that refused its file; ``check`` is ``None`` when the checks did not run (the
    answers were incomplete or an upload was refused).
    """

    registration: Registration
    saved: list[str] = field(default_factory=list)
    upload_errors: dict[str, ServiceError] = field(default_factory=dict)
    check: QualificationCheck | None = None


def own_registration(project: Project, company: Company) -> Registration | None:
    """The company's registration for ``project``, if it has one."""
    return db.session.scalar(
        sa.select(Registration).where(Registration.project_id == project.id, Registration.company_id == company.id)
    )


def ensure_can_register(project: Project, company: Company) -> None:
    """Refuse registration outside the window and daily hours, or without a complete profile.

    :raise ServiceError: ``registration_not_open`` / ``registration_outside_hours`` /
        ``registration_closed`` / ``registration_unavailable`` / ``profile_incomplete``.
    """
    state = project_service.registration_state(project)
    if state is None:
        raise ServiceError(N_("该项目当前不接受报名。"), "registration_unavailable")
    if state.state == "not_yet_open":
        raise ServiceError(
            N_("报名尚未开始，将于 %(at)s（北京时间）开始。"), "registration_not_open", at=cn_datetime(state.next_open_at, True)
        )
    if state.state == "outside_hours":
        raise ServiceError(
            N_("现在不在报名时段内（每个工作日%(hours)s）。%(cutoff)s。下一次开放：%(at)s（北京时间）。"),
            "registration_outside_hours",
            hours=hours_text(project.registration_hours),
            cutoff=hours_cutoff(project.registration_hours),
            at=cn_datetime(state.next_open_at, True),
        )
    if state.state == "closed":
        raise ServiceError(
            N_("报名已于 %(at)s（北京时间）截止（%(end)s起不再受理），不能再报名或修改报名资料。"),
            "registration_closed",
            at=cn_datetime(state.closes_at, True),
            end=cn_time(state.closes_at),
        )
    if not company.profile_complete:
        raise ServiceError(N_("请先完善公司信息，再报名。"), "profile_incomplete")


def ensure_can_prepare(project: Project, company: Company) -> ServiceError | None:
    """Whether a draft may be saved now: ``None`` when submitting is possible too, else why not yet.

    A draft may be saved whenever the registration window is open (published, not closed),
    including outside the daily hours; the returned error is the refusal a submission would get
    now (``registration_not_open`` / ``registration_outside_hours``).

    :raise ServiceError: when even preparing is refused: ``registration_closed`` /
        ``registration_unavailable`` / ``profile_incomplete``.
    """
    try:
        ensure_can_register(project, company)
    except ServiceError as error:
        if error.code not in PREPARABLE_REFUSALS:
            raise
        if not company.profile_complete:
            raise ServiceError(N_("请先完善公司信息，再报名。"), "profile_incomplete") from None
        return error
    return None


def next_submission(project: Project) -> SubmissionOpens | None:
    """When submitting opens next (今日15:30起可提交), if the window is open but this moment is outside the hours."""
    state = project_service.registration_state(project)
    if state is None or state.state not in ("not_yet_open", "outside_hours") or state.next_open_at is None:
        return None
    return submission_opens(clock.now(), state.next_open_at)


def clean_draft(values: Mapping[str, object]) -> dict:
    """The form's raw answers as a draft keeps them: known text fields (trimmed to size) and the ticked declarations."""
    draft: dict = {}
    for name, limit in DRAFT_TEXT_FIELDS.items():
        value = values.get(name)
        draft[name] = value.strip()[:limit] if isinstance(value, str) else ""
    ticked = values.get("declarations") or ()
    draft["declarations"] = [key for key in ARTICLE22_DECLARATIONS if key in ticked]
    return draft


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

    Allowed whenever the window is open, inside or outside the daily hours; the draft is shown
    again when the supplier comes back and is cleared by a submission. A registration already
    submitted keeps its submitted answers and status until it is submitted again.

    :raise ServiceError: from :func:`ensure_can_prepare`; nothing is stored then.
    """
    ensure_can_prepare(project, company)
    registration = _get_or_create(project, company, actor)
    submission = Submission(registration)
    _store_uploads(submission, uploads, via_agent, actor)
    _keep_draft(registration, draft)
    audit.record("registration.draft", registration, details={"documents": submission.saved}, actor=actor)
    db.session.commit()
    return submission


def _keep_draft(registration: Registration, draft: Mapping[str, object]) -> None:
    registration.draft = clean_draft(draft) | {"saved_at": clock.now().isoformat()}


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
    stored and committed so the supplier need not choose them again, and ``draft`` (the form's
    raw answers, see :func:`clean_draft`) is kept when given. Agent documents are only
    taken when registering through an agent (``via_agent``: what the form chose, even when it
    was otherwise invalid; defaults to ``answers.via_agent``).

    :raise ServiceError: from :func:`ensure_can_register`; nothing is stored then (outside the
        daily hours the caller may keep everything with :func:`save_draft` instead).
    """
    ensure_can_register(project, company)
    registration = _get_or_create(project, company, actor)
    if via_agent is None:
        via_agent = answers.via_agent if answers is not None else False
    submission = Submission(registration)
    _store_uploads(submission, uploads, via_agent, actor)
    if answers is None or submission.upload_errors:
        if draft is not None:
            _keep_draft(registration, draft)
        # Commit the files now: the page will call them saved.
        db.session.commit()
        return submission
    db.session.commit()
    submission.check = _submit(registration, company, answers, actor)
    return submission


def _store_uploads(submission: Submission, uploads: Mapping[str, FileStorage | None], via_agent: bool, actor) -> None:
    """Store each acceptable upload as the registration's current document of its kind (not committed)."""
    registration = submission.registration
    for kind in DOCUMENT_KINDS:
        upload = uploads.get(kind)
        if upload is None or not upload.filename:
            continue
        if kind in AGENT_DOCUMENTS and not via_agent:
            continue
        try:
            checked = check_upload(upload, SCAN_TYPES, field=kind)
        except ServiceError as error:
            submission.upload_errors[kind] = error
            continue
        stored = save(checked, actor)
        _replace_document(registration, kind, stored)
        audit.record(
            "registration.upload",
            registration,
            details={"kind": kind, "sha256": stored.sha256, "size": stored.size, "mime_type": stored.mime_type},
            actor=actor,
        )
        submission.saved.append(kind)


def _get_or_create(project: Project, company: Company, actor) -> Registration:
    registration = own_registration(project, company)
    if registration is not None:
        return registration
    now = clock.now()
    registration = Registration(
        project_id=project.id, company_id=company.id, status=REG_DRAFT, created_at=now, created_by_id=actor.id,
        declarations={}, company_snapshot={},
    )
    db.session.add(registration)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request of the same supplier created it a moment ago (one per supplier per project).
        db.session.rollback()
        registration = own_registration(project, company)
        if registration is None:
            raise
        return registration
    audit.record("registration.create", registration, details={"company_id": company.id}, actor=actor)
    return registration


def _replace_document(registration: Registration, kind: str, stored) -> None:
    """One current document per kind: a new upload replaces the old (the old file stays on disk)."""
    current = next((doc for doc in registration.documents if doc.kind == kind), None)
    if current is None:
        registration.documents.append(
            RegistrationDocument(kind=kind, stored_file_id=stored.id, stored_file=stored, uploaded_at=clock.now())
        )
    else:
        current.stored_file = stored
        current.stored_file_id = stored.id
        current.uploaded_at = clock.now()
    db.session.flush()


def _snapshot(company: Company) -> dict:
    data = {name: getattr(company, name) for name in SNAPSHOT_FIELDS}
    data["premises_division_label"] = division_label(company.premises_division) if company.premises_division else ""
    try:
        data["registration_division"] = uscc_division(company.uscc or "")
    except ValueError:
        data["registration_division"] = ""
    code = data["registration_division"]
    data["registration_division_label"] = division_label(code) if code else ""
    return data


def _submit(registration: Registration, company: Company, answers: Answers, actor) -> QualificationCheck:
    now = clock.now()
    registration.via_agent = answers.via_agent
    registration.agent_name = answers.agent_name if answers.via_agent else None
    registration.agent_id_number = answers.agent_id_number if answers.via_agent else None
    registration.consortium = answers.consortium
    registration.declarations = {key: answers.declarations.get(key) is True for key in ARTICLE22_DECLARATIONS}
    registration.company_snapshot = _snapshot(company)
    registration.submitted_at = now
    registration.draft = None
    check = _run(registration, registration.project.criteria, context="registration", now=now)
    registration.status = REG_ACCEPTED if check.overall == "accepted" else REG_REJECTED
    db.session.flush()
    if registration.status != REG_ACCEPTED:
        from procurement.services.quotes import withdraw_after_rejection

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
    db.session.commit()
    return check


def facts_for(registration: Registration) -> tuple[RegistrationFacts, dict[str, int]]:
    """The facts the checks read: the snapshot of the profile, the answers, the documents, the credit hits."""
    snapshot = registration.company_snapshot or _snapshot(registration.company)
    found = credit.check_registration_credit(snapshot.get("uscc") or "", snapshot.get("name") or "")
    versions = credit.versions_by_id(found.list_versions.values())
    facts = RegistrationFacts(
        uscc=snapshot.get("uscc") or "",
        legal_rep_id=snapshot.get("legal_rep_id_number") or "",
        via_agent=registration.via_agent,
        agent_id=registration.agent_id_number,
        consortium=registration.consortium,
        declarations=dict(registration.declarations or {}),
        documents=frozenset(doc.kind for doc in registration.documents),
        premises_division=snapshot.get("premises_division"),
        premises_address=snapshot.get("premises_address") or "",
        credit_hits=found.hits,
        premises_place=snapshot.get("premises_place") or "",
        credit_versions={
            kind: ListVersion(versions[i].id, beijing(versions[i].imported_at).date())
            for kind, i in found.list_versions.items()
            if i in versions
        },
    )
    return facts, found.list_versions


def _run(registration: Registration, criteria, *, context: str, now) -> QualificationCheck:
    facts, list_versions = facts_for(registration)
    results = _note_missing_lists(run_checks(facts, list(criteria)), list_versions)
    check = QualificationCheck(
        registration=registration,
        run_at=now,
        context=context,
        overall=overall_status(results),
        results=[
            {"criterion": r.criterion, "status": r.status, "message": r.message, "params": _plain(r.params)}
            for r in results
        ],
        list_versions=list_versions,
    )
    db.session.add(check)
    db.session.flush()
    return check


def _note_missing_lists(results, list_versions: Mapping[str, int]) -> tuple[CheckResult, ...]:
    """A clean credit result is only as good as the lists read: flag for the panel any list never imported."""
    missing = [kind for kind in LIST_KINDS if kind not in list_versions]
    if not missing:
        return tuple(results)
    names = "、".join(LIST_KINDS[kind] for kind in missing)
    return tuple(
        CheckResult(
            "credit",
            "warning",
            N_("未发现失信记录；但以下名单尚未导入，未能核查：%(lists)s，请评审时核实。"),
            {"lists": names, "missing_lists": tuple(missing)},
        )
        if r.criterion == "credit" and r.status == "pass"
        else r
        for r in results
    )


def _plain(params: Mapping[str, object]) -> dict:
    return {key: list(value) if isinstance(value, tuple) else value for key, value in params.items()}


def rerun_credit_check(registration: Registration, actor) -> QualificationCheck:
    """Re-run the credit check against the current lists at review time (context ``review``).

    The result is kept as evidence beside the registration's earlier checks; it does not change
    the registration's status, because after the opening the panel decides by its votes.
    """
    check = _run(registration, ["credit"], context="review", now=clock.now())
    audit.record(
        "registration.credit_recheck",
        registration,
        details={"check_id": check.id, "overall": check.overall, "list_versions": check.list_versions},
        actor=actor,
    )
    db.session.commit()
    return check


def latest_check(registration: Registration, context: str | None = "registration") -> QualificationCheck | None:
    """The most recent check of ``context`` (any context when ``None``)."""
    checks = [c for c in registration.checks if context is None or c.context == context]
    return max(checks, key=lambda c: (c.run_at, c.id)) if checks else None


def document(registration: Registration, kind: str) -> RegistrationDocument | None:
    """The current document of ``kind``."""
    return next((doc for doc in registration.documents if doc.kind == kind), None)


def project_registrations(project: Project) -> list[Registration]:
    """Every registration for ``project`` (buyer staff only), earliest submission first, drafts last."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.project_id == project.id)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    return sorted(registrations, key=lambda r: (r.submitted_at is None, r.submitted_at or r.created_at, r.id))
