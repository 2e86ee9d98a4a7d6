"""The opening (开标): unseal every current quote at or after the opening time, once.

Buyer staff open a project's quotes. The project row is locked (so two clicks cannot open twice),
then every registration of the project (so a submission that read the clock before the deadline
and still holds its lock commits first, and is opened). The private key is unwrapped only at or
after the opening time (``domain.sealing.unwrap_private_key`` refuses earlier); each current quote
is checked against its receipt hash, decrypted, checked to belong to this project, registration and
version, and stored as an :class:`OpenedQuote` with its lines. The opening record (开标记录) is
issued as a PDF in the same transaction. If any quote fails its checks nothing is opened: the
failure is audited and the buyer is told which supplier's quote it was.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.money import QuoteLine, amount_in_words_rmb, quote_total
from procurement.domain.sealing import SealBroken, SealedUntilOpening, decode_quote, open_sealed, unwrap_private_key
from procurement.extensions import db
from procurement.keys import load_kek
from procurement.models import (
    REG_ACCEPTED,
    KIND_QUOTE,
    STATUS_OPENED,
    STATUS_PUBLISHED,
    GeneratedDocument,
    OpenedQuote,
    OpenedQuoteLine,
    PanelMember,
    Project,
    Registration,
    SealedQuote,
)
from procurement.services import ServiceError, quote_drafts
from procurement.services.quotes import deadline_text, server_time_text, supplier_name


@dataclass(frozen=True)
class OpeningRow:
    """One line of the opening record: who, how much, when finally submitted, which receipt."""

    number: int
    registration_id: int
    company_id: int
    supplier: str
    total: Decimal
    total_words: str
    version: int
    submitted_at: datetime
    receipt_hash: str
    hash_verified: bool


def _lock_project(project_id: int) -> Project:
    project = db.session.execute(
        sa.select(Project).where(Project.id == project_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    return project


def can_open(project: Project, now: datetime | None = None) -> bool:
    """Whether the open button applies: published and at or after the opening time."""
    return project.status == STATUS_PUBLISHED and (now or clock.now()) >= project.opening_at


def open_quotes(project_id: int, actor) -> list[OpenedQuote]:
    """Open every current quote of the project; the project becomes ``opened``.

    :raise ServiceError: already opened (or not open for quotes), before the opening time, or a
        quote that does not match its receipt or does not decrypt (nothing is opened then).
    """
    project = _lock_project(project_id)
    if project.status == STATUS_OPENED or project.opened_at is not None:
        raise ServiceError(N_("报价已经开启过，不能重复开启。"), "already_opened")
    if project.status != STATUS_PUBLISHED:
        raise ServiceError(N_("该项目当前状态不能开启报价。"), "not_openable")
    now = clock.now()
    try:
        private_key = unwrap_private_key(project.wrapped_private_key, load_kek(), now=now, opening_at=project.opening_at)
    except SealedUntilOpening:
        raise ServiceError(
            N_("开启时间（%(opening)s，北京时间）未到，报价保持密封，不能开启。"), "too_early", opening=deadline_text(project)
        ) from None
    except SealBroken as error:
        raise ServiceError(
            N_("项目私钥无法解开：%(reason)s 报价未开启，请联系技术人员核查密钥配置。"), "key_unusable", reason=error.message
        ) from error
    # Wait for any submission still holding its registration's lock, then read what it committed.
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
    opened: list[OpenedQuote] = []
    for quote in current:
        try:
            decoded = decode_quote(open_sealed(private_key, quote.sealed, expected_hash=quote.receipt_hash))
            if (decoded.project_id, decoded.registration_id, decoded.version) != (project.id, quote.registration_id, quote.version):
                raise SealBroken(N_("报价内容与其所属项目或版本不符。"), code="payload_mismatch")
            if {item_id for item_id, _ in decoded.lines} != set(items):
                raise SealBroken(N_("报价内容与采购清单不符。"), code="payload_lines")
        except SealBroken as error:
            db.session.rollback()
            name = supplier_name(db.session.get(Registration, quote.registration_id))
            audit.record(
                "quote.open_failed",
                db.session.get(SealedQuote, quote.id),
                project_id=project_id,
                details={"version": quote.version, "receipt_hash": quote.receipt_hash, "reason": error.code},
                actor=actor,
            )
            db.session.commit()
            raise ServiceError(
                N_("%(supplier)s 的报价（第%(version)s版）未通过核验：%(reason)s 报价未开启，请联系技术人员核查。"),
                "seal_broken",
                supplier=name,
                version=quote.version,
                reason=error.message,
            ) from error
        lines = [QuoteLine(item_id=item_id, quantity=items[item_id].quantity, unit_price=price) for item_id, price in decoded.lines]
        total = quote_total(lines)
        record = OpenedQuote(
            project_id=project.id,
            registration_id=quote.registration_id,
            sealed_quote_id=quote.id,
            total=total,
            opened_at=now,
            hash_verified=True,
        )
        record.lines = [OpenedQuoteLine(boq_item_id=line.item_id, unit_price=line.unit_price, line_total=line.total) for line in lines]
        db.session.add(record)
        opened.append(record)
    quote_drafts.discard_for_project(project.id)  # an unconfirmed review is void after the deadline
    project.status = STATUS_OPENED
    project.opened_at = now
    project.status_changed_at = now
    project.status_changed_by_id = actor.id
    db.session.flush()
    for record in opened:
        audit.record(
            "quote.open",
            record,
            project_id=project.id,
            details={
                "registration_id": record.registration_id,
                "version": record.sealed_quote.version,
                "receipt_hash": record.sealed_quote.receipt_hash,
                "hash_verified": True,
                "total": str(record.total),
            },
            actor=actor,
        )
    audit.record("project.open", project, details={"opened_quotes": len(opened)}, actor=actor)
    issue_opening_record(project, actor=actor)
    db.session.commit()
    return opened


def opening_rows(project: Project) -> list[OpeningRow]:
    """The opening record's rows, in order of final submission (empty before the opening)."""
    records = db.session.scalars(
        sa.select(OpenedQuote)
        .join(SealedQuote, SealedQuote.id == OpenedQuote.sealed_quote_id)
        .where(OpenedQuote.project_id == project.id)
        .order_by(SealedQuote.submitted_at, OpenedQuote.id)
    ).all()
    rows = []
    for number, record in enumerate(records, start=1):
        quote = record.sealed_quote
        rows.append(
            OpeningRow(
                number=number,
                registration_id=record.registration_id,
                company_id=record.registration.company_id,
                supplier=supplier_name(record.registration),
                total=record.total,
                total_words=amount_in_words_rmb(record.total),
                version=quote.version,
                submitted_at=quote.submitted_at,
                receipt_hash=quote.receipt_hash,
                hash_verified=record.hash_verified,
            )
        )
    return rows


def issue_opening_record(project: Project, actor=None) -> GeneratedDocument:
    """Render and store the opening record PDF (the caller commits)."""
    from procurement.services import documents

    return documents.issue(
        "opening_record",
        "documents/opening_record.html",
        title=f"{project.title}开标记录",
        subject=f"开标记录 {project.code}",
        project=project,
        rows=opening_rows(project),
        quote_server_time=server_time_text,
        actor=actor,
    )


def opening_record_document(project: Project) -> GeneratedDocument | None:
    """The opening record PDF of an opened project (issued now if it is somehow missing)."""
    if project.opened_at is None:
        return None
    from procurement.services import documents

    document = documents.current("opening_record", project=project)
    if document is None:
        document = issue_opening_record(project)
        db.session.commit()
    return document


def is_opened(project: Project) -> bool:
    """Whether the quotes of the project have been opened (any status after the opening)."""
    return project.opened_at is not None


def supplier_may_see(project: Project, company_id: int) -> bool:
    """Whether a supplier sees the opening record: the project is opened and its quote was opened."""
    if not is_opened(project):
        return False
    return (
        db.session.scalar(
            sa.select(OpenedQuote.id)
            .join(Registration, Registration.id == OpenedQuote.registration_id)
            .where(OpenedQuote.project_id == project.id, Registration.company_id == company_id)
        )
        is not None
    )


def panel_member_of(project: Project, user_id: int) -> PanelMember | None:
    """The user's (not removed) appointment to the project's panel."""
    return db.session.scalar(
        sa.select(PanelMember).where(
            PanelMember.project_id == project.id, PanelMember.user_id == user_id, PanelMember.removed_at.is_(None)
        )
    )
