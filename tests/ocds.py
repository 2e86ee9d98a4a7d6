"""OCDS helpers for the tests: validators built from the schemas in the repository (jsonschema,
draft 4, a local registry: nothing is fetched), and projects driven through every public event
by the real services (publication, amendment, opening, award, a winner's drop-out and the
re-award; cancellation and failure on their own projects)."""
from __future__ import annotations

import json
from datetime import datetime

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import OcdsRelease
from procurement.ocds import schemas
from procurement.services import award, evaluation, projects
from tests.factories import PASSWORD, make_buyer, make_evaluated_project, make_opened_project, make_project

RESULT_DAY = datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING)  # Monday after the Friday report
DROP_OUT_DAY = datetime(2025, 1, 7, 10, 0, tzinfo=BEIJING)
AMENDED_PHONE = "13800000001"


def registry() -> Registry:
    """The release schema (bids merged in), the package schemas, each under its own ``id``."""
    resources = [
        (schemas.RELEASE_SCHEMA_ID, schemas.release_schema()),
        *[(schema["id"], schema) for schema in (schemas.load("release-package-schema.json"), schemas.load("record-package-schema.json"))],
    ]
    return Registry().with_resources((uri, Resource.from_contents(schema, default_specification=DRAFT4)) for uri, schema in resources)


def validator(name: str) -> Draft4Validator:
    """A draft 4 validator for ``release``, ``release-package`` or ``record-package``."""
    schema = schemas.release_schema() if name == "release" else schemas.load(f"{name}-schema.json")
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, registry=registry(), format_checker=FormatChecker())


def errors(name: str, instance) -> list[str]:
    """Every schema error of ``instance``, as ``path: message`` lines (empty when valid)."""
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator(name).iter_errors(instance)]


def stored_releases(project) -> list[dict]:
    """The project's stored releases, parsed, oldest first."""
    rows = db.session.query(OcdsRelease).filter_by(project_id=project.id).order_by(OcdsRelease.seq).all()
    return [json.loads(row.body) for row in rows]


def amend_phone(buyer):
    """``before_opening`` of the factories: a correction notice (更正公告) of the contact's phone."""

    def amend(project):
        projects.amend(project, {"contact_phone": AMENDED_PHONE}, "更正联系电话", "原联系电话有误", buyer)

    return amend


def awarded_world(clock):
    """Published, amended, opened, evaluated; the first candidate awarded and published, then it
    declines and the second is awarded and published. The clock is left on DROP_OUT_DAY."""
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock, before_opening=amend_phone(buyer))
    project = built.project
    clock.set(RESULT_DAY)
    _, first = built.candidate(1)
    award.confirm(project, first.id, buyer)
    award.publish(project, buyer)
    clock.set(DROP_OUT_DAY)
    award.drop_out(project, first.id, "declined", "供应商书面声明放弃成交", buyer)
    _, second = built.candidate(2)
    award.confirm(project, second.id, buyer)
    award.publish(project, buyer)
    db.session.expire_all()
    return built


def cancelled_project(clock, buyer=None):
    """A published project cancelled (终止) during its registration window."""
    buyer = buyer or make_buyer()
    project = make_project(buyer, clock, code="TEST-CANCEL")
    clock.set(datetime(2024, 12, 27, 10, 0, tzinfo=BEIJING))
    projects.cancel(project, "采购需求发生变化", buyer)
    db.session.expire_all()
    return project


def failed_project(clock, buyer=None):
    """An opened project whose panel fails three of five suppliers: too few valid quotes, 流标."""
    built = make_opened_project(buyer or make_buyer(), clock, declare=True, start=True, code="TEST-FAIL")
    project = built.project
    failing = {built.registrations[i].id: "lhasa_premises" for i in (2, 3, 4)}
    criteria = evaluation.criteria_of(project)
    for member, user in zip(built.members, built.panel):
        cells = [
            evaluation.CellInput(
                registration.id, criterion, "fail" if failing.get(registration.id) == criterion else "pass",
                "不符合要求" if failing.get(registration.id) == criterion else "",
            )
            for registration in built.registrations
            for criterion in criteria
        ]
        evaluation.save_votes(member, cells, submit=True, actor=user)
    evaluation.rank(built.members[0], built.panel[0])
    for member, user in zip(built.members, built.panel):
        evaluation.confirm_report(member, PASSWORD, None, user)
    db.session.expire_all()
    return built
