"""What ranking many quotes costs, counted rather than timed: attribute reads per quote.

A ranking that recomputed its sort key per comparison, or rebuilt a list per group, would read
each quote's fields about log2(n) times; these tests pin the reads to a constant per quote, so
the cost stays one sort plus linear passes (``bench/ranking.py`` measures the time).
"""
import gc
from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from procurement.domain.ranking import (
    TIE_RULE_DRAW,
    TIE_RULE_EARLIER,
    QuoteForRanking,
    RankedQuote,
    RankingSettings,
    rank_quotes,
)

T0 = datetime(2025, 1, 2, 7, 0, tzinfo=timezone.utc)
FIELDS = ("supplier_id", "total", "valid", "final_submitted_at")
READS: Counter = Counter()


class CountingQuote(QuoteForRanking):
    """A quote that counts every read of its fields in ``READS[(supplier_id, field)]``."""

    def __getattribute__(self, name):
        if name in FIELDS:
            READS[(object.__getattribute__(self, "supplier_id"), name)] += 1
        return object.__getattribute__(self, name)


def quotes(count, *, tie_every=0):
    """``count`` valid quotes in scrambled order; with ``tie_every`` = k, each k-th pair is equal."""
    made = []
    for index in range(count):
        supplier_id = (index * 7919) % count + 1  # a permutation of 1..count
        fen = supplier_id * 10
        if tie_every and supplier_id % tie_every == 0:
            fen -= 10  # equal to its neighbour below
        made.append(CountingQuote(supplier_id, Decimal(fen).scaleb(-2), True, T0))
    return made


def reads_per_quote(field, count, **kwargs):
    """The largest number of reads of ``field`` that any one quote saw during the ranking."""
    made = quotes(count, **kwargs)
    READS.clear()
    rank_quotes(made, RankingSettings(), seed="s")
    reads = Counter(READS)
    return max(reads[(supplier_id, field)] for supplier_id in range(1, count + 1))


@pytest.mark.parametrize("field", ["total", "supplier_id", "valid"])
def test_each_field_is_read_once_per_quote_without_ties(field):
    # 2,000 quotes: a comparison-based key would read each total about 11 times.
    assert reads_per_quote(field, 2_000) == 1


@pytest.mark.parametrize("tie_rule", [TIE_RULE_DRAW, TIE_RULE_EARLIER])
def test_reads_per_quote_do_not_grow_with_the_number_of_quotes(tie_rule):
    made = {}
    for count in (50, 2_000):
        batch = quotes(count, tie_every=5)
        # The two lowest are tied too, so the tie rule runs.
        batch[[q.supplier_id for q in batch].index(2)] = CountingQuote(2, Decimal("0.10"), True, T0)
        READS.clear()
        result = rank_quotes(batch, RankingSettings(tie_rule=tie_rule), seed="s")
        reads = Counter(READS)
        assert result.ranked[0].tied and result.ranked[1].tied
        assert sum(entry.tied for entry in result.ranked) > count // 5
        made[count] = {
            field: max(reads[(supplier_id, field)] for supplier_id in range(1, count + 1)) for field in FIELDS
        }
    assert made[50] == made[2_000]
    assert made[2_000]["total"] <= 2 and made[2_000]["supplier_id"] <= 5


def test_entries_equal_the_ones_the_constructor_builds():
    result = rank_quotes(
        [QuoteForRanking(1, Decimal("5.00"), True, T0), QuoteForRanking(2, Decimal("3.00"), True, T0)],
        RankingSettings(min_valid_quotes=1),
        seed="s",
    )
    assert result.ranked == (
        RankedQuote(rank=1, supplier_id=2, total=Decimal("3.00"), tied=False, candidate_place=1),
        RankedQuote(rank=2, supplier_id=1, total=Decimal("5.00"), tied=False, candidate_place=2),
    )
    assert type(result.ranked[0]) is RankedQuote


def test_the_garbage_collector_is_left_as_it_was():
    batch = quotes(100)
    assert gc.isenabled()
    rank_quotes(batch, RankingSettings(), seed="s")
    assert gc.isenabled()
    gc.disable()
    try:
        rank_quotes(batch, RankingSettings(), seed="s")
        assert not gc.isenabled()
    finally:
        gc.enable()
