"""Response compliance of an opened quote sheet (符合性审查): complete and within the ceilings.

The panel votes on every supplier's response; beside that vote it sees what the system
can establish by itself: every bill-of-quantities line is priced, no unit price exceeds
the line's ceiling unit price, and each line total and the sheet total add up as printed
(design.md §2.3, §2.5). The ceiling total used by the abnormal-low rule lives here too.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from procurement.domain import N_
from procurement.domain.money import format_yuan, quantize
from procurement.domain.qualification import CheckResult

CRITERION = "quote_compliance"
LABEL = N_("响应文件符合性：报价单完整且未超过最高限价")


@dataclass(frozen=True)
class BoqLine:
    """A bill-of-quantities line as the check sees it."""

    item_id: int
    position: int
    name: str
    quantity: Decimal
    ceiling_unit_price: Decimal | None


@dataclass(frozen=True)
class PricedLine:
    """One priced line of an opened quote."""

    item_id: int
    unit_price: Decimal
    line_total: Decimal


def ceiling_total(items: Iterable[BoqLine]) -> Decimal | None:
    """Σ quantity × ceiling unit price (each line rounded to the fen), or ``None``.

    ``None`` when any line has no ceiling (or there are no lines): a partial sum would
    understate the ceiling and flag honest quotes as abnormally low.
    """
    items = list(items)
    if not items or any(item.ceiling_unit_price is None for item in items):
        return None
    return sum((quantize(item.quantity * item.ceiling_unit_price) for item in items), Decimal("0.00"))


def check_quote_compliance(items: Sequence[BoqLine], lines: Iterable[PricedLine], total: Decimal) -> CheckResult:
    """Check an opened quote sheet against its bill of quantities.

    Fails, listing every problem, when a line is missing or priced for an unknown item,
    a unit price is not positive or exceeds the ceiling, a line total is not
    quantity × unit price rounded to the fen, or ``total`` is not the sum of the lines.
    """
    by_item = {line.item_id: line for line in lines}
    known = {item.item_id for item in items}
    # Each problem is a message of its own (translated where it is shown), joined there with "；".
    problems: list[dict] = []

    def problem(message: str, **params: object) -> None:
        problems.append({"message": message, "params": params})

    def item_label(item: BoqLine) -> dict:
        return {"message": N_("第%(position)s项%(name)s"), "params": {"position": item.position, "name": item.name}}

    missing = [item for item in items if item.item_id not in by_item]
    if missing:
        problem(N_("未报价：%(items)s"), items=[item_label(item) for item in missing])
    if set(by_item) - known:
        problem(N_("含有采购清单以外的报价项"))
    for item in items:
        line = by_item.get(item.item_id)
        if line is None:
            continue
        label = item_label(item)
        if line.unit_price <= 0:
            problem(N_("%(item)s单价须大于零"), item=label)
        if item.ceiling_unit_price is not None and line.unit_price > item.ceiling_unit_price:
            problem(
                N_("%(item)s单价%(price)s超过最高限价%(ceiling)s"),
                item=label,
                price=format_yuan(line.unit_price),
                ceiling=format_yuan(item.ceiling_unit_price),
            )
        if line.line_total != quantize(item.quantity * line.unit_price):
            problem(N_("%(item)s小计%(total)s与数量×单价不符"), item=label, total=format_yuan(line.line_total))
    lines_sum = sum((line.line_total for line in by_item.values()), Decimal("0.00"))
    if total != lines_sum:
        problem(N_("总价%(total)s与各项小计之和%(sum)s不符"), total=format_yuan(total), sum=format_yuan(lines_sum))
    if problems:
        return CheckResult(CRITERION, "fail", N_("报价单不符合要求：%(problems)s。"), {"problems": {"clauses": problems}})
    ceilings = sum(1 for item in items if item.ceiling_unit_price is not None)
    return CheckResult(
        CRITERION,
        "pass",
        N_("报价单%(count)s项均已报价，设有最高限价的%(ceilings)s项均未超过限价，总价%(total)s。"),
        {"count": len(items), "ceilings": ceilings, "total": format_yuan(total)},
    )
