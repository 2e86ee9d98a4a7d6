"""Benchmark: ``rank_quotes`` against plain and keyed ``sorted()`` of the same 100,000 quotes.

Builds ``--quotes`` quotes deterministically (a fixed ``random.Random`` seed): supplier ids
shuffled, totals in fen between 50,000.00 and 150,000.00 yuan (so a few hundred equal totals
occur), about 5 % invalid, and the two lowest valid totals equal so the draw is exercised.
Then, in one process and alternating within each of ``--rounds`` rounds (the order rotates
from round to round, so drift on a shared machine hits all of them), it times:

- ``sorted(totals)``: the 100,000 Decimal totals, the floor any ranking pays;
- ``sorted(quotes, key=lambda q: (q.total, q.supplier_id))``: the keyed sort of the quote
  objects into the order the ranking lists them (cheapest first, equal totals by supplier id);
  the goal of issue 11 (rank ÷ keyed ≤ 3) is measured against this one;
- ``sorted(quotes, key=lambda q: q.total)``: a keyed sort by the total alone (stricter: it
  does not give the ranking's order for equal totals);
- ``rank_quotes(quotes, RankingSettings(), seed=...)``: the real ranking.

It prints the median (and min / max) of each and the ratios of rank to each sort, all from
the medians of the same run. Every ranking result is checked to be equal to the
first, so a faster but different ranking would show here too.

Run from the repository root::

    .venv/bin/python bench/ranking.py            # or: make bench-ranking; --quotes 100000 --rounds 7
"""
from __future__ import annotations

import argparse
import gc
import platform
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from procurement.domain.ranking import QuoteForRanking, RankingSettings, rank_quotes  # noqa: E402

SEED = "0123456789abcdef0123456789abcdef"
T0 = datetime(2025, 1, 2, 7, 0, tzinfo=timezone.utc)


def build_quotes(count: int) -> list[QuoteForRanking]:
    """``count`` quotes, the same on every run (see the module docstring for their shape)."""
    rng = random.Random(20251102)
    ids = list(range(1, count + 1))
    rng.shuffle(ids)
    quotes = []
    for supplier_id in ids:
        fen = rng.randrange(5_000_000, 15_000_000)
        quotes.append(
            QuoteForRanking(
                supplier_id=supplier_id,
                total=Decimal(fen).scaleb(-2),
                valid=rng.random() >= 0.05,
                final_submitted_at=T0 + timedelta(seconds=rng.randrange(86_400)),
            )
        )
    # The two lowest valid totals are equal: the first candidate place is drawn.
    lowest = [q for q in quotes if q.valid][:2]
    for quote in lowest:
        index = quotes.index(quote)
        quotes[index] = QuoteForRanking(quote.supplier_id, Decimal("49999.99"), True, quote.final_submitted_at)
    return quotes


def timed(function) -> tuple[float, object]:
    """Seconds one call of ``function`` takes, after a collection, and what it returned."""
    gc.collect()
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=100_000, help="number of quotes")
    parser.add_argument("--rounds", type=int, default=7, help="rounds; each times every measurement once")
    args = parser.parse_args(argv)

    quotes = build_quotes(args.quotes)
    totals = [quote.total for quote in quotes]
    settings = RankingSettings()
    cases = {
        "plain": lambda: sorted(totals),
        "keyed": lambda: sorted(quotes, key=lambda q: (q.total, q.supplier_id)),
        "keyed_total": lambda: sorted(quotes, key=lambda q: q.total),
        "rank": lambda: rank_quotes(quotes, settings, seed=SEED),
    }
    names = list(cases)
    times: dict[str, list[float]] = {name: [] for name in names}
    reference = rank_quotes(quotes, settings, seed=SEED)
    for round_ in range(args.rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            seconds, value = timed(cases[name])
            times[name].append(seconds)
            if name == "rank" and value != reference:
                print("rank_quotes gave a different result in round", round_ + 1, file=sys.stderr)
                return 1
    median = {name: statistics.median(values) for name, values in times.items()}

    print(f"# rank_quotes on {args.quotes:,} quotes ({args.rounds} rounds, median)")
    print()
    print(f"Python {platform.python_version()} on {platform.machine()}; "
          f"{len(reference.ranked):,} valid, {len(reference.invalid):,} invalid, "
          f"{sum(1 for r in reference.ranked if r.tied):,} in ties, draws {[d.inputs for d in reference.draws]}")
    print()
    print("| measurement | median | min | max |")
    print("|---|---|---|---|")
    labels = {
        "plain": "`sorted()` of the Decimal totals",
        "keyed": "`sorted(quotes, key=lambda q: (q.total, q.supplier_id))`",
        "keyed_total": "`sorted(quotes, key=lambda q: q.total)`",
        "rank": "`rank_quotes(quotes, RankingSettings(), seed=…)`",
    }
    for name in names:
        print(f"| {labels[name]} | {median[name] * 1000:.1f} ms | {min(times[name]) * 1000:.1f} ms "
              f"| {max(times[name]) * 1000:.1f} ms |")
    print()
    print(f"rank ÷ keyed sort (total, supplier id): {median['rank'] / median['keyed']:.2f}")
    print(f"rank ÷ keyed sort (total only): {median['rank'] / median['keyed_total']:.2f}")
    print(f"rank ÷ plain sort: {median['rank'] / median['plain']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
