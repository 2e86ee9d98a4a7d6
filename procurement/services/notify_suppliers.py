"""What suppliers are told, each called inside the command (or the job's final transaction) that
makes the change it tells of.

Before the opening a supplier is told only of its own registration and quote and of what every
registrant is told alike (the correction notice, the RFQ documents): never an amount, never who
else registered or quoted. Each message goes to every active account of the supplier's company,
one mail per address.
"""
from __future__ import annotations

from procurement.domain import N_
from procurement.domain import notifications as kinds
from procurement.formatting import cn_date, cn_datetime, translate
from procurement.models import (
    REG_ACCEPTED,
    AbnormalLowReview,
    Amendment,
    Challenge,
    Job,
    Project,
    ProjectFile,
    QualificationCheck,
    Registration,
)
from procurement.queries import notifications as reads
from procurement.queries.registrations import CRITERION_LABELS
from procurement.services.notifications import Delivery, Message, deliver, link_to, notify


def named(project: Project) -> str:
    """How a message names a project: its code and title."""
    return f"{project.code} {project.title}"


def _company(registration: Registration):
    return [user for _, user in reads.company_users([registration.company_id])]


def _registrants(project: Project, *, opened_only: bool = False):
    return [user for _, user in reads.registrant_users(project.id, opened_only=opened_only)]


def registration_checked(registration: Registration, check: QualificationCheck) -> None:
    """The automatic checks of a submitted registration passed, or failed with their reasons."""
    project = registration.project
    if registration.status == REG_ACCEPTED:
        title = translate(N_("报名已通过资格审核：%(project)s"), {"project": project.code})
        body = translate(
            N_("贵公司对“%(project)s”的报名已通过自动资格审核。现在可以下载询比价文件，并在报价截止时间 %(deadline)s（北京时间）前提交密封报价。"),
            {"project": named(project), "deadline": cn_datetime(project.opening_at)},
        )
    else:
        reasons = [
            f"{translate(CRITERION_LABELS.get(result['criterion'], result['criterion']))}：{translate(result['message'], result.get('params'))}"
            for result in check.results
            if result["status"] == "fail"
        ]
        title = translate(N_("报名未通过资格审核：%(project)s"), {"project": project.code})
        body = translate(
            N_("贵公司对“%(project)s”的报名未通过自动资格审核，原因如下：\n%(reasons)s\n报名期内可修改后重新提交。"),
            {"project": named(project), "reasons": "\n".join(f"· {reason}" for reason in reasons)},
        )
    notify(
        _company(registration),
        kinds.REGISTRATION_CHECKED,
        project=project,
        title=title,
        body=body,
        link=link_to("supplier.registration", project_id=project.id),
        key=f"registration_check:{check.id}",
    )


def project_amended(project: Project, amendment: Amendment) -> None:
    """A correction notice (更正公告) was published: every registrant of the project is told."""
    body = translate(
        N_("“%(project)s”发布了更正公告：%(summary)s\n更正理由：%(reason)s\n报价截止（开启）时间：%(deadline)s（北京时间）。请以更正后的公告为准。"),
        {
            "project": named(project),
            "summary": amendment.summary,
            "reason": amendment.reason,
            "deadline": cn_datetime(project.opening_at),
        },
    )
    notify(
        _registrants(project),
        kinds.PROJECT_AMENDED,
        project=project,
        title=translate(N_("更正公告：%(project)s"), {"project": project.code}),
        body=body,
        link=link_to("supplier.project", project_id=project.id),
        key=f"amendment:{amendment.id}",
    )


def rfq_changed(project: Project, project_file: ProjectFile, *, added: bool) -> None:
    """An RFQ document was added to or removed from a published project: every registrant is told."""
    if project.status != "published":
        return
    template = (
        N_("“%(project)s”新增了询比价文件《%(title)s》，已通过资格审核的供应商可在项目页面下载。")
        if added
        else N_("“%(project)s”的询比价文件《%(title)s》已被采购人撤下，请以项目页面现有的文件为准。")
    )
    notify(
        _registrants(project),
        kinds.RFQ_CHANGED,
        project=project,
        title=translate(N_("询比价文件变更：%(project)s"), {"project": project.code}),
        body=translate(template, {"project": named(project), "title": project_file.title}),
        link=link_to("supplier.project", project_id=project.id),
        key=f"rfq:{project_file.id}:{'added' if added else 'removed'}",
    )


def explanation_requested(review: AbnormalLowReview) -> None:
    """The panel asks the supplier for a written explanation of a low price, by its due time."""
    registration = review.registration
    project = registration.project
    notify(
        _company(registration),
        kinds.EXPLANATION_REQUESTED,
        project=project,
        title=translate(N_("请就报价作出书面说明：%(project)s"), {"project": project.code}),
        body=translate(
            N_("询比价小组认为贵公司在“%(project)s”中的报价可能明显低于其他报价，要求贵公司在 %(due)s（北京时间）前提交书面说明及必要的证明材料。逾期未说明的，小组将据实作出决定。"),
            {"project": named(project), "due": cn_datetime(review.due_at)},
        ),
        link=link_to("supplier.explanation", project_id=project.id),
        key=f"explanation_request:{review.id}",
    )


def opening_record(project: Project) -> None:
    """The opening record is issued: every supplier whose quote was opened may read it now."""
    notify(
        _registrants(project, opened_only=True),
        kinds.OPENING_RECORD,
        project=project,
        title=translate(N_("开标记录已公布：%(project)s"), {"project": project.code}),
        body=translate(
            N_("“%(project)s”已于 %(opened)s（北京时间）开启报价，开标记录现已公布，可在平台查看并下载。"),
            {"project": named(project), "opened": cn_datetime(project.opened_at)},
        ),
        link=link_to("supplier.opening_record", project_id=project.id),
        key=f"opening_record:{project.id}",
    )


def result_published(project: Project, job: Job, registrations: list[Registration]) -> None:
    """The result is published: each new winner's award notice, everyone else's result notice."""
    winners = set(job.payload["winners"])
    by_company = {}
    for company_id, user in reads.company_users(registration.company_id for registration in registrations):
        by_company.setdefault(company_id, []).append(user)
    link = link_to("supplier.project", project_id=project.id)
    deliveries = []
    for registration in registrations:
        if registration.id in winners:
            title = translate(N_("成交通知书：%(project)s"), {"project": project.code})
            body = N_("“%(project)s”的成交结果已公布，贵公司被确定为成交供应商。成交通知书已签发，请登录平台下载，并按通知书的要求签订合同。")
        else:
            title = translate(N_("成交结果通知：%(project)s"), {"project": project.code})
            body = N_("“%(project)s”的成交结果已公布，贵公司未被确定为成交供应商。成交结果通知书已签发，可登录平台查看和下载；如有异议，可在质疑期内提出质疑。")
        message = Message(
            kind=kinds.RESULT_PUBLISHED,
            title=title,
            body=translate(body, {"project": named(project)}),
            key=f"result:{job.id}:{registration.id}",
            link=link,
            project_id=project.id,
        )
        deliveries += [Delivery(user, message) for user in by_company.get(registration.company_id, [])]
    deliver(deliveries)  # one batch: the statements do not grow with the participants


def project_ended(project: Project, *, failed: bool) -> None:
    """The project was cancelled (终止) or failed (流标): every registrant is told, with the reason."""
    body = (
        N_("“%(project)s”已流标。原因：%(reason)s\n终止公告可在项目页面查看。")
        if failed
        else N_("“%(project)s”已终止，不再接受报名和报价。原因：%(reason)s\n终止公告发布后可在项目页面查看。")
    )
    notify(
        _registrants(project),
        kinds.PROJECT_ENDED,
        project=project,
        title=translate(N_("项目流标：%(project)s") if failed else N_("项目终止：%(project)s"), {"project": project.code}),
        body=translate(body, {"project": named(project), "reason": project.status_reason or ""}),
        link=link_to("supplier.project", project_id=project.id),
        key=f"ended:{project.id}",
    )


def challenge_answered(challenge: Challenge) -> None:
    """The buyer answered a challenge: the challenger's company is told."""
    registration = challenge.registration
    project = registration.project
    notify(
        _company(registration),
        kinds.CHALLENGE_ANSWERED,
        project=project,
        title=translate(N_("质疑已答复：%(project)s"), {"project": project.code}),
        body=translate(
            N_("采购人已于 %(answered)s（北京时间）书面答复贵公司于 %(filed)s 就“%(project)s”提出的质疑，请登录平台查看答复内容。"),
            {"answered": cn_datetime(challenge.answered_at), "filed": cn_date(challenge.filed_at), "project": named(project)},
        ),
        link=link_to("supplier.challenge", challenge_id=challenge.id),
        key=f"challenge_answered:{challenge.id}",
    )
