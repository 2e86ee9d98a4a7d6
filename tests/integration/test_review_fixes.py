"""Regressions found in review: a rejected registrant's quote, oversized totals."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import SealedQuote
from procurement.services import ServiceError, opening, quotes
from procurement.services.projects import ItemData
from tests.factories import make_buyer, make_project, make_supplier, register


def test_a_registration_that_becomes_rejected_loses_its_live_quote(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    supplier = make_supplier()
    submission = register(project, supplier, clock)
    assert submission.registration.status == "accepted"
    clock.set(datetime(2024, 12, 27, 10, 0, tzinfo=BEIJING))
    quotes.submit_quote(submission.registration.id, {i.id: Decimal("1.00") for i in project.items}, supplier)
    assert quotes.current_quote(submission.registration.id) is not None

    again = register(project, supplier, clock, at=datetime(2024, 12, 30, 10, 0, tzinfo=BEIJING), consortium=True)
    assert again.registration.status == "rejected"
    assert quotes.current_quote(submission.registration.id) is None
    kinds = db.session.scalars(sa.select(SealedQuote.kind).order_by(SealedQuote.version)).all()
    assert kinds == ["quote", "withdrawal"]

    clock.set(datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING))
    assert opening.open_quotes(project.id, buyer) == []


def test_a_line_total_beyond_the_notices_range_is_refused_naming_the_line(app, clock):
    buyer = make_buyer()
    items = [ItemData("复印纸", "A4", "包", Decimal("900000000"), None)]
    project = make_project(buyer, clock, items=items)
    supplier = make_supplier()
    submission = register(project, supplier, clock)
    clock.set(datetime(2024, 12, 27, 10, 0, tzinfo=BEIJING))
    with pytest.raises(quotes.QuoteSheetInvalid) as caught:
        quotes.price_sheet(project, {project.items[0].id: "5000"})
    assert "小计过大" in caught.value.errors[0].message
    with pytest.raises(ServiceError):
        quotes.submit_quote(submission.registration.id, {project.items[0].id: Decimal("5000.00")}, supplier)
    assert quotes.current_quote(submission.registration.id) is None
