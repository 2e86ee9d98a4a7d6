"""The panel member's home lists the reviews and signatures waiting for it, per project (issue 13):
declare, fill in the review sheet, the chair's explanations and ranking, sign the report; what it
waits for from others; in the same number of statements for 1 and 4 projects in each state."""
from __future__ import annotations

from procurement.extensions import db
from procurement.models import User
from procurement.services import evaluation
from tests.conftest import AuthActions
from tests.factories import PASSWORD, make_buyer, make_panel
from tests.factories import attention as world
from tests.factories.jobs import manual_jobs, quick_renders, run_jobs
from tests.integration.test_attention_buyer import attention_items
from tests.sqlcount import page_statements


def signed_in(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def test_the_home_lists_what_waits_for_the_member_on_each_project(app, clock):
    buyer = make_buyer()
    member = make_panel(name="次仁")
    with quick_renders():
        built = {state: world.seated(buyer, clock, member, f"{index}号", state) for index, state in enumerate(world.SEATED_STATES)}
    clock.set(world.LOOK_AT)
    client = signed_in(app, member)
    html = client.get("/panel/").get_data(as_text=True)
    items = attention_items(html)
    found = {(entry["kind"], entry["project"]): entry for entry in items}

    declare = found[("declare", built["declare"].project.id)]
    assert declare["what"] == "报价已开启，请先对参加供应商作出利害关系声明。" and declare["mine"]
    assert declare["link"] == f"/panel/projects/{built['declare'].project.id}"

    review = found[("review", built["review"].project.id)]
    # Three suppliers, seven criteria (the six qualification criteria and the response's compliance).
    assert review["what"] == "请填写并提交评审表（已填写 0 / 21 项）。"
    assert review["link"] == f"/panel/projects/{built['review'].project.id}/review"

    explain = built["explain"].project.id
    wait = found[("explanation_wait", explain)]
    assert wait["what"] == "等待“拉萨低价贸易有限公司”对异常低价作出书面说明。" and not wait["mine"]
    assert wait["due"] == "说明截止：2025年1月7日 12:00（北京时间）" and wait["left"] == "剩余 1 天 2 小时"
    assert found[("rank", explain)]["mine"]

    sign = found[("sign", built["sign"].project.id)]
    assert sign["what"] == "评审结果已汇总排序，请阅读并签署评审报告。"
    assert sign["link"] == f"/panel/projects/{built['sign'].project.id}/report"

    signed = found[("await_signatures", built["signed"].project.id)]
    assert signed["what"] == "您已签署，等待其他成员签署评审报告：4号乙、4号丙。" and not signed["mine"]

    assert len(items) == 6
    assert [entry["mine"] for entry in items] == [True] * 4 + [False] * 2
    for entry in items:
        assert client.get(entry["link"]).status_code == 200, entry
    # The projects stay listed below.
    assert html.index('data-testid="attention"') < html.index('data-testid="panel-projects"')


def test_the_other_members_see_their_own_items(app, clock):
    buyer = make_buyer()
    member = make_panel(name="次仁")
    with quick_renders():
        built = world.seated(buyer, clock, member, "甲", "signed")
    other = signed_in(app, built.panel[1])
    (item,) = attention_items(other.get("/panel/").get_data(as_text=True))
    assert item["kind"] == "sign" and item["project"] == built.project.id
    # A member of no panel has nothing, and is told why.
    html = signed_in(app, make_panel()).get("/panel/").get_data(as_text=True)
    assert attention_items(html) == [] and 'data-testid="no-panel-projects"' in html


def test_after_the_last_signature_the_home_follows_the_report_being_generated(app, clock):
    buyer = make_buyer()
    member = make_panel(name="次仁")
    with quick_renders():
        built = world.seated(buyer, clock, member, "甲", "signed")
        evaluation.confirm_report(built.members[1], PASSWORD, None, built.panel[1])
        with manual_jobs(app):
            evaluation.confirm_report(built.members[2], PASSWORD, None, built.panel[2])
            client = signed_in(app, member)
            (item,) = attention_items(client.get("/panel/").get_data(as_text=True))
            assert item["kind"] == "report_job" and item["what"] == "全体成员已签署，正在生成评审报告PDF。"
            assert item["link"] == f"/panel/projects/{built.project.id}/report"
            run_jobs(app)
    html = client.get("/panel/").get_data(as_text=True)
    assert attention_items(html) == [] and "暂无待办事项" in html


def test_the_home_sends_the_same_statements_for_1_and_4_projects_in_each_state(app, clock):
    buyer_id = make_buyer().id
    member_id = make_panel(name="次仁").id
    client = signed_in(app, db.session.get(User, member_id))

    def build(tag: str) -> None:
        buyer, member = db.session.get(User, buyer_id), db.session.get(User, member_id)
        for state in world.SEATED_STATES:
            world.seated(buyer, clock, member, f"{tag}{state}", state)

    with quick_renders():
        build("甲")
        clock.set(world.LOOK_AT)
        db.session.remove()
        small = page_statements(client, "/panel/")
        for tag in ("乙", "丙", "丁"):
            build(tag)
    clock.set(world.LOOK_AT)
    db.session.remove()
    large = page_statements(client, "/panel/")
    assert len(attention_items(client.get("/panel/").get_data(as_text=True))) == 6 * 4
    assert small.count == large.count, f"1 of each:\n{small}\n\n4 of each:\n{large}"
    print(f"panel home: {small.count} statements for 1 and 4 projects in each state")
