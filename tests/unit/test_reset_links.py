"""Password-reset tokens (domain.reset_links): signed, tied to the password, expiring by the clock given."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from itsdangerous import URLSafeTimedSerializer

from procurement.domain import reset_links
from procurement.domain.reset_links import ResetLinkError, check_current, fingerprint, make_token, read_token

SECRET = "unit-test-secret"
ISSUED = datetime(2024, 12, 26, 2, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def _token(user_id=7, password_hash="scrypt:32768:8:3$salt$hash", version=1, at=ISSUED):
    return make_token(SECRET, user_id, fingerprint(SECRET, user_id, password_hash, version), at)


def _code(call) -> str:
    with pytest.raises(ResetLinkError) as caught:
        call()
    return caught.value.code


def test_a_token_reads_back_its_account_and_issue_time_within_the_hour():
    claim = read_token(SECRET, _token(), ISSUED + HOUR, HOUR)
    assert claim.user_id == 7 and claim.issued_at == ISSUED
    check_current(claim, fingerprint(SECRET, 7, "scrypt:32768:8:3$salt$hash", 1))


def test_expiry_follows_the_clock_passed_in_not_the_system_time():
    token = _token()
    assert read_token(SECRET, token, ISSUED + HOUR, HOUR).user_id == 7
    assert _code(lambda: read_token(SECRET, token, ISSUED + HOUR + timedelta(seconds=1), HOUR)) == "reset_link_expired"
    # A token issued "in the future" (a simulated clock moved back) does not work either.
    assert _code(lambda: read_token(SECRET, token, ISSUED - timedelta(seconds=1), HOUR)) == "reset_link_expired"


def test_the_expiry_message_says_how_long_a_link_works():
    with pytest.raises(ResetLinkError) as caught:
        read_token(SECRET, _token(), ISSUED + timedelta(hours=2), HOUR)
    assert caught.value.params == {"minutes": 60} and "分钟内有效" in str(caught.value)


def test_a_changed_password_or_session_version_makes_the_token_used():
    claim = read_token(SECRET, _token(), ISSUED, HOUR)
    assert _code(lambda: check_current(claim, fingerprint(SECRET, 7, "scrypt:32768:8:3$other$hash", 1))) == "reset_link_used"
    assert _code(lambda: check_current(claim, fingerprint(SECRET, 7, "scrypt:32768:8:3$salt$hash", 2))) == "reset_link_used"


def test_the_fingerprint_does_not_carry_the_hash():
    token = _token(password_hash="scrypt:32768:8:3$salt$VISIBLEHASH")
    payload = URLSafeTimedSerializer(SECRET, salt=reset_links.SALT).loads_unsafe(token)[1]
    assert "VISIBLEHASH" not in str(payload) and set(payload) == {"u", "f"}


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x",
        "not.a.token",
        "A" * (reset_links.MAX_TOKEN_LENGTH + 1),
        make_token("another-secret", 7, "f" * 32, ISSUED),
        URLSafeTimedSerializer(SECRET).dumps({"u": 7, "f": "f" * 32}),  # our key, another salt (a session cookie's)
        URLSafeTimedSerializer(SECRET, salt=reset_links.SALT).dumps({"u": 7, "f": "f" * 32}),  # SHA-1 signer
        make_token(SECRET, "7", "f" * 32, ISSUED),  # id not a number
        make_token(SECRET, True, "f" * 32, ISSUED),
        "\u202e" + _token(),
    ],
    # Fixed ids: two of the tokens carry the time they were made, and xdist's workers must
    # collect the same test names.
    ids=["empty", "one-char", "dots", "too-long", "other-key", "other-salt", "sha1-signer", "id-text", "id-bool", "bidi"],
)
def test_forged_and_malformed_tokens_are_invalid(token):
    assert _code(lambda: read_token(SECRET, token, ISSUED, HOUR)) == "reset_link_invalid"


def test_a_token_altered_by_one_character_is_invalid():
    token = _token()
    middle = len(token) // 2
    altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    assert _code(lambda: read_token(SECRET, altered, ISSUED, HOUR)) == "reset_link_invalid"
