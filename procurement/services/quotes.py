"""Sealed quotes (密封报价): submit, revise and withdraw before the deadline; receipts.

What is stored, and what is not (design.md §6):

- A submission is sealed at once with the project's public key (``domain.sealing``); the row keeps
  only the sealed bytes and their receipt hash (SHA-256). No plaintext amount is ever written: not
  to a table, an audit event, a flash message (the session cookie), a log line or a file. An
  uploaded XLSX sheet is read in memory and dropped, never saved (``documents.quote_sheet``,
  priced by ``services.quote_pricing``).
- The supplier sees its amounts on the review step before confirming (and may download a filled
  copy of its sheet there, generated into the response only). Between entering and confirming the
  prices wait in an encrypted draft row, deleted on confirm and withdraw (``services.quote_drafts``
  explains why that keeps the sealing rule). After confirming, nobody, the supplier included, can
  read the amounts until the opening: the receipt carries the project, supplier, version, server
  time and the SHA-256, and no amount.

Concurrency: every change locks the registration row (``SELECT ... FOR UPDATE`` on PostgreSQL;
SQLite transactions are ``BEGIN IMMEDIATE``, so the whole write is serialised), reads the clock
*after* taking the lock, and inserts the new version inside that transaction. The row lock is the
registration's, not the project's (``unit_of_work.lock_project``): suppliers of one project quote
at the same time, each only against its own history; the opening takes every registration's lock
of its project, so a submission accepted before the deadline is committed before the opening reads
the quotes. A new current version retires the previous one in the database itself (a trigger on
``sealed_quote``, see ``models.quotes``) and the partial unique index
``uq_sealed_quote_one_current`` guarantees at most one current version whatever happens.

The confirmation (:func:`confirm_draft`) is the hot path: six statements on SQLite, five on
PostgreSQL for the whole request, none after the commit (see its docstring).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from procurement import audit, clock
from procurement.documents.quote_sheet import MAX_SHEET_BYTES, sheet_xlsx  # noqa: F401  (re-exported)
from procurement.domain import N_
from procurement.domain.sealing import encode_quote, receipt_hash, seal
from procurement.extensions import db
from procurement.models import (
    KIND_QUOTE,
    KIND_WITHDRAWAL,
    BoqItem,
    Project,
    QuoteDraft,
    Registration,
    SealedQuote,
)
from procurement.queries import quotes as quote_queries
from procurement.queries.lookups import supplier_name  # noqa: F401  (re-exported)
from procurement.queries.opening import received_count, server_time_text  # noqa: F401  (re-exported)
from procurement.queries.quotes import (  # noqa: F401  (re-exported: views and tests read them here)
    QuoteStatus,
    current_quote,
    deadline_text,
    get_version,
    latest_version,
    status_for,
    versions,
)
from procurement.services import ServiceError, quote_drafts
from procurement.services.quote_pricing import (  # noqa: F401  (re-exported)
    PricedLine,
    PricedSheet,
    QuoteSheetInvalid,
    SheetError,
    check_prices,
    price_sheet,
    price_sheet_from_xlsx,
    priced_sheet,
)
from procurement.services.unit_of_work import command


def refusal(registration: Registration | None, now: datetime | None = None) -> ServiceError | None:
    """Why this registration may not submit, revise or withdraw now, or ``None`` when it may.

    Used to shape pages; the submission itself decides again inside its locked transaction.
    """
    refused = quote_queries.refusal(registration, now)
    if refused is None:
        return None
    return ServiceError(refused.message, refused.code, **refused.params)


def _lock_registration(registration_id: int) -> Registration:
    """Lock the registration row for this transaction and return it fresh from the database.

    A registration row lock, not the project's: see the module docstring.
    """
    registration = db.session.execute(
        sa.select(Registration)
        .where(Registration.id == registration_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if registration is None:
        raise ServiceError(N_("报名不存在。"), "no_registration")
    # The project's status and deadline decide too; read them fresh (an opening or an amendment
    # may have committed since the request first loaded the project).
    db.session.refresh(registration.project, ["status", "opening_at"])
    return registration


class StaleVersion(ServiceError):
    """The page was made for an older version: a double click, or another window submitted first."""

    code = "stale_version"

    def __init__(self, latest: SealedQuote) -> None:
        super().__init__(
            N_("您的报价在此期间已有更新（当前为第%(version)s版），本次操作未重复生效。请核对当前报价的回执；如需修改，请重新填写。"),
            "stale_version",
            version=latest.version,
        )
        self.latest = latest


def _begin_change(registration_id: int, expected_version: int | None) -> tuple[Registration, datetime, SealedQuote | None]:
    """Lock, then check the rules at the clock read *after* the lock; return (registration, now, latest)."""
    registration = _lock_registration(registration_id)
    now = clock.now()
    refused = refusal(registration, now)
    if refused is not None:
        raise refused
    latest = latest_version(registration.id)
    if expected_version is not None and (latest.version if latest else 0) != expected_version:
        raise StaleVersion(latest) if latest else ServiceError(N_("报价状态已变化，请刷新页面。"), "stale_version")
    return registration, now, latest


def _sealed_values(project: Project, registration_id: int, sheet: PricedSheet, version: int, now: datetime, actor) -> dict:
    """The new version's row: the prices sealed to the project's key, bound to project, registration and version."""
    payload = encode_quote(
        sorted(sheet.prices().items()), project_id=project.id, registration_id=registration_id, version=version, submitted_at=now
    )
    sealed = seal(project.public_key, payload)
    return dict(
        registration_id=registration_id,
        version=version,
        kind=KIND_QUOTE,
        sealed=sealed,
        receipt_hash=receipt_hash(sealed),
        submitted_at=now,
        submitted_by_id=actor.id,
        is_current=True,
    )


def _submit_details(version: int, receipt: str, replaces: int | None, lines: int) -> dict:
    return {"version": version, "receipt_hash": receipt, "replaces_version": replaces, "lines": lines}


@command
def submit_quote(registration_id: int, prices: Mapping[int, Decimal], actor, *, expected_version: int | None = None) -> SealedQuote:
    """Seal and store a new version of the quote; it becomes the current one.

    ``prices`` maps every bill-of-quantities item id to its unit price. ``expected_version`` is
    the latest version number the supplier's page showed (0 for none): a page made for an older
    version (a double click, a second window) is refused instead of stored twice.

    :raise ServiceError: not accepted, past the deadline (at the deadline instant too), project
        not open for quotes, or a stale page (:class:`StaleVersion`).
    :raise QuoteSheetInvalid: a price breaks the sheet's rules.
    """
    registration, now, latest = _begin_change(registration_id, expected_version)
    project = registration.project
    sheet = check_prices(project, prices)
    version = (latest.version if latest else 0) + 1
    replaces = current_quote(registration.id)
    quote = SealedQuote(**_sealed_values(project, registration.id, sheet, version, now, actor))
    db.session.add(quote)
    db.session.flush()  # the database retires the previous current version (trigger on sealed_quote)
    quote_drafts.discard(registration.id)  # the reviewed prices are sealed now: the draft goes
    audit.record(
        "quote.revise" if replaces is not None else "quote.submit",
        quote,
        project_id=project.id,
        details=_submit_details(version, quote.receipt_hash, replaces.version if replaces is not None else None, len(sheet.lines)),
        actor=actor,
    )
    return quote


# --- the confirmation of a reviewed draft: the hot path ----------------------------------------


@dataclass(frozen=True)
class Confirmed:
    """What the confirmation's answer needs, all known before the commit (nothing is reloaded after it)."""

    registration_id: int
    version: int
    receipt_hash: str


class NotConfirmed(Exception):
    """The confirmation is not the plain case (no draft here, another page's draft, a stale page, a
    refusal, a changed sheet): nothing was written, and the view works out its answer in full."""


def _locked_submission(project_id: int, actor):
    """One statement: the supplier's registration (row-locked), its project and bill of
    quantities, this user's draft, and the latest and current version numbers."""
    latest = (
        sa.select(sa.func.max(SealedQuote.version)).where(SealedQuote.registration_id == Registration.id).scalar_subquery()
    )
    current = (
        sa.select(SealedQuote.version)
        .where(SealedQuote.registration_id == Registration.id, SealedQuote.is_current.is_(True))
        .scalar_subquery()
    )
    return (
        db.session.execute(
            sa.select(Registration, QuoteDraft, latest.label("latest"), current.label("current"))
            .join(Registration.project)
            .outerjoin(Project.items)
            .outerjoin(QuoteDraft, sa.and_(QuoteDraft.registration_id == Registration.id, QuoteDraft.user_id == actor.id))
            .where(Registration.project_id == project_id, Registration.company_id == actor.company_id)
            .order_by(BoqItem.position)
            .options(contains_eager(Registration.project).contains_eager(Project.items))
            .with_for_update(of=Registration)
            .execution_options(populate_existing=True)
        )
        .unique()
        .first()
    )


@command
def confirm_draft(project_id: int, actor, token: str, session_key: str | None) -> Confirmed:
    """Seal the supplier's reviewed draft of ``project``'s quote as its new current version.

    The confirm form's POST in the plain case, in as few statements as the rules allow: the read
    above (with the registration's row lock), the new version's INSERT (the database retires the
    previous current one), the drafts' DELETE (its RETURNING locks the project's audit chain head
    and reads its last number and hash) and the audit append (on PostgreSQL the event's INSERT and
    the head's UPDATE in one statement, on SQLite two); with the signed-in user's row and, on
    SQLite, the BEGIN IMMEDIATE, seven in all on SQLite and five on PostgreSQL. The answer is
    built from :class:`Confirmed`, so nothing is read after the commit.

    :raise NotConfirmed: anything else; nothing is written (the transaction rolls back) and the
        caller decides the answer with the full checks (:func:`submit_quote` and friends).
    """
    found = _locked_submission(project_id, actor)
    if found is None:
        raise NotConfirmed("no registration")
    registration, draft_row, latest, current = found
    now = clock.now()
    if quote_queries.refusal(registration, now) is not None:
        raise NotConfirmed("refused")
    draft = quote_drafts.open_row(draft_row, registration, actor.id, session_key) if draft_row is not None else None
    if draft is None or draft.token != token or draft.expected_version != (latest or 0):
        raise NotConfirmed("draft")
    project = registration.project
    try:
        sheet = check_prices(project, draft.prices)
    except ServiceError as error:
        raise NotConfirmed("prices") from error
    version = (latest or 0) + 1
    values = _sealed_values(project, registration.id, sheet, version, now, actor)
    quote_id = db.session.execute(sa.insert(SealedQuote).values(**values).returning(SealedQuote.id)).scalar_one()
    tail = db.session.execute(
        sa.delete(QuoteDraft)
        .where(QuoteDraft.registration_id == registration.id)
        .returning(*audit.locked_tail_columns(audit.chain_key(project.id)))
    ).first()
    audit.record(
        "quote.revise" if current is not None else "quote.submit",
        object_type="sealed_quote",
        object_id=quote_id,
        project_id=project.id,
        details=_submit_details(version, values["receipt_hash"], current, len(sheet.lines)),
        actor=actor,
        tail=audit.Tail(*tail) if tail is not None and tail[0] is not None else None,
    )
    return Confirmed(registration_id=registration.id, version=version, receipt_hash=values["receipt_hash"])


# --- withdrawing ---------------------------------------------------------------------------------


@command
def withdraw_quote(registration_id: int, actor, *, expected_version: int | None = None) -> SealedQuote:
    """Withdraw the current quote: a new version of kind ``withdrawal``; no current quote remains.

    :raise ServiceError: nothing to withdraw, past the deadline, or a stale page.
    """
    registration, now, latest = _begin_change(registration_id, expected_version)
    current = current_quote(registration.id)
    if current is None:
        raise ServiceError(N_("当前没有可撤回的报价。"), "nothing_to_withdraw")
    return _withdraw(registration, current, latest, now, actor, {"withdrawn_receipt_hash": current.receipt_hash})


def _withdraw(registration: Registration, current: SealedQuote, latest: SealedQuote, now: datetime, actor, details: dict) -> SealedQuote:
    """Add the withdrawal version and clear ``is_current`` (part of the caller's command)."""
    db.session.execute(
        sa.update(SealedQuote)
        .where(SealedQuote.registration_id == registration.id, SealedQuote.is_current.is_(True))
        .values(is_current=False)
    )
    withdrawal = SealedQuote(
        registration_id=registration.id,
        version=latest.version + 1,
        kind=KIND_WITHDRAWAL,
        sealed=None,
        receipt_hash=None,
        submitted_at=now,
        submitted_by_id=actor.id,
        is_current=False,
    )
    db.session.add(withdrawal)
    db.session.flush()
    quote_drafts.discard(registration.id)
    audit.record(
        "quote.withdraw",
        withdrawal,
        project_id=registration.project_id,
        details={"version": withdrawal.version, "withdrawn_version": current.version, **details},
        actor=actor,
    )
    return withdrawal


def withdraw_after_rejection(registration: Registration, now: datetime, actor) -> SealedQuote | None:
    """A registration that is no longer accepted loses its live quote (a withdrawal version).

    Called by the registration service when a resubmission fails the checks: a quote from a
    supplier that may not quote must neither stay current nor be opened. Part of the caller's command.
    """
    current = current_quote(registration.id)
    if current is None:
        return None
    return _withdraw(registration, current, latest_version(registration.id), now, actor, {"reason": "registration_rejected"})


__all__ = [
    "Confirmed",
    "NotConfirmed",
    "PricedLine",
    "PricedSheet",
    "QuoteSheetInvalid",
    "QuoteStatus",
    "SheetError",
    "StaleVersion",
    "confirm_draft",
    "current_quote",
    "deadline_text",
    "get_version",
    "latest_version",
    "price_sheet",
    "price_sheet_from_xlsx",
    "priced_sheet",
    "received_count",
    "refusal",
    "server_time_text",
    "sheet_xlsx",
    "status_for",
    "submit_quote",
    "supplier_name",
    "versions",
    "withdraw_after_rejection",
    "withdraw_quote",
]
