"""Issue generated documents: render, store with SHA-256, give a verification code and QR."""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import current_app, has_request_context, request

from procurement import audit, clock
from procurement.documents.pdf import render_pdf
from procurement.documents.qr import qr_data_uri
from procurement.documents.storage import store_bytes
from procurement.extensions import db
from procurement.models import GeneratedDocument

# Crockford-like alphabet: no 0/O, 1/I/L confusion when read off paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_verification_code() -> str:
    """A random 12-character code, printed in groups of four."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))


def verification_url(code: str) -> str:
    """The public URL that confirms a document (printed and in the QR code)."""
    base = current_app.config.get("PUBLIC_BASE_URL") or (request.url_root if has_request_context() else "http://127.0.0.1:5000/")
    return base.rstrip("/") + "/verify?code=" + code


def issue(
    kind: str,
    template: str,
    *,
    title: str,
    subject: str,
    project=None,
    registration=None,
    supersede: bool = True,
    actor=None,
    **context,
) -> GeneratedDocument:
    """Render and store a document; the previous one of the same kind and owner is superseded.

    The caller commits. The PDF carries its verification code and QR; the stored SHA-256
    is of the exact bytes served later.
    """
    code = new_verification_code()
    url = verification_url(code)
    rendered = render_pdf(
        template,
        title=title,
        subject=subject,
        project=project,
        registration=registration,
        verification_code=code,
        verification_url=url,
        verification_qr=qr_data_uri(url),
        issued_at=clock.now(),
        **context,
    )
    path, digest = store_bytes(rendered.data, kind="document", suffix=".pdf")
    now = clock.now()
    if supersede:
        db.session.execute(
            sa.update(GeneratedDocument)
            .where(
                GeneratedDocument.kind == kind,
                GeneratedDocument.project_id == (project.id if project else None),
                GeneratedDocument.registration_id == (registration.id if registration else None),
                GeneratedDocument.superseded_at.is_(None),
            )
            .values(superseded_at=now)
        )
    document = GeneratedDocument(
        project_id=project.id if project else None,
        registration_id=registration.id if registration else None,
        kind=kind,
        title=title,
        verification_code=code,
        sha256=digest,
        size=len(rendered.data),
        storage_path=path,
        issued_at=now,
    )
    db.session.add(document)
    db.session.flush()
    audit.record("document.issue", document, project_id=project.id if project else None, details={"kind": kind, "sha256": digest}, actor=actor)
    return document


def current(kind: str, project=None, registration=None) -> GeneratedDocument | None:
    """The current (not superseded) document of a kind for a project / registration."""
    query = sa.select(GeneratedDocument).where(
        GeneratedDocument.kind == kind, GeneratedDocument.superseded_at.is_(None)
    )
    query = query.where(GeneratedDocument.project_id == (project.id if project else None))
    if registration is not None:
        query = query.where(GeneratedDocument.registration_id == registration.id)
    return db.session.scalar(query.order_by(GeneratedDocument.id.desc()).limit(1))
