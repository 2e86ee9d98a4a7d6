"""A registration's row and its stamped scans: created on the first save, one current document per kind.

Both the draft and the submission store every acceptable upload first, so a file the page
calls saved is kept whatever else the request refuses.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from procurement import audit, clock
from procurement.domain.qualification import DOCUMENT_KINDS
from procurement.extensions import db
from procurement.models import REG_DRAFT, Company, Project, QualificationCheck, Registration, RegistrationDocument
from procurement.queries.registrations import own_registration
from procurement.services import ServiceError
from procurement.services.uploads import SCAN_TYPES, CheckedFile, check_upload, save

#: The documents only a registration through an agent takes.
AGENT_DOCUMENTS = ("authorisation", "agent_id")


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


def get_or_create(project: Project, company: Company, actor) -> Registration:
    """The company's registration for ``project``, created as a draft if it has none (not committed)."""
    registration = own_registration(project, company)
    if registration is not None:
        return registration
    registration = Registration(
        project_id=project.id, company_id=company.id, status=REG_DRAFT, created_at=clock.now(), created_by_id=actor.id,
        declarations={}, company_snapshot={},
    )
    try:
        with db.session.begin_nested():
            db.session.add(registration)
    except IntegrityError:
        # Another request of the same supplier created it a moment ago (one per supplier per project).
        registration = own_registration(project, company)
        if registration is None:
            raise
        return registration
    audit.record("registration.create", registration, details={"company_id": company.id}, actor=actor)
    return registration


@dataclass
class CheckedUploads:
    """The posted scans after their checks: ``files`` to store by kind, ``errors`` refusing the others."""

    files: dict[str, CheckedFile] = field(default_factory=dict)
    errors: dict[str, ServiceError] = field(default_factory=dict)


def check_uploads(uploads: Mapping[str, FileStorage | None], via_agent: bool) -> CheckedUploads:
    """Parse every posted scan (``uploads.check_upload``); the commands do this before their first write.

    A kind without a file is skipped, and so are the agent's documents when no agent registers.
    """
    checked = CheckedUploads()
    for kind in DOCUMENT_KINDS:
        upload = uploads.get(kind)
        if upload is None or not upload.filename:
            continue
        if kind in AGENT_DOCUMENTS and not via_agent:
            continue
        try:
            checked.files[kind] = check_upload(upload, SCAN_TYPES, field=kind)
        except ServiceError as error:
            checked.errors[kind] = error
    return checked


def store_uploads(submission: Submission, checked: CheckedUploads, actor) -> None:
    """Store each accepted scan as the registration's current document of its kind (not committed)."""
    registration = submission.registration
    submission.upload_errors.update(checked.errors)
    for kind, file in checked.files.items():
        stored = save(file, actor)
        _replace_document(registration, kind, stored)
        audit.record(
            "registration.upload",
            registration,
            details={"kind": kind, "sha256": stored.sha256, "size": stored.size, "mime_type": stored.mime_type},
            actor=actor,
        )
        submission.saved.append(kind)


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
