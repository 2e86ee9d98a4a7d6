"""The supplier's own outcome per project (我的结果): part of the page models of 我的报名 and of its project page.

One :class:`Outcome` per registration says where this supplier stands, from registration to
the result: 报名未提交 / 报名未通过 / 可报价 / 已报价 / 待开启 / 未报价 / 评审中 / 成交 / 未成交
/ 流标 / 终止, why, and which notice to open (the award or result notice, the result
announcement, the termination notice). :func:`outcomes_for` loads what every row needs in a
fixed number of queries, however many registrations the supplier has.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from procurement.domain import N_
from procurement.domain.money import format_yuan
from procurement.extensions import db
from procurement.formatting import gettext_marked, local_clock, local_datetime, mark_chinese
from procurement.models import (
    AbnormalLowReview,
    REG_ACCEPTED,
    REG_DRAFT,
    STATUS_AWARDED,
    STATUS_CANCELLED,
    STATUS_FAILED,
    STATUS_PUBLISHED,
    Award,
    EvaluationResult,
    GeneratedDocument,
    OpenedQuote,
    Project,
    Registration,
    SealedQuote,
)
from procurement.models.quotes import KIND_QUOTE
from procurement.queries.award_documents import describe_failure
from procurement.queries.phases import CalendarOnce, registration_state
from procurement.queries.public import ENDED_STATUSES, KIND_RESULT_ANNOUNCEMENT, KIND_TERMINATION, current_termination

# The stored names the outcome reads (they mirror ``services.award``; tests/unit keep them equal).
AWARDED, DECLINED, INELIGIBLE = "awarded", "declined", "ineligible"
KIND_AWARD_NOTICE, KIND_RESULT_NOTICE = "award_notice", "result_notice"
NOTICE_KINDS = (KIND_AWARD_NOTICE, KIND_RESULT_NOTICE)
#: The supplier's own notice, by kind (also ``supplier.result_views.NOTICE_NAMES``).
NOTICE_NAMES = {KIND_AWARD_NOTICE: N_("成交通知书"), KIND_RESULT_NOTICE: N_("成交结果通知书")}
@dataclass(frozen=True)
class Outcome:
    """Where one supplier stands on one project, and the notice to open.

    ``key`` is one of ``not_submitted``, ``rejected``, ``can_quote``, ``quoted``,
    ``awaiting_opening``, ``no_quote``, ``evaluating``, ``awarded``, ``not_awarded``,
    ``failed``, ``cancelled``; ``label`` and ``detail`` are translated text; ``tone`` is the
    badge colour.
    """

    key: str
    label: str
    tone: str
    detail: str = ""
    reasons: tuple[str, ...] = ()
    notice_url: str | None = None
    notice_label: str | None = None
    notice_code: str | None = None
    # When the panel waits for this supplier's written explanation of an abnormally low price.
    explanation_due: datetime | None = None

    @property
    def final(self) -> bool:
        """Whether this is the project's end for the supplier (a result or a termination)."""
        return self.key in ("awarded", "not_awarded", "failed", "cancelled") or (
            self.key == "no_quote" and self.notice_url is not None
        )


@dataclass
class _Loaded:
    """What the outcomes of a set of registrations need, each loaded in one query."""

    current_quotes: set[int]
    opened: set[int]
    results: dict[int, EvaluationResult]
    awards: dict[int, Award]
    ranked_counts: dict[int, int]
    notices: dict[int, GeneratedDocument]
    terminations: dict[int, GeneratedDocument]
    announced: set[int]
    explanation_due: dict[int, datetime]


def _load(registrations: list[Registration]) -> _Loaded:
    registration_ids = [r.id for r in registrations]
    project_ids = list({r.project_id for r in registrations})
    if not registration_ids:
        return _Loaded(set(), set(), {}, {}, {}, {}, {}, set(), {})
    current_quotes = set(
        db.session.scalars(
            sa.select(SealedQuote.registration_id).where(
                SealedQuote.registration_id.in_(registration_ids),
                SealedQuote.is_current.is_(True),
                SealedQuote.kind == KIND_QUOTE,
            )
        )
    )
    opened = set(db.session.scalars(sa.select(OpenedQuote.registration_id).where(OpenedQuote.registration_id.in_(registration_ids))))
    results = {
        row.registration_id: row
        for row in db.session.scalars(sa.select(EvaluationResult).where(EvaluationResult.registration_id.in_(registration_ids)))
    }
    awards = {row.registration_id: row for row in db.session.scalars(sa.select(Award).where(Award.registration_id.in_(registration_ids)))}
    ranked_counts = dict(
        db.session.execute(
            sa.select(EvaluationResult.project_id, sa.func.count(EvaluationResult.id))
            .where(EvaluationResult.project_id.in_(project_ids), EvaluationResult.rank.is_not(None))
            .group_by(EvaluationResult.project_id)
        ).all()
    )
    notices: dict[int, GeneratedDocument] = {}
    terminations: dict[int, GeneratedDocument] = {}
    announced: set[int] = set()
    documents = db.session.scalars(
        sa.select(GeneratedDocument)
        .where(
            GeneratedDocument.project_id.in_(project_ids),
            sa.or_(
                sa.and_(
                    GeneratedDocument.kind.in_(NOTICE_KINDS),
                    GeneratedDocument.registration_id.in_(registration_ids),
                    GeneratedDocument.superseded_at.is_(None),
                ),
                sa.and_(GeneratedDocument.kind == KIND_TERMINATION, GeneratedDocument.superseded_at.is_(None)),
                GeneratedDocument.kind == KIND_RESULT_ANNOUNCEMENT,
            ),
        )
        .order_by(GeneratedDocument.id)
    )
    for document in documents:
        if document.kind == KIND_RESULT_ANNOUNCEMENT:
            announced.add(document.project_id)  # ever issued: see queries.public.result_announced
        elif document.kind == KIND_TERMINATION:
            terminations[document.project_id] = document
        else:
            notices[document.registration_id] = document
    explanation_due = dict(
        db.session.execute(
            sa.select(AbnormalLowReview.registration_id, AbnormalLowReview.due_at).where(
                AbnormalLowReview.registration_id.in_(registration_ids),
                AbnormalLowReview.requested_at.is_not(None),
                AbnormalLowReview.explained_at.is_(None),
                AbnormalLowReview.decision.is_(None),
            )
        ).all()
    )
    return _Loaded(current_quotes, opened, results, awards, ranked_counts, notices, terminations, announced, explanation_due)


def ended_outcome(project: Project, document: GeneratedDocument | None) -> Outcome | None:
    """流标 / 终止 with the reason and the termination notice, for anyone; ``None`` if the project goes on."""
    when = local_datetime(project.status_changed_at)
    link = {}
    if document is not None:
        link = {
            "notice_url": url_for("public.termination_pdf", project_id=project.id),
            "notice_label": _("下载终止公告（PDF）"),
            "notice_code": document.verification_code,
        }
    reason = project.status_reason or ""
    if project.status == STATUS_FAILED:
        return Outcome("failed", _("流标"), "danger", gettext_marked(N_("本项目已于 %(when)s 流标。原因：%(reason)s"), when=when, reason=reason), **link)
    if project.status == STATUS_CANCELLED:
        return Outcome("cancelled", _("终止"), "danger", gettext_marked(N_("本项目已于 %(when)s 终止。原因：%(reason)s"), when=when, reason=reason), **link)
    return None


def _registration_outcome(project: Project, registration: Registration, window) -> Outcome:
    """A registration that was not accepted: not submitted, or refused by the automatic checks."""
    state = window(project) if project.status == STATUS_PUBLISHED else None
    open_now = state is not None and state.state != "closed"
    if registration.status == REG_DRAFT:
        detail = _("报名资料尚未提交，请在报名截止前提交。") if open_now else _("报名期内未提交报名。")
        return Outcome("not_submitted", _("报名未提交"), "secondary", detail)
    detail = _("请按报名审核结果修改，报名截止前可修改后重新提交。") if open_now else _("报名期内未能更正，不能参加报价。")
    return Outcome("rejected", _("报名未通过"), "danger" if open_now else "secondary", detail)


def _quoting_outcome(project: Project, registration: Registration, loaded: _Loaded, now: datetime) -> Outcome:
    """An accepted registration of a published project: quoting until the deadline, then waiting for the opening."""
    if now < project.opening_at:
        deadline = local_clock(project.opening_at)
        if registration.id in loaded.current_quotes:
            return Outcome("quoted", _("已报价"), "primary", _("已提交密封报价；%(deadline)s（北京时间）前可以修改或撤回。", deadline=deadline))
        return Outcome("can_quote", _("可报价"), "success", _("报名成功，请在 %(deadline)s（北京时间）前提交密封报价。", deadline=deadline))
    if registration.id in loaded.current_quotes:
        return Outcome("awaiting_opening", _("待开启"), "warning", _("报价已截止，等待开启。"))
    return _no_quote()


def _no_quote() -> Outcome:
    return Outcome("no_quote", _("未报价"), "secondary", _("截止时没有有效报价，不参加开启和评审。"))


def _result(project: Project, registration: Registration, loaded: _Loaded) -> Outcome:
    """The published result: 成交 or 未成交 (and why), with the supplier's own notice."""
    result = loaded.results.get(registration.id)
    if result is None:  # did not take part in the evaluation: the public announcement is its result
        return Outcome(
            "no_quote",
            _("未报价"),
            "secondary",
            _("截止时没有有效报价，未参加评审。"),
            notice_url=url_for("public.result", project_id=project.id),
            notice_label=_("查看成交结果公告"),
        )
    notice = loaded.notices.get(registration.id)
    link = {}
    if notice is not None:
        name = _("通知书")
        if notice.kind in NOTICE_NAMES:
            name = _(NOTICE_NAMES[notice.kind])
        link = {
            "notice_url": url_for("supplier.my_notice", project_id=project.id),
            "notice_label": _("下载%(name)s（PDF）", name=name),
            "notice_code": notice.verification_code,
        }
    award = loaded.awards.get(registration.id)
    if award is not None and award.status == AWARDED:
        return Outcome("awarded", _("成交"), "success", _("贵单位被确定为成交供应商，请按成交通知书的期限签订合同。"), **link)
    if award is not None and award.status == DECLINED:
        return Outcome("not_awarded", _("未成交"), "secondary", _("放弃成交。"), (mark_chinese(award.reason or ""),), **link)
    if award is not None and award.status == INELIGIBLE:
        return Outcome("not_awarded", _("未成交"), "secondary", _("经采购人确认不符合成交条件。"), (mark_chinese(award.reason or ""),), **link)
    if not result.passed:
        reasons = tuple(describe_failure(item) for item in (result.failure_reasons or []))
        return Outcome("not_awarded", _("未成交"), "secondary", _("未通过资格审查或符合性审查。"), reasons, **link)
    if result.rank is not None:
        detail = _(
            "报价总额 %(total)s，在 %(n)s 家有效报价中排名第 %(rank)s 名。",
            total=format_yuan(result.total) if result.total is not None else "",
            n=loaded.ranked_counts.get(project.id, 0),
            rank=result.rank,
        )
        return Outcome("not_awarded", _("未成交"), "secondary", detail, **link)
    return Outcome("not_awarded", _("未成交"), "secondary", **link)


def _outcome(registration: Registration, loaded: _Loaded, now: datetime, window) -> Outcome:
    project = registration.project
    ended = ended_outcome(project, loaded.terminations.get(project.id))
    if ended is not None:
        return ended
    if registration.status != REG_ACCEPTED:
        return _registration_outcome(project, registration, window)
    if project.status == STATUS_PUBLISHED:
        return _quoting_outcome(project, registration, loaded, now)
    if project.status == STATUS_AWARDED and project.id in loaded.announced:
        return _result(project, registration, loaded)
    if registration.id not in loaded.opened:
        return _no_quote()
    # Opened or evaluated (a failed evaluation too, until every member signs the report).
    return Outcome(
        "evaluating",
        _("评审中"),
        "info",
        _("报价已开启，询比价小组正在评审；成交结果尚未公布。"),
        explanation_due=loaded.explanation_due.get(registration.id),
    )


def outcomes_for(
    registrations: list[Registration], now: datetime, calendar: CalendarOnce | None = None
) -> dict[int, Outcome]:
    """Registration id → the supplier's outcome, for many registrations in a fixed number of queries.

    The registrations' projects should be loaded with them; ``calendar`` is shared with the rest
    of the page (it is read only if a project needs it).
    """
    loaded = _load(registrations)
    calendar = calendar or CalendarOnce()

    def window(project: Project):
        return registration_state(project, now, calendar)

    return {registration.id: _outcome(registration, loaded, now, window) for registration in registrations}


def outcome_of(project: Project, registration: Registration | None, now: datetime) -> Outcome | None:
    """The supplier's outcome on one project; for a supplier that did not register, only 流标 / 终止."""
    if registration is not None:
        return outcomes_for([registration], now)[registration.id]
    if project.status in ENDED_STATUSES:
        return ended_outcome(project, current_termination(project))
    return None
