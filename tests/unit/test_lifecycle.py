"""The project lifecycle allows exactly the transitions it lists."""
import itertools

import pytest

from procurement.domain import lifecycle
from procurement.domain.lifecycle import TransitionError, check_transition

ALLOWED = {
    ("draft", "published"),
    ("published", "opened"),
    ("published", "cancelled"),
    ("opened", "evaluated"),
    ("opened", "failed"),
    ("opened", "cancelled"),
    ("evaluated", "awarded"),
    ("evaluated", "failed"),
    ("evaluated", "cancelled"),
    ("awarded", "cancelled"),
}


@pytest.mark.parametrize("current,target", sorted(ALLOWED))
def test_every_allowed_transition_passes(current, target):
    check_transition(current, target)
    assert lifecycle.allowed(current, target)


@pytest.mark.parametrize(
    "current,target",
    [pair for pair in itertools.product(lifecycle.STATUSES, repeat=2) if pair not in ALLOWED],
)
def test_every_other_transition_is_refused_by_name(current, target):
    with pytest.raises(TransitionError) as caught:
        check_transition(current, target)
    assert caught.value.code == "transition_not_allowed"
    assert caught.value.params == {"current": current, "target": target}


def test_ended_projects_move_nowhere():
    for status in lifecycle.ENDED:
        assert lifecycle.TRANSITIONS[status] == frozenset()


@pytest.mark.parametrize("current,target", [("closed", "cancelled"), ("draft", "closed"), ("", "published")])
def test_unknown_statuses_are_refused(current, target):
    with pytest.raises(TransitionError):
        check_transition(current, target)


def test_closed_is_derived_not_stored():
    assert "closed" not in lifecycle.STATUSES
