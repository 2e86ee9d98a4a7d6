"""The evaluation's completion moves the project through the lifecycle, under the project's lock."""
from __future__ import annotations

from procurement.extensions import db
from procurement.services import evaluation as service
from procurement.services import unit_of_work
from procurement.services.evaluation import report as report_module
from tests.factories import PASSWORD, make_buyer, make_opened_project


def test_the_last_signature_locks_the_project_and_moves_it_to_evaluated_through_change_status(app, clock, monkeypatch):
    built = make_opened_project(make_buyer(), clock, declare=True, start=True)
    for member, user in zip(built.members, built.panel):
        cells = [
            service.CellInput(registration.id, criterion, "pass", "")
            for registration in built.registrations
            for criterion in service.criteria_of(built.project)
        ]
        service.save_votes(member, cells, submit=True, actor=user)
    service.rank(built.members[0], built.panel[0])
    locked, moves = [], []

    def lock(project):
        locked.append(project if isinstance(project, int) else project.id)
        return unit_of_work.lock_project(project)

    def change(project, target, actor, **kwargs):
        moves.append((project.status, target))
        return unit_of_work.change_status(project, target, actor, **kwargs)

    monkeypatch.setattr(report_module, "lock_project", lock)
    monkeypatch.setattr(report_module, "change_status", change)
    for member, user in zip(built.members, built.panel):
        service.confirm_report(member, PASSWORD, None, user)
    # Every signature takes the lock first, so two last signatures queue and one completes.
    assert locked == [built.project.id] * len(built.members)
    assert moves == [("opened", "evaluated")]
    db.session.expire_all()
    assert built.project.status == "evaluated" and built.project.status_changed_by_id == built.panel[-1].id
