"""Point 7: confirming a reviewed quote sends at most five SQL statements for the whole request on
PostgreSQL and seven on SQLite (its BEGIN IMMEDIATE included), none after the commit, and still
stores what it should.

SQLite's count went from six to seven with the per-project audit chains (issue 12): the chain's
head row is a write of its own (the seal that makes a deleted newest event visible), and SQLite
has no data-modifying CTE to join it to the event's INSERT, as PostgreSQL does."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from procurement.audit import verify
from procurement.extensions import db
from procurement.models import AuditEvent, QuoteDraft, SealedQuote
from tests.conftest import AuthActions, post_form
from tests.factories import QUOTE_AT, make_accepted_registration, make_buyer, make_project, make_supplier
from tests.integration.test_quote_prg import _confirm_fields
from tests.sqlcount import count_statements

MAX_STATEMENTS = {"postgresql": 5, "sqlite": 7}


@contextmanager
def statements_and_commit():
    """The statements of the block, and how many of them came after a commit (must be none)."""
    seen: dict = {}

    def after_commit(session):
        seen.setdefault("at", len(log.statements))

    sa.event.listen(Session, "after_commit", after_commit)
    try:
        with count_statements() as log:
            yield log, seen
    finally:
        sa.event.remove(Session, "after_commit", after_commit)


@pytest.fixture
def world(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    supplier = make_supplier(company_name="拉萨雪域办公用品有限公司")
    registration = make_accepted_registration(project, supplier, clock)
    clock.set(QUOTE_AT)
    client = app.test_client()
    AuthActions(client).login(supplier.email)
    return project, supplier, registration, client


def _review(project, client, prices, version):
    base = f"/supplier/projects/{project.id}/quote"
    fields = {f"price_{item.id}": text for item, text in zip(project.items, prices)} | {"expected_version": str(version)}
    assert post_form(client, f"{base}/review", fields, page=base).status_code == 302
    return _confirm_fields(client.get(f"{base}/review").get_data(as_text=True))


@pytest.mark.parametrize("revisions", [0, 1], ids=["first submission", "revision"])
def test_a_confirmed_quote_takes_few_statements_and_none_after_the_commit(app, world, revisions):
    project, supplier, registration, client = world
    for version in range(revisions):
        fields = _review(project, client, ["29", "440", "15"], version)
        assert client.post(f"/supplier/projects/{project.id}/quote/confirm", data=fields).status_code == 302
    fields = _review(project, client, ["25.50", "400", "12.30"], revisions)
    db.session.remove()  # a fresh session, as a server's request has: the user's row and the BEGIN count
    with statements_and_commit() as (log, commit):
        response = client.post(f"/supplier/projects/{project.id}/quote/confirm", data=fields)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/quote/receipts/{revisions + 1}")
    assert log.count <= MAX_STATEMENTS[db.engine.dialect.name], str(log)
    assert commit.get("at") == log.count, f"statements after the commit:\n{log}"
    # and it stored exactly what the longer path would have
    db.session.expire_all()
    stored = db.session.scalars(
        sa.select(SealedQuote).where(SealedQuote.registration_id == registration.id).order_by(SealedQuote.version)
    ).all()
    assert [(q.version, q.is_current) for q in stored] == [(v + 1, v == revisions) for v in range(revisions + 1)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuoteDraft)) == 0
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == ("quote.revise" if revisions else "quote.submit")
    assert event.object_id == str(stored[-1].id)
    assert event.details["receipt_hash"] == stored[-1].receipt_hash
    assert event.details["replaces_version"] == (revisions or None)
    assert all(status.ok for status in verify())  # every chain is intact
    receipt = client.get(response.headers["Location"])
    assert receipt.status_code == 200 and stored[-1].receipt_hash in receipt.get_data(as_text=True)


def test_a_stale_confirmation_still_gets_its_answer_the_long_way(app, world):
    """A second window's confirm of the same review: the quick path declines, the answer is unchanged."""
    project, supplier, registration, client = world
    fields = _review(project, client, ["25.50", "400", "12.30"], 0)
    assert client.post(f"/supplier/projects/{project.id}/quote/confirm", data=fields).status_code == 302
    again = client.post(f"/supplier/projects/{project.id}/quote/confirm", data=fields)
    assert again.status_code == 302
    assert again.headers["Location"].endswith("/quote/receipts/1")  # the receipt of what was stored
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealedQuote)) == 1
