"""Jobs in tests: keep them queued, count (or break) the renders they make, run them."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from procurement.extensions import db
from procurement.jobs.runner import drain
from procurement.services import documents


@dataclass
class RenderLog:
    """Every PDF render: its template, and whether a transaction was open or a statement sent during it."""

    templates: list[str] = field(default_factory=list)
    in_transaction: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    fail: int = 0  # how many of the next renders raise (an injected failure); -1: all of them

    @property
    def count(self) -> int:
        return len(self.templates)


@contextmanager
def recorded_renders():
    """Count every render of ``services.documents``; ``log.fail = n`` makes the next n raise."""
    from tests.sqlcount import count_statements

    original = documents.render_pdf
    log = RenderLog()

    def render_pdf(template, **kwargs):
        log.templates.append(template)
        if db.session().in_transaction():
            log.in_transaction.append(template)
        if log.fail:
            if log.fail > 0:
                log.fail -= 1
            raise RuntimeError(f"injected failure rendering {template}")
        with count_statements() as statements:
            rendered = original(template, **kwargs)
        log.statements += statements.statements
        return rendered

    documents.render_pdf = render_pdf
    try:
        yield log
    finally:
        documents.render_pdf = original


@contextmanager
def quick_layout():
    """Documents rendered without WeasyPrint's layout: the template is still rendered (with every
    value it is given), the PDF is a small valid one naming the HTML's SHA-256.

    For building worlds whose documents only need to exist (the form fuzz test's scenarios);
    the real layout is tested where the documents are (``test_documents``, ``test_document_fonts``).
    """
    import hashlib

    from flask import render_template

    from procurement.documents.pdf import RenderedPdf
    from tests.factories.files import tiny_pdf

    original = documents.render_pdf

    def render_pdf(template, *, title, subject, author="", **context):
        html = render_template(template, title=title, **context)
        return RenderedPdf(tiny_pdf(hashlib.sha256(html.encode("utf-8")).hexdigest()))

    documents.render_pdf = render_pdf
    try:
        yield
    finally:
        documents.render_pdf = original


@contextmanager
def manual_jobs(app):
    """Jobs stay queued until :func:`run_jobs` (the state a participant sees while they run)."""
    before = app.config.get("JOBS_RUN")
    app.config["JOBS_RUN"] = "manual"
    try:
        yield
    finally:
        app.config["JOBS_RUN"] = before


def run_jobs(app) -> list[int]:
    """Run every queued job now, as a worker would; the ids it ran."""
    return drain(app)


@contextmanager
def quick_renders():
    """Every document "rendered" as a tiny PDF naming its template (for tests that count the
    statements of pages, not the documents' content: WeasyPrint takes a fraction of a second a page)."""
    from procurement.documents.pdf import RenderedPdf
    from tests.factories.files import tiny_pdf

    original = documents.render_pdf

    def render_pdf(template, **kwargs):
        return RenderedPdf(data=tiny_pdf(f"{template} {kwargs.get('verification_code', '')}"))

    documents.render_pdf = render_pdf
    try:
        yield
    finally:
        documents.render_pdf = original


def make_failed_mail(app, to, key: str = "failed:1", project=None, subject: str = "报名审核结果通知"):
    """A mail whose delivery job failed for good (as after its last attempt), without a mail server."""
    from procurement.services import jobs as job_service
    from procurement.services import mail
    from procurement.services.unit_of_work import transaction

    with manual_jobs(app):
        with transaction():
            message = mail.queue_mail(to=to, subject=subject, text="您的报名已通过审核。", key=key, kind="test", project=project)
    job_service.claim(message.job_id)
    job_service.record_failure(message.job_id, ConnectionRefusedError(111, "Connection refused"), final=True)
    return message
