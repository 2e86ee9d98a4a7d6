"""How the audit trail reads to a person: action names, who acted, what was acted on."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

from procurement.formatting import mark_chinese, parenthesised
from procurement.models import AuditEvent

# Labels for the actions the workflow records; an action without one is shown as recorded. In the
# "audit" context: they say what happened (Bill of quantities imported), where the same Chinese on a
# button says what to do (Import the bill of quantities).
ACTION_LABELS = {
    "account.create": _lp("audit", "创建账号"),
    "account.password_change": _lp("audit", "修改密码"),
    "account.password_reset": _lp("audit", "通过邮件链接重置密码"),
    "account.password_reset_link_sent": _lp("audit", "发送重置密码邮件"),
    "account.activate": _lp("audit", "启用账号"),
    "account.deactivate": _lp("audit", "停用账号"),
    "company.create": _lp("audit", "供应商注册公司"),
    "company.update": _lp("audit", "修改公司信息"),
    "clock.set": _lp("audit", "设置模拟时间"),
    "clock.reset": _lp("audit", "恢复真实时间"),
    "calendar.year_enter": _lp("audit", "录入年度节假日安排"),
    "calendar.year_remove": _lp("audit", "删除年度节假日安排"),
    "calendar.regional_add": _lp("audit", "添加地方节假日"),
    "calendar.regional_import": _lp("audit", "导入地方节假日"),
    "calendar.remove": _lp("audit", "删除节假日"),
    "blacklist.import": _lp("audit", "导入失信名单"),
    "project.create": _lp("audit", "创建项目"),
    "project.update": _lp("audit", "修改草稿"),
    "project.boq_import": _lp("audit", "导入采购清单"),
    "project.publish": _lp("audit", "发布公告"),
    "project.amend": _lp("audit", "更正公告"),
    "project.cancel": _lp("audit", "终止项目"),
    "project.open": _lp("audit", "开启报价"),
    "project.opening_mode": _lp("audit", "设置开标方式"),
    "project.quorum_seal": _lp("audit", "封装开标份额"),
    "opening_key.create": _lp("audit", "设置个人开标密钥"),
    "opening_key.change": _lp("audit", "修改开标口令"),
    "opening_key.replace": _lp("audit", "重新生成个人开标密钥"),
    "opening.share_supplied": _lp("audit", "开标人提交开标份额"),
    "opening.share_refused": _lp("audit", "开标口令或份额被拒绝"),
    "opening.shares_erased": _lp("audit", "项目终止，销毁开标份额"),
    "project.fail": _lp("audit", "流标"),
    "rfq.add": _lp("audit", "上传询比价文件"),
    "rfq.remove": _lp("audit", "撤下询比价文件"),
    "rfq.download": _lp("audit", "下载询比价文件"),
    "registration.create": _lp("audit", "创建报名"),
    "registration.upload": _lp("audit", "上传报名资料"),
    "registration.draft": _lp("audit", "保存报名草稿"),
    "registration.submit": _lp("audit", "提交报名"),
    "registration.credit_recheck": _lp("audit", "重新核查信用记录"),
    "quote.submit": _lp("audit", "提交密封报价"),
    "quote.revise": _lp("audit", "修改报价"),
    "quote.withdraw": _lp("audit", "撤回报价"),
    "quote.open": _lp("audit", "开启报价"),
    "quote.open_failed": _lp("audit", "报价开启失败"),
    "panel.appoint": _lp("audit", "指定评审小组成员"),
    "panel.chair": _lp("audit", "指定评审组长"),
    "panel.remove": _lp("audit", "移除评审小组成员"),
    "panel.replace": _lp("audit", "更换评审小组成员"),
    "panel.declare": _lp("audit", "利益冲突声明"),
    "evaluation.start": _lp("audit", "开始评审"),
    "evaluation.votes_save": _lp("audit", "保存评审意见"),
    "evaluation.votes_submit": _lp("audit", "提交评审意见"),
    "evaluation.votes_reopen": _lp("audit", "退回评审意见"),
    "evaluation.rank": _lp("audit", "排序"),
    "evaluation.report_confirm": _lp("audit", "确认评审报告"),
    "evaluation.complete": _lp("audit", "评审完成"),
    "abnormal_low.request": _lp("audit", "要求说明异常低价"),
    "abnormal_low.explain": _lp("audit", "提交异常低价说明"),
    "abnormal_low.decide": _lp("audit", "认定异常低价"),
    "document.issue": _lp("audit", "出具文书"),
    "award.confirm": _lp("audit", "确定成交"),
    "award.drop_out": _lp("audit", "候选人放弃或不符合条件"),
    "award.publish": _lp("audit", "发布成交结果"),
    "challenge.file": _lp("audit", "提出质疑"),
    "challenge.answer": _lp("audit", "答复质疑"),
    "ocds.backfill": _lp("audit", "补发开放数据"),
    "job.retry": _lp("audit", "重试后台任务"),
    "mail.resend": _lp("audit", "重新发送邮件"),
}


ROLE_LABELS = {"buyer": _l("采购人"), "panel": _l("评审小组成员"), "supplier": _l("供应商")}
OBJECT_LABELS = {
    "project": _l("项目"), "amendment": _l("更正公告"), "project_file": _l("询比价文件"), "file_download": _l("文件下载"),
    "registration": _l("报名"), "company": _l("供应商"), "user": _l("账户"), "blacklist_import": _l("失信名单版本"),
    "sealed_quote": _l("报价"), "opened_quote": _l("开启的报价"), "panel_member": _l("评审小组成员"), "vote": _l("评审意见"),
    "evaluation": _l("评审"), "abnormal_low_review": _l("异常低价审查"), "award": _l("成交确定"),
    "generated_document": _l("文书"), "opening_official": _l("开标人"), "challenge": _l("质疑"), "holiday": _l("节假日"), "calendar": _l("工作日历"), "clock": _l("模拟时间"),
    "job": _l("后台任务"), "mail_message": _l("邮件"),
}


# What a chain's first fault means (procurement.domain.audit.BreakReason).
BREAK_LABELS = {
    "hash_mismatch": _l("记录内容与其哈希值不符（已被修改）"),
    "wrong_chain": _l("记录不在其所属项目的哈希链中（已被移动）"),
    "seq_gap": _l("序号不连续（之前的记录已被删除或序号被改动）"),
    "prev_mismatch": _l("与上一条记录的链接不符（记录已被删除、替换或调换）"),
    "head_missing": _l("哈希链的链头缺失"),
    "newest_missing": _l("链头记载的最新记录已不存在（最新记录已被删除）"),
    "head_mismatch": _l("链头记载的最后一条记录与哈希链不符"),
    "head_forged": _l("链头的密钥签封无效（链头已被改写）"),
    "head_unsealed": _l("链头尚未签封（请运行 flask audit seal）"),
}


def chain_label(chain: str) -> str:
    """全平台 for the site's chain, 项目 #7 for a project's."""
    kind, _, number = chain.partition(":")
    return str(_l("全平台")) if chain == "site" else f"{_l('项目')} #{number}" if kind == "project" else chain


def actor_label(event: AuditEvent) -> str:
    """Who acted, as a person reads it: 措姆（采购人）, or 系统 for commands and sign-up (Markup: the name is marked Chinese on an English page)."""
    user = event.actor_user
    if user is None:
        return str(_l("系统"))
    return mark_chinese(user.name) + parenthesised(ROLE_LABELS.get(user.role, user.role))


def object_label(event: AuditEvent) -> str:
    """What was acted on: 报价 #6."""
    label = OBJECT_LABELS.get(event.object_type, event.object_type)
    return f"{label} #{event.object_id}" if event.object_id else str(label)


def audit_label_context() -> dict:
    """The label functions the audit templates use, passed explicitly by the views that render them."""
    return {
        "audit_action_label": lambda action: ACTION_LABELS.get(action, action),
        "audit_actor": actor_label,
        "audit_object": object_label,
        "audit_break_label": lambda reason: BREAK_LABELS.get(reason, reason),
        "audit_chain_label": chain_label,
    }
