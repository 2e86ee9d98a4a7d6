"""站内消息 pages (issue 13): the unread count in every role's navigation (one cheap statement),
the list (read and unread; its statements do not grow with the messages), opening a message
marks it read and offers its link, someone else's message answers 404, mark all read, and the
消息设置 page: every kind of the role in Chinese with an e-mail checkbox, on by default."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from procurement.domain import notifications as kinds
from procurement.extensions import db
from procurement.formatting import translate
from procurement.models import Notification, NotificationPreference
from procurement.services import notifications
from procurement.services.unit_of_work import transaction
from tests.conftest import AuthActions, post_form
from tests.factories import make_buyer, make_panel, make_supplier
from tests.notices import mail_rows, told
from tests.sqlcount import page_statements

UNREAD = re.compile(r'data-testid="unread-count"[^>]*>(\d+)<')


def tell(user, count: int = 1, kind: str = kinds.PROJECT_AMENDED, *, start: int = 0) -> None:
    with transaction():
        for n in range(start, start + count):
            notifications.notify(user, kind, title=f"消息{n:02d}", body=f"第{n}条消息的正文。", link="/supplier/", key=f"probe:{n}")


def signed_in(app, user):
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


def unread_shown(client, path: str = "/") -> int | None:
    match = UNREAD.search(client.get(path).get_data(as_text=True))
    return int(match.group(1)) if match else None


@pytest.mark.parametrize("role", ["supplier", "buyer", "panel"])
def test_every_roles_navigation_shows_its_unread_count_with_one_statement(app, role):
    user = {"supplier": make_supplier, "buyer": make_buyer, "panel": make_panel}[role]()
    other = make_supplier(email="other@example.com")
    client = signed_in(app, user)
    assert unread_shown(client) is None  # nothing unread: no badge
    kind = {"supplier": kinds.PROJECT_AMENDED, "buyer": kinds.JOB_FAILED, "panel": kinds.PANEL_APPOINTED}[role]
    tell(user, 3, kind)
    tell(other, 2, kinds.PROJECT_AMENDED, start=10)  # someone else's do not count
    home = f"/{role}/"
    assert unread_shown(client, home) == 3
    log = page_statements(client, home)
    assert len([s for s in log.statements if "FROM notification" in s]) == 1, str(log)


def test_the_list_opening_a_message_reads_it_and_someone_elses_answers_404(app):
    supplier, other = make_supplier(), make_supplier()
    tell(supplier, 2)
    tell(other, 1, start=5)
    client = signed_in(app, supplier)
    html = client.get("/messages/").get_data(as_text=True)
    assert "消息00" in html and "消息01" in html and "消息05" not in html
    assert html.count('data-unread="yes"') == 2 and "您有 2 条未读消息。" in html
    first = told(supplier)[0]
    page = client.get(f"/messages/{first.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "第0条消息的正文。" in text and 'href="/supplier/" data-testid="message-link"' in text
    db.session.expire_all()
    assert told(supplier)[0].read_at is not None and told(supplier)[1].read_at is None
    assert unread_shown(client) == 1
    assert client.get("/messages/").get_data(as_text=True).count('data-unread="yes"') == 1
    theirs = told(other)[0]
    assert client.get(f"/messages/{theirs.id}").status_code == 404
    assert client.get("/messages/99999").status_code == 404
    db.session.expire_all()
    assert told(other)[0].read_at is None  # trying did not read it
    anonymous = app.test_client().get(f"/messages/{first.id}")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


def test_mark_all_read(app):
    supplier = make_supplier()
    tell(supplier, 3)
    client = signed_in(app, supplier)
    response = post_form(client, "/messages/read-all", page="/messages/")
    assert response.status_code == 302
    assert unread_shown(client) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(Notification.read_at.is_(None))) == 0


def test_the_lists_statements_do_not_grow_with_the_messages(app):
    few, many = make_supplier(), make_supplier()
    tell(few, 2)
    tell(many, 45, start=100)
    small = page_statements(signed_in(app, few), "/messages/").count
    client = signed_in(app, many)
    large = page_statements(client, "/messages/").count
    assert small == large
    assert client.get("/messages/?page=2").get_data(as_text=True).count('data-unread=') == 15
    assert client.get("/messages/?page=x").status_code == 200 and client.get("/messages/?page=-3").status_code == 200


def test_the_settings_list_every_kind_of_the_role_and_an_unchecked_one_is_in_the_app_only(app):
    supplier = make_supplier()
    client = signed_in(app, supplier)
    html = client.get("/messages/settings").get_data(as_text=True)
    with app.test_request_context():
        for kind in kinds.kinds_for("supplier"):
            assert translate(kind.label) in html, kind.code
            assert re.search(rf'name="email_{kind.code}"[^>]*checked', html) or re.search(rf'checked[^>]*name="email_{kind.code}"', html)
        assert translate(kinds.KINDS[kinds.JOB_FAILED].label) not in html  # a buyer's kind
    fields = {f"email_{kind.code}": "y" for kind in kinds.kinds_for("supplier") if kind.code != kinds.PROJECT_AMENDED}
    response = post_form(client, "/messages/settings", fields)
    assert response.status_code == 302
    off = db.session.scalars(
        sa.select(NotificationPreference.kind).where(NotificationPreference.user_id == supplier.id, NotificationPreference.enabled.is_(False))
    ).all()
    assert off == [kinds.PROJECT_AMENDED]
    html = client.get("/messages/settings").get_data(as_text=True)
    assert not re.search(rf'name="email_{kinds.PROJECT_AMENDED}"[^>]*checked', html)
    tell(supplier, 1, kinds.PROJECT_AMENDED)
    tell(supplier, 1, kinds.RFQ_CHANGED, start=1)
    assert [n.kind for n in told(supplier)] == [kinds.PROJECT_AMENDED, kinds.RFQ_CHANGED]
    assert [m.kind for m in mail_rows(supplier)] == [kinds.RFQ_CHANGED]  # the switched-off kind: in the app only


def test_a_panel_member_sees_the_panels_kinds(app):
    member = make_panel()
    html = signed_in(app, member).get("/messages/settings").get_data(as_text=True)
    with app.test_request_context():
        for kind in kinds.kinds_for("panel"):
            assert translate(kind.label) in html
        assert translate(kinds.KINDS[kinds.QUOTE_DEADLINE_REMINDER].label) not in html
