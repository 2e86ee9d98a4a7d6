"""The evaluation through the browser forms: votes, majority and dissent, abnormal-low prices,
the credit re-check, ranking and ties, failure, and the signed report."""
from __future__ import annotations

import io
import subprocess
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from procurement.domain.ranking import replay_draw
from procurement.domain.schedule import BEIJING
from procurement.documents.storage import read_bytes
from procurement.extensions import db
from procurement.models import AuditEvent, Evaluation, EvaluationResult, GeneratedDocument, PanelMember, QualificationCheck, Vote
from tests.conftest import AuthActions, post_form
from tests.factories import (
    OPENED_SUPPLIERS,
    SupplierSpec,
    make_blacklist,
    make_buyer,
    make_opened_project,
    tiny_png,
)

CRITERIA = ["article22", "credit", "no_consortium", "lhasa_premises", "documents", "identifiers", "quote_compliance"]


def signed_in(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def vote_data(built, overrides=None, action="submit") -> dict:
    """Form data for the whole matrix: pass everywhere except ``overrides[(supplier index, criterion)]``."""
    data = {"action": action}
    for index, registration in enumerate(built.registrations):
        for criterion in CRITERIA:
            verdict, reason = (overrides or {}).get((index, criterion), ("pass", ""))
            if verdict is not None:
                data[f"v-{registration.id}-{criterion}"] = verdict
            data[f"r-{registration.id}-{criterion}"] = reason
    return data


def review(client, project, data):
    return post_form(client, f"/panel/projects/{project.id}/review", data)


def pdf_text(document: GeneratedDocument) -> str:
    """The PDF's text with all whitespace removed (table cells wrap anywhere)."""
    data = read_bytes(document.storage_path, kind="document")
    output = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return "".join(output.split())


def actions(project_id: int) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.project_id == project_id).order_by(AuditEvent.id)))


def started(app, clock, **kwargs):
    """An opened project with three declared members, evaluation started; and their clients."""
    built = make_opened_project(make_buyer(), clock, declare=True, start=True, **kwargs)
    return built, [signed_in(app, user) for user in built.panel]


def test_a_two_to_one_vote_decides_and_the_dissent_is_printed_in_the_report(app, clock):
    built, (chair, second, third) = started(app, clock)
    project = built.project
    premises_a = ("fail", "经营场所证明所载地址在日喀则市")
    premises_b = ("fail", "租赁合同所载地址不在拉萨市辖区")
    listed = ("fail", "已被列入失信被执行人名单")
    assert review(chair, project, vote_data(built, {(3, "lhasa_premises"): premises_a, (4, "credit"): listed})).status_code == 302
    assert review(second, project, vote_data(built, {(3, "lhasa_premises"): premises_b, (4, "credit"): listed})).status_code == 302
    third_votes = {(4, "credit"): listed, (0, "documents"): ("fail", "营业执照副本复印件未加盖公章")}
    assert review(third, project, vote_data(built, third_votes)).status_code == 302

    page = text(chair.get(f"/panel/projects/{project.id}"))
    assert 'data-testid="outcomes"' in page and 'data-testid="no-abnormal"' in page
    response = post_form(chair, f"/panel/projects/{project.id}/rank", page=f"/panel/projects/{project.id}")
    assert response.status_code == 302

    results = {r.registration_id: r for r in db.session.scalars(sa.select(EvaluationResult))}
    ids = [r.id for r in built.registrations]
    assert [results[i].passed for i in ids] == [True, True, True, False, False]  # 2:1 keeps supplier 1, fails supplier 4
    assert [results[i].candidate_place for i in ids] == [1, 2, None, None, None]
    assert results[ids[3]].failure_reasons == [{"criterion": "lhasa_premises", "reasons": [premises_a[1], premises_b[1]]}]

    report = text(third.get(f"/panel/projects/{project.id}/report"))
    assert "索朗：通过" in report  # the dissent on supplier 4's premises
    assert "索朗：不通过，理由：营业执照副本复印件未加盖公章" in report  # the dissent on supplier 1's documents
    assert "第一成交候选人" in report and "拉萨雪域办公用品有限公司" in report

    dissent = "本人认为日喀则珠峰办公设备有限公司在城关区设有经营场所，应予通过。"
    for client, extra in ((chair, {}), (second, {}), (third, {"dissent": dissent})):
        response = post_form(client, f"/panel/projects/{project.id}/report", {"password": "tashi-delek-2025", **extra})
        assert response.status_code == 302, text(response)
    db.session.expire_all()
    assert project.status == "evaluated"
    evaluation = db.session.scalar(sa.select(Evaluation))
    document = db.session.get(GeneratedDocument, evaluation.report_document_id)
    assert document.kind == "evaluation_report" and evaluation.completed_at is not None
    printed = pdf_text(document)
    # Table cells wrap anywhere in the extracted text, so look for short pieces.
    for expected in ("评审报告", "少数意见", "索朗：不通过，理由：", "日喀则市", "第一成交候选", "第二成交候选", "西藏圣地文"):
        assert expected in printed, expected
    assert "城关区设有经营场所" in printed  # the written dissent signed with the report
    with chair.get(f"/panel/projects/{project.id}/report.pdf") as pdf:
        assert pdf.status_code == 200 and pdf.get_data()[:5] == b"%PDF-"
    log = actions(project.id)
    assert log.count("evaluation.votes_submit") == 3 and log.count("evaluation.report_confirm") == 3
    assert {"evaluation.rank", "evaluation.complete", "document.issue"} <= set(log)
    buyer_page = text(signed_in(app, built.buyer).get(f"/buyer/projects/{project.id}"))
    assert "评审完成" in buyer_page and "evaluation-report.pdf" in buyer_page


def test_save_and_come_back_then_submit_is_final_unless_the_chair_reopens(app, clock):
    built, (chair, member, third) = started(app, clock)
    project = built.project
    first = built.registrations[0]
    # Save a part of the matrix.
    partial = {"action": "save", f"v-{first.id}-article22": "pass", f"v-{first.id}-documents": "fail", f"r-{first.id}-documents": "开户许可证复印件模糊"}
    assert review(member, project, partial).status_code == 302
    page = text(member.get(f"/panel/projects/{project.id}/review/{first.id}"))  # one supplier at a time
    assert f'id="v-{first.id}-documents-fail" value="fail" checked' in page
    assert 'value="开户许可证复印件模糊"' in page
    assert "已填写 2 / 35 项" in text(member.get(f"/panel/projects/{project.id}"))

    # A fail without a reason, and empty cells on submit: 400, the errors beside the cells, the input kept.
    data = vote_data(built, {(1, "identifiers"): ("fail", ""), (2, "credit"): (None, "")})
    response = review(member, project, data)
    assert response.status_code == 400
    body = text(response)
    assert body.count("data-field-error") == 2
    assert "判定不通过时必须填写理由。" in body and "请选择通过或不通过。" in body
    assert f'id="v-{built.registrations[1].id}-identifiers-fail" value="fail" checked' in body
    assert db.session.scalar(sa.select(sa.func.count(Vote.id))) == 2  # nothing more saved

    assert review(member, project, vote_data(built)).status_code == 302
    seat = db.session.scalar(sa.select(PanelMember).where(PanelMember.user_id == built.panel[1].id))
    assert seat.votes_submitted_at is not None
    response = review(member, project, vote_data(built, {(0, "article22"): ("fail", "改主意")}))
    assert response.status_code == 400 and "如需修改，请联系组长退回" in text(response)

    # Only the chair reopens; it is audited; the member can change and resubmit.
    reopen = f"/panel/projects/{project.id}/members/{seat.id}/reopen"
    assert post_form(third, reopen, page=f"/panel/projects/{project.id}").status_code == 400
    assert post_form(chair, reopen, page=f"/panel/projects/{project.id}").status_code == 302
    assert "evaluation.votes_reopen" in actions(project.id)
    assert review(member, project, vote_data(built, {(0, "article22"): ("fail", "第二十二条声明不完整")})).status_code == 302
    vote = db.session.scalar(sa.select(Vote).where(Vote.panel_member_id == seat.id, Vote.registration_id == first.id, Vote.criterion == "article22"))
    assert (vote.verdict, vote.reason) == ("fail", "第二十二条声明不完整")


def test_fewer_valid_quotes_than_the_minimum_fail_the_project_with_a_termination_notice(app, clock):
    built, clients = started(app, clock)
    project = built.project
    fails = {(2, "lhasa_premises"): ("fail", "无经营场所证明"), (3, "lhasa_premises"): ("fail", "经营场所不在拉萨"), (4, "credit"): ("fail", "失信")}
    for client in clients:
        assert review(client, project, vote_data(built, fails)).status_code == 302
    response = post_form(clients[0], f"/panel/projects/{project.id}/rank", page=f"/panel/projects/{project.id}")
    assert response.status_code == 302
    db.session.expire_all()
    evaluation = db.session.scalar(sa.select(Evaluation).where(Evaluation.project_id == project.id))
    assert evaluation.failed and evaluation.failure_reason == "有效报价不足3家（实际2家），本项目流标。"
    assert db.session.scalar(sa.select(sa.func.count(EvaluationResult.id)).where(EvaluationResult.candidate_place.is_not(None))) == 0
    # Ranked, not yet signed: the project has not failed yet and no termination notice exists.
    assert project.status == "opened"
    assert db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "termination_notice")) is None
    assert "project.fail" not in actions(project.id)
    buyer = signed_in(app, built.buyer)
    assert buyer.get(f"/buyer/projects/{project.id}/termination-notice.pdf").status_code == 404
    assert "待成员确认评审报告" in text(buyer.get(f"/buyer/projects/{project.id}"))
    assert "全体成员确认评审报告后发布终止公告" in text(clients[1].get(f"/panel/projects/{project.id}/report"))
    # Every member signs, one with a dissent; the last signature fails the project and issues the notice.
    dissent = {"password": "tashi-delek-2025", "dissent": "供应商3的经营场所证明应予认可。"}
    for index, client in enumerate(clients):
        data = dissent if index == 1 else {"password": "tashi-delek-2025"}
        assert post_form(client, f"/panel/projects/{project.id}/report", data).status_code == 302
        db.session.expire_all()
        assert project.status == ("failed" if index == len(clients) - 1 else "opened")
    assert project.status_reason == "有效报价不足3家（实际2家），本项目流标。"
    notice = db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "termination_notice"))
    assert "有效报价不足3家（实际2家），本项目流标。" in pdf_text(notice)
    report = db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "evaluation_report"))
    assert "有效报价不足3家" in pdf_text(report) and "供应商3的经营场所证明应予认可。" in pdf_text(report)
    trail = actions(project.id)
    last_signature = max(i for i, action in enumerate(trail) if action == "evaluation.report_confirm")
    assert last_signature < trail.index("evaluation.complete") < trail.index("project.fail")
    assert "流标" in text(buyer.get(f"/buyer/projects/{project.id}"))
    with buyer.get(f"/buyer/projects/{project.id}/termination-notice.pdf") as pdf:
        assert pdf.status_code == 200


LOW = (
    SupplierSpec("拉萨雪域办公用品有限公司", ("25.00", "420.00", "21.50")),  # 7,130.00
    SupplierSpec("西藏圣地文化用品有限公司", ("26.00", "410.00", "28.50")),  # 7,270.00
    SupplierSpec("拉萨吉祥商贸有限责任公司", ("27.00", "420.00", "25.00")),  # 7,400.00
    SupplierSpec("拉萨低价贸易有限公司", ("10.00", "150.00", "5.00")),  # 2,600.00: below 50% of the average 6,100
)


def test_an_abnormally_low_price_is_explained_by_the_supplier_and_rejected_by_the_panel(app, clock):
    built, (chair, member, third) = started(app, clock, suppliers=LOW)
    project = built.project
    low = built.registrations[3]
    for client in (chair, member, third):
        assert review(client, project, vote_data(built)).status_code == 302
    page = text(chair.get(f"/panel/projects/{project.id}"))
    assert f'data-testid="flag-{low.id}"' in page
    assert "报价¥2,600.00低于全部合格报价平均值¥6,100.00的50%（¥3,050.00）。" in page
    response = post_form(chair, f"/panel/projects/{project.id}/rank", page=f"/panel/projects/{project.id}")
    assert response.status_code == 400 and "以下供应商的异常低价尚未处理完毕：拉萨低价贸易有限公司" in text(response)

    abnormal = f"/panel/projects/{project.id}/abnormal/{low.id}"
    due = {"due_at": "2025-01-03T12:00"}
    response = post_form(member, f"{abnormal}/request", due, page=abnormal)
    assert response.status_code == 400 and "只有组长可以进行此操作。" in text(response)
    response = post_form(chair, f"{abnormal}/request", {"due_at": "2025-01-02T08:00"}, page=abnormal)
    assert response.status_code == 400 and 'data-field-error="due_at"' in text(response)
    assert post_form(chair, f"{abnormal}/request", due, page=abnormal).status_code == 302
    response = post_form(chair, f"{abnormal}/decision", {"decision": "reject", "reason": "未说明"}, page=abnormal)
    assert response.status_code == 400 and "供应商尚未提交说明" in text(response)

    supplier = signed_in(app, built.suppliers[3])
    page = text(supplier.get(f"/supplier/projects/{project.id}"))
    assert 'data-testid="section-explanation"' in page and "2025年1月3日 12:00" in page
    # Another supplier has no such request.
    assert signed_in(app, built.suppliers[0]).get(f"/supplier/projects/{project.id}/explanation").status_code == 404
    explanation = f"/supplier/projects/{project.id}/explanation"
    response = post_form(supplier, explanation, {"text": ""}, content_type="multipart/form-data")
    assert response.status_code == 400 and 'data-field-error="text"' in text(response)
    response = post_form(
        supplier,
        explanation,
        {"text": "我公司有上年度库存，成本较低。", "attachment": (io.BytesIO(tiny_png()), "库存清单.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text(response)

    page = text(chair.get(abnormal))
    assert "我公司有上年度库存，成本较低。" in page and "/explanations/" in page
    response = post_form(chair, f"{abnormal}/decision", {"decision": "reject", "reason": "库存说明无法证明能按质按量履约"}, page=abnormal)
    assert response.status_code == 302
    assert "询比价小组未接受您的说明，该报价无效" in text(supplier.get(f"/supplier/projects/{project.id}"))

    assert post_form(chair, f"/panel/projects/{project.id}/rank", page=f"/panel/projects/{project.id}").status_code == 302
    result = db.session.scalar(sa.select(EvaluationResult).where(EvaluationResult.registration_id == low.id))
    assert not result.passed and result.candidate_place is None
    assert result.failure_reasons == [{"criterion": "abnormal_low", "reasons": ["库存说明无法证明能按质按量履约"]}]
    places = {r.registration_id: r.candidate_place for r in db.session.scalars(sa.select(EvaluationResult))}
    assert places[built.registrations[0].id] == 1 and places[built.registrations[1].id] == 2
    report = text(chair.get(f"/panel/projects/{project.id}/report"))
    assert "不接受说明，报价无效" in report and "我公司有上年度库存" in report
    assert {"abnormal_low.request", "abnormal_low.explain", "abnormal_low.decide"} <= set(actions(project.id))


def test_the_credit_check_rerun_at_review_time_catches_a_listing_imported_after_registration(app, clock):
    def list_supplier_five(project):
        make_blacklist(
            "dishonest_debtor",
            rows=[{"name": "拉萨（高原）纸业有限公司", "source": "信用中国", "listed_from": "2024-12-28"}],
        )

    built, (chair, _member, _third) = started(app, clock, before_opening=list_supplier_five)
    gaoyuan = built.registrations[4]
    registration_check = db.session.scalar(
        sa.select(QualificationCheck).where(QualificationCheck.registration_id == gaoyuan.id, QualificationCheck.context == "registration")
    )
    assert [r["status"] for r in registration_check.results if r["criterion"] == "credit"] != ["fail"]
    review_checks = db.session.scalars(
        sa.select(QualificationCheck).where(QualificationCheck.registration_id == gaoyuan.id, QualificationCheck.context == "review")
    ).all()
    assert len(review_checks) == 1 and review_checks[0].results[0]["status"] == "fail"
    assert "dishonest_debtor" in review_checks[0].list_versions

    page = text(chair.get(f"/panel/projects/{built.project.id}/review/{gaoyuan.id}"))  # one supplier at a time
    cell = page.split(f'data-cell="{gaoyuan.id}-credit"')[1].split("</tr>")[0]
    assert "已被列入以下名单" in cell and "dishonest_debtor.csv" in cell and "评审时复核" in cell
    page = text(chair.get(f"/panel/projects/{built.project.id}/review/{built.registrations[0].id}"))
    clean = page.split(f'data-cell="{built.registrations[0].id}-credit"')[1].split("</tr>")[0]
    assert "已被列入" not in clean

    response = post_form(chair, f"/panel/projects/{built.project.id}/credit-check", page=f"/panel/projects/{built.project.id}/review")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(QualificationCheck.id)).where(QualificationCheck.context == "review")) == 10


def test_confirming_the_report_needs_the_password(app, clock):
    built, clients = started(app, clock)
    for client in clients:
        review(client, built.project, vote_data(built))
    post_form(clients[0], f"/panel/projects/{built.project.id}/rank", page=f"/panel/projects/{built.project.id}")
    response = post_form(clients[1], f"/panel/projects/{built.project.id}/report", {"password": "wrong-password", "dissent": "保留意见"})
    assert response.status_code == 400
    body = text(response)
    assert 'data-field-error="password"' in body and "密码不正确" in body and "保留意见" in body
    assert db.session.scalar(sa.select(sa.func.count(PanelMember.id)).where(PanelMember.report_confirmed_at.is_not(None))) == 0


def test_a_tie_for_the_candidate_places_is_drawn_and_replays_from_the_stored_seed(app, clock):
    tied = (
        SupplierSpec("甲商贸有限公司", ("25.00", "420.00", "21.50")),  # 7,130.00
        SupplierSpec("乙商贸有限公司", ("26.00", "410.00", "21.50")),  # 7,130.00
        SupplierSpec("丙商贸有限公司", ("25.00", "410.00", "21.50")),  # 7,030.00: first
        SupplierSpec("丁商贸有限公司", ("27.00", "420.00", "25.00")),  # 7,400.00
    )
    built, clients = started(app, clock, suppliers=tied)
    for client in clients:
        review(client, built.project, vote_data(built))
    post_form(clients[0], f"/panel/projects/{built.project.id}/rank", page=f"/panel/projects/{built.project.id}")
    evaluation = db.session.scalar(sa.select(Evaluation))
    (draw,) = evaluation.tie_draws
    a, b, c, _d = (r.id for r in built.registrations)
    assert draw["inputs"] == sorted([a, b])
    assert tuple(draw["order"]) == replay_draw(draw["seed"], draw["inputs"])
    places = {r.registration_id: (r.rank, r.tied, r.candidate_place) for r in db.session.scalars(sa.select(EvaluationResult))}
    assert places[c] == (1, False, 1)
    assert places[draw["order"][0]] == (2, True, 2) and places[draw["order"][1]] == (2, True, None)
    assert draw["seed"] in text(clients[1].get(f"/panel/projects/{built.project.id}/report"))


def test_quote_compliance_evidence_sits_beside_the_cell(app, clock):
    over = (
        SupplierSpec("超限价商贸有限公司", ("31.00", "420.00", "21.50")),
        *OPENED_SUPPLIERS[:2],
    )
    built, (chair, _m, _t) = started(app, clock, suppliers=over)
    page = text(chair.get(f"/panel/projects/{built.project.id}/review/{built.registrations[0].id}"))  # one supplier at a time
    cell = page.split(f'data-cell="{built.registrations[0].id}-quote_compliance"')[1].split("</tr>")[0]
    assert "第1项复印纸单价¥31.00超过最高限价¥30.00" in cell
    page = text(chair.get(f"/panel/projects/{built.project.id}/review/{built.registrations[1].id}"))
    fine = page.split(f'data-cell="{built.registrations[1].id}-quote_compliance"')[1].split("</tr>")[0]
    assert "报价单3项均已报价" in fine
    assert Decimal("7130.00") == built.quotes[1].total
    assert datetime(2025, 1, 2, 16, 30, tzinfo=BEIJING) == clock.now()
