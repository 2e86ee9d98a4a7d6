"""Award (确定成交, design.md §2.6): confirm the candidates in order, publish the result and its notices.

Buyer staff decide on the evaluation's candidates one at a time, in their candidate order: award,
or record why the candidate declined (放弃成交) or was found ineligible (不符合条件) and move to the
next. A normal project has one winner; a framework project (``project.framework_award``, the
notice selects suppliers for a year) awards every candidate that does not drop out. Publishing
the result stores the publicity, challenge and contract dates on each award, moves the project
to ``awarded``, and issues the result announcement (成交结果公告), an award notice (成交通知书)
to each winner and a result notice (成交结果通知书) to every other participant.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.calendar import UnknownYearError
from procurement.domain.money import amount_in_words_rmb, format_yuan
from procurement.domain.qualification import CRITERIA
from procurement.domain.schedule import (
    beijing,
    challenge_deadline,
    confirmation_deadline,
    contract_deadline,
    publicity_ends,
)
from procurement.extensions import db
from procurement.models import (
    STATUS_AWARDED,
    STATUS_CLOSED,
    STATUS_EVALUATED,
    Award,
    EvaluationResult,
    GeneratedDocument,
    OpenedQuote,
    PanelMember,
    Project,
    Registration,
)
from procurement.services import ServiceError, documents
from procurement.services.calendar import load_calendar
from procurement.services.evaluation import evaluation_of
from procurement.services.quotes import supplier_name

AWARDED = "awarded"
DECLINED = "declined"
INELIGIBLE = "ineligible"
DROP_OUT_STATUSES = (DECLINED, INELIGIBLE)

KIND_ANNOUNCEMENT = "result_announcement"
KIND_AWARD_NOTICE = "award_notice"
KIND_RESULT_NOTICE = "result_notice"
NOTICE_KINDS = (KIND_AWARD_NOTICE, KIND_RESULT_NOTICE)

MAX_REASON_LENGTH = 2000


def _criterion_labels() -> dict[str, str]:
    """Labels of everything the evaluation may fail a supplier on (the qualification criteria,
    response compliance, a rejected abnormally low price)."""
    labels = {criterion.key: criterion.label for criterion in CRITERIA}
    try:  # response compliance lives beside the evaluation (issue 6)
        from procurement.domain import compliance

        labels[compliance.CRITERION] = compliance.LABEL
    except (ImportError, AttributeError):  # pragma: no cover - only while the evaluation is absent
        pass
    labels["abnormal_low"] = N_("异常低价：报价被认定为无效")
    return labels


_CRITERION_LABELS = _criterion_labels()


# --------------------------------------------------------------------------- reading





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
    from procurement.formatting import translate

    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        label = _CRITERION_LABELS.get(item.get("criterion", ""), item.get("criterion", ""))
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


def report_date(project: Project) -> date | None:
    """The Beijing date the evaluation report was complete (every member confirmed it)."""
    evaluation = evaluation_of(project)
    moment: datetime | None = evaluation.completed_at if evaluation else None
    if moment is None:
        moment = db.session.scalar(
            sa.select(sa.func.max(PanelMember.report_confirmed_at)).where(PanelMember.project_id == project.id)
        )
    if moment is None and evaluation is not None:
        moment = evaluation.ranked_at
    return beijing(_aware(moment)).date() if moment else None


def _aware(moment: datetime) -> datetime:
    """Read a naive datetime (a MAX() over a column may lose the type's decoration) as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def results(project: Project) -> list[EvaluationResult]:
    """Every participant's evaluation result: ranked first (by rank), then the rest."""
    rows = db.session.scalars(sa.select(EvaluationResult).where(EvaluationResult.project_id == project.id)).all()
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.registration_id))


def decisions(project: Project) -> dict[int, Award]:
    """The buyer's decisions, by registration id."""
    rows = db.session.scalars(sa.select(Award).where(Award.project_id == project.id)).all()
    return {row.registration_id: row for row in rows}


def winners(project: Project) -> list[Award]:
    """The awards standing now (status awarded), in candidate order."""
    rows = db.session.scalars(
        sa.select(Award).where(Award.project_id == project.id, Award.status == AWARDED).order_by(Award.candidate_place)
    ).all()
    return list(rows)


def published_winners(project: Project) -> list[Award]:
    """The standing awards whose result has been published."""
    return [award for award in winners(project) if award.publicity_ends is not None]


def quote_total(registration_id: int) -> Decimal | None:
    """The opened total of a registration's quote."""
    return db.session.scalar(sa.select(OpenedQuote.total).where(OpenedQuote.registration_id == registration_id))


@dataclass(frozen=True)
class CandidateRow:
    """One candidate (成交候选人) with the buyer's decision on it, if any."""

    result: EvaluationResult
    decision: Award | None

    @property
    def place(self) -> int:
        """The candidate place, 1 first."""
        return self.result.candidate_place

    @property
    def registration(self) -> Registration:
        """The candidate's registration."""
        return self.result.registration

    @property
    def name(self) -> str:
        """The candidate's name."""
        return supplier_name(self.result.registration)

    @property
    def total(self) -> Decimal | None:
        """The candidate's quoted total."""
        return self.result.total if self.result.total is not None else quote_total(self.result.registration_id)

    @property
    def status(self) -> str:
        """``pending``, ``awarded``, ``declined`` or ``ineligible``."""
        return self.decision.status if self.decision else "pending"


@dataclass
class AwardState:
    """Everything the buyer's award section shows and the rules that decide what it offers."""

    project: Project
    report_on: date | None
    confirmation_due: date | None
    candidates: list[CandidateRow]
    next_candidate: CandidateRow | None
    winners: list[Award]
    required: str  # "one" or "all"
    can_publish: bool
    published: bool
    overdue: bool
    exhausted: bool
    announcement: GeneratedDocument | None
    notices: list[tuple[Registration, GeneratedDocument]] = field(default_factory=list)
    # The year the working-day calendar lacks when a deadline shown here (the confirmation
    # deadline, or the dates publishing today would set) reaches into it; None when all is known.
    missing_year: int | None = None

    @property
    def open(self) -> bool:
        """Whether the project is at the award step at all."""
        return self.project.status in (STATUS_EVALUATED, STATUS_AWARDED, STATUS_CLOSED)


def candidates(project: Project) -> list[CandidateRow]:
    """The candidates in candidate order, each with its decision."""
    decided = decisions(project)
    rows = db.session.scalars(
        sa.select(EvaluationResult)
        .where(EvaluationResult.project_id == project.id, EvaluationResult.candidate_place.is_not(None))
        .order_by(EvaluationResult.candidate_place)
    ).all()
    return [CandidateRow(row, decided.get(row.registration_id)) for row in rows]


def _next_candidate(project: Project, rows: list[CandidateRow]) -> CandidateRow | None:
    """The first undecided candidate, when the rules still need a decision."""
    if not project.framework_award and any(row.status == AWARDED for row in rows):
        return None
    for row in rows:
        if row.decision is None:
            return row
    return None


def state(project: Project, now: datetime | None = None) -> AwardState:
    """The award step as it stands at ``now``."""
    from procurement.services.projects import settings_of

    now = now or clock.now()
    rows = candidates(project)
    report_on = report_date(project)
    due = None
    missing_year = None
    calendar = load_calendar()
    if report_on is not None:
        try:
            due = confirmation_deadline(calendar, report_on, settings_of(project))
        except UnknownYearError as error:  # shown on the page, with a link to the calendar
            missing_year = error.year
    standing = [row.decision for row in rows if row.status == AWARDED]
    next_row = _next_candidate(project, rows) if project.status in (STATUS_EVALUATED, STATUS_AWARDED) else None
    announcement = documents.current(KIND_ANNOUNCEMENT, project=project)
    # A decision after the announcement (a framework winner dropping out) makes it out of date.
    last_decision = max((row.decision.decided_at for row in rows if row.decision), default=None)
    stale = announcement is not None and last_decision is not None and last_decision > announcement.issued_at
    # A published winner dropping out withdraws the announcement (superseded): publish again.
    published = (
        bool(standing)
        and all(award.publicity_ends is not None for award in standing)
        and announcement is not None
        and not stale
    )
    can_publish = (
        project.status in (STATUS_EVALUATED, STATUS_AWARDED)
        and bool(standing)
        and not published
        and (not project.framework_award or next_row is None)
    )
    today = beijing(now).date()
    if can_publish and missing_year is None:
        try:
            _publication_dates(calendar, today, settings_of(project))
        except UnknownYearError as error:
            missing_year = error.year
    overdue = due is not None and today > due and project.status == STATUS_EVALUATED and not published
    exhausted = bool(rows) and all(row.status in DROP_OUT_STATUSES for row in rows)
    notices = []
    for result in results(project):
        for kind in NOTICE_KINDS:
            document = documents.current(kind, project=project, registration=result.registration)
            if document is not None:
                notices.append((result.registration, document))
    return AwardState(
        project=project,
        report_on=report_on,
        confirmation_due=due,
        candidates=rows,
        next_candidate=next_row,
        winners=standing,
        required="all" if project.framework_award else "one",
        can_publish=can_publish,
        published=published,
        overdue=overdue,
        exhausted=exhausted,
        announcement=announcement,
        notices=notices,
        missing_year=missing_year,
    )


def _publication_dates(calendar, today: date, settings) -> tuple[date, date, date]:
    """End of publicity, challenge deadline and contract deadline for a result published ``today``.

    :raise UnknownYearError: when a date falls in a year the working-day calendar does not know.
    """
    publicity_end = publicity_ends(calendar, today, settings)
    return publicity_end, challenge_deadline(calendar, publicity_end, settings), contract_deadline(today, settings)


# --------------------------------------------------------------------------- deciding


def _lock_project(project: Project) -> Project:
    """Take the project's row lock for the rest of the transaction and reload what was read before it.

    Concurrent decisions on one project (a double click, two buyer staff) queue here, so each
    one re-checks the state the previous one left (a second confirmation cannot break the
    unique award per registration, nor issue the documents twice). Everything loaded earlier
    in this session is expired so the checks after the lock read committed rows.
    """
    db.session.expire_all()
    locked = db.session.execute(
        sa.select(Project).where(Project.id == project.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    return locked


def _require_award_step(project: Project) -> None:
    if project.status not in (STATUS_EVALUATED, STATUS_AWARDED):
        raise ServiceError(N_("评审尚未完成，不能确定成交供应商。"), "not_evaluated")


def _candidate(project: Project, registration_id: int) -> CandidateRow:
    for row in candidates(project):
        if row.result.registration_id == registration_id:
            return row
    raise ServiceError(N_("该供应商不是本项目的成交候选人。"), "not_a_candidate")


def _require_next(project: Project, row: CandidateRow) -> None:
    """Candidates are decided strictly in order (design.md §2.6)."""
    expected = _next_candidate(project, candidates(project))
    if expected is None:
        raise ServiceError(N_("成交供应商已经确定，不能再确定其他候选人。"), "already_awarded")
    if expected.result.registration_id != row.result.registration_id:
        raise ServiceError(
            N_("请按候选人顺序确定：应先处理第 %(place)s 名候选人“%(name)s”。"),
            "out_of_order",
            place=expected.place,
            name=expected.name,
        )


def confirm(project: Project, registration_id: int, actor) -> Award:
    """Award the next candidate in order.

    After the confirmation deadline the award is still recorded (a project must not be left
    without a result), but the audit event says it was late.

    :raise ServiceError: ``not_evaluated``, ``not_a_candidate``, ``already_confirmed`` (this
        candidate is already awarded, e.g. a double click), ``already_decided`` (it dropped out),
        ``already_awarded``, ``out_of_order``.
    """
    project = _lock_project(project)
    _require_award_step(project)
    row = _candidate(project, registration_id)
    if row.status == AWARDED:
        raise ServiceError(
            N_("“%(name)s”已被确定为成交供应商，无需重复确定。"), "already_confirmed", name=row.name
        )
    if row.decision is not None:
        raise ServiceError(
            N_("已记录“%(name)s”放弃成交或不符合条件，不能再确定为成交供应商。"), "already_decided", name=row.name
        )
    _require_next(project, row)
    now = clock.now()
    current = state(project, now)
    award = Award(
        project_id=project.id,
        registration_id=registration_id,
        candidate_place=row.place,
        status=AWARDED,
        amount=row.total,
        decided_at=now,
        decided_by_id=actor.id,
    )
    name = row.name
    db.session.add(award)
    try:
        db.session.flush()
    except IntegrityError:  # pragma: no cover - the row lock above queues concurrent confirmations
        db.session.rollback()
        raise ServiceError(N_("“%(name)s”已被确定为成交供应商，无需重复确定。"), "already_confirmed", name=name) from None
    audit.record(
        "award.confirm",
        award,
        details={
            "registration_id": registration_id,
            "candidate_place": row.place,
            "supplier": row.name,
            "amount": str(row.total) if row.total is not None else None,
            "confirmation_due": current.confirmation_due,
            "late": current.overdue,
            "calendar_missing_year": current.missing_year,
        },
        actor=actor,
    )
    db.session.commit()
    return award


def drop_out(project: Project, registration_id: int, status: str, reason: str, actor) -> Award:
    """Record that a candidate declined (放弃成交) or was found ineligible, with the reason.

    Applies to the next undecided candidate, or to a standing winner (who may decline after the
    award); a published winner's award notice is then withdrawn (superseded) and the next
    candidate may be awarded and the result published again.

    :raise ServiceError: ``bad_status``, ``reason_required`` (field ``reason``), ``reason_too_long``,
        and those of :func:`confirm` for an undecided candidate out of order.
    """
    project = _lock_project(project)
    _require_award_step(project)
    if status not in DROP_OUT_STATUSES:
        raise ServiceError(N_("请选择放弃成交或不符合条件。"), "bad_status", field="status")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(N_("请填写原因。"), "reason_required", field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ServiceError(N_("原因最多 %(max)s 个字。"), "reason_too_long", field="reason", max=MAX_REASON_LENGTH)
    row = _candidate(project, registration_id)
    now = clock.now()
    award = row.decision
    was = award.status if award else "pending"
    withdrawn = None
    if award is None:
        _require_next(project, row)
        award = Award(
            project_id=project.id,
            registration_id=registration_id,
            candidate_place=row.place,
            status=status,
            reason=reason,
            amount=row.total,
            decided_at=now,
            decided_by_id=actor.id,
        )
        db.session.add(award)
    elif award.status == AWARDED:
        award.status = status
        award.reason = reason
        award.decided_at = now
        award.decided_by_id = actor.id
        db.session.execute(
            sa.update(GeneratedDocument)
            .where(
                GeneratedDocument.kind == KIND_AWARD_NOTICE,
                GeneratedDocument.registration_id == registration_id,
                GeneratedDocument.superseded_at.is_(None),
            )
            .values(superseded_at=now)
        )
        # The announcement names this winner: withdraw it until the result is published again.
        announcement = documents.current(KIND_ANNOUNCEMENT, project=project)
        if announcement is not None:
            announcement.superseded_at = now
            withdrawn = announcement.id
    else:
        raise ServiceError(N_("已记录该候选人的情况，不能重复记录。"), "already_decided")
    db.session.flush()
    audit.record(
        "award.drop_out",
        award,
        details={
            "registration_id": registration_id,
            "candidate_place": row.place,
            "supplier": row.name,
            "status": status,
            "was": was,
            "reason": reason,
            "announcement_withdrawn": withdrawn,
        },
        actor=actor,
    )
    db.session.commit()
    return award


# --------------------------------------------------------------------------- publishing


def publish(project: Project, actor) -> GeneratedDocument:
    """Publish the result: dates on each new award, the announcement and every notice.

    The publicity period starts on the day of publication (day 1, as the notice counts its own
    period); the challenge period runs from the end of publicity; the contract is due within
    ``contract_days`` of the award notice. Returns the result announcement.

    :raise ServiceError: ``not_evaluated``, ``no_award``, ``candidates_pending`` (framework),
        ``already_published``.
    :raise UnknownYearError: when a date to print falls in a year the working-day calendar
        does not know (nothing is changed).
    """
    from procurement.services.projects import settings_of

    project = _lock_project(project)
    _require_award_step(project)
    current = state(project)
    if not current.winners:
        raise ServiceError(N_("请先确定成交供应商，再发布成交结果。"), "no_award")
    if project.framework_award and current.next_candidate is not None:
        raise ServiceError(
            N_("本项目为框架协议采购，请先对每一名候选人作出决定（第 %(place)s 名候选人尚未确定）。"),
            "candidates_pending",
            place=current.next_candidate.place,
        )
    if current.published:
        raise ServiceError(N_("成交结果已经发布。"), "already_published")
    now = clock.now()
    today = beijing(now).date()
    publicity_end, challenge_due, contract_due = _publication_dates(load_calendar(), today, settings_of(project))
    new_winners = [award for award in current.winners if award.publicity_ends is None]
    for award in new_winners:
        award.publicity_ends = publicity_end
        award.challenge_deadline = challenge_due
        award.contract_deadline = contract_due
    republished = project.status == STATUS_AWARDED
    project.status = STATUS_AWARDED
    project.status_changed_at = now
    project.status_changed_by_id = actor.id
    audit.record(
        "award.publish",
        project,
        details={
            "winners": [award.registration_id for award in current.winners],
            "published_on": today,
            "publicity_ends": publicity_end,
            "challenge_deadline": challenge_due,
            "contract_deadline": contract_due,
            "republished": republished,
        },
        actor=actor,
    )
    db.session.flush()
    announcement = documents.issue(
        KIND_ANNOUNCEMENT,
        "documents/result_announcement.html",
        title=f"{project.title}成交结果公告",
        subject=f"成交结果公告 {project.code}",
        project=project,
        actor=actor,
        **announcement_context(project, published_on=today),
    )
    standing = {award.registration_id for award in current.winners}
    new_ids = {award.registration_id for award in new_winners}
    for result in results(project):
        registration = result.registration
        if registration.id in standing:
            if registration.id in new_ids:
                issue_notice(project, registration, actor=actor, issued_on=today)
        else:
            issue_notice(project, registration, actor=actor, issued_on=today)
    db.session.commit()
    return announcement


def issue_notice(
    project: Project, registration: Registration, *, actor=None, issued_on: date | None = None
) -> GeneratedDocument:
    """Issue the award notice (a standing winner) or the result notice (anyone else); no commit."""
    context = notice_context(project, registration, issued_on=issued_on)
    name = context["supplier_name"]
    if context["is_winner"]:
        return documents.issue(
            KIND_AWARD_NOTICE,
            "documents/award_notice.html",
            title=f"成交通知书（{project.code} {name}）",
            subject=f"成交通知书 {project.code}",
            project=project,
            registration=registration,
            actor=actor,
            **context,
        )
    return documents.issue(
        KIND_RESULT_NOTICE,
        "documents/result_notice.html",
        title=f"成交结果通知书（{project.code} {name}）",
        subject=f"成交结果通知书 {project.code}",
        project=project,
        registration=registration,
        actor=actor,
        **context,
    )


# --------------------------------------------------------------------------- document content


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


def item_lines(registration_id: int) -> list[ItemLine]:
    """The winner's priced lines, in bill-of-quantities order."""
    quote = db.session.scalar(sa.select(OpenedQuote).where(OpenedQuote.registration_id == registration_id))
    if quote is None:
        return []
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


def winner_infos(project: Project, only_published: bool = False) -> list[WinnerInfo]:
    """The standing winners with what the announcement prints about each."""
    rows = published_winners(project) if only_published else winners(project)
    return [
        WinnerInfo(
            registration_id=award.registration_id,
            name=supplier_name(award.registration),
            address=supplier_address(award.registration),
            amount=award.amount if award.amount is not None else quote_total(award.registration_id),
            candidate_place=award.candidate_place,
            items=item_lines(award.registration_id),
            contract_deadline=award.contract_deadline,
        )
        for award in rows
    ]


def panel_names(project: Project) -> list[str]:
    """The names of the panel members who sat (not removed, not recused), chair first."""
    rows = db.session.scalars(
        sa.select(PanelMember)
        .where(PanelMember.project_id == project.id, PanelMember.removed_at.is_(None))
        .order_by(PanelMember.is_chair.desc(), PanelMember.id)
    ).all()
    return [row.user.name for row in rows if row.conflict_declared is not True]


def announcement_context(project: Project, published_on: date | None = None) -> dict:
    """What the result announcement prints (page and PDF)."""
    infos = winner_infos(project)
    standing = winners(project)
    dated = [award for award in standing if award.publicity_ends is not None]
    publicity_end = max((award.publicity_ends for award in dated), default=None)
    challenge_due = max((award.challenge_deadline for award in dated), default=None)
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
        published_on = beijing(_aware(event.issued_at)).date() if event else None
    return {
        "winners": infos,
        "panel_names": panel_names(project),
        "published_on": published_on,
        "publicity_ends": publicity_end,
        "challenge_deadline": challenge_due,
        "framework": project.framework_award,
        "total_participants": len(results(project)),
    }


def participant_status(project: Project, registration: Registration) -> dict:
    """One participant's own outcome, for its result notice and its result section.

    ``status`` is ``awarded``, ``declined``, ``ineligible``, ``not_qualified`` (with ``reasons``),
    ``ranked`` (with ``rank`` and ``total``) or ``not_evaluated``.
    """
    result = db.session.scalar(
        sa.select(EvaluationResult).where(
            EvaluationResult.project_id == project.id, EvaluationResult.registration_id == registration.id
        )
    )
    award = decisions(project).get(registration.id)
    total = None
    if result is not None and result.total is not None:
        total = result.total
    else:
        total = quote_total(registration.id)
    ranked = [r for r in results(project) if r.rank is not None]
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


def notice_context(project: Project, registration: Registration, issued_on: date | None = None) -> dict:
    """What an award notice or a result notice prints for ``registration``."""
    issued_on = issued_on or beijing(clock.now()).date()
    own = participant_status(project, registration)
    infos = winner_infos(project)
    mine = next((info for info in infos if info.registration_id == registration.id), None)
    standing = winners(project)
    dated = [award for award in standing if award.publicity_ends is not None]
    challenge_due = max((award.challenge_deadline for award in dated), default=None)
    contract_due = mine.contract_deadline if mine and mine.contract_deadline else None
    if mine is not None and contract_due is None:
        from procurement.services.projects import settings_of

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


def own_notice(project: Project, registration: Registration) -> GeneratedDocument | None:
    """The participant's current notice (award or result), if the result is published."""
    for kind in NOTICE_KINDS:
        document = documents.current(kind, project=project, registration=registration)
        if document is not None:
            return document
    return None


def result_is_public(project: Project) -> bool:
    """Whether a result announcement has been published.

    Stays true while a withdrawn announcement (its winner dropped out) awaits republication:
    the public page then says the result is being updated, and there is no PDF to download.
    """
    if project.status not in (STATUS_AWARDED, STATUS_CLOSED):
        return False
    issued = db.session.scalar(
        sa.select(GeneratedDocument.id)
        .where(GeneratedDocument.kind == KIND_ANNOUNCEMENT, GeneratedDocument.project_id == project.id)
        .limit(1)
    )
    return issued is not None


def public_results() -> list[tuple[Project, GeneratedDocument]]:
    """Published result announcements, newest first."""
    rows = db.session.execute(
        sa.select(Project, GeneratedDocument)
        .join(GeneratedDocument, GeneratedDocument.project_id == Project.id)
        .where(
            GeneratedDocument.kind == KIND_ANNOUNCEMENT,
            GeneratedDocument.superseded_at.is_(None),
            Project.status.in_((STATUS_AWARDED, STATUS_CLOSED)),
        )
        .order_by(GeneratedDocument.issued_at.desc())
    ).all()
    return [(project, document) for project, document in rows]
