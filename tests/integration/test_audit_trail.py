"""The audit trail: buyer staff read it per project; `flask audit verify` names each chain's first
fault with its chain, action and time; `flask audit seal` seals the heads the migration left unsealed."""
from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from procurement.clock import SimulatedClock

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import AuditChainHead, AuditEvent
from procurement.services import award as award_service
from procurement.services import challenges as challenge_service
from tests.conftest import AuthActions
from tests.factories import make_buyer, make_evaluated_project, make_supplier

RESULT_DAY = datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING)


@pytest.fixture
def awarded(app, clock):
    """The award workflow run through the services: drop-out, award, publication, challenge, answer."""
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock)
    clock.set(RESULT_DAY)
    first_user, first = built.candidate(1)
    _, second = built.candidate(2)
    award_service.drop_out(built.project, first.id, "declined", "书面放弃", buyer)
    award_service.confirm(built.project, second.id, buyer)
    award_service.publish(built.project, buyer)
    challenge = challenge_service.file_challenge(built.project, first, "质疑。", [], first_user)
    challenge_service.answer_challenge(challenge, "答复。", buyer)
    return built


def signed_in(app, user):
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


def test_every_award_step_is_an_audit_event_of_the_project(awarded):
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.project_id == awarded.project.id).order_by(AuditEvent.id)
    ).all()
    tail = [a for a in actions if a.startswith(("award.", "challenge."))]
    assert tail == ["award.drop_out", "award.confirm", "award.publish", "challenge.file", "challenge.answer"]
    # The announcement, the opening record, the evaluation report and the four notices
    # (one award notice, three result notices).
    issued = db.session.scalars(
        sa.select(AuditEvent.details).where(
            AuditEvent.action == "document.issue", AuditEvent.project_id == awarded.project.id
        )
    ).all()
    kinds = sorted(details["kind"] for details in issued)
    assert kinds == ["announcement", "award_notice", "evaluation_report", "opening_record", "result_announcement"] + [
        "result_notice"
    ] * 3


def test_buyer_reads_the_project_trail_with_the_chain_status(app, awarded):
    client = signed_in(app, awarded.buyer)
    html = client.get(f"/buyer/projects/{awarded.project.id}/audit").get_data(as_text=True)
    assert "哈希链校验通过" in html
    for label in ("发布公告", "候选人放弃或不符合条件", "确定成交", "发布成交结果", "出具文书", "提出质疑", "答复质疑"):
        assert label in html, label
    assert "书面放弃" in html  # the details are shown
    hub = client.get(f"/buyer/projects/{awarded.project.id}").get_data(as_text=True)
    assert 'data-testid="audit-section"' in hub and "答复质疑" in hub
    assert f"/buyer/projects/{awarded.project.id}/audit" in hub


def test_other_projects_events_are_not_in_a_projects_trail(app, clock, awarded):
    other = make_evaluated_project(awarded.buyer, clock, names=["甲公司", "乙公司", "丙公司", "丁公司"])
    client = signed_in(app, awarded.buyer)
    html = client.get(f"/buyer/projects/{other.project.id}/audit").get_data(as_text=True)
    assert "发布成交结果" not in html
    assert "发布成交结果" in client.get("/buyer/audit").get_data(as_text=True)


def test_suppliers_cannot_read_the_trail(app, awarded):
    client = signed_in(app, make_supplier())
    assert client.get(f"/buyer/projects/{awarded.project.id}/audit").status_code == 403


def test_audit_verify_passes_on_intact_chains_with_counts_per_chain(runner, awarded):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit chains OK" in result.output
    count = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.project_id == awarded.project.id))
    assert f"  project:{awarded.project.id}: {count} events OK" in result.output
    assert "  site: " in result.output


def test_tampering_with_one_row_makes_audit_verify_fail_and_name_it(app, runner, awarded):
    target = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "award.confirm"))
    target_id, seq, at = target.id, target.seq, target.occurred_at
    db.session.expire_all()
    # What an attacker with database access would do: rewrite the details in place.
    db.session.execute(
        sa.text("UPDATE audit_event SET details = :details WHERE id = :id"),
        {"details": '{"registration_id": 1, "amount": "1.00"}', "id": target_id},
    )
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    beijing = at.astimezone(BEIJING)
    assert (
        f"Audit chain project:{awarded.project.id}: event #{seq} (id {target_id}) award.confirm at "
        f"{beijing:%Y-%m-%d %H:%M:%S} 北京时间: hash_mismatch" in result.output
    )

    client = signed_in(app, awarded.buyer)
    html = client.get(f"/buyer/projects/{awarded.project.id}/audit").get_data(as_text=True)
    assert "哈希链校验失败" in html and f"项目 #{awarded.project.id}：第 {seq} 条记录（确定成交" in html
    assert 'data-testid="broken-event"' in html
    assert "哈希链校验失败" in client.get("/buyer/audit").get_data(as_text=True)


def test_deleting_a_row_breaks_the_next_link(runner, awarded):
    chain = f"project:{awarded.project.id}"
    ids = db.session.scalars(sa.select(AuditEvent.id).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)).all()
    victim, following = ids[len(ids) // 2], ids[len(ids) // 2 + 1]
    db.session.execute(sa.text("DELETE FROM audit_event WHERE id = :id"), {"id": victim})
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"Audit chain {chain}: event #{len(ids) // 2 + 2} (id {following})" in result.output
    assert ": seq_gap:" in result.output


def test_verify_on_a_demo_database_with_its_newest_event_deleted_names_it(app, runner):
    app.extensions["clock"] = SimulatedClock()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    newest = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    chain, seq, action, at = newest.chain, newest.seq, newest.action, newest.occurred_at
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == newest.id))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert (
        f"Audit chain {chain}: event #{seq} {action} at {at.astimezone(BEIJING):%Y-%m-%d %H:%M:%S} 北京时间: newest_missing"
        in result.output
    )
    assert "Audit chains BROKEN: 1 of" in result.output


def test_unsealed_heads_are_reported_apart_and_sealed_by_the_seal_command(runner, awarded):
    chain = f"project:{awarded.project.id}"
    db.session.execute(sa.update(AuditChainHead).values(mac=None, sealed_at=None))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 2
    assert f"Audit chain {chain}: " in result.output and ": head_unsealed:" in result.output
    assert "Audit chains UNSEALED" in result.output
    # A broken chain is never sealed; the intact ones are.
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == 2).values(action="x"))
    db.session.commit()
    result = runner.invoke(args=["audit", "seal"])
    assert result.exit_code == 1
    assert "Sealed 1 chain heads: site." in result.output
    assert f"Not sealed: Audit chain {chain}: event #2" in result.output
    assert db.session.get(AuditChainHead, chain).mac is None
    assert db.session.get(AuditChainHead, "site").mac is not None
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1
