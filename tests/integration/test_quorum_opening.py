"""Quorum opening (多人共同开标), the issue's properties: no KEK path; fewer than k passphrases open
nothing, whatever else an attacker holds; any k of n open; a wrong or early passphrase consumes
nothing; shares are gone after the opening; the opening record names who supplied shares."""
from __future__ import annotations

import subprocess
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path

import nacl.exceptions
import nacl.public
import nacl.secret
import pytest
import sqlalchemy as sa

from procurement.domain.quorum import NotEnoughShares, open_share, reconstruct_private_key
from procurement.domain.schedule import BEIJING
from procurement.domain.sealing import SealBroken, unwrap_private_key
from procurement.extensions import db
from procurement.models import AuditEvent, GeneratedDocument, Job, OpenedQuote, OpeningOfficial, Project, RelayedShare, SealedQuote
from procurement.services import ServiceError, opening, opening_keys, quorum_opening
from tests.conftest import AuthActions, post_form
from tests.factories import (
    OPENED_SUPPLIERS,
    QUOTE_AT,
    make_buyer,
    make_officials,
    make_opened_registration,
    make_panel,
    make_quorum_project,
    make_sealed_quote,
    supply,
)

OPENING_AT = datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING)
AFTER = OPENING_AT + timedelta(minutes=5)
TOTALS = {"拉萨雪域办公用品有限公司": "7130.00", "西藏圣地文化用品有限公司": "7270.00", "拉萨吉祥商贸有限责任公司": "7400.00"}


class World:
    """A 2-of-3 (or k-of-n) quorum project with three sealed quotes, the clock after the opening time."""

    def __init__(self, clock, *, n: int = 3, k: int = 2):
        self.buyer = make_buyer()
        self.officials = make_officials(self.buyer, n)
        self.quorum = make_quorum_project(self.buyer, clock, officials=self.officials, threshold=k)
        self.project = self.quorum.project
        self.suppliers = []
        for spec in OPENED_SUPPLIERS[:3]:
            user, registration = make_opened_registration(self.project, spec, clock=clock)
            make_sealed_quote(registration, user, spec.prices, clock, at=QUOTE_AT)
            self.suppliers.append(user)
        self.clock = clock
        clock.set(AFTER)


@pytest.fixture
def world(app, clock):
    return World(clock)


def _client(app, official):
    client = app.test_client()
    assert AuthActions(client).login(official.user.email).status_code == 302
    return client


def _opened(project) -> int:
    return db.session.scalar(sa.select(sa.func.count(OpenedQuote.id)).where(OpenedQuote.project_id == project.id))


def _shares_left(project) -> tuple[int, int]:
    sealed = db.session.scalar(
        sa.select(sa.func.count(OpeningOfficial.id)).where(
            OpeningOfficial.project_id == project.id,
            sa.or_(OpeningOfficial.sealed_share.is_not(None), OpeningOfficial.share_digest.is_not(None)),
        )
    )
    relayed = db.session.scalar(sa.select(sa.func.count(RelayedShare.id)).where(RelayedShare.project_id == project.id))
    return sealed, relayed


def test_a_quorum_project_has_no_kek_path_to_its_private_key(app, world):
    project = db.session.get(Project, world.project.id)
    assert project.opening_mode == "quorum" and project.quorum_threshold == 2
    assert project.wrapped_private_key is None  # the KEK-wrapped column is empty
    assert project.quorum_wrapped_private_key and project.public_key
    officials = project.officials
    assert [official.position for official in officials] == [1, 2, 3]
    assert all(official.sealed_share and official.share_digest and official.public_key for official in officials)
    kek = opening.load_kek()
    with pytest.raises(nacl.exceptions.CryptoError):
        nacl.secret.SecretBox(kek).decrypt(project.quorum_wrapped_private_key[1:])
    with pytest.raises(SealBroken):
        unwrap_private_key(project.quorum_wrapped_private_key, kek, now=AFTER, opening_at=project.opening_at)
    seal = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "project.quorum_seal"))
    assert seal.details["threshold"] == 2 and [o["position"] for o in seal.details["officials"]] == [1, 2, 3]


def _everything_an_attacker_holds(app) -> list[bytes]:
    """Every binary and text value in every table, the KEK, the audit key, every stored file's bytes."""
    values: list[bytes] = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            for value in row:
                if isinstance(value, (bytes, memoryview)):
                    values.append(bytes(value))
                elif isinstance(value, str) and value:
                    values.append(value.encode())
                elif isinstance(value, (dict, list)):
                    values.append(repr(value).encode())
    from procurement.keys import load_audit_key, load_kek

    for key in (load_kek(), load_audit_key()):  # made now if no server-key project ever needed the KEK
        values += [key, key.hex().encode()]
    for folder in (app.config["UPLOAD_FOLDER"], app.config["DOCUMENT_FOLDER"]):
        values += [path.read_bytes() for path in Path(folder).rglob("*") if path.is_file()]
    return values


def _candidate_keys(values: list[bytes]) -> list[bytes]:
    """Every 32-byte value, and every 32-byte window of the short values (keys hide in fields)."""
    keys = set()
    for value in values:
        if len(value) == 32:
            keys.add(value)
        elif len(value) <= 512:
            keys.update(value[i : i + 32] for i in range(0, len(value) - 31))
        if len(value) == 64:
            try:
                keys.add(bytes.fromhex(value.decode()))
            except ValueError:
                pass
    return sorted(keys)


def test_with_one_passphrase_of_two_needed_no_code_path_and_no_stored_key_opens(app, runner, world):
    """The issue's first property: the database, the files, the KEK and the audit key, the clock past
    the opening time, one official's passphrase used (so one share waits): nothing opens."""
    project = world.project
    first = supply(project, world.officials[0], world.clock, at=AFTER)
    assert (first.supplied, first.more_needed, first.opened) == (1, 1, None)

    # Each service function that opens or decrypts.
    with pytest.raises(ServiceError) as refused:
        opening.open_quotes(project.id, world.buyer)
    assert refused.value.code == "quorum_project"
    with pytest.raises(ServiceError) as again:
        quorum_opening.supply_share(project.id, world.officials[0].user, world.officials[0].passphrase)
    assert again.value.code == "already_supplied"
    outsider = make_buyer(email="other-buyer@example.com", name="其他采购人")
    with pytest.raises(ServiceError) as not_official:
        quorum_opening.supply_share(project.id, outsider, world.officials[0].passphrase)
    assert not_official.value.code == "not_an_official"
    with pytest.raises(ServiceError) as wrong:
        quorum_opening.supply_share(project.id, world.officials[1].user, world.officials[0].passphrase)
    assert wrong.value.code == "wrong_passphrase"
    from procurement.restore_checks import check_seals, verify_instance

    seals = check_seals()
    assert seals.decrypted == 0 and seals.problems == [] and seals.quorum_sealed == 3
    assert verify_instance().ok
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    assert _opened(project) == 0 and db.session.get(Project, project.id).opened_at is None

    # The raw key material: no stored value, the KEK or the audit key decrypts a quote, unwraps the
    # project's key or opens a share.
    db.session.expire_all()
    project = db.session.get(Project, project.id)
    quotes = db.session.scalars(sa.select(SealedQuote).where(SealedQuote.sealed.is_not(None))).all()
    sealed_shares = [official.sealed_share for official in project.officials] + list(
        db.session.scalars(sa.select(RelayedShare.sealed))
    )
    wrapped = project.quorum_wrapped_private_key[1:]
    candidates = _candidate_keys(_everything_an_attacker_holds(app))
    assert len(candidates) > 100
    for key in candidates:
        with pytest.raises(nacl.exceptions.CryptoError):
            nacl.secret.SecretBox(key).decrypt(wrapped)
        for quote in quotes:
            with pytest.raises(nacl.exceptions.CryptoError):
                nacl.public.SealedBox(nacl.public.PrivateKey(key)).decrypt(quote.sealed)
        for sealed in sealed_shares:
            with pytest.raises(nacl.exceptions.CryptoError):
                nacl.public.SealedBox(nacl.public.PrivateKey(key)).decrypt(sealed)

    # Even the supplied official's passphrase (that is: fewer than k passphrases, all the attacker
    # could also have) unlocks one share only, and one share rebuilds nothing.
    private_key = opening_keys.unlock(world.officials[0].user, world.officials[0].passphrase)
    own = project.officials[0]
    share = open_share(private_key, own.sealed_share, project_id=project.id, index=1, digest=own.share_digest)
    relayed_to_first = db.session.scalars(sa.select(RelayedShare).where(RelayedShare.official_id == own.id)).all()
    assert relayed_to_first == []  # its share waits for officials 2 and 3, readable only by them
    for relay in db.session.scalars(sa.select(RelayedShare)):
        with pytest.raises(SealBroken):
            open_share(private_key, relay.sealed, project_id=project.id, index=relay.share_index)
    with pytest.raises(NotEnoughShares):
        reconstruct_private_key(project.quorum_wrapped_private_key, [share], 2, now=AFTER, opening_at=project.opening_at)
    with pytest.raises(SealBroken):
        reconstruct_private_key(project.quorum_wrapped_private_key, [share], 1, now=AFTER, opening_at=project.opening_at)
    assert _opened(project) == 0


@pytest.mark.parametrize("pair", list(combinations(range(3), 2)), ids=lambda pair: f"officials-{pair[0] + 1}-{pair[1] + 1}")
def test_any_two_of_three_open_so_one_lost_passphrase_does_not_stop_the_opening(app, world, pair):
    first, second = (world.officials[index] for index in pair)
    assert supply(world.project, first, world.clock, at=AFTER).opened is None
    outcome = supply(world.project, second, world.clock, at=AFTER + timedelta(minutes=1))
    assert len(outcome.opened) == 3
    totals = {record.registration.company.name: str(record.total) for record in db.session.scalars(sa.select(OpenedQuote))}
    assert totals == TOTALS
    project = db.session.get(Project, world.project.id)
    assert project.status == "opened"
    opened_event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "project.open"))
    assert opened_event.actor_id == second.user.id
    assert [o["user_id"] for o in opened_event.details["officials"]] == [first.user.id, second.user.id]


def test_three_of_four_relay_each_waiting_share_to_those_yet_to_act(app, clock):
    world = World(clock, n=4, k=3)
    officials, project = world.officials, world.project
    supply(project, officials[3], clock, at=AFTER)
    assert db.session.scalar(sa.select(sa.func.count(RelayedShare.id))) == 3  # share 4 for officials 1, 2, 3
    second = supply(project, officials[1], clock, at=AFTER)
    assert (second.supplied, second.more_needed) == (2, 1)
    relayed = db.session.execute(
        sa.select(OpeningOfficial.position, RelayedShare.share_index).join(OpeningOfficial, OpeningOfficial.id == RelayedShare.official_id)
    ).all()
    assert sorted(relayed) == [(1, 2), (1, 4), (3, 2), (3, 4)]
    assert _opened(project) == 0
    assert len(supply(project, officials[2], clock, at=AFTER).opened) == 3
    assert _shares_left(project) == (0, 0)


def test_one_official_leaves_the_quotes_sealed_and_the_page_says_how_many_more(app, world):
    first = world.officials[1]
    client = _client(app, first)
    url = f"/officials/projects/{world.project.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="passphrase"' in page and "还需 2 位开标人" in page
    response = post_form(client, url + "/share", {"passphrase": first.passphrase}, page=url, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "您的开标份额已提交。还需 1 位开标人输入开标口令" in html
    assert "已有 1 位开标人提交，还需 1 位开标人输入开标口令，报价才会开启。" in html
    assert 'name="passphrase"' not in html  # nothing more to take from this official
    assert _opened(world.project) == 0 and db.session.get(Project, world.project.id).status == "published"
    # Every other official's page says the same, and the buyer's hub shows who supplied and when.
    buyer_page = _client(app, world.officials[0]).get(f"/buyer/projects/{world.project.id}").get_data(as_text=True)
    assert "还需 1 位开标人" in buyer_page and "已提交" in buyer_page and "2025年1月2日 16:05:00" in buyer_page
    assert "7,130.00" not in buyer_page and 'action="/buyer/projects/%d/open"' % world.project.id not in buyer_page


def test_a_wrong_passphrase_is_refused_and_consumes_nothing(app, world):
    official = world.officials[2]
    client = _client(app, official)
    url = f"/officials/projects/{world.project.id}"
    response = post_form(client, url + "/share", {"passphrase": "not my opening phrase 55"}, page=url)
    assert response.status_code == 400
    assert "开标口令不正确。" in response.get_data(as_text=True)
    row = db.session.scalar(sa.select(OpeningOfficial).where(OpeningOfficial.user_id == official.user.id))
    db.session.refresh(row)
    assert row.supplied_at is None and row.sealed_share is not None
    assert db.session.scalar(sa.select(sa.func.count(RelayedShare.id))) == 0
    refused = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "opening.share_refused"))
    assert refused.details == {"reason": "wrong_passphrase"} and refused.actor_id == official.user.id
    # Then the right one counts, and a second official opens.
    assert post_form(client, url + "/share", {"passphrase": official.passphrase}, page=url).status_code == 302
    assert len(supply(world.project, world.officials[0], world.clock, at=None).opened) == 3


def test_a_passphrase_offered_before_the_opening_time_is_refused(app, world):
    world.clock.set(OPENING_AT - timedelta(seconds=1))
    official = world.officials[0]
    client = _client(app, official)
    url = f"/officials/projects/{world.project.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="passphrase"' not in page and "开启时间（2025年1月2日16点00分，北京时间）到达后，才能在此输入开标口令" in page
    response = post_form(client, url + "/share", {"passphrase": official.passphrase}, page=url)
    assert response.status_code == 400
    assert "开启时间（2025年1月2日16点00分，北京时间）未到，现在不能提交开标口令" in response.get_data(as_text=True)
    with pytest.raises(ServiceError) as early:
        quorum_opening.supply_share(world.project.id, official.user, official.passphrase)
    assert early.value.code == "too_early"
    assert db.session.scalar(sa.select(sa.func.count(OpeningOfficial.id)).where(OpeningOfficial.supplied_at.is_not(None))) == 0
    assert _shares_left(world.project) == (3, 0)
    assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action.like("opening.%"))) is None


def test_shares_are_gone_after_the_opening_and_the_record_names_who_supplied_them(app, world):
    supply(world.project, world.officials[2], world.clock, at=AFTER)
    assert _shares_left(world.project) == (3, 2)  # three sealed shares; the supplied one relayed to the other two
    supply(world.project, world.officials[0], world.clock, at=AFTER + timedelta(minutes=2, seconds=7))
    assert _shares_left(world.project) == (0, 0)
    assert db.session.scalar(sa.select(Job.status).where(Job.key == f"opening.record:{world.project.id}")) == "done"
    document = db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "opening_record"))
    client = _client(app, world.officials[0])
    pdf = client.get(f"/buyer/projects/{world.project.id}/opening-record.pdf")
    assert pdf.status_code == 200 and pdf.headers["X-Document-SHA256"] == document.sha256
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    assert "多人共同开标" in text and "提交开标份额的开标人" in text
    for official, when in ((world.officials[2], "2025年1月2日 16:05:00"), (world.officials[0], "2025年1月2日 16:07:07")):
        line = next(line for line in text.splitlines() if official.user.name in line)
        assert when in line
    assert world.officials[1].user.name not in text.split("提交开标份额的开标人")[1].split("序号")[0]
    # The officials' page now shows the record.
    html = client.get(f"/officials/projects/{world.project.id}").get_data(as_text=True)
    assert "¥7,130.00" in html and "未参与" in html


def test_no_passphrase_or_share_reaches_the_audit_trail_or_any_column(app, world):
    supply(world.project, world.officials[0], world.clock, at=AFTER)
    project = db.session.get(Project, world.project.id)
    official = project.officials[1]
    private_key = opening_keys.unlock(world.officials[1].user, world.officials[1].passphrase)
    share = open_share(private_key, official.sealed_share, project_id=project.id, index=2)
    supply(world.project, world.officials[1], world.clock, at=AFTER)
    haystack = b"\n".join(_everything_an_attacker_holds(app))
    for official in world.officials:
        assert official.passphrase.encode() not in haystack
    for needle in (share.value, share.value.hex().encode(), share.value[:16], share.value[16:]):
        assert needle not in haystack


def test_the_buyer_cannot_open_a_quorum_project_with_the_server_key(app, world):
    client = _client(app, world.officials[0])
    hub = client.get(f"/buyer/projects/{world.project.id}").get_data(as_text=True)
    assert f'action="/buyer/projects/{world.project.id}/open"' not in hub
    assert "前往共同开标页面" in hub
    response = post_form(client, f"/buyer/projects/{world.project.id}/open", {}, page=f"/buyer/projects/{world.project.id}", follow_redirects=True)
    assert "本项目采用多人共同开标" in response.get_data(as_text=True)
    assert _opened(world.project) == 0


def test_only_the_projects_officials_reach_its_opening_page(app, clock, world):
    other_buyer = make_buyer(email="b2@example.com", name="另一采购人")
    other_officials = make_officials(other_buyer, 2)
    other_project = make_quorum_project(other_buyer, clock, officials=other_officials, threshold=2, code="QUORUM-OTHER-1").project
    clock.set(AFTER)
    url = f"/officials/projects/{world.project.id}"
    stranger = _client(app, other_officials[1])  # another project's official
    assert stranger.get(url).status_code == 404
    assert post_form(stranger, url + "/share", {"passphrase": other_officials[1].passphrase}, page=f"/officials/projects/{other_project.id}").status_code == 404
    assert stranger.get(f"/officials/projects/{other_project.id}").status_code == 200
    panel = app.test_client()
    AuthActions(panel).login(make_panel(email="p9@example.com").email)
    assert panel.get(url).status_code == 404
    supplier = app.test_client()
    AuthActions(supplier).login(world.suppliers[0].email)
    assert supplier.get(url).status_code == 403
    assert supplier.get("/officials/key").status_code == 403
    assert _opened(world.project) == 0


# --------------------------------------------------------------------------- termination


def _cancel(app, world, reason="采购需求发生变化，本项目终止"):
    client = _client(app, world.officials[0])  # the buyer is the first official
    url = f"/buyer/projects/{world.project.id}/cancel"
    assert post_form(client, url, {"reason": reason}).status_code == 302
    db.session.expire_all()


def test_terminating_before_the_opening_erases_every_share_and_the_wrapped_key(app, world):
    """One official has supplied (so two relayed shares wait); the buyer terminates the project: no
    sealed share, relayed share or wrapped key is left, audited, and the officials have nothing to supply."""
    supply(world.project, world.officials[2], world.clock, at=AFTER)
    assert _shares_left(world.project) == (3, 2)
    _cancel(app, world)
    project = db.session.get(Project, world.project.id)
    assert project.status == "cancelled"
    assert _shares_left(project) == (0, 0)
    assert db.session.scalar(sa.select(sa.func.count(RelayedShare.id))) == 0
    assert project.quorum_wrapped_private_key is None and project.wrapped_private_key is None
    assert all(official.sealed_share is None and official.share_digest is None for official in project.officials)
    erased = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "opening.shares_erased"))
    assert erased.details == {"reason": "cancelled", "sealed_shares": 3, "relayed_shares": 2, "wrapped_key": True}
    assert erased.project_id == project.id and erased.actor_id == world.buyer.id
    # The officials' page: terminated, nothing to supply, no passphrase form, not even after a POST.
    official = world.officials[1]
    client = _client(app, official)
    url = f"/officials/projects/{project.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="project-ended"' in page and "终止理由：采购需求发生变化，本项目终止" in page
    assert "全部开标份额已随项目终止销毁" in page and "项目已终止，开标份额已销毁，报价不会开启。" in page
    assert 'name="passphrase"' not in page and "还需" not in page
    response = post_form(client, url + "/share", {"passphrase": official.passphrase}, page=url)
    assert response.status_code == 400
    assert 'name="passphrase"' not in response.get_data(as_text=True) and "全部开标份额已随项目终止销毁" in response.get_data(as_text=True)
    with pytest.raises(ServiceError) as refused:
        quorum_opening.supply_share(project.id, official.user, official.passphrase)
    assert refused.value.code == "not_openable"
    key_page = client.get("/officials/key").get_data(as_text=True)
    assert 'data-testid="task-ended"' in key_page and "已终止，开标份额已销毁" in key_page
    buyer_hub = _client(app, world.officials[0]).get(f"/buyer/projects/{project.id}").get_data(as_text=True)
    assert "项目已终止，开标份额已销毁，报价不会开启。" in buyer_hub and "还需" not in buyer_hub
    # The audit trail reads it, and a restore does not report the erased shares as missing.
    assert "项目终止，销毁开标份额" in _client(app, world.officials[0]).get(f"/buyer/projects/{project.id}/audit").get_data(as_text=True)
    from procurement.restore_checks import check_seals

    seals = check_seals()
    assert seals.problems == [] and seals.quorum_sealed == 0
    assert _opened(project) == 0


def test_the_erasure_is_in_the_terminations_transaction(app, world, monkeypatch):
    """If the erasure cannot be recorded, the termination does not happen either (and the reverse)."""
    from procurement import audit
    from procurement.services import project_cancellation

    supply(world.project, world.officials[2], world.clock, at=AFTER)
    record = audit.record

    def failing(action, *args, **kwargs):
        if action == "opening.shares_erased":
            raise RuntimeError("the audit trail is unavailable")
        return record(action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(RuntimeError):
        project_cancellation.cancel(db.session.get(Project, world.project.id), "预算调整", world.buyer)
    db.session.rollback()
    db.session.expire_all()
    project = db.session.get(Project, world.project.id)
    assert project.status == "published" and project.quorum_wrapped_private_key is not None
    assert _shares_left(project) == (3, 2)
    assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "project.cancel")) is None


def test_terminating_after_the_opening_has_nothing_left_to_erase(app, world):
    """The opening erased the shares already; the termination records no erasure and the page keeps the record."""
    supply(world.project, world.officials[0], world.clock, at=AFTER)
    assert len(supply(world.project, world.officials[1], world.clock, at=AFTER).opened) == 3
    _cancel(app, world)
    project = db.session.get(Project, world.project.id)
    assert project.status == "cancelled" and _shares_left(project) == (0, 0)
    assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "opening.shares_erased")) is None
    page = _client(app, world.officials[2]).get(f"/officials/projects/{project.id}").get_data(as_text=True)
    assert "¥7,130.00" in page and 'data-testid="project-ended"' not in page and 'name="passphrase"' not in page
