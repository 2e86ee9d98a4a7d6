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
    from procurement.models import BlacklistImport, Registration, SealedQuote

    statuses = db.session.scalars(sa.select(Registration.status)).all()
    assert statuses == ["accepted"] * 5
    assert db.session.scalar(sa.select(sa.func.count(SealedQuote.id)).where(SealedQuote.is_current.is_(True))) == 5
    assert db.session.scalar(sa.select(sa.func.count(BlacklistImport.id))) == 4
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0

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


def test_demo_announcement_pdf_matches_the_notice(app, runner, tmp_path):
    import shutil
    import subprocess

    import pytest

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    app.extensions["clock"] = SimulatedClock()
    runner.invoke(args=["demo", "--if-empty"])
    project = db.session.scalar(sa.select(Project))
    with app.test_client().get(f"/notices/{project.id}/notice.pdf") as response:
        path = tmp_path / "demo.pdf"
        path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for expected in (
        "西藏日报社遴选2025年办公用品供应商项目询比价公告",
        "（二）采购方式：询比价",
        "合同履行期限：自合同签订之日起1年",
        "被列入失信被执行人、重大税收违法失信主体、政府采购严重违法失信行为记录名单的，不得参加本次采购。",
        "本项目不接受联合体投标。",
        "本项目的特定资格要求：在拉萨有固定的实体经营场所",
        "2024年12月25日至2024年12月31日",
        "上午09:30至13:00时、下午15:30至18:00时",
        "按最低价中标法",
        "2025年1月2日16点00分（北京时间）",
        "地点：西藏传媒集团二楼会议室",
        "公告期限：自发布之日起5个工作日",
        "联系人：措姆女士",
        "13618906639",
    ):
        assert expected in flat, expected


def test_moving_the_clock_from_the_banner_returns_to_the_page(app, runner):
    from tests.conftest import post_form

    app.extensions["clock"] = SimulatedClock()
    runner.invoke(args=["demo", "--if-empty"])
    client = app.test_client()
    AuthActions(client).login("buyer@example.com", "demo-2024")
    assert "/buyer/clock?back=/buyer/projects/1" in client.get("/buyer/projects/1").get_data(as_text=True)
    response = post_form(client, "/buyer/clock?back=/buyer/projects/1", {"at": "2025-01-02T16:05"})
    assert response.headers["Location"].endswith("/buyer/projects/1")
    response = post_form(client, "/buyer/clock?back=//evil.example", {"at": "2025-01-02T16:06"})
    assert response.headers["Location"].endswith("/buyer/clock")


def test_the_demo_project_opens_by_a_two_of_three_quorum_whose_passphrases_are_printed(app, runner):
    from procurement.demo import DEMO_PASSPHRASES, OPENING_AT
    from procurement.models import OpeningOfficial
    from tests.factories import open_demo

    app.extensions["clock"] = SimulatedClock()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    for email, passphrase in DEMO_PASSPHRASES.items():
        line = next(line for line in result.output.splitlines() if email in line)
        assert "demo-2024" in line and f"opening passphrase (开标口令): {passphrase}" in line
    assert "panel3@example.com" in result.output and "开标口令" not in next(
        line for line in result.output.splitlines() if "panel3@example.com" in line
    )
    project = db.session.scalar(sa.select(Project))
    assert (project.opening_mode, project.quorum_threshold, project.wrapped_private_key) == ("quorum", 2, None)
    emails = db.session.scalars(
        sa.select(User.email).join(OpeningOfficial, OpeningOfficial.user_id == User.id).order_by(OpeningOfficial.position)
    ).all()
    assert emails == ["buyer@example.com", "panel1@example.com", "panel2@example.com"]
    SimulatedClock().set(OPENING_AT.replace(minute=3))
    db.session.commit()
    assert len(open_demo(project)) == 5
