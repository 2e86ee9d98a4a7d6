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


#: The states :func:`seated` builds, as the member's home names what waits for it.
SEATED_STATES = ("declare", "review", "explain", "sign", "signed")


def seated(buyer, clock, user, tag: str, state: str):
    """An opened project on whose panel ``user`` chairs (with two others), in ``state``:

    ``declare`` (nobody declared), ``review`` (started, nothing submitted), ``explain`` (every sheet
    in, an explanation asked of the low-priced supplier), ``sign`` (ranked, nobody signed),
    ``signed`` (ranked, ``user`` signed, the others not).
    """
    from tests.factories.rows import PanelFactory

    suppliers = LOW_PRICED if state == "explain" else OPENED_SUPPLIERS[:3]
    built = make_opened_project(buyer, clock, suppliers=suppliers, panel=(), **_named(tag, state))
    built.panel = [user, PanelFactory(name=f"{tag}乙"), PanelFactory(name=f"{tag}丙")]
    built.members = [evaluation.appoint_member(built.project, u, buyer, chair=index == 0) for index, u in enumerate(built.panel)]
    if state == "declare":
        return built
    for member, member_user in zip(built.members, built.panel):
        evaluation.declare(member, False, None, member_user)
    evaluation.start_evaluation(built.project, buyer)
    if state == "review":
        return built
    for index in range(3):
        submit_votes(built, index)
    if state == "explain":
        evaluation.request_explanation(built.members[0], built.registrations[3], EXPLANATION_DUE, user)
        return built
    evaluation.rank(built.members[0], user)
    if state == "signed":
        evaluation.confirm_report(built.members[0], PASSWORD, None, user)
    return built


#: Published on LOOK_AT's morning (registration that week), quotes until LATER_OPENING.
LATE_PUBLISHED_AT = datetime(2025, 1, 6, 9, 0, tzinfo=BEIJING)
#: The states :func:`supplier_in` builds for one supplier.
SUPPLIER_STATES = ("quote", "quoted", "draft", "rejected", "explain", "challenge")


def open_for_registration(buyer, clock, tag: str, what: str = "报名中"):
    """Published on LOOK_AT's morning: registration open (to Friday 01-10 18:00), opening LATER_OPENING."""
    return make_project(buyer, clock, published_at=LATE_PUBLISHED_AT, opening_at=LATER_OPENING, **_named(tag, what))


def supplier_in(buyer, clock, user, tag: str, state: str):
    """A project on which supplier ``user`` stands in ``state`` (seen at LOOK_AT); the project.

    ``quote``: registered, no quote yet; ``quoted``: its quote in; ``draft``: its registration saved,
    not submitted; ``rejected``: refused by the checks (a consortium); ``explain``: the panel asked it
    to explain its abnormally low price (due EXPLANATION_DUE); ``challenge``: the second candidate of a
    result published on LOOK_AT, its challenge not answered yet.
    """
    from procurement.services import registration_drafts
    from tests.factories.quotes import make_sealed_quote
    from tests.factories.registrations import register, register_accepted

    if state in ("quote", "quoted", "draft", "rejected"):
        project = open_for_registration(buyer, clock, tag, state)
        with moved(clock, LOOK_AT):
            if state == "draft":
                registration_drafts.save_draft(project, user.company, {"registrant": "legal_rep"}, {}, user)
            elif state == "rejected":
                register(project, user, consortium=True)
            else:
                registration = register_accepted(project, user, at=LOOK_AT)
                if state == "quoted":
                    make_sealed_quote(registration, user, ("25.00", "420.00", "21.50"))
        return project
    if state == "explain":
        suppliers = LOW_PRICED[:3] + (SupplierSpec(None, LOW_PRICED[3].prices, user=user),)
        built = make_opened_project(buyer, clock, suppliers=suppliers, panel=_panel(tag), declare=True, start=True, **_named(tag, state))
        for index in range(3):
            submit_votes(built, index)
        evaluation.request_explanation(evaluation.chair_of(built.project), built.registrations[3], EXPLANATION_DUE, built.panel[0])
        return built.project
    names = [f"{tag}候选{index}商贸有限公司" for index in range(4)]
    built = make_evaluated_project(buyer, clock, names=names, users=(None, user), **_named(tag, state))
    with moved(clock, LOOK_AT):
        award_service.confirm(built.project, built.candidate(1)[1].id, buyer)
        award_service.publish(built.project, buyer)
        challenge_service.file_challenge(built.project, built.registrations[1], "对成交结果有异议。", [], user)
    return built.project
