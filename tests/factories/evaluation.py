"""An evaluated project, built by the services: the opened project, then the panel's votes, the
ranking and every member's signature on the report (at ``report_at``)."""
from __future__ import annotations

from datetime import datetime

from procurement.domain.schedule import BEIJING
from procurement.models import User
from procurement.services import evaluation
from tests.factories.opening import SupplierSpec, make_opened_project
from tests.factories.rows import PASSWORD
from tests.factories.timing import move, moved, the_clock

EVALUATED_REPORT_AT = datetime(2025, 1, 3, 11, 0, tzinfo=BEIJING)  # Friday after the opening
SUPPLIER_NAMES = ["拉萨雪域办公用品有限公司", "西藏圣地商贸有限公司", "拉萨高原文具有限公司", "拉萨吉祥纸业有限公司"]
# Unit prices for ITEMS (复印纸 100 包, 硒鼓 10 个, 中性笔 20 盒), one row per supplier.
EVALUATED_PRICES = [
    ("24.50", "398.75", "30.00"),  # 2,450 + 3,987.50 + 600 = 7,037.50: rank 1
    ("26.00", "410.00", "28.50"),  # 2,600 + 4,100 + 570 = 7,270.00: rank 2
    ("27.80", "420.00", "31.00"),  # 2,780 + 4,200 + 620 = 7,600.00: rank 3
    ("20.00", "300.00", "20.00"),  # 5,400.00, but not qualified (the panel finds the premises not in Lhasa)
]
PANEL_NAMES = ["扎西次仁", "卓玛", "王建国"]
PREMISES_REASON = "经营场所不在拉萨市辖区"


class EvaluatedProject:
    """What :func:`make_evaluated_project` built: the project and its people, in input order."""

    def __init__(self, project, buyer, suppliers, registrations, results, panel):
        self.project = project
        self.buyer = buyer
        self.suppliers = suppliers
        self.registrations = registrations
        self.results = results
        self.panel = panel

    def candidate(self, place: int):
        """(supplier user, registration) of the candidate at ``place``."""
        for user, registration, result in zip(self.suppliers, self.registrations, self.results):
            if result.candidate_place == place:
                return user, registration
        raise LookupError(place)

    def not_qualified(self):
        """(supplier user, registration) of the first supplier that failed the review."""
        for user, registration, result in zip(self.suppliers, self.registrations, self.results):
            if not result.passed:
                return user, registration
        raise LookupError("none failed")


def unanimous_votes(project, failing: dict[int, tuple[str, str]]) -> list[evaluation.CellInput]:
    """A member's whole matrix: pass everywhere except ``failing[registration id] = (criterion, reason)``."""
    cells = []
    for registration in evaluation.participants(project):
        failed = failing.get(registration.id)
        for criterion in evaluation.criteria_of(project):
            if failed and failed[0] == criterion:
                cells.append(evaluation.CellInput(registration.id, criterion, "fail", failed[1]))
            else:
                cells.append(evaluation.CellInput(registration.id, criterion, "pass"))
    return cells


def make_evaluated_project(
    buyer: User,
    clock=None,
    *,
    prices=EVALUATED_PRICES,
    failing=(3,),
    names=SUPPLIER_NAMES,
    report_at: datetime = EVALUATED_REPORT_AT,
    users=(),
    **overrides,
) -> EvaluatedProject:
    """A project like the notice's in state ``evaluated`` (report confirmed at ``report_at``).

    ``prices`` holds one row of unit prices per supplier (for the three ITEMS lines); every
    member votes the suppliers whose index is in ``failing`` down on the Lhasa premises and
    passes the rest, which the service ranks by total; the lowest ``project.candidates``
    (default 2) become candidates. Project settings such as ``framework_award`` or
    ``candidates`` pass through ``overrides``; ``users`` are existing supplier accounts to register
    as the first suppliers. The clock reads afterwards what it read before.

    :raise AssertionError: when the prices make a quote abnormally low (its explanation is a
        step this helper does not take: build that state in the test).
    """
    clock = the_clock(clock)
    before = clock.now()
    specs = [
        SupplierSpec(
            names[index] if index < len(names) else None,
            row,
            registered_address=f"西藏自治区拉萨市城关区北京中路 {index + 10} 号",
            user=users[index] if index < len(users) else None,
        )
        for index, row in enumerate(prices)
    ]
    built = make_opened_project(buyer, clock, suppliers=specs, panel=PANEL_NAMES, declare=True, start=True, **overrides)
    project = built.project
    down = {built.registrations[index].id: ("lhasa_premises", PREMISES_REASON) for index in failing}
    with moved(clock, report_at):
        for user, member in zip(built.panel, built.members):
            evaluation.save_votes(member, unanimous_votes(project, down), submit=True, actor=user)
        flagged = evaluation.abnormal_low_flags(project)
        assert not flagged, f"abnormally low quotes need an explanation first: {sorted(flagged)}"
        chair, chair_user = built.members[0], built.panel[0]
        evaluation.rank(chair, chair_user)
        for user, member in zip(built.panel, built.members):
            evaluation.confirm_report(member, PASSWORD, None, user)
    results = {row.registration_id: row for row in evaluation.results_of(project)}
    move(clock, before)
    return EvaluatedProject(
        project,
        buyer,
        built.suppliers,
        built.registrations,
        [results[registration.id] for registration in built.registrations],
        built.panel,
    )


