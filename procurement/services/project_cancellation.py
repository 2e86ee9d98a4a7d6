"""Terminating (终止) a project with a reason, and issuing its termination notice."""
from __future__ import annotations

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain import lifecycle
from procurement.extensions import db
from procurement.models import Project
from procurement.queries.project_state import candidates_exhausted
from procurement.services import ServiceError, notify_suppliers, open_data, quorum_opening, termination
from procurement.services.unit_of_work import change_status, command, lock_project


@command
def cancel(project: Project, reason: str, actor) -> None:
    """Terminate (终止) a published project with a reason; its termination notice follows (a job).

    An awarded project may be terminated only when every candidate has since declined or been
    found ineligible (no winner stands and none can be confirmed). A quorum project terminated
    before its opening has its shares and wrapped key erased (``quorum_opening.erase_unopened``).
    """
    project = lock_project(project)
    if not lifecycle.allowed(project.status, lifecycle.CANCELLED):
        raise ServiceError(N_("该项目当前状态不能终止。"), "not_cancellable")
    if project.status == lifecycle.AWARDED and not candidates_exhausted(project):
        raise ServiceError(N_("该项目当前状态不能终止。"), "not_cancellable")
    if not reason.strip():
        raise ServiceError(N_("请填写终止理由。"), "reason_required", field="reason")
    now = clock.now()
    change_status(project, lifecycle.CANCELLED, actor, reason=reason.strip(), at=now)
    audit.record("project.cancel", project, details={"reason": reason.strip()}, actor=actor)
    # A quorum project terminated before its opening: its shares and wrapped key go with it, in
    # this transaction (after the opening there is nothing left to erase).
    quorum_opening.erase_unopened(project, actor)
    db.session.flush()
    open_data.record_release(project, open_data.TENDER_CANCELLATION, "cancel")
    # The termination notice (终止公告) is a public announcement: its job issues it right after.
    termination.schedule_notice(project, actor=actor)
    notify_suppliers.project_ended(project, failed=False)
