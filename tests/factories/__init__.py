"""Test data: factory_boy rows (:mod:`.rows`) and the states the services build from them.

Rows that follow no rule (accounts, companies, draft projects, credit-list entries) come from
factory_boy factories; every state that does — published, registered, quoted, opened,
evaluated — is reached by calling the real services with the test's clock moved, so a test
cannot build a state the services would not have produced. ``from tests.factories import X``
keeps working for every helper the tests use.
"""
from tests.factories.evaluation import (
    EVALUATED_PRICES,
    EVALUATED_REPORT_AT,
    PANEL_NAMES,
    SUPPLIER_NAMES,
    EvaluatedProject,
    make_evaluated_project,
    unanimous_votes,
)
from tests.factories.files import blacklist_csv, scan_upload, tiny_jpeg, tiny_pdf, tiny_png
from tests.factories.opening import (
    OPENED_AT,
    OPENED_SUPPLIERS,
    REVIEW_AT,
    OpenedProject,
    SupplierSpec,
    appoint_panel,
    make_opened_project,
    make_opened_registration,
    open_quotes,
)
from tests.factories.people import make_buyer, make_panel, make_supplier
from tests.factories.projects import ITEMS, NOTICE_DATA, PUBLISHED_AT, make_project
from tests.factories.quorum import (
    PASSPHRASES,
    Official,
    QuorumProject,
    give_opening_key,
    make_officials,
    make_quorum_project,
    open_demo,
    supply,
)
from tests.factories.quotes import QUOTE_AT, make_opened_quote, make_sealed_quote
from tests.factories.registrations import (
    REGISTRATION_OPEN_AT,
    make_accepted_registration,
    make_all_blacklists,
    make_blacklist,
    register,
    registration_form,
)
from tests.factories.rows import (
    PASSWORD,
    BlacklistEntryFactory,
    BlacklistImportFactory,
    BoqItemFactory,
    BuyerFactory,
    CompanyFactory,
    PanelFactory,
    ProjectFactory,
    SupplierFactory,
    UserFactory,
    valid_id,
    valid_uscc,
)

__all__ = [
    "EVALUATED_PRICES",
    "EVALUATED_REPORT_AT",
    "ITEMS",
    "NOTICE_DATA",
    "OPENED_AT",
    "make_opened_quote",
    "make_officials",
    "make_quorum_project",
    "open_demo",
    "give_opening_key",
    "supply",
    "Official",
    "QuorumProject",
    "PASSPHRASES",
    "OPENED_SUPPLIERS",
    "PANEL_NAMES",
    "PASSWORD",
    "PUBLISHED_AT",
    "QUOTE_AT",
    "REGISTRATION_OPEN_AT",
    "registration_form",
    "REVIEW_AT",
    "SUPPLIER_NAMES",
    "BlacklistEntryFactory",
    "BlacklistImportFactory",
    "BoqItemFactory",
    "BuyerFactory",
    "CompanyFactory",
    "EvaluatedProject",
    "OpenedProject",
    "PanelFactory",
    "ProjectFactory",
    "SupplierFactory",
    "SupplierSpec",
    "UserFactory",
    "appoint_panel",
    "blacklist_csv",
    "make_accepted_registration",
    "make_all_blacklists",
    "make_blacklist",
    "make_buyer",
    "make_evaluated_project",
    "make_opened_project",
    "make_opened_registration",
    "make_panel",
    "make_project",
    "make_sealed_quote",
    "make_supplier",
    "open_quotes",
    "register",
    "scan_upload",
    "tiny_jpeg",
    "tiny_pdf",
    "tiny_png",
    "unanimous_votes",
    "valid_id",
    "valid_uscc",
]
