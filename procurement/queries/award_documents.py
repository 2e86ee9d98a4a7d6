"""What the award's documents print: the result announcement (成交结果公告), the award notice
(成交通知书) and the result notice (成交结果通知书), as page and PDF context.

Read-only, and a fixed number of statements whatever the number of winners, lines or
participants: the winners' quotes and lines, the panel and the results are each read once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from procurement import clock
from procurement.domain import N_, compliance
from procurement.domain.money import amount_in_words_rmb, format_yuan
from procurement.domain.qualification import CRITERIA
from procurement.domain.schedule import beijing, contract_deadline
from procurement.extensions import db
from procurement.formatting import translate
from procurement.models import Award, EvaluationResult, GeneratedDocument, OpenedQuote, OpenedQuoteLine, PanelMember, Project, Registration
from procurement.queries.award import (
    AWARDED,
    DECLINED,
    INELIGIBLE,
    KIND_ANNOUNCEMENT,
    aware,
    decisions,
    quote_total,
    quote_totals,
    results,
    winners,
)
from procurement.queries.lookups import settings_of, supplier_name

#: Labels of everything the evaluation may fail a supplier on (the qualification criteria,
#: response compliance, a rejected abnormally low price).
CRITERION_LABELS: dict[str, str] = {
    **{criterion.key: criterion.label for criterion in CRITERIA},
    compliance.CRITERION: compliance.LABEL,
    "abnormal_low": N_("异常低价：报价被认定为无效"),
}


def supplier_address(registration: Registration) -> str:
    """The supplier's address as registered: the registered address, else the premises."""
    snapshot = registration.company_snapshot or {}
    company = registration.company
    return (
        snapshot.get("registered_address")
        or company.registered_address
        or snapshot.get("premises_address")
        or company.premises_address
        or ""
    )


def describe_failure(item) -> str:
    """One stored failure reason as text, whatever shape the evaluation stored it in."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        label = CRITERION_LABELS.get(item.get("criterion", ""), item.get("criterion", ""))
        text = ""
        if item.get("message"):
            text = translate(item["message"], item.get("params"))
        else:
            reasons = item.get("reasons") or item.get("reason") or ""
            if isinstance(reasons, list):
                # Several members often give the same reason: print each once, without doubled stops.
                unique = list(dict.fromkeys(str(r).strip().rstrip("。；;.") for r in reasons if str(r).strip()))
                text = "；".join(unique)
            else:
                text = str(reasons).strip().rstrip("。")
        label = translate(label) if label else ""
        if label and text:
            return f"“{label}”一项不通过（{text}）"
        return f"“{label}”一项不通过" if label else text
    return str(item)


@dataclass(frozen=True)
class ItemLine:
    """One main item of the award (主要标的): what the winner priced."""

    name: str
    specification: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    line_total: Decimal

    @property
    def quantity_text(self) -> str:
        """The quantity without trailing zeros: 100, 2.5."""
        return format(self.quantity.normalize(), "f")


@dataclass(frozen=True)
class WinnerInfo:
    """A winner as the announcement prints it."""

    registration_id: int
    name: str
    address: str
    amount: Decimal | None
    candidate_place: int
    items: list[ItemLine]
    contract_deadline: date | None

    @property
    def amount_figures(self) -> str:
        """¥1,234.50."""
        return format_yuan(self.amount) if self.amount is not None else ""

    @property
    def amount_words(self) -> str:
        """人民币壹仟贰佰叁拾肆元伍角."""
        return amount_in_words_rmb(self.amount) if self.amount is not None else ""


def _lines_of(quote: OpenedQuote) -> list[ItemLine]:
    lines = sorted(quote.lines, key=lambda line: line.item.position)
    return [
        ItemLine(
            name=line.item.name,
            specification=line.item.specification,
            unit=line.item.unit,
            quantity=line.item.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total,
        )
        for line in lines
    ]


def lines_by_registration(registration_ids) -> dict[int, list[ItemLine]]:
    """Registration id → its priced lines in bill-of-quantities order (two statements for any number)."""
    ids = sorted(set(registration_ids))
    if not ids:
        return {}
    quotes = db.session.scalars(
        sa.select(OpenedQuote)
        .where(OpenedQuote.registration_id.in_(ids))
        .options(selectinload(OpenedQuote.lines).options(joinedload(OpenedQuoteLine.item)))
    ).all()
    return {quote.registration_id: _lines_of(quote) for quote in quotes}


def item_lines(registration_id: int) -> list[ItemLine]:
    """The winner's priced lines, in bill-of-quantities order."""
    return lines_by_registration([registration_id]).get(registration_id, [])


@dataclass(frozen=True)
class PendingPublication:
    """A publication decided but not yet applied (its job renders the documents first): the
    new winners and the dates they get when it is, printed as if they were already set."""

    new_winners: frozenset[int]
    publicity_ends: date
    challenge_deadline: date
    contract_deadline: date

    def dates(self, award: Award) -> tuple[date | None, date | None, date | None]:
        """The award's publicity end, challenge deadline and contract deadline, pending ones included."""
        if award.publicity_ends is None and award.registration_id in self.new_winners:
            return self.publicity_ends, self.challenge_deadline, self.contract_deadline
        return award.publicity_ends, award.challenge_deadline, award.contract_deadline


def _dates(award: Award, pending: PendingPublication | None) -> tuple[date | None, date | None, date | None]:
    if pending is None:
        return award.publicity_ends, award.challenge_deadline, award.contract_deadline
    return pending.dates(award)


def _infos(awards: list[Award], pending: PendingPublication | None = None) -> list[WinnerInfo]:
    lines = lines_by_registration(award.registration_id for award in awards)
    totals = quote_totals(award.registration_id for award in awards if award.amount is None)
    return [
        WinnerInfo(
            registration_id=award.registration_id,
            name=supplier_name(award.registration),
            address=supplier_address(award.registration),
            amount=award.amount if award.amount is not None else totals.get(award.registration_id),
            candidate_place=award.candidate_place,
            items=lines.get(award.registration_id, []),
            contract_deadline=_dates(award, pending)[2],
        )
        for award in awards
    ]


def winner_infos(project: Project, only_published: bool = False) -> list[WinnerInfo]:
    """The standing winners with what the announcement prints about each."""
    rows = winners(project)
    if only_published:
        rows = [award for award in rows if award.publicity_ends is not None]
    return _infos(rows)


def panel_names(project: Project) -> list[str]:
    """The names of the panel members who sat (not removed, not recused), chair first."""
    rows = db.session.scalars(
        sa.select(PanelMember)
        .where(PanelMember.project_id == project.id, PanelMember.removed_at.is_(None))
        .options(joinedload(PanelMember.user))
        .order_by(PanelMember.is_chair.desc(), PanelMember.id)
    ).all()
    return [row.user.name for row in rows if row.conflict_declared is not True]


def announcement_context(
    project: Project,
    published_on: date | None = None,
    *,
    only_published: bool = False,
    pending: PendingPublication | None = None,
) -> dict:
    """What the result announcement prints (page and PDF).

    ``only_published`` leaves out a winner whose result is not yet published (the public page);
    ``pending``: the publication being rendered, whose dates are not stored yet.
    """
    standing = winners(project)
    dated = [award for award in standing if _dates(award, pending)[0] is not None]
    printed = dated if only_published else standing
    publicity_end = max((_dates(award, pending)[0] for award in dated), default=None)
    challenge_due = max((_dates(award, pending)[1] for award in dated), default=None)
    if published_on is None:
        event = db.session.scalar(
            sa.select(GeneratedDocument)
            .where(
                GeneratedDocument.kind == KIND_ANNOUNCEMENT,
                GeneratedDocument.project_id == project.id,
                GeneratedDocument.superseded_at.is_(None),
            )
            .order_by(GeneratedDocument.id.desc())
            .limit(1)
        )
        published_on = beijing(aware(event.issued_at)).date() if event else None
    participants = db.session.scalar(
        sa.select(sa.func.count(EvaluationResult.id)).where(EvaluationResult.project_id == project.id)
    )
    return {
        "winners": _infos(printed, pending),
        "panel_names": panel_names(project),
        "published_on": published_on,
        "publicity_ends": publicity_end,
        "challenge_deadline": challenge_due,
        "framework": project.framework_award,
        "total_participants": participants,
    }


def participant_status(project: Project, registration: Registration) -> dict:
    """One participant's own outcome, for its result notice and its result section.

    ``status`` is ``awarded``, ``declined``, ``ineligible``, ``not_qualified`` (with ``reasons``),
    ``ranked`` (with ``rank`` and ``total``) or ``not_evaluated``.
    """
    every = results(project)
    result = next((row for row in every if row.registration_id == registration.id), None)
    award = decisions(project).get(registration.id)
    if result is not None and result.total is not None:
        total = result.total
    else:
        total = quote_total(registration.id)
    ranked = [r for r in every if r.rank is not None]
    info = {
        "status": "not_evaluated",
        "total": total,
        "rank": result.rank if result else None,
        "ranked_count": len(ranked),
        "candidate_place": result.candidate_place if result else None,
        "reasons": [],
        "decision_reason": award.reason if award else None,
    }
    if award is not None and award.status in (AWARDED, DECLINED, INELIGIBLE):
        info["status"] = award.status
    elif result is not None and not result.passed:
        info["status"] = "not_qualified"
        info["reasons"] = [describe_failure(item) for item in (result.failure_reasons or [])]
    elif result is not None:
        info["status"] = "ranked"
    return info


def notice_context(
    project: Project,
    registration: Registration,
    issued_on: date | None = None,
    pending: PendingPublication | None = None,
) -> dict:
    """What an award notice or a result notice prints for ``registration`` (``pending``: see
    :func:`announcement_context`)."""
    issued_on = issued_on or beijing(clock.now()).date()
    own = participant_status(project, registration)
    standing = winners(project)
    infos = _infos(standing, pending)
    mine = next((info for info in infos if info.registration_id == registration.id), None)
    dated = [award for award in standing if _dates(award, pending)[0] is not None]
    challenge_due = max((_dates(award, pending)[1] for award in dated), default=None)
    contract_due = mine.contract_deadline if mine and mine.contract_deadline else None
    if mine is not None and contract_due is None:
        contract_due = contract_deadline(issued_on, settings_of(project))
    return {
        "supplier_name": supplier_name(registration),
        "supplier_address": supplier_address(registration),
        "is_winner": mine is not None,
        "winner": mine,
        "winners": infos,
        "own": own,
        "issued_on": issued_on,
        "contract_deadline": contract_due,
        "challenge_deadline": challenge_due,
        "framework": project.framework_award,
    }
