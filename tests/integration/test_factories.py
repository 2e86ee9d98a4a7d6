"""The factories themselves: rows valid by the domain's rules, states reached by the services' own steps."""
from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from procurement.domain.identifiers import validate_resident_id, validate_uscc
from procurement.extensions import db
from procurement.models import STATUS_DRAFT, STATUS_EVALUATED, AuditEvent, User
from procurement.services import credit, projects
from tests.factories import (
    BlacklistEntryFactory,
    CompanyFactory,
    ProjectFactory,
    SupplierFactory,
    make_buyer,
    make_evaluated_project,
    valid_uscc,
)


def test_companies_get_distinct_valid_identifiers_and_accounts_are_audited(app):
    suppliers = SupplierFactory.create_batch(4)
    usccs = [user.company.uscc for user in suppliers]
    assert len(set(usccs)) == 4
    assert [validate_uscc(code) for code in usccs] == usccs
    assert all(validate_resident_id(user.company.legal_rep_id_number) for user in suppliers)
    assert all(user.company.profile_complete for user in suppliers)
    assert not CompanyFactory(incomplete=True).profile_complete
    assert valid_uscc() not in usccs
    created = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action == "account.create")).all()
    assert len(created) == 4
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 4


def test_a_project_row_is_a_draft_with_the_notice_lines_that_the_service_publishes(app, clock):
    project = ProjectFactory()
    assert project.status == STATUS_DRAFT
    assert [(item.position, item.name) for item in project.items] == [(1, "复印纸"), (2, "硒鼓"), (3, "中性笔")]
    projects.publish(project, db.session.get(User, project.created_by_id))
    assert project.status == "published" and project.public_key


def test_a_listed_entry_is_found_by_the_credit_check(app):
    entry = BlacklistEntryFactory(name="拉萨失信商贸有限公司")
    found = credit.check_registration_credit(entry.uscc, "拉萨失信商贸有限公司")
    assert found.hits and found.list_versions == {"dishonest_debtor": entry.import_id}


def test_an_evaluated_project_is_reached_through_every_service_step(app, clock):
    before = clock.now()
    built = make_evaluated_project(make_buyer(), clock)
    assert built.project.status == STATUS_EVALUATED
    assert clock.now() == before
    actions = Counter(
        db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.project_id == built.project.id)).all()
    )
    for action, count in {
        "project.publish": 1,
        "registration.submit": 4,
        "quote.submit": 4,
        "quote.open": 4,
        "project.open": 1,
        "panel.appoint": 3,
        "panel.declare": 3,
        "evaluation.start": 1,
        "evaluation.votes_submit": 3,
        "evaluation.rank": 1,
        "evaluation.report_confirm": 3,
        "evaluation.complete": 1,
    }.items():
        assert actions[action] == count, action
    assert [result.candidate_place for result in built.results] == [1, 2, None, None]
    assert [result.passed for result in built.results] == [True, True, True, False]
