"""Projects in the states the homes' to-do lists name, each built by the services (issue 13).

Every builder takes a ``tag`` that makes its project's code, title and panel names unique, so a
test can build any number of each; the clock is left wherever the builder left it: set it to
the moment to look from (``LOOK_AT``: Monday after the opening) before reading a home.
"""
from __future__ import annotations

from datetime import datetime

from procurement.domain.schedule import BEIJING
from procurement.services import award as award_service
from procurement.services import challenges as challenge_service
from procurement.services import evaluation
from tests.factories.evaluation import make_evaluated_project
from tests.factories.jobs import recorded_renders
from tests.factories.opening import OPENED_SUPPLIERS, SupplierSpec, make_opened_project
from tests.factories.projects import make_project
from tests.factories.rows import PASSWORD
from tests.factories.timing import moved

#: Monday 2025-01-06 10:00: the opening (Thursday 16:00) has passed, the report (Friday) is in.
LOOK_AT = datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING)
#: The explanation a chair asks for is due Tuesday noon (a day and two hours after LOOK_AT).
EXPLANATION_DUE = datetime(2025, 1, 7, 12, 0, tzinfo=BEIJING)
#: The fourth supplier's total (2,600.00) is below 50% of the average: abnormally low.
LOW_PRICED = OPENED_SUPPLIERS[:3] + (SupplierSpec("拉萨低价贸易有限公司", ("10.00", "150.00", "5.00")),)


def _named(tag: str, what: str) -> dict:
    return {"code": f"{tag}-{what}", "title": f"{tag}{what}项目"}


def _panel(tag: str) -> tuple[str, str, str]:
    return (f"{tag}甲", f"{tag}乙", f"{tag}丙")


def opening_due(buyer, clock, tag: str):
    """Published, its opening time (2025-01-02 16:00) to come: seen after it, the quotes wait to be opened."""
    return make_project(buyer, clock, **_named(tag, "待开启"))


def undeclared(buyer, clock, tag: str):
    """Opened, the panel appointed, nobody declared yet."""
    return make_opened_project(buyer, clock, panel=_panel(tag), **_named(tag, "待声明"))


def submit_votes(built, index: int) -> None:
    """Member ``index`` passes every cell and submits its review sheet."""
    cells = [
        evaluation.CellInput(registration.id, criterion, "pass", "")
        for registration in built.registrations
        for criterion in evaluation.criteria_of(built.project)
    ]
    evaluation.save_votes(built.members[index], cells, submit=True, actor=built.panel[index])


def explanation_requested(buyer, clock, tag: str):
    """Under review, every sheet in: the chair asked the abnormally low supplier (index 3) to explain."""
    built = make_opened_project(buyer, clock, suppliers=LOW_PRICED, panel=_panel(tag), declare=True, start=True, **_named(tag, "待说明"))
    for index in range(3):
        submit_votes(built, index)
    chair = evaluation.chair_of(built.project)
    evaluation.request_explanation(chair, built.registrations[3], EXPLANATION_DUE, built.panel[0])
    return built


def reviewing(buyer, clock, tag: str, *, submitted: int = 0):
    """The evaluation started; the first ``submitted`` members have submitted their sheets."""
    built = make_opened_project(buyer, clock, panel=_panel(tag), declare=True, start=True, **_named(tag, "评审中"))
    for index in range(submitted):
        submit_votes(built, index)
    return built


def signatures_pending(buyer, clock, tag: str, *, signed: int = 1):
    """Ranked; the first ``signed`` members have signed the report, the others not."""
    built = make_opened_project(buyer, clock, panel=_panel(tag), declare=True, start=True, **_named(tag, "待签署"))
    for index in range(3):
        submit_votes(built, index)
    evaluation.rank(built.members[0], built.panel[0])
    for member, user in list(zip(built.members, built.panel))[:signed]:
        evaluation.confirm_report(member, PASSWORD, None, user)
    return built


def awaiting_award(buyer, clock, tag: str):
    """Evaluated (report signed Friday 2025-01-03): the buyer is to confirm the first candidate."""
    names = [f"{tag}候选{index}商贸有限公司" for index in range(4)]
    return make_evaluated_project(buyer, clock, names=names, **_named(tag, "待确定"))


def challenged(buyer, clock, tag: str):
    """Awarded and published on LOOK_AT; the second candidate filed a challenge the buyer has not answered."""
    built = awaiting_award(buyer, clock, tag + "质")
    with moved(clock, LOOK_AT):
        award_service.confirm(built.project, built.candidate(1)[1].id, buyer)
        award_service.publish(built.project, buyer)
        user, registration = built.candidate(2)
        challenge_service.file_challenge(built.project, registration, "对成交结果有异议。", [], user)
    return built


#: The opening of the project whose announcement failed: after LOOK_AT, so only its job needs attention.
LATER_OPENING = datetime(2025, 1, 20, 16, 0, tzinfo=BEIJING)


def failed_job(buyer, clock, tag: str):
    """Published (opening on LATER_OPENING), but every attempt at its announcement PDF failed."""
    with recorded_renders() as renders:
        renders.fail = -1
        return make_project(buyer, clock, opening_at=LATER_OPENING, **_named(tag, "文书失败"))
