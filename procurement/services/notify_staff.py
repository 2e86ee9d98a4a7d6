"""What panel members and buyer staff are told, each called inside the command (or the job's final
transaction) that makes the change it tells of.

Buyer staff are one office: every active buyer account is told (each may switch the mail off).
A panel member is told of its own appointment, and of the evaluation's steps while it sits on
the panel without a conflict.
"""
from __future__ import annotations

from datetime import timezone

from procurement.domain import N_
from procurement.domain import notifications as kinds
from procurement.extensions import db
from procurement.formatting import cn_date, cn_datetime, translate
from procurement.models import AbnormalLowReview, Challenge, Evaluation, Job, MailMessage, PanelMember, Project, User
from procurement.queries import notifications as reads
from procurement.queries.jobs import KIND_MAIL, LABELS as JOB_LABELS
from procurement.queries.lookups import supplier_name
from procurement.services.notifications import link_to, notify
from procurement.services.notify_suppliers import named


def panel_appointed(member: PanelMember, user: User) -> None:
    """A panel account was appointed to a project's panel (as chair or member)."""
    project = db.session.get(Project, member.project_id)
    role = translate(N_("组长")) if member.is_chair else translate(N_("成员"))
    notify(
        user,
        kinds.PANEL_APPOINTED,
        project=project,
        title=translate(N_("您已被指定为询比价小组%(role)s：%(project)s"), {"role": role, "project": project.code}),
        body=translate(
            N_("采购人指定您为“%(project)s”询比价小组%(role)s。报价将于 %(opening)s（北京时间）开启；开启后请先登录平台作出利害关系声明，再参加评审。"),
            {"project": named(project), "role": role, "opening": cn_datetime(project.opening_at)},
        ),
        link=link_to("panel.project", project_id=project.id),
        key=f"panel_appointed:{member.id}:{member.appointed_at.isoformat()}",
    )


def evaluation_started(project: Project, evaluation: Evaluation) -> None:
    """Buyer staff started the evaluation: every member without a conflict may review now."""
    notify(
        [user for _, user in reads.panel_users(project.id)],
        kinds.EVALUATION_STARTED,
        project=project,
        title=translate(N_("评审已开始：%(project)s"), {"project": project.code}),
        body=translate(
            N_("采购人已启动“%(project)s”的评审。请登录平台逐项审查各供应商的资格和响应文件，并提交您的评审意见。"),
            {"project": named(project)},
        ),
        link=link_to("panel.review", project_id=project.id),
        key=f"evaluation_started:{evaluation.id}",
    )


def report_ready(project: Project, evaluation: Evaluation) -> None:
    """The chair ranked the quotes: the evaluation report waits for every member's signature."""
    notify(
        [user for _, user in reads.panel_users(project.id)],
        kinds.REPORT_READY,
        project=project,
        title=translate(N_("评审报告待您确认：%(project)s"), {"project": project.code}),
        body=translate(
            N_("“%(project)s”的评审结果已汇总，评审报告已生成草稿。请登录平台核对并确认（签署）评审报告；如有不同意见，可在确认时写明。"),
            {"project": named(project)},
        ),
        link=link_to("panel.report", project_id=project.id),
        key=f"report_ready:{evaluation.id}",
    )


def explanation_submitted(review: AbnormalLowReview, *, revised: bool = False) -> None:
    """A supplier submitted (or, ``revised``, changed) its written explanation: buyer staff and the
    panel's chair are told, once per submission (keyed by its time: a revision is told again)."""
    registration = review.registration
    project = registration.project
    chair = [user for member, user in reads.panel_users(project.id) if member.is_chair]
    values = {"supplier": supplier_name(registration), "at": cn_datetime(review.explained_at), "project": named(project)}
    if revised:
        title = N_("供应商已修改书面说明：%(project)s")
        body = N_("%(supplier)s 已于 %(at)s（北京时间）修改其就“%(project)s”的异常低价提交的书面说明，请询比价小组审阅修改后的说明后作出决定。")
    else:
        title = N_("供应商已提交书面说明：%(project)s")
        body = N_("%(supplier)s 已于 %(at)s（北京时间）就“%(project)s”的异常低价提交书面说明，请询比价小组审阅后作出决定。")
    notify(
        reads.buyer_staff() + chair,
        kinds.EXPLANATION_SUBMITTED,
        project=project,
        title=translate(title, {"project": project.code}),
        body=translate(body, values),
        link=link_to("panel.abnormal", project_id=project.id, registration_id=registration.id),
        key=f"explanation_submitted:{review.id}:{review.explained_at.astimezone(timezone.utc).isoformat()}",
    )


def challenge_filed(challenge: Challenge) -> None:
    """A supplier filed a challenge: buyer staff must answer by its due date."""
    registration = challenge.registration
    project = registration.project
    notify(
        reads.buyer_staff(),
        kinds.CHALLENGE_FILED,
        project=project,
        title=translate(N_("收到质疑：%(project)s"), {"project": project.code}),
        body=translate(
            N_("%(supplier)s 于 %(filed)s（北京时间）对“%(project)s”提出质疑，请于 %(due)s 前书面答复。"),
            {
                "supplier": supplier_name(registration),
                "filed": cn_datetime(challenge.filed_at),
                "project": named(project),
                "due": cn_date(challenge.answer_due_on),
            },
        ),
        link=link_to("buyer.challenge", challenge_id=challenge.id),
        key=f"challenge_filed:{challenge.id}",
    )


def report_signed(project: Project, evaluation: Evaluation) -> None:
    """Every member signed and the report is on record: buyer staff take the next step."""
    if evaluation.failed:
        body = N_("“%(project)s”的评审报告已由询比价小组全体成员确认签署。有效报价不足，项目已流标，终止公告已发布。")
    else:
        body = N_("“%(project)s”的评审报告已由询比价小组全体成员确认签署，请在规定期限内确定成交供应商。")
    notify(
        reads.buyer_staff(),
        kinds.REPORT_SIGNED,
        project=project,
        title=translate(N_("评审报告已全部签署：%(project)s"), {"project": project.code}),
        body=translate(body, {"project": named(project)}),
        link=link_to("buyer.project", project_id=project.id),
        key=f"report_signed:{evaluation.id}",
    )


def job_failed(job: Job) -> None:
    """A job failed for good (its last attempt): buyer staff are told; a failed mail in the app only."""
    project = db.session.get(Project, job.project_id) if job.project_id else None
    what = translate(JOB_LABELS.get(job.kind, job.kind))
    if project is not None:
        body = translate(
            N_("“%(project)s”的后台任务“%(what)s”多次尝试后仍未完成，请在项目页面查看错误并重试。"),
            {"project": named(project), "what": what},
        )
        link = link_to("buyer.project", project_id=project.id)
    elif job.kind == KIND_MAIL and (message := db.session.get(MailMessage, (job.payload or {}).get("mail_id"))) is not None:
        body = translate(
            N_("发给 %(to)s 的邮件“%(subject)s”多次尝试后仍未发出，请在首页“邮件发送失败”处查看错误并重新发送。"),
            {"to": message.to_address, "subject": message.subject},
        )
        link = link_to("buyer.home") + "#failed-mails"
    else:
        body = translate(N_("后台任务“%(what)s”（编号 %(id)s）多次尝试后仍未完成。"), {"what": what, "id": job.id})
        link = link_to("buyer.home")
    notify(
        reads.buyer_staff(),
        kinds.JOB_FAILED,
        project=project,
        title=translate(N_("后台任务失败：%(what)s"), {"what": what}),
        body=body,
        link=link,
        key=f"job_failed:{job.id}:{job.finished_at.isoformat()}",
        by_mail=job.kind != KIND_MAIL,  # the mail that failed would only fail again: no loops
    )
