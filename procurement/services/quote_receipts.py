"""Quote receipts (密封报价回执 / 报价撤回回执): the PDF of one version, issued on first request.

A receipt carries the version, its SHA-256 and the server time, never an amount, so it may be
stored and served before the opening.
"""
from __future__ import annotations

import sqlalchemy as sa

from procurement.extensions import db
from procurement.models import KIND_WITHDRAWAL, GeneratedDocument, Project, Registration, SealedQuote
from procurement.queries.lookups import supplier_name
from procurement.queries.opening import server_time_text
from procurement.services import documents
from procurement.services.unit_of_work import end_reading, transaction


def receipt_title(project: Project, quote: SealedQuote) -> str:
    """The receipt's title; it also names the stored PDF of that version."""
    label = "报价撤回回执" if quote.kind == KIND_WITHDRAWAL else "密封报价回执"
    return f"{project.code} {label}（第{quote.version}版）"


def _stored(registration_id: int, title: str) -> GeneratedDocument | None:
    return db.session.scalar(
        sa.select(GeneratedDocument).where(
            GeneratedDocument.kind == "receipt",
            GeneratedDocument.registration_id == registration_id,
            GeneratedDocument.title == title,
        )
    )


def receipt_document(quote: SealedQuote) -> GeneratedDocument:
    """The receipt PDF of one version, issued on first request and then served byte for byte.

    It carries no amount, so storing it is safe. The first request renders it from what it
    loaded, outside any transaction, then records it in a short command (which finds the one a
    concurrent request recorded meanwhile, if any).
    """
    registration = quote.registration
    project = registration.project
    title = receipt_title(project, quote)
    document = _stored(registration.id, title)
    if document is not None:
        return document
    spec = documents.DocumentSpec(
        "receipt",
        "documents/receipt.html",
        title=title,
        subject=f"{project.code} 报价回执",
        project=project,
        registration=registration,
        supersede=False,
        context={
            "quote": quote,
            "company_name": supplier_name(registration),
            "server_time": server_time_text(quote.submitted_at),
        },
    )
    end_reading()
    rendered = documents.render(spec)
    with transaction():
        db.session.execute(sa.select(Registration.id).where(Registration.id == registration.id).with_for_update())
        document = _stored(registration.id, title)
        if document is None:
            document = documents.record(rendered)
    return document
