"""The panel: appointment, declarations, recusal and replacement, who may start, who sees what."""
from __future__ import annotations

import re

import sqlalchemy as sa

from procurement.extensions import db
from procurement.models import AuditEvent, Evaluation, PanelMember
from tests.conftest import AuthActions, post_form
from tests.factories import SupplierSpec, appoint_panel, make_buyer, make_opened_project, make_panel


def signed_in(app, user):
    """A fresh client signed in as ``user``."""
    client = app.test_client()
    response = AuthActions(client).login(user.email)
    assert response.status_code == 302
    return client


def actions(project_id: int) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.project_id == project_id).order_by(AuditEvent.id)))


def text(response) -> str:
    return response.get_data(as_text=True)


def test_buyer_appoints_members_and_a_chair(app, clock):
    buyer = make_buyer()
    built = make_opened_project(buyer, clock, panel=())
    project = built.project
    accounts = [make_panel(name=name) for name in ("格桑", "陈静", "索朗")]
    client = signed_in(app, buyer)
    url = f"/buyer/projects/{project.id}/panel"
    for index, account in enumerate(accounts):
        data = {"user_id": str(account.id)}
        if index == 1:
            data["chair"] = "y"
        response = post_form(client, f"{url}/appoint", data, page=url)
        assert response.status_code == 302, text(response)
    page = text(client.get(url))
    assert all(name in page for name in ("格桑", "陈静", "索朗"))
    members = db.session.scalars(sa.select(PanelMember).where(PanelMember.project_id == project.id)).all()
    assert [m.is_chair for m in members] == [False, True, False]
    # The same account twice is refused beside the field; nothing is lost.
    response = post_form(client, f"{url}/appoint", {"user_id": str(accounts[0].id)}, page=url)
    assert response.status_code == 400
    # Chair moves to the first member.
    response = post_form(client, f"{url}/{members[0].id}/chair", page=url)
    assert response.status_code == 302
    db.session.expire_all()
    assert [m.is_chair for m in members] == [True, False, False]
    assert actions(project.id).count("panel.appoint") == 3 and "panel.chair" in actions(project.id)
    # The project page shows the panel section.
    hub = text(client.get(f"/buyer/projects/{project.id}"))
    assert 'data-testid="section-panel"' in hub and "格桑（组长）" in hub


def test_an_even_panel_cannot_start(app, clock):
    buyer = make_buyer()
    built = make_opened_project(buyer, clock, panel=("甲", "乙", "丙", "丁"), declare=True)
    client = signed_in(app, buyer)
    url = f"/buyer/projects/{built.project.id}/panel"
    response = post_form(client, f"{url}/start", page=url)
    assert response.status_code == 400
    assert "询比价小组未回避的成员人数须为单数（现有4名）" in text(response)
    assert db.session.scalar(sa.select(Evaluation)) is None


def test_a_too_small_panel_cannot_start(app, clock):
    buyer = make_buyer()
    built = make_opened_project(buyer, clock, panel=("甲", "乙"), declare=True)
    client = signed_in(app, buyer)
    url = f"/buyer/projects/{built.project.id}/panel"
    response = post_form(client, f"{url}/start", page=url)
    assert response.status_code == 400
    assert "询比价小组至少需要3名未回避的成员（现有2名）" in text(response)
    assert db.session.scalar(sa.select(Evaluation)) is None


def test_undeclared_members_block_the_start(app, clock):
    buyer = make_buyer()
    built = make_opened_project(buyer, clock)
    client = signed_in(app, buyer)
    url = f"/buyer/projects/{built.project.id}/panel"
    response = post_form(client, f"{url}/start", page=url)
    assert response.status_code == 400
    assert "以下成员尚未作出利害关系声明：格桑、陈静、索朗" in text(response)


def test_a_recused_member_must_be_replaced_before_the_evaluation_starts(app, clock):
    buyer = make_buyer()
    built = make_opened_project(buyer, clock)
    project = built.project
    first, second, third = built.panel
    for user in (first, second):
        response = post_form(signed_in(app, user), f"/panel/projects/{project.id}/declaration", {"conflict": "none"}, page=f"/panel/projects/{project.id}")
        assert response.status_code == 302
    member_client = signed_in(app, third)
    # A conflict needs a note, shown beside the field.
    response = post_form(member_client, f"/panel/projects/{project.id}/declaration", {"conflict": "conflict"}, page=f"/panel/projects/{project.id}")
    assert response.status_code == 400 and 'data-field-error="note"' in text(response)
    response = post_form(
        member_client, f"/panel/projects/{project.id}/declaration", {"conflict": "conflict", "note": "本人配偶在拉萨雪域办公用品有限公司任职"},
        page=f"/panel/projects/{project.id}",
    )
    assert response.status_code == 302
    assert "您已于" in text(member_client.get(f"/panel/projects/{project.id}")) and "回避" in text(member_client.get(f"/panel/projects/{project.id}"))
    # A recused member sees no documents.
    document = built.registrations[0].documents[0]
    assert member_client.get(f"/panel/projects/{project.id}/documents/{document.id}").status_code == 403

    buyer_client = signed_in(app, buyer)
    url = f"/buyer/projects/{project.id}/panel"
    response = post_form(buyer_client, f"{url}/start", page=url)
    assert response.status_code == 400 and "至少需要3名未回避的成员（现有2名）" in text(response)
    assert "存在利害关系，回避" in text(buyer_client.get(url))

    replacement = make_panel(name="次仁")
    recused = db.session.scalar(sa.select(PanelMember).where(PanelMember.user_id == third.id))
    response = post_form(buyer_client, f"{url}/{recused.id}/replace", {f"m{recused.id}-user_id": str(replacement.id)}, page=url)
    assert response.status_code == 302, text(response)
    response = post_form(buyer_client, f"{url}/start", page=url)
    assert response.status_code == 400 and "以下成员尚未作出利害关系声明：次仁" in text(response)
    response = post_form(signed_in(app, replacement), f"/panel/projects/{project.id}/declaration", {"conflict": "none"}, page=f"/panel/projects/{project.id}")
    assert response.status_code == 302
    response = post_form(buyer_client, f"{url}/start", page=url)
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Evaluation).where(Evaluation.project_id == project.id)) is not None
    log = actions(project.id)
    assert {"panel.declare", "panel.replace", "evaluation.start", "registration.credit_recheck"} <= set(log)
    # Once started, the panel is fixed.
    response = post_form(buyer_client, f"{url}/appoint", {"user_id": str(make_panel().id)}, page=url)
    assert response.status_code == 400


def test_a_member_without_a_declaration_cannot_see_documents_or_the_matrix(app, clock):
    buyer = make_buyer()
    built = make_opened_project(buyer, clock)
    project = built.project
    member = signed_in(app, built.panel[0])
    document = built.registrations[0].documents[0]
    page = text(member.get(f"/panel/projects/{project.id}"))
    assert 'data-testid="declaration"' in page
    assert "拉萨雪域办公用品有限公司" in page  # the participants, to declare against
    assert "/documents/" not in page and "/review" not in page
    assert member.get(f"/panel/projects/{project.id}/documents/{document.id}").status_code == 403
    assert member.get(f"/panel/projects/{project.id}/review").status_code == 403
    assert member.get(f"/panel/projects/{project.id}/report").status_code == 403

    # Declared, but the evaluation has not started: still nothing.
    post_form(member, f"/panel/projects/{project.id}/declaration", {"conflict": "none"}, page=f"/panel/projects/{project.id}")
    assert member.get(f"/panel/projects/{project.id}/documents/{document.id}").status_code == 403
    for user in built.panel[1:]:
        post_form(signed_in(app, user), f"/panel/projects/{project.id}/declaration", {"conflict": "none"}, page=f"/panel/projects/{project.id}")
    buyer_client = signed_in(app, buyer)
    assert post_form(buyer_client, f"/buyer/projects/{project.id}/panel/start", page=f"/buyer/projects/{project.id}/panel").status_code == 302

    with member.get(f"/panel/projects/{project.id}/documents/{document.id}") as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("inline")
        assert response.mimetype in ("application/pdf", "image/png")
        assert response.get_data()[:5] in (b"%PDF-", b"\x89PNG")
    # The review is one supplier at a time: its documents are on that supplier's sheet.
    review = text(member.get(f"/panel/projects/{project.id}/review/{built.registrations[0].id}"))
    assert f"/panel/projects/{project.id}/documents/{document.id}" in review
    assert 'target="doc-viewer"' in review


def test_a_member_of_another_projects_panel_sees_nothing_of_this_one(app, clock):
    buyer = make_buyer()
    this = make_opened_project(buyer, clock, panel=("格桑", "陈静", "索朗"), declare=True, start=True)
    other = make_opened_project(
        buyer, clock, panel=("外人", "乙", "丙"), declare=True, start=True,
        suppliers=(SupplierSpec("另一家商贸有限公司", ("20", "400", "20")),),
    )
    outsider = signed_in(app, other.panel[0])
    project = this.project
    document = this.registrations[0].documents[0]
    registration = this.registrations[0]
    for url in (
        f"/panel/projects/{project.id}",
        f"/panel/projects/{project.id}/review",
        f"/panel/projects/{project.id}/documents/{document.id}",
        f"/panel/projects/{project.id}/abnormal/{registration.id}",
        f"/panel/projects/{project.id}/report",
        f"/panel/projects/{project.id}/report.pdf",
    ):
        assert outsider.get(url).status_code == 404, url
    token_page = f"/panel/projects/{other.project.id}"
    for url in (f"/panel/projects/{project.id}/declaration", f"/panel/projects/{project.id}/review", f"/panel/projects/{project.id}/rank"):
        assert post_form(outsider, url, {"conflict": "none"}, page=token_page).status_code == 404, url
    # Their own project's document ids do not open this project's documents either.
    assert outsider.get(f"/panel/projects/{other.project.id}/documents/{document.id}").status_code == 404
    home = text(outsider.get("/panel/"))
    assert project.title in home  # same title as the notice…
    assert f"/panel/projects/{project.id}\"" not in home  # …but only a link to their own project
    assert re.search(rf"/panel/projects/{other.project.id}\b", home)


def test_a_removed_member_is_off_the_panel(app, clock):
    buyer = make_buyer()
    built = make_opened_project(buyer, clock, panel=())
    users, members = appoint_panel(built.project, ("甲", "乙", "丙", "丁"))
    client = signed_in(app, buyer)
    url = f"/buyer/projects/{built.project.id}/panel"
    assert post_form(client, f"{url}/{members[3].id}/remove", page=url).status_code == 302
    assert signed_in(app, users[3]).get(f"/panel/projects/{built.project.id}").status_code == 404
    assert "panel.remove" in actions(built.project.id)
