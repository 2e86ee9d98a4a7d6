"""``flask demo`` loads the notice's project as printed, with a movable clock."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from procurement.clock import SimulatedClock
from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import Company, Project, User
from tests.conftest import AuthActions


def test_demo_loads_the_notice_and_starts_the_clock_inside_registration(app, runner):
    app.extensions["clock"] = SimulatedClock()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "buyer@example.com" in result.output and "panel3@example.com" in result.output
    project = db.session.scalar(sa.select(Project))
    assert project.title == "西藏日报社遴选2025年办公用品供应商项目"
    assert project.method == "询比价"
    assert project.contract_term == "自合同签订之日起1年"
    assert (project.published_on, project.registration_opens, project.registration_closes) == (
        date(2024, 12, 25), date(2024, 12, 25), date(2024, 12, 31)
    )
    assert project.opening_at == datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING)
    assert project.opening_place == "西藏传媒集团二楼会议室"
    assert project.registration_hours == [["09:30", "13:00"], ["15:30", "18:00"]]
    assert (project.contact_name, project.contact_phone) == ("措姆女士", "13618906639")
    assert 8 <= len(project.items) <= 12
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.role == "panel")) == 3
    assert db.session.scalar(sa.select(sa.func.count(Company.id))) == 5
    now = SimulatedClock().now().astimezone(BEIJING)
    assert (now.date(), now.hour) == (date(2024, 12, 26), 10)

    client = app.test_client()
    page = client.get(f"/notices/{project.id}").get_data(as_text=True)
    for text in (
        "西藏日报社遴选2025年办公用品供应商项目询比价公告",
        "（二）采购方式：询比价",
        "（三）合同履行期限：自合同签订之日起1年",
        "本项目不接受联合体投标",
        "在拉萨有固定的实体经营场所",
        "2024年12月25日至2024年12月31日",
        "上午09:30至13:00时、下午15:30至18:00时",
        "2025年1月2日16点00分（北京时间）",
        "西藏传媒集团二楼会议室",
        "公告期限：自发布之日起5个工作日",
        "措姆女士",
        "13618906639",
        "取两名中标候选人",
        "模拟时间",
    ):
        assert text in page, text

    again = runner.invoke(args=["demo", "--if-empty"])
    assert "not loaded" in again.output


def test_buyer_moves_the_simulated_clock_from_the_banner(app, runner):
    from tests.conftest import post_form

    app.extensions["clock"] = SimulatedClock()
    runner.invoke(args=["demo", "--if-empty"])
    client = app.test_client()
    AuthActions(client).login("buyer@example.com", "demo-2024")
    page = client.get("/buyer/clock").get_data(as_text=True)
    assert "开启时间" in page
    response = post_form(client, "/buyer/clock", {"at": "2025-01-02T16:05"})
    assert response.status_code == 302
    now = SimulatedClock().now().astimezone(BEIJING)
    assert (now.date(), now.hour, now.minute) == (date(2025, 1, 2), 16, 5)
