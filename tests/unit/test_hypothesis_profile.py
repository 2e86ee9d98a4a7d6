"""The Hypothesis profile from tests/conftest.py reaches the unit tests (which have no app)."""
from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st


def test_the_profile_has_no_deadline_and_bounded_examples():
    assert settings.default.deadline is None
    if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci":
        assert settings.default.max_examples == 50
        assert settings.default.derandomize is True
        assert settings.default.database is None


@given(st.integers())
def test_a_given_test_runs_under_the_profile(number):
    assert settings().deadline is None
