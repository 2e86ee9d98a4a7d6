"""Lowest-price ranking (最低价法), tie-breaking by a replayable draw, and abnormally low prices.

Design brief §4: only valid quotes (every criterion passed, no rejected abnormally low
price) are ranked, cheapest first; equal totals stay tied; a tie that decides a candidate
place is broken by the project's tie rule; too few valid quotes fail the project (流标).
"""
from __future__ import annotations

import gc
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from itertools import compress, islice
from operator import attrgetter, eq, not_
from typing import NamedTuple

from procurement.domain import N_, DomainError
from procurement.domain.money import format_yuan, quantize

TIE_RULE_DRAW = "draw"
TIE_RULE_EARLIER = "earlier_submission"
TIE_RULES = (TIE_RULE_DRAW, TIE_RULE_EARLIER)

FAILURE_TOO_FEW_VALID = N_("有效报价不足%(minimum)s家（实际%(count)s家），本项目流标。")


class RankingError(DomainError):
    """The ranking inputs or settings are inconsistent (a caller's bug or a bad project setting)."""

    code = "ranking_invalid"


@dataclass(frozen=True)
class QuoteForRanking:
    """One supplier's opened quote as the ranking sees it."""

    supplier_id: int
    total: Decimal
    valid: bool
    final_submitted_at: datetime


@dataclass(frozen=True)
class RankingSettings:
    """Per-project ranking settings; defaults follow the notice (two candidates) and the brief."""

    candidates: int = 2
    min_valid_quotes: int = 3
    tie_rule: str = TIE_RULE_DRAW

    def __post_init__(self) -> None:
        """Refuse settings that would make the ranking meaningless."""
        if self.candidates < 1:
            raise RankingError(N_("中标候选人数量至少为1名。"), code="bad_candidates")
        if self.min_valid_quotes < 1:
            raise RankingError(N_("最少有效报价家数至少为1家。"), code="bad_min_valid_quotes")
        if self.tie_rule not in TIE_RULES:
            raise RankingError(N_("未知的并列处理规则：%(rule)s。"), code="bad_tie_rule", rule=self.tie_rule)


@dataclass(frozen=True)
class TieDraw:
    """A recorded draw: anyone can recompute ``order`` with ``replay_draw(seed, inputs)``."""

    seed: str
    inputs: tuple[int, ...]
    order: tuple[int, ...]

    def replays(self) -> bool:
        """True when the stored order is what the seed and inputs produce."""
        return replay_draw(self.seed, self.inputs) == self.order


class RankedQuote(NamedTuple):
    """A valid quote's place: ``rank`` is shared by equal totals; ``candidate_place`` is 1, 2, … or None.

    Immutable, compared and hashed by its fields, printed as ``RankedQuote(rank=1, …)``. A
    named tuple rather than a frozen dataclass because a ranking of 100,000 quotes builds
    100,000 of them: a tuple is built in C, a frozen dataclass through ``object.__setattr__``
    once per field, which alone cost more than the whole sort (``bench/ranking.py``).
    """

    rank: int
    supplier_id: int
    total: Decimal
    tied: bool
    candidate_place: int | None


_TOTAL = attrgetter("total")
_SUPPLIER_ID = attrgetter("supplier_id")
_VALID = attrgetter("valid")
#: ``RankedQuote`` from a tuple of its fields, without the Python-level ``__new__``.
_RANKED_QUOTE_FROM_FIELDS = partial(tuple.__new__, RankedQuote)


@dataclass(frozen=True)
class RankingResult:
    """Outcome of :func:`rank_quotes`.

    ``failure_reason`` is an untranslated template that ``failure_params`` fills.
    """

    ranked: tuple[RankedQuote, ...]
    candidates: tuple[int, ...]
    failed: bool
    failure_reason: str | None
    failure_params: dict[str, object] = field(hash=False)
    draws: tuple[TieDraw, ...]
    invalid: tuple[int, ...]


def new_seed() -> str:
    """A fresh, unpredictable draw seed (128 bits, hex) to store with the ranking."""
    return secrets.token_hex(16)


def replay_draw(seed: str, inputs: Iterable[int]) -> tuple[int, ...]:
    """Order the tied supplier ids by SHA-256 of ``"<seed>:<id>"``, smallest digest first.

    Deterministic across processes, machines and Python versions (unlike ``random`` or
    ``hash()``, which depend on the interpreter and on hash randomisation), so the stored
    seed and inputs are enough for anyone to check the draw with a few lines of code.
    The order of ``inputs`` does not matter.
    """
    if not seed:
        raise RankingError(N_("抽签种子不能为空。"), code="empty_seed")
    ids = sorted(set(inputs))
    return tuple(sorted(ids, key=lambda supplier_id: (_draw_key(seed, supplier_id), supplier_id)))


def rank_quotes(
    quotes: Iterable[QuoteForRanking], settings: RankingSettings, *, seed: str
) -> RankingResult:
    """Rank the valid quotes by total, lowest first, and pick the candidates.

    - Invalid quotes are never ranked; their supplier ids come back in ``invalid``.
    - Equal totals share a rank (competition ranking 1, 1, 3) and are marked ``tied``.
    - A tied group that reaches into the candidate places (it straddles the cut, or decides
      which candidate is first and which second) is ordered by ``settings.tie_rule``:
      ``draw`` orders it with :func:`replay_draw` and records a :class:`TieDraw` with ``seed``;
      ``earlier_submission`` puts the earlier final submission first and, when those times
      are equal too, the smaller supplier id (a fixed, documented fallback; no draw is made).
      Ranks stay shared; the broken order shows in the ``ranked`` order and ``candidate_place``.
    - A tie below the candidate places decides nothing: it stays tied, ordered by supplier id,
      and no draw is recorded.
    - Fewer valid quotes than ``settings.min_valid_quotes``: ``failed`` with the reason and
      no candidates; the valid quotes are still listed with their ranks for the report.

    :raise RankingError: when a supplier appears twice.

    Cost (``bench/ranking.py``): each quote's attributes are read once, in input order; the
    one sort orders positions by total, and the rest is C loops (``attrgetter``, ``map``,
    ``compress``) or list indexing. Python code runs once per tied group only, and the
    :class:`RankedQuote` entries are built in C with the cyclic garbage collector paused.
    """
    quotes = tuple(quotes)
    supplier_ids = list(map(_SUPPLIER_ID, quotes))
    if len(set(supplier_ids)) != len(supplier_ids):
        raise RankingError(N_("同一供应商只能有一份有效报价参与排序。"), code="duplicate_supplier")
    validity = list(map(_VALID, quotes))
    invalid = tuple(sorted(compress(supplier_ids, map(not_, validity))))
    valid = list(compress(quotes, validity))
    valid_ids = list(compress(supplier_ids, validity))
    valid_totals = list(map(_TOTAL, valid))
    count = len(valid)
    failed = count < settings.min_valid_quotes
    places = 0 if failed else min(settings.candidates, count)

    # A stable sort of positions by total alone; each run of equal totals is then put in
    # supplier-id order, which is the order of a sort by (total, supplier id) without
    # building a tuple per quote.
    order = sorted(range(count), key=valid_totals.__getitem__)
    totals = [valid_totals[position] for position in order]
    ids = [valid_ids[position] for position in order]
    ranks = list(range(1, count + 1))
    tied = [False] * count
    draws: list[TieDraw] = []
    for start, stop in _equal_runs(totals):
        group = sorted((valid[position] for position in order[start:stop]), key=_SUPPLIER_ID)
        if start < places:
            group = _break_tie(group, settings.tie_rule, seed, draws)
        size = stop - start
        totals[start:stop] = [quote.total for quote in group]
        ids[start:stop] = [quote.supplier_id for quote in group]
        ranks[start:stop] = [start + 1] * size
        tied[start:stop] = [True] * size
    candidate_places: list[int | None] = [None] * count
    candidate_places[:places] = range(1, places + 1)

    ranked = _ranked_entries(ranks, ids, totals, tied, candidate_places)
    return RankingResult(
        ranked=ranked,
        candidates=tuple(ids[:places]),
        failed=failed,
        failure_reason=FAILURE_TOO_FEW_VALID if failed else None,
        failure_params={"minimum": settings.min_valid_quotes, "count": count} if failed else {},
        draws=tuple(draws),
        invalid=invalid,
    )


def _ranked_entries(
    ranks: list[int],
    supplier_ids: list[int],
    totals: list[Decimal],
    tied: list[bool],
    candidate_places: list[int | None],
) -> tuple[RankedQuote, ...]:
    """One :class:`RankedQuote` per position, built in C with the cyclic collector paused.

    Every 700 new container objects start a collection, and the older generations'
    collections walk every tracked object of the process (the caller's quotes included),
    which for 100,000 entries cost more than building them. An entry holds only ints, a
    Decimal, a bool and None, so it can never be part of a reference cycle: the collector
    is paused while they are built and put back in its previous state afterwards.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return tuple(
            map(_RANKED_QUOTE_FROM_FIELDS, zip(ranks, supplier_ids, totals, tied, candidate_places))
        )
    finally:
        if collecting:
            gc.enable()


def _equal_runs(totals: list[Decimal]) -> list[tuple[int, int]]:
    """``(start, stop)`` of every run of two or more equal neighbours in the sorted ``totals``."""
    # Which neighbours are equal is found in C; the loop runs once per equal pair only.
    pairs = compress(range(len(totals)), map(eq, totals, islice(totals, 1, None)))
    runs: list[tuple[int, int]] = []
    for index in pairs:
        if runs and runs[-1][1] == index + 1:
            runs[-1] = (runs[-1][0], index + 2)
        else:
            runs.append((index, index + 2))
    return runs


def _break_tie(
    group: list[QuoteForRanking], tie_rule: str, seed: str, draws: list[TieDraw]
) -> list[QuoteForRanking]:
    """Order a tied group that decides a candidate place; a draw is appended to ``draws``."""
    if tie_rule == TIE_RULE_EARLIER:
        return sorted(group, key=lambda q: (q.final_submitted_at, q.supplier_id))
    inputs = tuple(sorted(quote.supplier_id for quote in group))
    order = replay_draw(seed, inputs)
    draws.append(TieDraw(seed=seed, inputs=inputs, order=order))
    by_id = {quote.supplier_id: quote for quote in group}
    return [by_id[supplier_id] for supplier_id in order]


def _draw_key(seed: str, supplier_id: int) -> str:
    """The SHA-256 hex digest that places ``supplier_id`` in a draw with ``seed``."""
    return hashlib.sha256(f"{seed}:{supplier_id}".encode("utf-8")).hexdigest()


# --- Abnormally low prices (异常低价) ------------------------------------------------------

REASON_BELOW_AVERAGE = "below_average"
REASON_BELOW_SECOND_LOWEST = "below_second_lowest"
REASON_BELOW_CEILING = "below_ceiling"


@dataclass(frozen=True)
class AbnormalLowSettings:
    """Per-project thresholds; each ratio must be in (0, 1]."""

    average_ratio: Decimal = Decimal("0.50")
    second_lowest_ratio: Decimal = Decimal("0.50")
    ceiling_ratio: Decimal = Decimal("0.45")

    def __post_init__(self) -> None:
        """Refuse ratios that are floats or outside (0, 1]."""
        for name in ("average_ratio", "second_lowest_ratio", "ceiling_ratio"):
            ratio = getattr(self, name)
            if not isinstance(ratio, Decimal) or not (0 < ratio <= 1):
                raise RankingError(
                    N_("异常低价比例必须是大于0且不超过1的小数。"), code="bad_ratio", setting=name
                )


@dataclass(frozen=True)
class AbnormalLowReason:
    """Why a total was flagged, printable as ``gettext(reason.message, **reason.params)``.

    ``basis`` is the figure the ratio applies to (average, second-lowest total or ceiling
    total); ``threshold`` is ``ratio × basis`` rounded half-up to the fen, and the total was
    strictly below it.
    """

    code: str
    message: str
    total: Decimal
    basis: Decimal
    ratio: Decimal
    threshold: Decimal

    @property
    def params(self) -> dict[str, str]:
        """Formatted values for the message template."""
        return {
            "total": format_yuan(self.total),
            "basis": format_yuan(quantize(self.basis)),
            "percent": _percent(self.ratio),
            "threshold": format_yuan(self.threshold),
        }


def flag_abnormally_low(
    totals: Mapping[int, Decimal],
    ceiling_total: Decimal | None,
    settings: AbnormalLowSettings = AbnormalLowSettings(),
) -> dict[int, tuple[AbnormalLowReason, ...]]:
    """Flag totals that are abnormally low; only flagged supplier ids appear in the result.

    ``totals`` are the compliant totals (supplier id → total). A total is flagged when it is
    strictly below (equal never flags) any of:

    - ``average_ratio`` × the average of all the totals given (the flagged one included);
    - ``second_lowest_ratio`` × the second-lowest total of the whole field, i.e. the second
      entry of the totals sorted ascending (counting equal totals separately, so when the two
      lowest are equal this rule flags nobody); with a ratio ≤ 1 only the lowest quote can
      fall below it, and with fewer than two totals the rule does not apply;
    - ``ceiling_ratio`` × ``ceiling_total``, when a ceiling total is known.

    Each threshold is rounded half-up to the fen before the comparison, so the threshold
    printed in the reason is exactly the one applied.
    """
    if not totals:
        return {}
    values = sorted(totals.values())
    average = sum(values, Decimal(0)) / len(values)
    rules: list[tuple[str, str, Decimal, Decimal]] = [
        (
            REASON_BELOW_AVERAGE,
            N_("报价%(total)s低于全部合格报价平均值%(basis)s的%(percent)s（%(threshold)s）。"),
            average,
            settings.average_ratio,
        )
    ]
    if len(values) >= 2:
        rules.append(
            (
                REASON_BELOW_SECOND_LOWEST,
                N_("报价%(total)s低于第二低合格报价%(basis)s的%(percent)s（%(threshold)s）。"),
                values[1],
                settings.second_lowest_ratio,
            )
        )
    if ceiling_total is not None:
        rules.append(
            (
                REASON_BELOW_CEILING,
                N_("报价%(total)s低于最高限价%(basis)s的%(percent)s（%(threshold)s）。"),
                ceiling_total,
                settings.ceiling_ratio,
            )
        )
    thresholds = [
        (code, message, basis, ratio, quantize(ratio * basis)) for code, message, basis, ratio in rules
    ]
    flagged: dict[int, tuple[AbnormalLowReason, ...]] = {}
    for supplier_id, total in totals.items():
        reasons = tuple(
            AbnormalLowReason(code, message, total, basis, ratio, threshold)
            for code, message, basis, ratio, threshold in thresholds
            if total < threshold
        )
        if reasons:
            flagged[supplier_id] = reasons
    return flagged


def _percent(ratio: Decimal) -> str:
    """``Decimal("0.45")`` → ``"45%"``, ``Decimal("0.475")`` → ``"47.5%"``."""
    text = format((ratio * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") + "%"
