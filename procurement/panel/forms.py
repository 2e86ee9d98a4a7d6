"""Panel member forms: the declaration of interest, the review matrix, abnormal-low decisions, the report."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, PasswordField, RadioField, TextAreaField
from wtforms.validators import Optional

from procurement.domain.schedule import BEIJING
from procurement.domain.text import first_forbidden, strip_forbidden
from procurement.forms_common import BaseForm, choices, length, required, sensible_year
from procurement.services.evaluation import DECISION_ACCEPT, DECISION_REJECT, CellInput

NO_CONFLICT = "none"
CONFLICT = "conflict"


class DeclarationForm(BaseForm):
    """The member's declaration of interest (利害关系声明) before it sees any supplier's documents."""

    conflict = RadioField(
        _l("利害关系声明"),
        choices=choices(
            [
                (NO_CONFLICT, _l("本人与以上参加供应商均不存在利害关系")),
                (CONFLICT, _l("本人与以上某家供应商存在利害关系，申请回避")),
            ]
        ),
        validators=[required(_l("请选择一项声明。"))],
    )
    note = TextAreaField(
        _l("利害关系说明（申请回避时必填）"), validators=[Optional(), length(1000)], render_kw={"rows": 2}
    )


class ReviewMatrixForm(BaseForm):
    """A review form (a supplier's sheet, the overview's submit; also the CSRF of the panel's buttons).

    The cells are read from the request by :func:`read_cells` (one pair of inputs per cell).
    """


def verdict_name(registration_id: int, criterion: str) -> str:
    """The radio group's name for one cell."""
    return f"v-{registration_id}-{criterion}"


def reason_name(registration_id: int, criterion: str) -> str:
    """The reason input's name for one cell."""
    return f"r-{registration_id}-{criterion}"


def read_cells(data, registration_ids, criteria) -> list[CellInput]:
    """The cells of ``registration_ids`` × ``criteria`` that ``data`` (a request's form) carries.

    A cell counts as sent when its verdict or its reason field is in the form; unknown
    verdicts read as none. Cells not sent keep what the member saved before.
    """
    cells = []
    for registration_id in registration_ids:
        for criterion in criteria:
            verdict_key, reason_key = verdict_name(registration_id, criterion), reason_name(registration_id, criterion)
            if verdict_key not in data and reason_key not in data:
                continue
            verdict = data.get(verdict_key) or None
            if verdict not in ("pass", "fail"):
                verdict = None
            # The reason inputs are not WTForms fields: the characters CleanText refuses are dropped here
            # (the view says so, see :func:`reasons_had_forbidden_characters`).
            reason = strip_forbidden(data.get(reason_key) or "")[:1000]
            cells.append(CellInput(registration_id, criterion, verdict, reason))
    return cells


def reasons_had_forbidden_characters(data) -> bool:
    """Whether a posted reason carried a control, bidi or invisible character (dropped by :func:`read_cells`)."""
    return any(key.startswith("r-") and first_forbidden(value) for key, value in data.items(multi=True))


class ExplanationRequestForm(BaseForm):
    """The chair asks a supplier to explain an abnormally low price by a due time (Beijing time)."""

    due_at = DateTimeLocalField(
        _l("说明截止时间（北京时间）"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[required(_l("请选择截止日期和时间。")), sensible_year()],
    )

    def due_at_utc(self) -> datetime | None:
        """The due time as an aware datetime."""
        return self.due_at.data.replace(tzinfo=BEIJING) if self.due_at.data else None


class AbnormalDecisionForm(BaseForm):
    """The panel's decision on an abnormally low price, with its reason."""

    decision = RadioField(
        _l("评审决定"),
        choices=choices(
            [
                (DECISION_ACCEPT, _l("接受说明，报价有效")),
                (DECISION_REJECT, _l("不接受说明，该报价无效")),
            ]
        ),
        validators=[required(_l("请选择接受或不接受。"))],
    )
    reason = TextAreaField(_l("理由"), validators=[required(_l("请填写理由。")), length(2000)], render_kw={"rows": 3})


class ReportConfirmForm(BaseForm):
    """Confirm (sign) the evaluation report by re-entering the password; a written dissent is optional."""

    dissent = TextAreaField(
        _l("不同意见（如有，请写明；将印在评审报告中）"), validators=[Optional(), length(2000)], render_kw={"rows": 3}
    )
    password = PasswordField(_l("登录密码（确认身份）"), validators=[required(_l("请输入您的登录密码。")), length(128)])
