"""Issue generated documents: render, store with SHA-256, give a verification code and QR.

Issuing is split so no database transaction or lock is held while WeasyPrint works (about half
a second a page): :func:`render` (outside any transaction, from data loaded beforehand) renders
and stores the bytes; :func:`record` is the short transaction's step that inserts the row and
audits it. A decision's documents go through a job (``procurement.jobs``): rendered and staged
one by one, recorded together in the job's final transaction.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, has_request_context, request

from procurement import audit, clock
from procurement.documents.pdf import render_pdf
from procurement.documents.qr import qr_data_uri
from procurement.documents.storage import store_bytes
from procurement.extensions import db
from procurement.models import GeneratedDocument
from procurement.services.unit_of_work import end_reading, in_command, transaction

# Crockford-like alphabet: no 0/O, 1/I/L confusion when read off paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_verification_code() -> str:
    """A random 12-character code, printed in groups of four."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))


def verification_url(code: str, base_url: str | None = None) -> str:
    """The public URL that confirms a document (printed and in the QR code).

    ``base_url``: the address a job was given by the request that decided it (a worker has no
    request of its own); ``PUBLIC_BASE_URL`` wins over both.
    """
    base = current_app.config.get("PUBLIC_BASE_URL") or base_url
    if not base:
        base = request.url_root if has_request_context() else "http://127.0.0.1:5000/"
    return base.rstrip("/") + "/verify?code=" + code


def request_base_url() -> str | None:
    """The address to print in a job's documents, read while the deciding request is at hand."""
    if current_app.config.get("PUBLIC_BASE_URL"):
        return None
    return request.url_root if has_request_context() else None


@dataclass
class DocumentSpec:
    """What to render: the template, its metadata, its owner and the context loaded beforehand."""

    kind: str
    template: str
    title: str
    subject: str
    project: object | None = None
    registration: object | None = None
    supersede: bool = True
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    """A rendered document, its bytes already stored; not yet a row anyone sees."""

    kind: str
    title: str
    project_id: int | None
    registration_id: int | None
    supersede: bool
    verification_code: str
    sha256: str
    size: int
    storage_path: str


def render(spec: DocumentSpec, *, base_url: str | None = None) -> Rendered:
    """Render ``spec`` and store its bytes durably: never inside a command's transaction.

    The PDF carries its verification code and QR; the stored SHA-256 is of the exact bytes
    served later. No row points at the document yet: :func:`record` (or a job's staging) adds
    it afterwards, in a short transaction. With the database file store the bytes themselves are
    added to the session here and committed by that transaction, so a refused or lost step leaves
    no blob behind.

    :raise RuntimeError: inside a command (the render would hold its locks for its duration).
    """
    if in_command():
        raise RuntimeError("documents are rendered outside a command's transaction")
    code = new_verification_code()
    url = verification_url(code, base_url)
    rendered = render_pdf(
        spec.template,
        title=spec.title,
        subject=spec.subject,
        project=spec.project,
        registration=spec.registration,
        verification_code=code,
        verification_url=url,
        verification_qr=qr_data_uri(url),
        issued_at=clock.now(),
        **spec.context,
    )
    path, digest = store_bytes(rendered.data, kind="document", suffix=".pdf")
    return Rendered(
        kind=spec.kind,
        title=spec.title,
        project_id=spec.project.id if spec.project is not None else None,
        registration_id=spec.registration.id if spec.registration is not None else None,
        supersede=spec.supersede,
        verification_code=code,
        sha256=digest,
        size=len(rendered.data),
        storage_path=path,
    )


def record(rendered, *, actor=None) -> GeneratedDocument:
    """Make a rendered document visible: a step of the caller's (short) command, no commit.

    The previous current document of the same kind and owner is superseded (unless
    ``rendered.supersede`` is false). ``rendered`` is a :class:`Rendered` or a job's staged
    ``JobDocument`` (the same fields).
    """
    now = clock.now()
    if rendered.supersede:
        db.session.execute(
            sa.update(GeneratedDocument)
            .where(
                GeneratedDocument.kind == rendered.kind,
                GeneratedDocument.project_id == rendered.project_id,
                GeneratedDocument.registration_id == rendered.registration_id,
                GeneratedDocument.superseded_at.is_(None),
            )
            .values(superseded_at=now)
        )
    document = GeneratedDocument(
        project_id=rendered.project_id,
        registration_id=rendered.registration_id,
        kind=rendered.kind,
        title=rendered.title,
        verification_code=rendered.verification_code,
        sha256=rendered.sha256,
        size=rendered.size,
        storage_path=rendered.storage_path,
        issued_at=now,
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        "document.issue",
        document,
        project_id=rendered.project_id,
        details={"kind": rendered.kind, "sha256": rendered.sha256},
        actor=actor,
    )
    return document


def issue(spec: DocumentSpec, *, actor=None, base_url: str | None = None) -> GeneratedDocument:
    """Render and store ``spec`` (no transaction held), then record it in a short command of its own.

    For what is rendered on first request (a quote receipt) and for scripts; a decision's
    documents are issued by its job (``procurement.jobs``).
    """
    end_reading()
    rendered = render(spec, base_url=base_url)
    with transaction():
        return record(rendered, actor=actor)


def current(kind: str, project=None, registration=None) -> GeneratedDocument | None:
    """The current (not superseded) document of a kind for a project / registration."""
    query = sa.select(GeneratedDocument).where(
        GeneratedDocument.kind == kind, GeneratedDocument.superseded_at.is_(None)
    )
    query = query.where(GeneratedDocument.project_id == (project.id if project else None))
    if registration is not None:
        query = query.where(GeneratedDocument.registration_id == registration.id)
    return db.session.scalar(query.order_by(GeneratedDocument.id.desc()).limit(1))
