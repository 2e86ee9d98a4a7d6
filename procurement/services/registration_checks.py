"""The automatic qualification checks of a registration, and the credit re-check at review time.

The checks read the company profile as the registration snapshotted it, the answers, the
documents and the latest credit lists; each run is kept as a :class:`QualificationCheck` with
the list versions it used.
"""
from __future__ import annotations

from collections.abc import Mapping

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.credit import LIST_KINDS
from procurement.domain.identifiers import division_label, uscc_division
from procurement.domain.qualification import CheckResult, ListVersion, RegistrationFacts, overall_status, run_checks
from procurement.domain.schedule import beijing
from procurement.extensions import db
from procurement.models import Company, QualificationCheck, Registration
from procurement.services import credit
from procurement.services.companies import PROFILE_FIELDS
from procurement.services.unit_of_work import command

# The registration keeps a copy of every profile field the checks read.
SNAPSHOT_FIELDS = PROFILE_FIELDS


def snapshot(company: Company) -> dict:
    """The company profile as a registration keeps it, with the division labels the checks print."""
    data = {name: getattr(company, name) for name in SNAPSHOT_FIELDS}
    data["premises_division_label"] = division_label(company.premises_division) if company.premises_division else ""
    try:
        data["registration_division"] = uscc_division(company.uscc or "")
    except ValueError:
        data["registration_division"] = ""
    code = data["registration_division"]
    data["registration_division_label"] = division_label(code) if code else ""
    return data


def facts_for(registration: Registration) -> tuple[RegistrationFacts, dict[str, int]]:
    """The facts the checks read: the snapshot of the profile, the answers, the documents, the credit hits."""
    kept = registration.company_snapshot or snapshot(registration.company)
    found = credit.check_registration_credit(kept.get("uscc") or "", kept.get("name") or "")
    versions = credit.versions_by_id(found.list_versions.values())
    facts = RegistrationFacts(
        uscc=kept.get("uscc") or "",
        legal_rep_id=kept.get("legal_rep_id_number") or "",
        via_agent=registration.via_agent,
        agent_id=registration.agent_id_number,
        consortium=registration.consortium,
        declarations=dict(registration.declarations or {}),
        documents=frozenset(doc.kind for doc in registration.documents),
        premises_division=kept.get("premises_division"),
        premises_address=kept.get("premises_address") or "",
        credit_hits=found.hits,
        premises_place=kept.get("premises_place") or "",
        credit_versions={
            kind: ListVersion(versions[i].id, beijing(versions[i].imported_at).date())
            for kind, i in found.list_versions.items()
            if i in versions
        },
    )
    return facts, found.list_versions


def run_check(registration: Registration, criteria, *, context: str, now) -> QualificationCheck:
    """Run the checks of ``criteria`` and keep the result as a new check of ``context`` (not committed)."""
    facts, list_versions = facts_for(registration)
    results = _note_missing_lists(run_checks(facts, list(criteria)), list_versions)
    check = QualificationCheck(
        registration=registration,
        run_at=now,
        context=context,
        overall=overall_status(results),
        results=[
            {"criterion": r.criterion, "status": r.status, "message": r.message, "params": _plain(r.params)}
            for r in results
        ],
        list_versions=list_versions,
    )
    db.session.add(check)
    db.session.flush()
    return check


def _note_missing_lists(results, list_versions: Mapping[str, int]) -> tuple[CheckResult, ...]:
    """A clean credit result is only as good as the lists read: flag for the panel any list never imported."""
    missing = [kind for kind in LIST_KINDS if kind not in list_versions]
    if not missing:
        return tuple(results)
    names = [{"message": LIST_KINDS[kind]} for kind in missing]  # translated where the result is shown
    return tuple(
        CheckResult(
            "credit",
            "warning",
            N_("未发现失信记录；但以下名单尚未导入，未能核查：%(lists)s，请评审时核实。"),
            {"lists": names, "missing_lists": tuple(missing)},
        )
        if r.criterion == "credit" and r.status == "pass"
        else r
        for r in results
    )


def _plain(params: Mapping[str, object]) -> dict:
    return {key: list(value) if isinstance(value, tuple) else value for key, value in params.items()}


@command
def rerun_credit_check(registration: Registration, actor) -> QualificationCheck:
    """Re-run the credit check against the current lists at review time (context ``review``).

    The result is kept as evidence beside the registration's earlier checks; it does not change
    the registration's status, because after the opening the panel decides by its votes.
    """
    check = run_check(registration, ["credit"], context="review", now=clock.now())
    audit.record(
        "registration.credit_recheck",
        registration,
        details={"check_id": check.id, "overall": check.overall, "list_versions": check.list_versions},
        actor=actor,
    )
    return check
