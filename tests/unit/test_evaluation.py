"""Panel make-up, votes and majority outcomes with dissent."""
import pytest

from procurement.domain.evaluation import (
    FAIL,
    PASS,
    CriterionOutcome,
    PanelError,
    Vote,
    VoteError,
    aggregate,
    supplier_passes,
    validate_panel,
    validate_vote,
)

MEMBERS = (11, 12, 13)


# --- panel ----------------------------------------------------------------------------


def test_valid_panels():
    validate_panel([1, 2, 3], chair_id=1, recused_ids=[])
    validate_panel([1, 2, 3, 4, 5], chair_id=2, recused_ids=[])
    validate_panel([1, 2, 3, 4], chair_id=2, recused_ids=[4])  # 3 active


@pytest.mark.parametrize(
    ("members", "chair", "recused", "code"),
    [
        ([1, 2], 1, [], "too_few_members"),
        ([1, 2, 3], 1, [3], "too_few_members"),
        ([1, 2, 3, 4], 1, [], "even_members"),
        ([1, 2, 3, 4, 5], 1, [5], "even_members"),
        ([1, 2, 3], None, [], "chair_missing"),
        ([1, 2, 3], 9, [], "chair_not_member"),
        ([1, 2, 3, 4], 4, [4], "chair_recused"),
        ([1, 2, 3], 1, [8], "recused_not_member"),
        ([1, 2, 2, 3], 1, [], "duplicate_member"),
    ],
)
def test_invalid_panels(members, chair, recused, code):
    with pytest.raises(PanelError) as caught:
        validate_panel(members, chair, recused)
    assert caught.value.code == code


def test_panel_messages_are_chinese_templates():
    with pytest.raises(PanelError) as caught:
        validate_panel([1, 2], 1, [])
    assert caught.value.message == "询比价小组至少需要%(minimum)s名未回避的成员（现有%(count)s名）。"
    assert caught.value.params == {"minimum": 3, "count": 2}
    assert str(caught.value) == "询比价小组至少需要3名未回避的成员（现有2名）。"
    with pytest.raises(PanelError, match="单数"):
        validate_panel([1, 2, 3, 4], 1, [])
    with pytest.raises(PanelError, match="组长已回避"):
        validate_panel([1, 2, 3, 4], 4, [4])


# --- votes ----------------------------------------------------------------------------


def test_fail_needs_a_reason():
    validate_vote(PASS, "")
    validate_vote(FAIL, "营业执照副本复印件未加盖公章")
    for reason in ("", "   ", None):
        with pytest.raises(VoteError) as caught:
            validate_vote(FAIL, reason)
        assert caught.value.code == "fail_needs_reason"
        assert caught.value.message == "判定不通过时必须填写理由。"


def test_unknown_verdict_is_refused():
    with pytest.raises(VoteError) as caught:
        validate_vote("maybe", "")
    assert caught.value.code == "bad_verdict"


def votes_on(supplier_id, criterion, verdicts):
    return [
        Vote(member, supplier_id, criterion, verdict, "" if verdict == PASS else "资料不全")
        for member, verdict in zip(MEMBERS, verdicts)
    ]


def test_two_to_one_decides_and_keeps_the_dissent():
    votes = votes_on(5, "premises", [PASS, FAIL, PASS]) + votes_on(6, "premises", [FAIL, FAIL, PASS])
    outcomes = aggregate(votes, MEMBERS)
    passed = outcomes[(5, "premises")]
    assert passed == CriterionOutcome(
        supplier_id=5, criterion="premises", verdict=PASS, votes_for_pass=2, votes_for_fail=1,
        dissent=(Vote(12, 5, "premises", FAIL, "资料不全"),),
    )
    failed = outcomes[(6, "premises")]
    assert failed.verdict == FAIL
    assert (failed.votes_for_pass, failed.votes_for_fail) == (1, 2)
    assert failed.dissent == (Vote(13, 6, "premises", PASS, ""),)


def test_unanimous_outcome_has_no_dissent():
    (outcome,) = aggregate(votes_on(5, "art22", [PASS, PASS, PASS]), MEMBERS).values()
    assert outcome.verdict == PASS and outcome.dissent == ()


def test_missing_votes_are_listed():
    votes = votes_on(5, "art22", [PASS, PASS, PASS]) + votes_on(5, "premises", [PASS])
    with pytest.raises(PanelError) as caught:
        aggregate(votes, MEMBERS)
    assert caught.value.code == "votes_missing"
    assert caught.value.missing == ((5, "premises", 12), (5, "premises", 13))
    assert caught.value.params == {"members": ["12", "13"], "count": 2}  # joined (12、13) where shown


def test_vote_from_a_non_member_is_refused():
    with pytest.raises(PanelError) as caught:
        aggregate(votes_on(5, "art22", [PASS, PASS, PASS]) + [Vote(99, 5, "art22", PASS, "")], MEMBERS)
    assert caught.value.code == "vote_from_non_member"


def test_double_vote_is_refused():
    votes = votes_on(5, "art22", [PASS, PASS, PASS]) + [Vote(11, 5, "art22", FAIL, "x")]
    with pytest.raises(PanelError) as caught:
        aggregate(votes, MEMBERS)
    assert caught.value.code == "duplicate_vote"


def test_fail_vote_without_reason_is_refused_when_aggregating():
    votes = [Vote(11, 5, "art22", FAIL, ""), Vote(12, 5, "art22", PASS, ""), Vote(13, 5, "art22", PASS, "")]
    with pytest.raises(VoteError):
        aggregate(votes, MEMBERS)


def test_tie_is_guarded_for_even_panels():
    members = (1, 2)
    votes = [Vote(1, 5, "art22", PASS, ""), Vote(2, 5, "art22", FAIL, "不符合")]
    with pytest.raises(PanelError) as caught:
        aggregate(votes, members)
    assert caught.value.code == "tied_vote"


def test_supplier_passes_needs_every_criterion():
    criteria = ["art22", "premises"]
    votes = (
        votes_on(5, "art22", [PASS, PASS, PASS]) + votes_on(5, "premises", [PASS, FAIL, PASS])
        + votes_on(6, "art22", [PASS, PASS, PASS]) + votes_on(6, "premises", [FAIL, FAIL, PASS])
    )
    outcomes = aggregate(votes, MEMBERS)
    assert supplier_passes(outcomes, 5, criteria)
    assert not supplier_passes(outcomes, 6, criteria)


def test_supplier_passes_refuses_an_unfinished_evaluation():
    outcomes = aggregate(votes_on(5, "art22", [PASS, PASS, PASS]), MEMBERS)
    with pytest.raises(PanelError) as caught:
        supplier_passes(outcomes, 5, ["art22", "premises"])
    assert caught.value.code == "criterion_not_decided"
