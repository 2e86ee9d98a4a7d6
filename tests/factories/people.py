"""Accounts by role, with the defaults the tests have always used."""
from __future__ import annotations

from procurement.models import User
from tests.factories.rows import BuyerFactory, CompanyFactory, PanelFactory, SupplierFactory


def make_buyer(email: str = "buyer@example.com", name: str = "措姆") -> User:
    """A buyer staff account."""
    return BuyerFactory(email=email, name=name)


def make_panel(email: str | None = None, name: str | None = None) -> User:
    """A panel member account."""
    fields = {key: value for key, value in (("email", email), ("name", name)) if value}
    return PanelFactory(**fields)


def make_supplier(
    email: str | None = None,
    company_name: str | None = None,
    *,
    division: str = "540102",
    premises_division: str = "540102",
    complete: bool = True,
) -> User:
    """A supplier account with (by default) a complete company profile registered in ``division``."""
    company = {"division": division, "premises_division": premises_division, "incomplete": not complete}
    if company_name:
        company["name"] = company_name
    fields = {"email": email} if email else {}
    return SupplierFactory(company=CompanyFactory(**company), **fields)
