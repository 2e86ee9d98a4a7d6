"""Projects, by use case: drafting, publication, amendment, cancellation.

The commands live in ``project_drafting``, ``project_publication``, ``project_amendment`` and
``project_cancellation``; the reads (phase, registration window, schedule drift) in
``procurement.queries.project_state``. This module keeps the names callers have always used.
"""
from __future__ import annotations

from procurement.queries.lookups import hours_of, schedule_of, settings_of
from procurement.queries.project_state import (
    AffectedProject,
    get_by_code,
    phase,
    phases,
    public_projects,
    registration_state,
    schedule_drift_of,
    schedule_drifts,
)
from procurement.services import ServiceError
from procurement.services.project_amendment import SCHEDULE_FIELDS, amend
from procurement.services.project_cancellation import cancel
from procurement.services.project_drafting import (
    NOTICE_FIELDS,
    SETTING_FIELDS,
    ItemData,
    create_project,
    replace_items,
    update_draft,
)
from procurement.services.project_publication import freeze_schedule, preview_schedule, publish

__all__ = [
    "AffectedProject", "ItemData", "NOTICE_FIELDS", "SCHEDULE_FIELDS", "SETTING_FIELDS", "ServiceError", "amend", "cancel",
    "create_project", "freeze_schedule", "get_by_code", "hours_of", "phase", "phases", "preview_schedule",
    "public_projects", "publish", "registration_state", "replace_items", "schedule_drift_of", "schedule_drifts",
    "schedule_of", "settings_of", "update_draft",
]
