"""The buyer's home lists what needs attention across projects (issue 13): openings whose time has
come, evaluations waiting (and on whom), explanations owed, challenges to answer, the award's next
step, failed jobs; each with its due time in Beijing time, the time left or 已逾期, a link to the
place to act, in order of urgency; built in the same number of statements for 1 and 4 projects
of each kind."""
from __future__ import annotations

from datetime import datetime

import lxml.html
import pytest

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import Job, User
from procurement.services import award as award_service
from procurement.services import evaluation
from tests.conftest import AuthActions, post_form
from tests.factories import PASSWORD, make_buyer, make_panel
from tests.factories import attention as world
from tests.factories.jobs import quick_renders
from tests.sqlcount import page_statements

SMALL, LARGE = 1, 4


def signed_in(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def attention_items(html: str) -> list[dict]:
    """The to-do items of a home page, in the order shown."""
    doc = lxml.html.document_fromstring(html)
    found = []
    for node in doc.xpath('//*[@data-testid="attention"]//li[contains(@class, "attention-item")]'):
        def text(testid, node=node):
            hits = node.xpath(f'.//*[@data-testid="{testid}"]')
            return " ".join(hits[0].text_content().split()) if hits else ""

        found.append(
            {
                "kind": node.get("data-testid").removeprefix("attention-"),
                "project": int(node.get("data-project")),
                "what": text("attention-what"),
                "due": text("attention-due"),
                "left": text("time-left"),
                "link": node.xpath('.//a[@data-testid="attention-link"]/@href')[0],
                "mine": "待您处理" in node.text_content(),
            }
        )
    return found


def one_of_each(buyer, clock, tag: str) -> dict:
    return {
        "opening": world.opening_due(buyer, clock, tag),
        "declarations": world.undeclared(buyer, clock, tag),
        "explanation": world.explanation_requested(buyer, clock, tag),
        "signatures": world.signatures_pending(buyer, clock, tag),
        "award": world.awaiting_award(buyer, clock, tag),
        "challenge": world.challenged(buyer, clock, tag),
        "job": world.failed_job(buyer, clock, tag),
    }


def test_the_home_lists_each_kind_with_its_due_time_and_link_in_order_of_urgency(app, clock):
    buyer = make_buyer()
    with quick_renders():
        built = one_of_each(buyer, clock, "甲")
    clock.set(world.LOOK_AT)
    client = signed_in(app, buyer)
    html = client.get("/buyer/").get_data(as_text=True)
    items = attention_items(html)
    by_kind = {entry["kind"]: entry for entry in items}
    assert set(by_kind) == {"opening", "declarations", "explanation", "signatures", "award_confirm", "challenge", "job_failed"}

    opening = by_kind["opening"]
    assert opening["project"] == built["opening"].id and opening["mine"]
    assert opening["due"] == "开启时间：2025年1月2日 16:00（北京时间）" and opening["left"] == "已逾期 3 天"
    assert opening["link"] == f"/buyer/projects/{built['opening'].id}/opening"

    declarations = by_kind["declarations"]
    assert declarations["what"] == "等待成员作出利害关系声明：甲甲、甲乙、甲丙。" and not declarations["mine"]
    assert declarations["link"] == f"/buyer/projects/{built['declarations'].project.id}/panel"

    explanation = by_kind["explanation"]
    assert explanation["what"] == "等待“拉萨低价贸易有限公司”对异常低价作出书面说明。"
    assert explanation["due"] == "说明截止：2025年1月7日 12:00（北京时间）" and explanation["left"] == "剩余 1 天 2 小时"

    signatures = by_kind["signatures"]
    assert signatures["what"] == "等待签署评审报告：甲乙、甲丙（已签署 1 / 3）。"

    # The report was signed on Friday 2025-01-03: five working days to confirm, to Friday 01-10.
    confirm = by_kind["award_confirm"]
    assert confirm["what"] == "确定成交供应商：第 1 名候选人“甲候选0商贸有限公司”。" and confirm["mine"]
    assert confirm["due"] == "确认期限：2025年1月10日（北京时间）" and confirm["left"] == "剩余 4 天 14 小时"
    assert confirm["link"] == f"/buyer/projects/{built['award'].project.id}#award"

    # Filed on Monday 01-06: seven working days to answer, to Wednesday 01-15 (the whole day).
    challenge = by_kind["challenge"]
    assert challenge["what"] == "“甲质候选1商贸有限公司”于2025年1月6日 10:00提出质疑，待书面答复。"
    assert challenge["due"] == "答复期限：2025年1月15日（北京时间）" and challenge["left"] == "剩余 9 天 14 小时"
    assert challenge["link"].startswith("/buyer/challenges/")

    job = by_kind["job_failed"]
    assert job["what"] == "文书生成失败：询比价公告PDF（已尝试 3 次），结果尚未公开。" and job["left"] == "需要处理"
    failed = db.session.scalar(db.select(Job).where(Job.project_id == built["job"].id))
    assert job["link"] == f"/buyer/projects/{built['job'].id}/jobs/{failed.id}"

    # Mine first (overdue, then the broken job, then by due time), then what others owe.
    assert [entry["kind"] for entry in items] == [
        "opening", "job_failed", "award_confirm", "challenge", "explanation", "declarations", "signatures",
    ]
    # Every link leads somewhere buyer staff can act.
    for entry in items:
        assert client.get(entry["link"].split("#")[0]).status_code == 200, entry
    # The project list stays below.
    assert html.index('data-testid="attention"') < html.index('data-testid="buyer-projects"')
    assert html.count('data-testid="phase"') == 7


def test_the_home_sends_the_same_statements_for_1_and_4_projects_of_each_kind(app, clock):
    buyer_id = make_buyer().id
    client = signed_in(app, db.session.get(User, buyer_id))
    with quick_renders():
        one_of_each(db.session.get(User, buyer_id), clock, "甲")
        clock.set(world.LOOK_AT)
        db.session.remove()  # a request starts from an empty session
        small = page_statements(client, "/buyer/")
        for tag in ("乙", "丙", "丁"):
            one_of_each(db.session.get(User, buyer_id), clock, tag)
    clock.set(world.LOOK_AT)
    db.session.remove()
    large = page_statements(client, "/buyer/")
    items = attention_items(client.get("/buyer/").get_data(as_text=True))
    assert len(items) == 7 * LARGE
    assert small.count == large.count, f"{SMALL} of each:\n{small}\n\n{LARGE} of each:\n{large}"
    print(f"buyer home: {small.count} statements for {SMALL} and {LARGE} projects of each kind")


def test_nothing_to_do_says_so(app, clock):
    buyer = make_buyer()
    html = signed_in(app, buyer).get("/buyer/").get_data(as_text=True)
    assert attention_items(html) == []
    assert "暂无待办事项" in html


def test_the_evaluation_items_follow_the_panel_through_its_states(app, clock):
    buyer = make_buyer()
    client = signed_in(app, buyer)

    def kinds():
        return [(e["kind"], e["what"]) for e in attention_items(client.get("/buyer/").get_data(as_text=True))]

    with quick_renders():
        built = world.undeclared(buyer, clock, "评")
        members, users = built.members, built.panel
        evaluation.declare(members[0], False, None, users[0])
        evaluation.declare(members[1], True, "与供应商一存在亲属关系", users[1])
        # Three seats, one recused: two members cannot form a majority (the rule the start applies).
        assert kinds() == [
            ("panel_invalid", "询比价小组需要调整：询比价小组至少需要3名未回避的成员（现有2名）。"),
            ("declarations", "等待成员作出利害关系声明：评丙。"),
        ]
        replacement = make_panel(name="评丁")
        evaluation.declare(members[2], False, None, users[2])
        members[3:] = [evaluation.replace_member(members[1], replacement, buyer)]
        assert kinds() == [("declarations", "等待成员作出利害关系声明：评丁。")]
        evaluation.declare(members[3], False, None, replacement)
        assert kinds() == [("start_evaluation", "全体成员已声明无利害关系，可以启动评审。")]
        evaluation.start_evaluation(built.project, buyer)
        assert kinds() == [("reviews", "等待提交评审意见：评甲、评丙、评丁（已提交 0 / 3）。")]
        active = [(members[0], users[0]), (members[2], users[2]), (members[3], replacement)]
        for member, user in active:
            cells = [
                evaluation.CellInput(r.id, c, "pass", "") for r in built.registrations for c in evaluation.criteria_of(built.project)
            ]
            evaluation.save_votes(member, cells, submit=True, actor=user)
        assert kinds() == [("ranking", "全体成员已提交评审意见，等待组长评甲汇总评审结果并排序。")]
        evaluation.rank(members[0], users[0])
        assert kinds() == [("signatures", "等待签署评审报告：评甲、评丙、评丁（已签署 0 / 3）。")]
        for member, user in active:
            evaluation.confirm_report(member, PASSWORD, None, user)
        # Evaluated: the award's first step.
        assert [kind for kind, _ in kinds()] == ["award_confirm"]


def test_the_award_step_moves_from_confirm_to_publish_to_nothing_and_shows_an_overdue_confirmation(app, clock):
    buyer = make_buyer()
    client = signed_in(app, buyer)
    with quick_renders():
        built = world.awaiting_award(buyer, clock, "奖")
    # After Friday 01-10 the confirmation is overdue.
    clock.set(datetime(2025, 1, 13, 9, 0, tzinfo=BEIJING))
    (confirm,) = attention_items(client.get("/buyer/").get_data(as_text=True))
    assert confirm["kind"] == "award_confirm" and confirm["left"] == "已逾期 2 天"
    award_service.confirm(built.project, built.candidate(1)[1].id, buyer)
    (publish,) = attention_items(client.get("/buyer/").get_data(as_text=True))
    assert publish["kind"] == "award_publish" and publish["what"] == "已确定成交供应商（奖候选0商贸有限公司），请发布成交结果。"
    assert publish["due"] == "确认期限：2025年1月10日（北京时间）"
    with quick_renders():
        award_service.publish(built.project, buyer)
    assert attention_items(client.get("/buyer/").get_data(as_text=True)) == []


def test_an_answered_challenge_leaves_the_list(app, clock):
    buyer = make_buyer()
    client = signed_in(app, buyer)
    with quick_renders():
        built = world.challenged(buyer, clock, "答")
    clock.set(world.LOOK_AT)
    (item,) = attention_items(client.get("/buyer/").get_data(as_text=True))
    assert item["kind"] == "challenge"
    response = post_form(client, item["link"], {"answer": "经复核，评审程序符合规定。"})
    assert response.status_code == 302
    assert attention_items(client.get("/buyer/").get_data(as_text=True)) == []
    assert built.project.status == "awarded"


@pytest.mark.parametrize("role", ["panel", "supplier"])
def test_other_roles_never_see_the_buyers_home(app, clock, role):
    from tests.factories import make_supplier

    user = make_panel() if role == "panel" else make_supplier()
    assert signed_in(app, user).get("/buyer/").status_code == 403


def test_in_english_the_items_read_in_english_with_names_marked_chinese(app, clock):
    buyer = make_buyer()
    with quick_renders():
        world.undeclared(buyer, clock, "英")
        world.challenged(buyer, clock, "英")
    clock.set(world.LOOK_AT)
    client = signed_in(app, buyer)
    html = client.get("/buyer/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    items = {entry["kind"]: entry for entry in attention_items(html)}
    assert items["declarations"]["what"] == "Waiting for the declarations of interest of: 英甲, 英乙, 英丙."
    assert '<span lang="zh">英甲</span>' in html
    assert items["challenge"]["what"] == "“英质候选1商贸有限公司” filed a challenge on 6 Jan 2025, 10:00; a written answer is due."
    assert items["challenge"]["due"] == "Answer due: 15 Jan 2025 (Beijing time)" and items["challenge"]["left"] == "9 d 14 h left"
    assert "To do" in html and "For you" in html
