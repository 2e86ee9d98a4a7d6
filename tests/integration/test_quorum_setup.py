"""Setting up for a quorum opening: the personal opening key page, and the draft's opening mode."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from procurement.domain.quorum import open_share
from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import AuditEvent, OpeningKey, OpeningOfficial, Project
from procurement.services import ServiceError, accounts, opening_keys, projects, quorum_setup
from tests.conftest import AuthActions, post_form
from tests.factories import (
    PASSWORD,
    PUBLISHED_AT,
    give_opening_key,
    make_buyer,
    make_officials,
    make_panel,
    make_project,
    make_quorum_project,
    supply,
)

KEY_URL = "/officials/key"
PHRASE = "turquoise lake prayer 81"


def _signed_in(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def test_the_key_page_is_in_the_navigation_of_buyer_staff_and_panel(app):
    for user in (make_buyer(), make_panel()):
        home = _signed_in(app, user).get("/", follow_redirects=True).get_data(as_text=True)
        assert f'href="{KEY_URL}"' in home and "个人开标密钥" in home


def test_setting_up_a_key_checks_strength_confirmation_and_the_warning(app):
    panel = make_panel(name="格桑")
    client = _signed_in(app, panel)
    page = client.get(KEY_URL).get_data(as_text=True)
    assert "忘记后任何人（包括管理员）都无法找回或重置" in page
    cases = [
        ({"passphrase": "password1", "passphrase2": "password1", "acknowledge": "y"}, "密码强度不足"),
        ({"passphrase": PHRASE, "passphrase2": PHRASE + "x", "acknowledge": "y"}, "两次输入的开标口令不一致。"),
        ({"passphrase": PHRASE, "passphrase2": PHRASE}, "请勾选，确认您已知晓忘记开标口令的后果。"),
        ({"passphrase": PASSWORD, "passphrase2": PASSWORD, "acknowledge": "y"}, "开标口令不能与登录密码相同"),
    ]
    for data, message in cases:
        response = post_form(client, KEY_URL, data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(OpeningKey.id)) is None
    response = post_form(client, KEY_URL, {"passphrase": PHRASE, "passphrase2": PHRASE, "acknowledge": "y"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "个人开标密钥已设置" in html and "修改开标口令" in html
    row = db.session.scalar(sa.select(OpeningKey))
    assert row.user_id == panel.id and (row.kdf, row.kdf_n, row.kdf_r, row.kdf_p) == ("scrypt", 1024, 8, 1)
    assert PHRASE.encode() not in row.wrapped_private_key and len(row.salt) == 16
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "opening_key.create"))
    assert set(event.details) == {"key", "kdf"}
    with_key = post_form(client, KEY_URL, {"passphrase": PHRASE, "passphrase2": PHRASE, "acknowledge": "y"})
    assert with_key.status_code == 400 and "您已设置过个人开标密钥" in with_key.get_data(as_text=True)


def test_changing_the_passphrase_needs_the_old_one_and_keeps_published_shares_usable(app, clock):
    buyer = make_buyer()
    officials = make_officials(buyer)
    built = make_quorum_project(buyer, clock, officials=officials)
    client = _signed_in(app, officials[1].user)
    new = "a brand new opening phrase 9"
    wrong = post_form(client, KEY_URL + "/change", {"old_passphrase": "not it at all 123", "new_passphrase": new, "new_passphrase2": new}, page=KEY_URL)
    assert wrong.status_code == 400 and "当前开标口令不正确。" in wrong.get_data(as_text=True)
    public_key = db.session.scalar(sa.select(OpeningKey.public_key).where(OpeningKey.user_id == officials[1].user.id))
    ok = post_form(client, KEY_URL + "/change", {"old_passphrase": officials[1].passphrase, "new_passphrase": new, "new_passphrase2": new}, page=KEY_URL)
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(OpeningKey.public_key).where(OpeningKey.user_id == officials[1].user.id)) == public_key
    officials[1].passphrase = new
    clock.set(datetime(2025, 1, 2, 16, 1, tzinfo=BEIJING))
    supply(built.project, officials[1], clock, at=None)
    assert supply(built.project, officials[2], clock, at=None).opened == []  # no quotes, but opened
    assert db.session.get(Project, built.project.id).status == "opened"


def test_replacing_a_forgotten_key_voids_its_shares_and_says_so(app, clock):
    buyer = make_buyer()
    officials = make_officials(buyer)
    built = make_quorum_project(buyer, clock, officials=officials)
    forgetful = officials[2]
    client = _signed_in(app, forgetful.user)
    page = client.get(KEY_URL).get_data(as_text=True)
    assert f"以下已发布、尚未开启的项目将失去您的开标份额：{built.project.code}" in page
    new = "i forgot the old one 4412"
    refused = post_form(client, KEY_URL + "/replace", {"replacement": new, "replacement2": new}, page=KEY_URL)
    assert refused.status_code == 400 and "请勾选，确认您已知晓重新生成密钥的后果。" in refused.get_data(as_text=True)
    assert post_form(client, KEY_URL + "/replace", {"replacement": new, "replacement2": new, "acknowledge_replace": "y"}, page=KEY_URL).status_code == 302
    assert "份额封装于旧密钥，已无法使用" in client.get(KEY_URL).get_data(as_text=True)
    clock.set(datetime(2025, 1, 2, 16, 1, tzinfo=BEIJING))
    forgetful.passphrase = new
    try:
        supply(built.project, forgetful, clock, at=None)
    except ServiceError as error:
        assert error.code == "share_unusable"
    else:
        raise AssertionError("a share sealed to the replaced key was accepted")
    assert db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "opening.share_refused")) == {"reason": "share_undecryptable"}
    # The other two still open it: one lost key does not stop a 2-of-3 opening.
    supply(built.project, officials[0], clock, at=None)
    supply(built.project, officials[1], clock, at=None)
    assert db.session.get(Project, built.project.id).status == "opened"


def _mode_url(project) -> str:
    return f"/buyer/projects/{project.id}/opening-mode"


def test_the_draft_page_sets_a_quorum_of_officials_with_keys(app, clock):
    buyer = make_buyer()
    give_opening_key(buyer, "buyer opening phrase 2025 x")
    members = [make_panel(name=name) for name in ("格桑", "陈静", "索朗")]
    give_opening_key(members[0], "first panel phrase 7 yak")
    give_opening_key(members[1], "second panel phrase 8 yak")
    draft = make_project(buyer, clock, publish=False)
    client = _signed_in(app, buyer)
    hub = client.get(f"/buyer/projects/{draft.id}").get_data(as_text=True)
    assert "服务器密钥：开启时间后由采购人开启。" in hub and _mode_url(draft) in hub
    page = client.get(_mode_url(draft)).get_data(as_text=True)
    assert "如果开启时到场（能输入开标口令）的开标人少于 k 位，报价就无法开启" in page
    assert "尚未设置开标密钥、因而不能选择的人员：索朗" in page
    assert f'value="{members[2].id}"' not in page and f'value="{members[0].id}"' in page
    ids = [str(buyer.id), str(members[0].id), str(members[1].id)]
    refusals = [
        ({"mode": "quorum", "officials": ids, "threshold": "4"}, "开启所需人数（4）不能多于开标人人数（3）。"),
        ({"mode": "quorum", "officials": ids, "threshold": "1"}, "应为 2 到 9 之间的整数。"),
        ({"mode": "quorum", "officials": ids[:1], "threshold": "2"}, "开启所需人数（2）不能多于开标人人数（1）。"),
        ({"mode": "quorum", "officials": [str(members[2].id), ids[0]], "threshold": "2"}, "索朗 还没有设置个人开标密钥"),
        ({"mode": "quorum", "officials": ["999999", ids[0]], "threshold": "2"}, "所选开标人不存在"),
    ]
    for data, message in refusals:
        response = post_form(client, _mode_url(draft), data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert db.session.get(Project, draft.id).opening_mode == "server"
    ok = post_form(client, _mode_url(draft), {"mode": "quorum", "officials": ids, "threshold": "2"}, follow_redirects=True)
    assert "多人共同开标：3 位开标人中任意 2 位输入开标口令即可开启。" in ok.get_data(as_text=True)
    assert "开标人：措姆、格桑、陈静" in ok.get_data(as_text=True)
    project = db.session.get(Project, draft.id)
    assert [o.user_id for o in project.officials] == [buyer.id, members[0].id, members[1].id]
    clock.set(PUBLISHED_AT)
    projects.publish(project, buyer)
    assert project.wrapped_private_key is None and all(o.sealed_share for o in project.officials)
    # Frozen at publication.
    frozen = client.get(_mode_url(project), follow_redirects=True)
    assert "开标方式在发布时已确定" in frozen.get_data(as_text=True)
    assert post_form(client, _mode_url(project), {"mode": "server"}, page=f"/buyer/projects/{project.id}").status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, draft.id).opening_mode == "quorum"
    try:
        quorum_setup.set_opening_mode(project.id, "server", [], None, buyer)
    except ServiceError as error:
        assert error.code == "not_draft"
    else:
        raise AssertionError("the opening mode changed after publication")


def test_switching_back_to_the_server_key_forgets_the_officials(app, clock):
    buyer = make_buyer()
    built = make_quorum_project(buyer, clock, publish=False)
    client = _signed_in(app, buyer)
    assert post_form(client, _mode_url(built.project), {"mode": "server", "threshold": "²"}).status_code == 302
    project = db.session.get(Project, built.project.id)
    assert project.opening_mode == "server" and project.quorum_threshold is None and project.officials == []
    clock.set(PUBLISHED_AT)
    projects.publish(project, buyer)
    assert project.wrapped_private_key is not None and project.quorum_wrapped_private_key is None


def test_publication_refuses_a_quorum_whose_official_was_disabled(app, clock):
    buyer = make_buyer()
    built = make_quorum_project(buyer, clock, publish=False)
    accounts.set_active(built.officials[1].user, False, buyer)
    clock.set(PUBLISHED_AT)
    try:
        projects.publish(db.session.get(Project, built.project.id), buyer)
    except ServiceError as error:
        assert error.code == "quorum_invalid" and "账号已停用" in str(error)
    else:
        raise AssertionError("published with a disabled official")
    assert db.session.get(Project, built.project.id).status == "draft"


def test_a_share_is_bound_to_its_project_and_official(app, clock):
    buyer = make_buyer()
    officials = make_officials(buyer)
    first = make_quorum_project(buyer, clock, officials=officials).project
    second = make_quorum_project(buyer, clock, officials=officials, code="QUORUM-OTHER-1").project
    # Swap official 1's sealed shares between the two projects (a database writer could): refused, named.
    rows = [db.session.scalar(sa.select(OpeningOfficial).where(OpeningOfficial.project_id == p.id, OpeningOfficial.position == 1)) for p in (first, second)]
    rows[0].sealed_share, rows[1].sealed_share = rows[1].sealed_share, rows[0].sealed_share
    db.session.commit()
    private_key = opening_keys.unlock(officials[0].user, officials[0].passphrase)
    try:
        open_share(private_key, rows[0].sealed_share, project_id=first.id, index=1)
    except Exception as error:  # noqa: BLE001
        assert getattr(error, "code", "") == "share_misplaced"
    clock.set(datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING) + timedelta(minutes=1))
    try:
        supply(first, officials[0], clock, at=None)
    except ServiceError as error:
        assert error.code == "share_unusable" and "不属于本项目" in str(error)
    else:
        raise AssertionError("a share moved from another project was accepted")
