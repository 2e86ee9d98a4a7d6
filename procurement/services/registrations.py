"""Registration (报名): one name for the use cases that live in their own modules.

- ``registration_window``: when a supplier may register or prepare a draft;
- ``registration_drafts``: keeping the answers and scans as a draft;
- ``registration_submission``: submitting, with the automatic checks;
- ``registration_checks``: the checks themselves and the credit re-check at review time;
- ``queries.registrations``: the reads (latest check, documents, the project's registrations).

Older imports (``registrations.submit_registration``, ``registrations.Answers`` …) keep working.
"""
from __future__ import annotations

from procurement.queries.lookups import registered_value  # noqa: F401
from procurement.queries.registrations import (  # noqa: F401
    document,
    latest_check,
    own_registration,
    project_registrations,
)
from procurement.services import credit  # noqa: F401  (tests read credit versions through here)
from procurement.services.registration_checks import SNAPSHOT_FIELDS, facts_for, rerun_credit_check  # noqa: F401
from procurement.services.registration_drafts import DRAFT_TEXT_FIELDS, clean_draft, save_draft  # noqa: F401
from procurement.services.registration_submission import Answers, submit_registration  # noqa: F401
from procurement.services.registration_uploads import AGENT_DOCUMENTS, Submission  # noqa: F401
from procurement.services.registration_window import (  # noqa: F401
    PREPARABLE_REFUSALS,
    ensure_can_prepare,
    ensure_can_register,
    next_submission,
)
