"""The read side names stored kinds and statuses itself (it may not import a service): they must stay
the services' names, and the supplier's failure reasons must read as the award service writes them."""
from __future__ import annotations

from procurement.queries import public, supplier_outcomes
from procurement.services import award, termination


def test_the_stored_names_the_read_side_uses_are_the_services_names():
    assert public.KIND_TERMINATION == termination.KIND
    assert public.ENDED_STATUSES == termination.ENDED_STATUSES
    assert public.KIND_RESULT_ANNOUNCEMENT == award.KIND_ANNOUNCEMENT
    assert supplier_outcomes.NOTICE_KINDS == award.NOTICE_KINDS
    assert (supplier_outcomes.AWARDED, supplier_outcomes.DECLINED, supplier_outcomes.INELIGIBLE) == (
        award.AWARDED,
        award.DECLINED,
        award.INELIGIBLE,
    )


def test_failure_reasons_read_as_the_award_service_describes_them(app):
    samples = [
        "报价超过最高限价",
        {"criterion": "lhasa_premises", "reasons": ["经营场所不在拉萨市辖区。", "经营场所不在拉萨市辖区", " "]},
        {"criterion": "quote_compliance", "reason": "缺少一项报价。"},
        {"criterion": "abnormal_low"},
        {"criterion": "credit", "message": "未发现失信记录。", "params": {}},
        {"criterion": "", "reasons": "说明不充分"},
        42,
    ]
    with app.test_request_context():
        for item in samples:
            assert supplier_outcomes.describe_failure(item) == award.describe_failure(item), item
