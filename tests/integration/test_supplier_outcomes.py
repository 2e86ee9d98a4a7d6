"""The supplier sees its outcome first (issue 10): 我的报名 names each project's own outcome with a link to
its notice, in a number of SQL statements that does not grow with the rows; the project page leads with it."""
from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import Registration
from procurement.services import award as award_service
from procurement.services import projects as project_service
from tests.conftest import AuthActions
from tests.factories import make_accepted_registration, make_buyer, make_evaluated_project, make_project, make_sealed_quote

RESULT_DAY = datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING)  # Monday: the result is published
LATER = {"published_at": datetime(2025, 1, 6, 9, 0, tzinfo=BEIJING), "opening_at": datetime(2025, 1, 15, 16, 0, tzinfo=BEIJING)}


def signed_in(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


class StatementCounter:
    """Counts the SQL statements the engine runs while active."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args) -> None:
        self.count += 1

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(db.engine, "before_cursor_execute", self)


def home(client) -> tuple[str, int]:
    """我的报名 and the statements it ran (from a fresh transaction, as a real request starts)."""
    db.session.commit()
    with StatementCounter() as counter:
        response = client.get("/supplier/")
    assert response.status_code == 200
    return response.get_data(as_text=True), counter.count


def rows(page: str) -> dict[str, dict]:
    """Project code → the outcome badge, the detail and the notice link of its row on 我的报名."""
    found = {}
    for block in page.split('data-testid="registration-')[1:]:
        code = re.search(r"项目编号 (\S+)", block).group(1)
        badge = re.search(r'data-testid="outcome">([^<]*)<', block).group(1).strip()
        detail = re.search(r'data-testid="outcome-detail">(.*?)</div>', block, re.S).group(1).strip()
        link = re.search(r'href="([^"]+)" data-testid="notice-link">([^<]*)<', block)
        found[code] = {"badge": badge, "detail": detail, "link": link.groups() if link else None}
    return found


def test_my_registrations_show_each_outcome_and_notice_in_a_fixed_number_of_statements(app, clock):
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock, code="E-AWARDED")
    clock.set(RESULT_DAY)
    winner, winning = built.candidate(1)
    second, _ = built.candidate(2)
    unqualified, _ = built.not_qualified()
    award_service.confirm(built.project, winning.id, buyer)
    award_service.publish(built.project, buyer)
    pid = built.project.id

    client = signed_in(app, winner)
    page, alone = home(client)
    assert rows(page) == {
        "E-AWARDED": {
            "badge": "成交",
            "detail": "贵单位被确定为成交供应商，请按成交通知书的期限签订合同。",
            "link": (f"/supplier/projects/{pid}/my-notice.pdf", "下载成交通知书（PDF）"),
        }
    }

    # The winner registers for more projects, each in another state.
    drafted = make_project(buyer, clock, code="P-DRAFT", **LATER)
    db.session.add(
        Registration(project_id=drafted.id, company_id=winner.company.id, status="draft", declarations={}, company_snapshot={}, created_at=RESULT_DAY, created_by_id=winner.id)
    )
    refused = make_project(buyer, clock, code="P-REFUSED", **LATER)
    db.session.add(
        Registration(project_id=refused.id, company_id=winner.company.id, status="rejected", declarations={}, company_snapshot={}, created_at=RESULT_DAY, submitted_at=RESULT_DAY, created_by_id=winner.id)
    )
    db.session.commit()
    accepted = make_project(buyer, clock, code="P-ACCEPTED", **LATER)
    make_accepted_registration(accepted, winner, at=RESULT_DAY)
    quoted = make_project(buyer, clock, code="P-QUOTED", **LATER)
    make_sealed_quote(make_accepted_registration(quoted, winner, at=RESULT_DAY), winner, ("25.00", "420.00", "21.50"), at=RESULT_DAY)
    cancelled = make_project(buyer, clock, code="P-CANCELLED", **LATER)
    make_accepted_registration(cancelled, winner, at=RESULT_DAY)
    project_service.cancel(cancelled, "采购需求发生变化", buyer)

    page, many = home(client)
    found = rows(page)
    assert found["E-AWARDED"]["badge"] == "成交"
    assert found["P-DRAFT"] == {"badge": "报名未提交", "detail": "报名资料尚未提交，请在报名截止前提交。", "link": None}
    assert found["P-REFUSED"]["badge"] == "报名未通过" and "报名截止前可修改后重新提交" in found["P-REFUSED"]["detail"]
    assert found["P-ACCEPTED"] == {"badge": "可报价", "detail": "报名成功，请在 2025年1月15日16点00分（北京时间）前提交密封报价。", "link": None}
    assert found["P-QUOTED"]["badge"] == "已报价"
    assert found["P-CANCELLED"]["badge"] == "终止" and "采购需求发生变化" in found["P-CANCELLED"]["detail"]
    assert found["P-CANCELLED"]["link"] == (f"/notices/{cancelled.id}/termination.pdf", "下载终止公告（PDF）")
    # Six rows cost no more statements than one.
    assert many == alone, (alone, many)

    # After the deadline: a quote waits for the opening, no quote means no part in it.
    clock.set(datetime(2025, 1, 15, 17, 0, tzinfo=BEIJING))
    found = rows(home(client)[0])
    assert found["P-QUOTED"]["badge"] == "待开启"
    assert found["P-ACCEPTED"]["badge"] == "未报价"
    assert found["P-REFUSED"]["detail"] == "报名期内未能更正，不能参加报价。"

    # The others of the awarded project: 未成交 and why, with their result notices.
    clock.set(RESULT_DAY)
    found = rows(home(signed_in(app, second))[0])["E-AWARDED"]
    assert found["badge"] == "未成交" and "在 3 家有效报价中排名第 2 名" in found["detail"]
    assert found["link"] == (f"/supplier/projects/{pid}/my-notice.pdf", "下载成交结果通知书（PDF）")
    found = rows(home(signed_in(app, unqualified))[0])["E-AWARDED"]
    assert found["badge"] == "未成交" and "未通过资格审查或符合性审查" in found["detail"] and "经营场所不在拉萨市辖区" in found["detail"]


def test_the_project_page_leads_with_the_outcome_and_the_notice(app, clock):
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock)
    clock.set(RESULT_DAY)
    winner, winning = built.candidate(1)
    client = signed_in(app, winner)
    page = client.get(f"/supplier/projects/{built.project.id}").get_data(as_text=True)
    assert re.search(r'data-testid="outcome">\s*评审中', page)  # evaluated, not yet published
    assert "成交结果尚未公布" in page
    award_service.confirm(built.project, winning.id, buyer)
    award_service.publish(built.project, buyer)
    page = client.get(f"/supplier/projects/{built.project.id}").get_data(as_text=True)
    top = page.index('data-testid="outcome-section"')
    assert top < page.index('data-testid="my-notice"') < page.index('data-testid="registration-section"')
    assert top < page.index('data-testid="result-section"') < page.index('data-testid="registration-section"')
    assert page.count("下载成交通知书（PDF）") == 1
    assert "贵单位被确定为成交供应商" in page[top : page.index('data-testid="registration-section"')]
