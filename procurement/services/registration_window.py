"""When a supplier may register: the window and daily hours, and a complete company profile.

Preparing is wider than submitting: from publication to the close, also outside the daily hours
(the lunch break, evenings, weekends), a supplier may save its answers as a draft and upload its
scans; only the submission waits for the hours, and the page says when submitting opens next
(:func:`next_submission`).
"""
from __future__ import annotations

from procurement import clock
from procurement.domain import N_
from procurement.domain.submission_window import SubmissionOpens, submission_opens
from procurement.formatting import cn_time, local_datetime, local_hours, local_hours_cutoff
from procurement.models import Company, Project
from procurement.queries.phases import registration_state
from procurement.services import ServiceError

#: Refusals of :func:`ensure_can_register` that still allow preparing a draft: the window is open
#: (published, not closed) but this moment is outside the daily hours.
PREPARABLE_REFUSALS = ("registration_not_open", "registration_outside_hours")


def ensure_can_register(project: Project, company: Company) -> None:
    """Refuse registration outside the window and daily hours, or without a complete profile.

    :raise ServiceError: ``registration_not_open`` / ``registration_outside_hours`` /
        ``registration_closed`` / ``registration_unavailable`` / ``profile_incomplete``.
    """
    state = registration_state(project, clock.now())
    if state is None:
        raise ServiceError(N_("该项目当前不接受报名。"), "registration_unavailable")
    if state.state == "not_yet_open":
        raise ServiceError(
            N_("报名尚未开始，将于 %(at)s（北京时间）开始。"), "registration_not_open", at=local_datetime(state.next_open_at, True)
        )
    if state.state == "outside_hours":
        raise ServiceError(
            N_("现在不在报名时段内（每个工作日%(hours)s）。%(cutoff)s。下一次开放：%(at)s（北京时间）。"),
            "registration_outside_hours",
            hours=local_hours(project.registration_hours),
            cutoff=local_hours_cutoff(project.registration_hours),
            at=local_datetime(state.next_open_at, True),
        )
    if state.state == "closed":
        raise ServiceError(
            N_("报名已于 %(at)s（北京时间）截止（%(end)s起不再受理），不能再报名或修改报名资料。"),
            "registration_closed",
            at=local_datetime(state.closes_at, True),
            end=cn_time(state.closes_at),
        )
    if not company.profile_complete:
        raise ServiceError(N_("请先完善公司信息，再报名。"), "profile_incomplete")


def ensure_can_prepare(project: Project, company: Company) -> ServiceError | None:
    """Whether a draft may be saved now: ``None`` when submitting is possible too, else why not yet.

    A draft may be saved whenever the registration window is open (published, not closed),
    including outside the daily hours; the returned error is the refusal a submission would get
    now (``registration_not_open`` / ``registration_outside_hours``).

    :raise ServiceError: when even preparing is refused: ``registration_closed`` /
        ``registration_unavailable`` / ``profile_incomplete``.
    """
    try:
        ensure_can_register(project, company)
    except ServiceError as error:
        if error.code not in PREPARABLE_REFUSALS:
            raise
        if not company.profile_complete:
            raise ServiceError(N_("请先完善公司信息，再报名。"), "profile_incomplete") from None
        return error
    return None


def next_submission(project: Project) -> SubmissionOpens | None:
    """When submitting opens next (今日15:30起可提交), if the window is open but this moment is outside the hours."""
    now = clock.now()
    state = registration_state(project, now)
    if state is None or state.state not in ("not_yet_open", "outside_hours") or state.next_open_at is None:
        return None
    return submission_opens(now, state.next_open_at)
