"""The supplier's company profile."""
from __future__ import annotations

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.identifiers import InvalidIdentifier, validate_mobile, validate_resident_id, validate_uscc
from procurement.extensions import db
from procurement.models import Company
from procurement.services import ServiceError
from procurement.services.unit_of_work import command

PROFILE_FIELDS = (
    "name",
    "uscc",
    "registered_address",
    "premises_division",
    "premises_address",
    "premises_place",
    "legal_rep_name",
    "legal_rep_id_number",
    "contact_name",
    "contact_mobile",
)


def validate_profile(data: dict, company_id: int | None) -> tuple[dict, dict[str, InvalidIdentifier | ServiceError]]:
    """Normalise identifiers; return (clean data, {field: error}) with every problem at once."""
    clean = {key: (value.strip() if isinstance(value, str) else value) for key, value in data.items()}
    errors: dict = {}
    for field, validate in (("uscc", validate_uscc), ("legal_rep_id_number", validate_resident_id), ("contact_mobile", validate_mobile)):
        try:
            clean[field] = validate(clean[field])
        except InvalidIdentifier as error:
            errors[field] = error
    if "uscc" not in errors:
        other = db.session.scalar(sa.select(Company.id).where(Company.uscc == clean["uscc"], Company.id != (company_id or 0)))
        if other is not None:
            errors["uscc"] = ServiceError(
                N_("该统一社会信用代码已由另一个账户登记。同一公司只能有一个供应商账户，请联系采购人。"), "uscc_taken", field="uscc"
            )
    if clean.get("premises_division") == "other":
        clean["premises_division"] = "000000"
        if not clean.get("premises_place"):
            errors["premises_place"] = ServiceError(
                N_("经营场所不在拉萨市时，请填写所在的市（地区）和区县，例如：日喀则市桑珠孜区。"),
                "premises_place_required",
                field="premises_place",
            )
    else:
        # A Lhasa district names the place itself.
        clean["premises_place"] = None
    return clean, errors


@command
def update_profile(company: Company, data: dict, actor) -> None:
    """Save a validated profile (ID numbers never go into the audit details)."""
    changed = [field for field in PROFILE_FIELDS if getattr(company, field) != data[field]]
    for field in PROFILE_FIELDS:
        setattr(company, field, data[field])
    company.updated_at = clock.now()
    audit.record("company.update", company, details={"fields": changed}, actor=actor)
