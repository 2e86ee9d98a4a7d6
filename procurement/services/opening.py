"""The opening (开标): unseal every current quote at or after the opening time, once.

Buyer staff open a project's quotes. The project row is locked (so two clicks cannot open twice),
then every registration of the project (so a submission that read the clock before the deadline
and still holds its lock commits first, and is opened). The private key is unwrapped only at or
after the opening time (``domain.sealing.unwrap_private_key`` refuses earlier); each current quote
is checked against its receipt hash, decrypted, checked to belong to this project, registration and
version, and stored as an :class:`OpenedQuote` with its lines. The opening record (开标记录) PDF is
issued by a job (kind ``opening.record``) right after the commit; suppliers see the record once
it exists (``queries.opening.supplier_may_see``), the buyer and the panel at once. If any quote fails its checks nothing is opened: the
failure is audited and the buyer is told which supplier's quote it was.
"""
from __future__ import annotations

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.money import QuoteLine, quote_total
from procurement.domain.sealing import SealBroken, SealedUntilOpening, decode_quote, open_sealed, unwrap_private_key
from procurement.extensions import db
from procurement.formatting import local_clock
from procurement.keys import load_kek
from procurement.models import (
    REG_ACCEPTED,
    KIND_QUOTE,
    STATUS_OPENED,
    STATUS_PUBLISHED,
    GeneratedDocument,
    Job,
    JobDocument,
    OpenedQuote,
    OpenedQuoteLine,
    Project,
    Registration,
    SealedQuote,
)
from procurement.queries.lookups import supplier_name
from procurement.queries.opening import (  # noqa: F401  (re-exported: views and tests read them here too)
    OpeningRow,
    can_open,
    is_opened,
    opening_record,
    opening_rows,
    panel_member_of,
    supplier_may_see,
)
from procurement.queries.jobs import KIND_OPENING_RECORD as JOB_KIND
from procurement.services import ServiceError, documents, notify_suppliers, open_data, quote_drafts
from procurement.services import jobs as job_service
from procurement.services.unit_of_work import change_status, command, lock_project

RECORD_KIND = "opening_record"
RECORD_STEP = "record"


class SealCheckFailed(Exception):
    """A quote failed its checks inside the opening's transaction (rolled back): what to audit and say."""

    def __init__(self, quote_id: int, registration_id: int, version: int, receipt_hash: str, error: SealBroken) -> None:
        super().__init__(error.code)
        self.quote_id, self.registration_id, self.version, self.receipt_hash, self.error = (
            quote_id, registration_id, version, receipt_hash, error
        )


def open_quotes(project_id: int, actor) -> list[OpenedQuote]:
    """Open every current quote of the project; the project becomes ``opened`` (one command).

    If a quote fails its checks the whole opening rolls back; the failure is then audited in a
    transaction of its own (so the record survives the rollback) and reported.

    :raise ServiceError: already opened (or not open for quotes), before the opening time, or a
        quote that does not match its receipt or does not decrypt (nothing is opened then).
    """
    try:
        return _open_quotes(project_id, actor)
    except SealCheckFailed as failure:
        raise audit_broken_seal(project_id, failure, actor) from failure.error


@command
def audit_broken_seal(project_id: int, failure: SealCheckFailed, actor) -> ServiceError:
    """Audit a quote that failed the opening's checks (committed) and return the refusal naming its supplier."""
    audit.record(
        "quote.open_failed",
        object_type="sealed_quote",
        object_id=failure.quote_id,
        project_id=project_id,
        details={"version": failure.version, "receipt_hash": failure.receipt_hash, "reason": failure.error.code},
        actor=actor,
    )
    return ServiceError(
        N_("%(supplier)s 的报价（第%(version)s版）未通过核验：%(reason)s 报价未开启，请联系技术人员核查。"),
        "seal_broken",
        supplier=supplier_name(db.session.get(Registration, failure.registration_id)),
        version=failure.version,
        reason=failure.error.message,
    )


@command
def _open_quotes(project_id: int, actor) -> list[OpenedQuote]:
    project = lock_project(project_id)
    check_openable(project)
    if project.is_quorum:
        raise ServiceError(
            N_("本项目采用多人共同开标：须由 %(k)s 位开标人在开启时间后各自输入开标口令，报价才能开启，服务器密钥无法开启。"),
            "quorum_project",
            k=project.quorum_threshold,
        )
    now = clock.now()
    try:
        private_key = unwrap_private_key(project.wrapped_private_key, load_kek(), now=now, opening_at=project.opening_at)
    except SealedUntilOpening:
        raise too_early(project) from None
    except SealBroken as error:
        raise ServiceError(
            N_("项目私钥无法解开：%(reason)s 报价未开启，请联系技术人员核查密钥配置。"), "key_unusable", reason=error.message
        ) from error
    return open_with_private_key(project, private_key, now, actor)


def check_openable(project: Project) -> None:
    """:raise ServiceError: the project was opened already, or is not open for quotes (cancelled, draft)."""
    if project.status == STATUS_OPENED or project.opened_at is not None:
        raise ServiceError(N_("报价已经开启过，不能重复开启。"), "already_opened")
    if project.status != STATUS_PUBLISHED:
        raise ServiceError(N_("该项目当前状态不能开启报价。"), "not_openable")


def too_early(project: Project) -> ServiceError:
    """The refusal before the opening time."""
    return ServiceError(
        N_("开启时间（%(opening)s，北京时间）未到，报价保持密封，不能开启。"), "too_early", opening=local_clock(project.opening_at)
    )


def open_with_private_key(project: Project, private_key: bytes, now, actor, *, details: dict | None = None) -> list[OpenedQuote]:
    """Open every current quote of the locked ``project`` with its private key, inside the caller's command.

    The server-key opening (:func:`open_quotes`) and the quorum opening
    (``services.quorum_opening``) both end here; ``details`` are added to the ``project.open``
    audit event.

    :raise SealCheckFailed: a quote fails its checks (the caller's command rolls back).
    """
    # Registration row locks, not the project's: a submission holds its registration's row while
    # it reads the clock and writes, so waiting for every registration of the project here means
    # a submission accepted before the deadline is committed before the quotes are read.
    db.session.execute(
        sa.select(Registration.id).where(Registration.project_id == project.id).order_by(Registration.id).with_for_update()
    ).all()
    current = db.session.scalars(
        sa.select(SealedQuote)
        .join(Registration, Registration.id == SealedQuote.registration_id)
        .where(
            Registration.project_id == project.id,
            Registration.status == REG_ACCEPTED,  # only a supplier allowed to quote is opened
            SealedQuote.is_current.is_(True),
            SealedQuote.kind == KIND_QUOTE,
        )
        .order_by(SealedQuote.submitted_at, SealedQuote.id)
        .execution_options(populate_existing=True)
    ).all()
    items = {item.id: item for item in project.items}
    opened: list[tuple[OpenedQuote, SealedQuote]] = []
    for quote in current:
        try:
            lines = unseal_quote(private_key, quote, project.id, items)
        except SealBroken as error:
            raise SealCheckFailed(quote.id, quote.registration_id, quote.version, quote.receipt_hash, error) from error
        record = OpenedQuote(
            project_id=project.id,
            registration_id=quote.registration_id,
            sealed_quote_id=quote.id,
            total=quote_total(lines),
            opened_at=now,
            hash_verified=True,
        )
        record.lines = [OpenedQuoteLine(boq_item_id=line.item_id, unit_price=line.unit_price, line_total=line.total) for line in lines]
        db.session.add(record)
        opened.append((record, quote))
    quote_drafts.discard_for_project(project.id)  # an unconfirmed review is void after the deadline
    change_status(project, STATUS_OPENED, actor, at=now)
    project.opened_at = now
    db.session.flush()
    for record, quote in opened:
        audit.record(
            "quote.open",
            record,
            project_id=project.id,
            details={
                "registration_id": record.registration_id,
                "version": quote.version,
                "receipt_hash": quote.receipt_hash,
                "hash_verified": True,
                "total": str(record.total),
            },
            actor=actor,
        )
    audit.record("project.open", project, details={"opened_quotes": len(opened), **(details or {})}, actor=actor)
    open_data.record_release(project, open_data.TENDER_UPDATE, "open")
    job_service.create(JOB_KIND, project, f"{JOB_KIND}:{project.id}", {}, total=1, actor=actor)
    return [record for record, _ in opened]


def unseal_quote(private_key: bytes, quote: SealedQuote, project_id: int, items: dict) -> list[QuoteLine]:
    """Check one sealed quote against its receipt, decrypt it, check that it belongs to the project,
    its registration and version and quotes every item of ``items`` (``{id: BoqItem}``); its lines.

    The opening's own check, also run by ``flask restore`` on the quotes of projects past their
    opening time (the private key comes from :func:`~procurement.domain.sealing.unwrap_private_key`,
    which refuses before it).

    :raise SealBroken: the quote does not match its receipt, does not decrypt, or is not this quote.
    """
    decoded = decode_quote(open_sealed(private_key, quote.sealed, expected_hash=quote.receipt_hash))
    if (decoded.project_id, decoded.registration_id, decoded.version) != (project_id, quote.registration_id, quote.version):
        raise SealBroken(N_("报价内容与其所属项目或版本不符。"), code="payload_mismatch")
    if {item_id for item_id, _ in decoded.lines} != set(items):
        raise SealBroken(N_("报价内容与采购清单不符。"), code="payload_lines")
    return [QuoteLine(item_id=item_id, quantity=items[item_id].quantity, unit_price=price) for item_id, price in decoded.lines]


def opening_record_spec(project: Project) -> documents.DocumentSpec:
    """The opening record PDF, from the page model read now."""
    return documents.DocumentSpec(
        RECORD_KIND,
        "documents/opening_record.html",
        title=f"{project.title}开标记录",
        subject=f"开标记录 {project.code}",
        project=project,
        context={"page": opening_record(project)},
    )


def issue_opening_record(project: Project, actor=None) -> GeneratedDocument:
    """Issue the opening record now (rendered outside any transaction, then a short command): scripts, benchmarks."""
    return documents.issue(opening_record_spec(project), actor=actor)


def steps(job: Job) -> list[str]:
    """One step: the record."""
    return [RECORD_STEP]


def prepare(job: Job, step: str) -> documents.DocumentSpec:
    """The record as opened."""
    return opening_record_spec(db.session.get(Project, job.project_id))


def apply(job: Job, staged: dict[str, JobDocument], actor) -> None:
    """The record becomes visible (to suppliers too, from now on): they are told, in this transaction."""
    job_service.publish_staged(staged[RECORD_STEP], actor=actor)
    notify_suppliers.opening_record(db.session.get(Project, job.project_id))


def opening_record_document(project: Project) -> GeneratedDocument | None:
    """The opening record PDF of an opened project; ``None`` while its job is issuing it.

    A project opened before opening records were issued by a job has none: it is issued now
    (rendered outside any transaction, then recorded).
    """
    if project.opened_at is None:
        return None
    document = documents.current(RECORD_KIND, project=project)
    if document is None and db.session.scalar(sa.select(Job.id).where(Job.key == f"{JOB_KIND}:{project.id}")) is None:
        document = issue_opening_record(project)
    return document
