"""The supplier's home (我的报名) lists its deadlines beside each project and what it must do next
(issue 13): registration close, quote deadline (尚未提交报价), an explanation asked for, the challenge
period and its own challenge's answer deadline; only its own; in the same number of statements
for 1 and 4 projects in each state."""
from __future__ import annotations

import lxml.html

from procurement.extensions import db
from procurement.models import User
from tests.conftest import AuthActions
from tests.factories import make_buyer, make_supplier
from tests.factories import attention as world
from tests.factories.jobs import quick_renders
from tests.integration.test_attention_buyer import attention_items
from tests.sqlcount import page_statements


def signed_in(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def deadlines(html: str) -> dict[int, list[str]]:
    """Project id → the deadlines listed beside it on 我的报名."""
    doc = lxml.html.document_fromstring(html)
    found = {}
    for row in doc.xpath('//*[@data-testid="my-registrations"]/*[starts-with(@data-testid, "registration-")]'):
        project_id = int(row.get("data-testid").removeprefix("registration-"))
        found[project_id] = [" ".join(li.text_content().split()) for li in row.xpath('.//*[@data-testid="deadline"]')]
    return found


def test_the_home_shows_each_projects_deadlines_and_what_to_do_next(app, clock):
    buyer = make_buyer()
    user = make_supplier(company_name="拉萨扎西商贸有限公司")
    with quick_renders():
        projects = {state: world.supplier_in(buyer, clock, user, f"{n}号", state) for n, state in enumerate(world.SUPPLIER_STATES)}
    clock.set(world.LOOK_AT)
    client = signed_in(app, user)
    html = client.get("/supplier/").get_data(as_text=True)
    items = {entry["kind"]: entry for entry in attention_items(html)}
    assert set(items) == {"quote", "register", "fix_registration", "explain"}

    quote = items["quote"]
    assert quote["what"] == "尚未提交报价。" and quote["mine"]
    assert quote["due"] == "报价截止：2025年1月20日 16:00（北京时间）" and quote["left"] == "剩余 14 天 6 小时"
    assert quote["link"] == f"/supplier/projects/{projects['quote'].id}/quote"
    # Registration closes Friday 01-10 18:00 (five working days from Monday's publication).
    assert items["register"]["what"] == "报名资料尚未提交。"
    assert items["register"]["due"] == "报名截止：2025年1月10日 18:00（北京时间）"
    assert items["register"]["link"] == f"/supplier/projects/{projects['draft'].id}/registration"
    assert items["fix_registration"]["link"] == f"/supplier/projects/{projects['rejected'].id}/registration"
    explain = items["explain"]
    assert explain["what"] == "评审小组要求您对报价作出书面说明（异常低价）。"
    assert explain["due"] == "说明截止：2025年1月7日 12:00（北京时间）" and explain["left"] == "剩余 1 天 2 小时"
    assert explain["link"] == f"/supplier/projects/{projects['explain'].id}/explanation"
    # The soonest first.
    assert [entry["kind"] for entry in attention_items(html)][0] == "explain"
    for entry in items.values():
        assert client.get(entry["link"]).status_code == 200, entry

    beside = deadlines(html)
    assert beside[projects["quote"].id] == [
        "报名截止：2025年1月10日 18:00（北京时间） 剩余 4 天 8 小时",
        "报价截止：2025年1月20日 16:00（北京时间） 剩余 14 天 6 小时",
    ]
    assert beside[projects["quoted"].id] == beside[projects["quote"].id]
    assert beside[projects["draft"].id] == ["报名截止：2025年1月10日 18:00（北京时间） 剩余 4 天 8 小时"]
    assert beside[projects["explain"].id] == ["书面说明截止：2025年1月7日 12:00（北京时间） 剩余 1 天 2 小时 提交书面说明"]
    # Published on LOOK_AT: publicity that day, challenges to Wednesday 01-15, the answer due the same day.
    assert beside[projects["challenge"].id] == [
        "质疑期至：2025年1月15日（北京时间） 剩余 9 天 14 小时 对结果有异议？提出质疑",
        "采购人答复质疑期限：2025年1月15日（北京时间） 剩余 9 天 14 小时 查看质疑",
    ]


def test_another_supplier_sees_none_of_it_and_cannot_follow_the_links(app, clock):
    buyer = make_buyer()
    user = make_supplier()
    with quick_renders():
        project = world.supplier_in(buyer, clock, user, "甲", "explain")
    clock.set(world.LOOK_AT)
    (item,) = attention_items(signed_in(app, user).get("/supplier/").get_data(as_text=True))
    other = signed_in(app, make_supplier())
    html = other.get("/supplier/").get_data(as_text=True)
    assert attention_items(html) == [] and "暂无待办事项" in html
    assert f'data-testid="registration-{project.id}"' not in html
    assert other.get(item["link"]).status_code == 404


def test_the_winner_sees_its_contract_deadline_and_no_challenge_period(app, clock):
    buyer = make_buyer()
    user = make_supplier()
    with quick_renders():
        project = world.supplier_in(buyer, clock, user, "甲", "challenge")
    clock.set(world.LOOK_AT)
    winner = db.session.scalar(
        db.select(User).join(User.company).where(User.role == "supplier", User.id != user.id).order_by(User.id)
    )
    html = signed_in(app, winner).get("/supplier/").get_data(as_text=True)
    # The award notice is dated 01-06: the contract within 30 days, to 02-05.
    assert deadlines(html)[project.id] == ["签订合同截止：2025年2月5日（北京时间） 剩余 30 天 14 小时"]


def test_the_home_sends_the_same_statements_for_1_and_4_projects_in_each_state(app, clock):
    buyer_id = make_buyer().id
    user_id = make_supplier().id
    client = signed_in(app, db.session.get(User, user_id))

    def build(tag: str) -> None:
        buyer, user = db.session.get(User, buyer_id), db.session.get(User, user_id)
        for state in world.SUPPLIER_STATES:
            world.supplier_in(buyer, clock, user, f"{tag}{state}", state)

    with quick_renders():
        build("甲")
        clock.set(world.LOOK_AT)
        db.session.remove()
        small = page_statements(client, "/supplier/")
        for tag in ("乙", "丙", "丁"):
            build(tag)
    clock.set(world.LOOK_AT)
    db.session.remove()
    large = page_statements(client, "/supplier/")
    html = client.get("/supplier/").get_data(as_text=True)
    assert len(attention_items(html)) == 4 * 4
    assert len(deadlines(html)) == 6 * 4
    assert small.count == large.count, f"1 of each:\n{small}\n\n4 of each:\n{large}"
    print(f"supplier home: {small.count} statements for 1 and 4 projects in each state")
