"""The evaluation's pages send the same number of SQL statements whatever the number of suppliers.

Each page is built at two sizes (3 and 12 participants) in the same states (reviewing, every
member submitted, ranked) and the statement counts must be equal: the participants, their
evidence, votes and results are loaded in bulk, never once per supplier.
"""
from __future__ import annotations

import pytest

from procurement.extensions import db
from procurement.services import evaluation as service
from tests.conftest import AuthActions
from tests.factories import SupplierSpec, make_buyer, make_opened_project
from tests.sqlcount import page_statements

SMALL, LARGE = 3, 12


def signed_in(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def all_cells(built, verdict="pass"):
    return [
        service.CellInput(registration.id, criterion, verdict, "")
        for registration in built.registrations
        for criterion in service.criteria_of(built.project)
    ]


def build(app, clock, buyer, size: int, tag: str):
    """A started evaluation with ``size`` participants; the chair's client."""
    suppliers = tuple(SupplierSpec(f"{tag}测试商贸{index:02d}有限公司", ("25.00", "420.00", "21.50")) for index in range(size))
    built = make_opened_project(buyer, clock, suppliers=suppliers, panel=(f"{tag}甲", f"{tag}乙", f"{tag}丙"), declare=True, start=True)
    return built, signed_in(app, built.panel[0]), signed_in(app, buyer)


def counts_through_the_evaluation(built, chair, buyer) -> dict[str, int]:
    """Statement counts of every evaluation page, through the evaluation's states."""
    pid = built.project.id
    first = built.registrations[0].id
    counts = {}
    service.save_votes(built.members[0], all_cells(built)[:5], submit=False, actor=built.panel[0])
    counts["overview (reviewing)"] = page_statements(chair, f"/panel/projects/{pid}/review").count
    counts["one supplier (reviewing)"] = page_statements(chair, f"/panel/projects/{pid}/review/{first}").count
    counts["project page (reviewing)"] = page_statements(chair, f"/panel/projects/{pid}").count
    counts["buyer panel (reviewing)"] = page_statements(buyer, f"/buyer/projects/{pid}/panel").count
    for member, user in zip(built.members, built.panel):
        service.save_votes(member, all_cells(built), submit=True, actor=user)
    counts["overview (submitted)"] = page_statements(chair, f"/panel/projects/{pid}/review").count
    counts["project page (submitted)"] = page_statements(chair, f"/panel/projects/{pid}").count
    service.rank(built.members[0], built.panel[0])
    db.session.expire_all()
    counts["project page (ranked)"] = page_statements(chair, f"/panel/projects/{pid}").count
    counts["report page (ranked)"] = page_statements(chair, f"/panel/projects/{pid}/report").count
    counts["buyer panel (ranked)"] = page_statements(buyer, f"/buyer/projects/{pid}/panel").count
    return counts


def test_the_evaluation_pages_send_the_same_statements_at_3_and_12_suppliers(app, clock):
    buyer = make_buyer()
    small = counts_through_the_evaluation(*build(app, clock, buyer, SMALL, "小"))
    large = counts_through_the_evaluation(*build(app, clock, buyer, LARGE, "大"))
    assert small == large, {page: (small[page], large[page]) for page in small}
    assert all(count > 0 for count in small.values())
    print("statements per page (3 = 12 suppliers):", small)


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_the_overview_shows_every_supplier_with_the_members_progress(app, clock, size):
    buyer = make_buyer()
    built, chair, _buyer = build(app, clock, buyer, size, "览")
    criteria = service.criteria_of(built.project)
    first, second = built.registrations[0], built.registrations[1]
    cells = [service.CellInput(first.id, criterion, "pass", "") for criterion in criteria]
    cells.append(service.CellInput(second.id, criteria[0], "fail", "复印件模糊"))
    service.save_votes(built.members[0], cells, submit=False, actor=built.panel[0])
    page = chair.get(f"/panel/projects/{built.project.id}/review").get_data(as_text=True)
    for registration in built.registrations:
        assert f'data-testid="review-{registration.id}"' in page
    status = lambda rid: page.split(f'data-testid="status-{rid}">')[1].split("<")[0]  # noqa: E731
    assert status(first.id) == "已完成"
    assert status(second.id) == "填写中"
    assert status(built.registrations[2].id) == "未开始"
    # The one-supplier page shows only that supplier's sheet.
    sheet = chair.get(f"/panel/projects/{built.project.id}/review/{second.id}").get_data(as_text=True)
    assert f'data-cell="{second.id}-' in sheet and f'data-cell="{first.id}-' not in sheet


def test_completing_a_supplier_needs_every_criterion_and_opens_the_next(app, clock):
    from tests.conftest import post_form

    buyer = make_buyer()
    built, chair, _buyer = build(app, clock, buyer, SMALL, "完")
    pid = built.project.id
    first, second = built.registrations[0], built.registrations[1]
    criteria = service.criteria_of(built.project)
    url = f"/panel/projects/{pid}/review/{first.id}"
    partial = {"action": "complete", f"v-{first.id}-{criteria[0]}": "fail", f"r-{first.id}-{criteria[0]}": "未加盖公章"}
    response = post_form(chair, url, partial)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert body.count("data-field-error") == len(criteria) - 1 and "请选择通过或不通过。" in body
    assert 'value="未加盖公章"' in body  # what was typed is kept
    data = {"action": "complete"} | {f"v-{first.id}-{criterion}": "pass" for criterion in criteria}
    response = post_form(chair, url, data)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/review/{second.id}")
    # The whole review cannot be submitted while suppliers are open; nothing is lost.
    response = post_form(chair, f"/panel/projects/{pid}/review", {"action": "submit"}, page=f"/panel/projects/{pid}/review")
    assert response.status_code == 400 and "需要补充或修改" in response.get_data(as_text=True)
    assert built.members[0].votes_submitted_at is None
