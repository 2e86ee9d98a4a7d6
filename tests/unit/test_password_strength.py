"""Passwords people cannot guess (domain.passwords): zxcvbn's estimate, the reason in Chinese."""
from __future__ import annotations

import pytest

from procurement.demo import DEMO_PASSWORD
from procurement.domain.passwords import MIN_SCORE, REASONS, weakness
from tests.factories import PASSWORD


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("12345678", "common"),
        ("password", "common"),
        ("qwertyuiop", "common"),
        ("aaaaaaaa", "repeat"),
        ("88888888", "repeat"),
        ("abcabcabcabc", "repeat"),
        ("P@ssw0rd", "like_common"),
        ("19900101", "date"),
        ("1q2w3e4r", "common"),
        ("zxcvbnm,./", "spatial"),
        ("woaini1314", "like_common"),
        ("password123", "common"),
    ],
)
def test_common_and_patterned_passwords_are_refused_with_a_chinese_reason(password, reason):
    found = weakness(password)
    assert found is not None and found.reason == reason, (password, found)
    assert found.message == "密码强度不足：%(reason)s%(advice)s"
    assert found.params["reason"] == REASONS[reason]
    assert (found.message % found.params).startswith("密码强度不足：")


def test_a_password_built_on_the_accounts_own_email_or_company_is_refused():
    assert weakness("xueyu2024!", ("xueyu@example.com",)).reason == "user_input"
    assert weakness("xueyu2024!") is None  # the same letters are fine for someone else
    assert weakness("zhufeng2024!", ("zhufeng@example.com", "珠峰商贸")).reason == "user_input"


def test_length_bounds_come_first():
    assert weakness("Ab1!xyz").reason == "too_short"
    assert weakness("x" * 129).reason == "too_long"
    assert weakness("x" * 20 + "9Lq").reason == "repeat"


@pytest.mark.parametrize("password", [DEMO_PASSWORD, PASSWORD, "longenough1", "lhasa-sunlight-42", "Xueyu#Caigou7"])
def test_the_demo_and_fixture_passwords_and_good_ones_pass(password):
    assert weakness(password, ("buyer@example.com", "措姆")) is None, password
    assert MIN_SCORE == 3
