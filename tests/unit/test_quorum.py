"""Quorum opening's key rules: opening keys under passphrases, k-of-n shares, reconstruction."""
from datetime import datetime, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

import nacl.public
import pytest

from procurement.domain.quorum import (
    KdfParams,
    NotEnoughShares,
    QuorumInvalid,
    Share,
    WrongPassphrase,
    check_quorum,
    make_official_key,
    open_share,
    reconstruct_private_key,
    rewrap_official_key,
    seal_quorum,
    seal_share_to,
    unlock_official_key,
)
from procurement.domain.sealing import SealBroken, SealedUntilOpening, encode_quote, open_sealed, receipt_hash, seal

OPENING = datetime(2025, 1, 2, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FAST = (1 << 10, 8, 1)  # the tests' scrypt cost; production's is in config.py
PASSPHRASES = ("珠峰 yak butter 7391", "lhasa-river-kettle-58", "potala sunrise drum 44", "barley wind 笔记 19")


def params() -> KdfParams:
    return KdfParams.fresh(*FAST)


@pytest.fixture(scope="module")
def officials():
    """Four officials' opening keys, and their private keys (unlocked once)."""
    keys = [make_official_key(phrase, params()) for phrase in PASSPHRASES]
    return keys, [unlock_official_key(key, phrase) for key, phrase in zip(keys, PASSPHRASES)]


def _quote_sealed_to(public_key: bytes) -> tuple[bytes, bytes]:
    from decimal import Decimal

    payload = encode_quote([(1, Decimal("25.00"))], project_id=7, registration_id=1, version=1, submitted_at=OPENING - timedelta(days=2))
    return payload, seal(public_key, payload)


def _shares(keys, private_keys, quorum, indices):
    return [
        open_share(private_keys[i - 1], quorum.shares[i - 1].sealed, project_id=7, index=i, digest=quorum.shares[i - 1].digest)
        for i in indices
    ]


def test_an_opening_key_opens_with_its_passphrase_only(officials):
    keys, private_keys = officials
    assert unlock_official_key(keys[0], PASSPHRASES[0]) == private_keys[0]
    assert bytes(nacl.public.PrivateKey(private_keys[0]).public_key) == keys[0].public_key
    with pytest.raises(WrongPassphrase):
        unlock_official_key(keys[0], PASSPHRASES[1])
    with pytest.raises(WrongPassphrase):
        unlock_official_key(keys[0], PASSPHRASES[0] + " ")


def test_the_passphrase_is_normalised_so_two_keyboards_agree():
    composed, decomposed = "caf\u00e9 tibet plateau 88", "cafe\u0301 tibet plateau 88"
    key = make_official_key(composed, params())
    assert unlock_official_key(key, decomposed)


def test_changing_the_passphrase_keeps_the_key_pair(officials):
    keys, private_keys = officials
    changed = rewrap_official_key(keys[1], PASSPHRASES[1], "new phrase for the opening 2", params())
    assert changed.public_key == keys[1].public_key
    assert changed.params.salt != keys[1].params.salt
    assert unlock_official_key(changed, "new phrase for the opening 2") == private_keys[1]
    with pytest.raises(WrongPassphrase):
        unlock_official_key(changed, PASSPHRASES[1])
    with pytest.raises(WrongPassphrase):
        rewrap_official_key(keys[1], "not the old one at all", "whatever new phrase 3", params())


def test_the_stored_parameters_are_bounded():
    with pytest.raises(ValueError):
        KdfParams(n=1 << 30, r=8, p=1, salt=b"\0" * 16).check()
    with pytest.raises(ValueError):
        KdfParams(n=1000, r=8, p=1, salt=b"\0" * 16).check()  # not a power of two
    with pytest.raises(ValueError):
        KdfParams(n=1024, r=8, p=1, salt=b"\0" * 16, kdf="md5").check()


@pytest.mark.parametrize("k, n", [(2, 3), (3, 4), (2, 2), (4, 4)])
def test_any_k_of_n_rebuild_the_key_and_open_a_quote(officials, k, n):
    keys, private_keys = officials
    quorum = seal_quorum(7, [key.public_key for key in keys[:n]], k)
    payload, sealed = _quote_sealed_to(quorum.public_key)
    for chosen in combinations(range(1, n + 1), k):
        private_key = reconstruct_private_key(
            quorum.wrapped_private_key, _shares(keys, private_keys, quorum, chosen), k, now=OPENING, opening_at=OPENING
        )
        assert open_sealed(private_key, sealed, expected_hash=receipt_hash(sealed)) == payload
    # More than k work too (the first k distinct are used).
    everyone = _shares(keys, private_keys, quorum, range(1, n + 1))
    assert reconstruct_private_key(quorum.wrapped_private_key, everyone, k, now=OPENING, opening_at=OPENING)


@pytest.mark.parametrize("k, n", [(2, 3), (3, 4)])
def test_k_minus_one_shares_do_not(officials, k, n):
    keys, private_keys = officials
    quorum = seal_quorum(7, [key.public_key for key in keys[:n]], k)
    for chosen in combinations(range(1, n + 1), k - 1):
        shares = _shares(keys, private_keys, quorum, chosen)
        with pytest.raises(NotEnoughShares) as refused:
            reconstruct_private_key(quorum.wrapped_private_key, shares, k, now=OPENING, opening_at=OPENING)
        assert refused.value.params == {"have": k - 1, "more": 1}
        # The same share twice is still one share.
        with pytest.raises(NotEnoughShares):
            reconstruct_private_key(quorum.wrapped_private_key, shares + shares[:1], k, now=OPENING, opening_at=OPENING)
        # Lying about the threshold does not help: k-1 shares of a k-threshold split combine to garbage.
        with pytest.raises(SealBroken) as broken:
            reconstruct_private_key(quorum.wrapped_private_key, shares, k - 1, now=OPENING, opening_at=OPENING)
        assert broken.value.code == "shares_do_not_combine"


def test_before_the_opening_time_nothing_is_rebuilt(officials):
    keys, private_keys = officials
    quorum = seal_quorum(7, [key.public_key for key in keys[:3]], 2)
    shares = _shares(keys, private_keys, quorum, (1, 2))
    with pytest.raises(SealedUntilOpening):
        reconstruct_private_key(quorum.wrapped_private_key, shares, 2, now=OPENING - timedelta(microseconds=1), opening_at=OPENING)


def test_a_share_opens_only_for_its_official_project_and_index(officials):
    keys, private_keys = officials
    quorum = seal_quorum(7, [key.public_key for key in keys[:3]], 2)
    first = quorum.shares[0]
    with pytest.raises(SealBroken) as wrong_official:
        open_share(private_keys[1], first.sealed, project_id=7, index=1)
    assert wrong_official.value.code == "share_undecryptable"
    with pytest.raises(SealBroken) as other_project:
        open_share(private_keys[0], first.sealed, project_id=8, index=1)
    assert other_project.value.code == "share_misplaced"
    with pytest.raises(SealBroken) as other_index:
        open_share(private_keys[0], first.sealed, project_id=7, index=2)
    assert other_index.value.code == "share_misplaced"
    with pytest.raises(SealBroken) as damaged:
        open_share(private_keys[0], first.sealed, project_id=7, index=1, digest=quorum.shares[1].digest)
    assert damaged.value.code == "share_damaged"


def test_a_relayed_share_opens_for_its_recipient_and_combines(officials):
    keys, private_keys = officials
    quorum = seal_quorum(7, [key.public_key for key in keys[:3]], 2)
    (first,) = _shares(keys, private_keys, quorum, (1,))
    relayed = seal_share_to(first, keys[2].public_key)  # waiting for official 3
    with pytest.raises(SealBroken):
        open_share(private_keys[1], relayed, project_id=7, index=1)  # official 2 cannot read it
    carried = open_share(private_keys[2], relayed, project_id=7, index=1, digest=quorum.shares[0].digest)
    (third,) = _shares(keys, private_keys, quorum, (3,))
    assert reconstruct_private_key(quorum.wrapped_private_key, [carried, third], 2, now=OPENING, opening_at=OPENING)


def test_a_damaged_wrapped_key_or_a_forged_share_is_named(officials):
    keys, private_keys = officials
    quorum = seal_quorum(7, [key.public_key for key in keys[:3]], 2)
    shares = _shares(keys, private_keys, quorum, (1, 2))
    damaged = bytearray(quorum.wrapped_private_key)
    damaged[-1] ^= 1
    with pytest.raises(SealBroken) as broken:
        reconstruct_private_key(bytes(damaged), shares, 2, now=OPENING, opening_at=OPENING)
    assert broken.value.code == "shares_do_not_combine"
    forged = [shares[0], Share(project_id=7, index=2, value=bytes(32))]
    with pytest.raises(SealBroken):
        reconstruct_private_key(quorum.wrapped_private_key, forged, 2, now=OPENING, opening_at=OPENING)


@pytest.mark.parametrize("k, n", [(1, 3), (0, 3), (4, 3), (2, 10)])
def test_the_quorum_rules(k, n):
    with pytest.raises(QuorumInvalid):
        check_quorum(k, n)
    with pytest.raises(QuorumInvalid):
        seal_quorum(1, [nacl.public.PrivateKey.generate().public_key.encode()] * n, k)
