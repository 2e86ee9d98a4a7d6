"""Every kind of job, by the name stored in ``job.kind``: its steps, each step's document, its final change.

The kinds are defined beside the commands that decide them (the services); this table only
names them for the runner.
"""
from __future__ import annotations

from procurement.queries import jobs as names
from procurement.services import announcements, mail, notify_staff, opening, termination
from procurement.services import jobs as job_service
from procurement.services.award import publication
from procurement.services.evaluation import report
from procurement.services.jobs import JobKind

KINDS: dict[str, JobKind] = {
    names.KIND_AWARD_PUBLICATION: JobKind(publication.steps, publication.prepare, publication.apply),
    names.KIND_EVALUATION_REPORT: JobKind(report.steps, report.prepare, report.apply),
    names.KIND_OPENING_RECORD: JobKind(opening.steps, opening.prepare, opening.apply),
    names.KIND_ANNOUNCEMENT: JobKind(announcements.steps, announcements.prepare, announcements.apply),
    names.KIND_TERMINATION: JobKind(termination.steps, termination.prepare, termination.apply),
    names.KIND_MAIL: JobKind(mail.steps, mail.prepare, mail.apply, mail.deliver),
}


# A job that fails for good tells buyer staff, in the transaction that records the failure.
job_service.on_final_failure(notify_staff.job_failed)


def kind_of(name: str) -> JobKind:
    """The kind named ``name``.

    :raise KeyError: for a kind this code does not know (a job from a newer release).
    """
    return KINDS[name]
