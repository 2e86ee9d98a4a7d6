"""Sealed quotes through ``services.quotes`` (sealed with the project's key, audited)."""
from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal

from procurement import clock as app_clock
from procurement.domain.schedule import BEIJING
from procurement.domain.sealing import encode_quote, receipt_hash, seal
from procurement.extensions import db
from procurement.models import KIND_QUOTE, OpenedQuote, OpenedQuoteLine, SealedQuote, User
from procurement.services import quotes
from tests.factories.timing import moved

QUOTE_AT = datetime(2024, 12, 31, 10, 0, tzinfo=BEIJING)  # before the 2025-01-02 16:00 deadline


def _submit(registration, supplier_user: User, prices):
    project = registration.project
    sheet = quotes.price_sheet(project, {item.id: text for item, text in zip(project.items, prices)})
    return quotes.submit_quote(registration.id, sheet.prices(), supplier_user)


def make_sealed_quote(registration, supplier_user: User, prices, clock=None, *, at: datetime = QUOTE_AT):
    """Submit a sealed quote through the service at ``at``; ``prices`` are unit-price texts in ITEMS order.

    ``clock`` is moved to ``at`` and back; without it the quote is submitted now.
    """
    if clock is None:
        return _submit(registration, supplier_user, prices)
    with moved(clock, at):
        return _submit(registration, supplier_user, prices)


def seal_unchecked_quote(registration, supplier_user: User, prices, clock=None, *, at: datetime = QUOTE_AT) -> SealedQuote:
    """A first quote version sealed exactly as the service seals it, but without its price checks.

    For the one state the services cannot reach: a sealed quote over a ceiling price, which the
    panel's compliance evidence must still show after the opening (the submission refuses it, so
    only a changed rule or a tampered client could leave one). Not audited.
    """
    project = registration.project
    with moved(clock, at):
        now = app_clock.now()
        lines = sorted((item.id, Decimal(text)) for item, text in zip(project.items, prices))
        sealed = seal(
            project.public_key,
            encode_quote(lines, project_id=project.id, registration_id=registration.id, version=1, submitted_at=now),
        )
        quote = SealedQuote(
            registration_id=registration.id,
            version=1,
            kind=KIND_QUOTE,
            sealed=sealed,
            receipt_hash=receipt_hash(sealed),
            submitted_at=now,
            submitted_by_id=supplier_user.id,
            is_current=True,
        )
        db.session.add(quote)
        db.session.commit()
    return quote


def make_opened_quote(project, registration, user, prices, *, submitted_at: datetime = QUOTE_AT, opened_at=None):
    """Rows only: a sealed version and what the opening revealed of it (lines and total).

    For statement-count tests that need many opened quotes fast; the opening itself (hash
    check, decryption, audit) is reached through the services by ``make_opened_project``.
    """
    from tests.factories.opening import OPENED_AT  # here: the opening module imports this one

    sealed = SealedQuote(
        registration_id=registration.id,
        version=1,
        kind=KIND_QUOTE,
        sealed=b"sealed-by-factory",
        receipt_hash=hashlib.sha256(f"opened-{registration.id}".encode()).hexdigest(),
        submitted_at=submitted_at,
        submitted_by_id=user.id,
        is_current=True,
    )
    db.session.add(sealed)
    db.session.flush()
    lines = [
        OpenedQuoteLine(
            boq_item_id=item.id,
            unit_price=Decimal(price),
            line_total=(item.quantity * Decimal(price)).quantize(Decimal("0.01")),
        )
        for item, price in zip(project.items, prices)
    ]
    quote = OpenedQuote(
        project_id=project.id,
        registration_id=registration.id,
        sealed_quote_id=sealed.id,
        total=sum((line.line_total for line in lines), Decimal("0.00")),
        opened_at=opened_at or OPENED_AT,
        hash_verified=True,
        lines=lines,
    )
    db.session.add(quote)
    db.session.commit()
    return quote
