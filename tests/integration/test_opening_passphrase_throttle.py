"""The throttle on wrong opening passphrases (``THROTTLE_OPENING_PASSPHRASE_PER_ACCOUNT``, 10 per
10 minutes and 30 per day, per signed-in account): the 11th wrong passphrase within ten minutes is
refused before it is checked, with a Chinese page, and consumes nothing; the count runs over the
共同开标 page and the passphrase change (both check the same passphrase); a right passphrase is
never counted.

The limits live in Flask-Limiter's storage, which reads the real time (``time.time()``), never the
app's clock: a simulated clock moved by buyer staff must not reset an attacker's count. So these
tests move the time of the memory storage (:class:`LimiterTime`) together with the app's clock.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import limits.storage.memory
import pytest
import sqlalchemy as sa

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import AuditEvent, OpeningOfficial, RelayedShare
from tests.conftest import AuthActions, make_test_app, post_form
from tests.factories import make_buyer, make_officials, make_quorum_project

AFTER = datetime(2025, 1, 2, 16, 5, tzinfo=BEIJING)  # five minutes after the opening time
WRONG = "not my opening phrase 55"
TEN_MINUTES = "开标口令输错次数过多：每个账户 10 分钟内最多可输错 10 次。"
A_DAY = "开标口令输错次数过多：每个账户 24 小时内最多可输错 30 次。"
UNCHECKED = "本次提交的口令未被核对，您的开标份额不受影响。"


class LimiterTime:
    """The memory storage's ``time`` module, running ahead of the real time by what a test says."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def time(self) -> float:
        return time.time() + self.ahead


@pytest.fixture
def limited(database_template, tmp_path, clock, monkeypatch):
    """An app with the rate limits on (memory storage) and the configured opening-passphrase limit."""
    limiter_time = LimiterTime()
    monkeypatch.setattr(limits.storage.memory, "time", limiter_time)
    app = make_test_app(database_template, tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    app.extensions["clock"] = clock
    app.extensions["test_limiter_time"] = limiter_time
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


class World:
    """A published 2-of-3 quorum project, the clock after its opening time, an official signed in."""

    def __init__(self, app, clock):
        self.app, self.clock = app, clock
        self.buyer = make_buyer()
        self.officials = make_officials(self.buyer, 3)
        self.project = make_quorum_project(self.buyer, clock, officials=self.officials, threshold=2).project
        clock.set(AFTER)
        self.official = self.officials[1]
        self.client = app.test_client()
        assert AuthActions(self.client).login(self.official.user.email).status_code == 302

    def later(self, **delta) -> None:
        """Move the app's clock and the limits' time forward together."""
        self.clock.set(self.clock.now() + timedelta(**delta))
        self.app.extensions["test_limiter_time"].ahead += timedelta(**delta).total_seconds()

    def supply(self, passphrase: str, project=None, client=None):
        url = f"/officials/projects/{(project or self.project).id}"
        return post_form(client or self.client, url + "/share", {"passphrase": passphrase}, page=url)

    def seat(self, user=None) -> OpeningOfficial:
        row = db.session.scalar(
            sa.select(OpeningOfficial).where(
                OpeningOfficial.project_id == self.project.id, OpeningOfficial.user_id == (user or self.official.user).id
            )
        )
        db.session.refresh(row)
        return row

    def refusals(self) -> int:
        return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "opening.share_refused"))


@pytest.fixture
def world(limited, clock):
    return World(limited, clock)


def _wrong(response) -> None:
    assert response.status_code == 400
    assert "开标口令不正确。" in response.get_data(as_text=True)


def _throttled(response, message: str) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 429, response.status_code
    assert message in html and UNCHECKED in html
    assert 'data-testid="opening-passphrase-throttled"' in html
    assert 'name="passphrase"' not in html
    assert int(response.headers["Retry-After"]) > 0


def test_the_configured_limit_is_ten_per_ten_minutes_and_thirty_a_day(limited):
    assert limited.config["THROTTLE_OPENING_PASSPHRASE_PER_ACCOUNT"] == "10 per 10 minutes;30 per day"


def test_the_eleventh_wrong_passphrase_in_ten_minutes_is_refused_unchecked_and_consumes_nothing(world):
    for _ in range(10):
        _wrong(world.supply(WRONG))
        world.later(seconds=50)  # ten wrong ones in 7.5 minutes
    _throttled(world.supply(WRONG), TEN_MINUTES)
    _throttled(world.supply(world.official.passphrase), TEN_MINUTES)  # refused before anything is checked
    assert f'href="/officials/projects/{world.project.id}"' in world.supply(WRONG).get_data(as_text=True)
    # Nothing consumed: no share supplied or relayed, the refusals audited are the ten checked ones.
    seat = world.seat()
    assert seat.supplied_at is None and seat.sealed_share is not None
    assert db.session.scalar(sa.select(sa.func.count(RelayedShare.id))) == 0
    assert world.refusals() == 10
    # Another official is not held up by this one's count.
    other = world.app.test_client()
    AuthActions(other).login(world.officials[2].user.email)
    _wrong(world.supply(WRONG, client=other))


def test_once_the_ten_minutes_have_passed_passphrases_are_checked_again(world):
    for _ in range(10):
        _wrong(world.supply(WRONG))
    world.later(minutes=9, seconds=59)
    _throttled(world.supply(world.official.passphrase), TEN_MINUTES)
    world.later(seconds=2)
    _wrong(world.supply(WRONG))  # checked again (and counted: the eleventh refusal audited)
    assert world.refusals() == 11
    assert world.supply(world.official.passphrase).status_code == 302
    assert world.seat().supplied_at == world.clock.now()
    assert db.session.scalar(sa.select(sa.func.count(RelayedShare.id))) == 2  # relayed to the two others


def test_thirty_wrong_passphrases_a_day_at_most(world):
    for _ in range(3):
        for _ in range(10):
            _wrong(world.supply(WRONG))
        world.later(minutes=10, seconds=1)
    # The ten-minute window is fresh; the day's thirty are spent.
    _throttled(world.supply(WRONG), A_DAY)
    _throttled(world.supply(world.official.passphrase), A_DAY)
    world.later(hours=23)
    _throttled(world.supply(WRONG), A_DAY)
    assert world.refusals() == 30
    world.later(hours=1)  # 24 hours after the first wrong one
    _wrong(world.supply(WRONG))
    assert world.supply(world.official.passphrase).status_code == 302


def test_a_right_passphrase_is_accepted_and_not_counted_and_the_count_is_per_account(world, clock):
    for _ in range(9):
        _wrong(world.supply(WRONG))
    response = world.supply(world.official.passphrase)
    assert response.status_code == 302
    assert world.seat().supplied_at is not None
    # The same official on a second project: one more wrong passphrase is allowed (the right one
    # was not counted), then the account's limit holds there too.
    second = make_quorum_project(world.buyer, clock, officials=world.officials, threshold=2, code="QUORUM-SECOND-1").project
    clock.set(AFTER)
    _wrong(world.supply(WRONG, project=second))
    _throttled(world.supply(WRONG, project=second), TEN_MINUTES)


def test_the_passphrase_change_counts_with_the_opening_page(world):
    """Changing the passphrase checks the same passphrase: wrong old ones count in the same limit."""
    client = world.client

    def change(old: str):
        return post_form(
            client, "/officials/key/change",
            {"old_passphrase": old, "new_passphrase": "yak wool lantern 8814", "new_passphrase2": "yak wool lantern 8814"},
            page="/officials/key",
        )

    for _ in range(5):
        response = change(WRONG)
        assert response.status_code == 400 and "当前开标口令不正确。" in response.get_data(as_text=True)
    # A new passphrase that does not match its repetition is no wrong passphrase: not counted.
    mismatch = post_form(
        client, "/officials/key/change",
        {"old_passphrase": WRONG, "new_passphrase": "yak wool lantern 8814", "new_passphrase2": "something else 1"},
        page="/officials/key",
    )
    assert mismatch.status_code == 400
    for _ in range(5):
        _wrong(world.supply(WRONG))
    throttled = change(world.official.passphrase)
    assert throttled.status_code == 429 and TEN_MINUTES in throttled.get_data(as_text=True)
    assert 'href="/officials/key"' in throttled.get_data(as_text=True)
    _throttled(world.supply(world.official.passphrase), TEN_MINUTES)
