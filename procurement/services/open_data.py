"""Storing OCDS releases: one per public event, written inside the command (or the job's final
transaction) that makes the event public, from the state it leaves behind.

Why stored rather than derived on each request: a project's row changes after its events (an
amendment overwrites the fields it corrects, a winner who declines changes its award row, a later
status overwrites ``status_changed_at``), so a release rebuilt later from the current rows would
not be the release first served. Written in the event's own transaction, a release is exactly
what was public at that moment, never changes, and is never written for an event that rolled back.
"""
from __future__ import annotations

import hashlib

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import lifecycle
from procurement.extensions import db
from procurement.models import OcdsRelease, Project
from procurement.ocds import jsontext
from procurement.ocds.releases import Settings, build_release
from procurement.queries import open_data
from procurement.services.unit_of_work import command, in_command, lock_project

# Release tags (releaseTag codelist) by event.
TENDER = "tender"
TENDER_AMENDMENT = "tenderAmendment"
TENDER_UPDATE = "tenderUpdate"
TENDER_CANCELLATION = "tenderCancellation"
AWARD = "award"
AWARD_UPDATE = "awardUpdate"
AWARD_CANCELLATION = "awardCancellation"

BACKFILL = "backfill"  # the source of a release ``flask ocds backfill`` stored


def record_release(project: Project, tag: str, source: str) -> OcdsRelease:
    """A step of a command: store the release of ``project`` as it now stands, tagged ``tag``.

    ``source`` names the event (``publish``, ``amendment:<id>``, ``document:<id>``, ``open``...).
    The release's date is the clock's (never before the previous release's, so the record's order
    holds even if a demo clock is moved back); its ocid is the one the project's first release
    carried (an ocid never changes), else the configured prefix's.

    :raise RuntimeError: outside a command.
    """
    if not in_command():
        raise RuntimeError("record_release() outside a command")
    db.session.flush()
    existing = db.session.execute(
        sa.select(OcdsRelease.release_id, OcdsRelease.source, OcdsRelease.released_at)
        .where(OcdsRelease.project_id == project.id)
        .order_by(OcdsRelease.seq)
    ).all()
    settings = open_data.settings()
    if existing:
        ocid = existing[0].release_id.rsplit("-", 1)[0]
        settings = Settings(ocid.removesuffix(f"-{project.id}"), settings.identifier_scheme, settings.buyer_uscc, settings.base_url)
    seq = len(existing) + 1
    release_id = f"{settings.ocid(project.id)}-{seq:04d}"
    at = clock.now()
    if existing and existing[-1].released_at > at:
        at = existing[-1].released_at
    release_ids = {row.source: row.release_id for row in existing}
    release_ids[source] = release_id
    release = build_release(open_data.snapshot(project, release_ids), settings, release_id=release_id, at=at, tags=[tag])
    body = jsontext.dumps(release)
    row = OcdsRelease(
        project_id=project.id,
        seq=seq,
        release_id=release_id,
        tag=tag,
        source=source,
        released_at=at,
        body=body,
        sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def has_award_release(project: Project) -> bool:
    """Whether an award release was stored already (a new publication is then an update)."""
    return db.session.scalar(
        sa.select(OcdsRelease.id).where(OcdsRelease.project_id == project.id, OcdsRelease.tag == AWARD).limit(1)
    ) is not None


# --------------------------------------------------------------------------- backfill


def backfill_tag(project: Project) -> str:
    """The tag of a first release built from a project's state now: ``tenderCancellation`` once it
    is terminated (终止), ``award`` once a result was published, else ``tender`` (a failed project's
    release says so in its tender status, ``unsuccessful``)."""
    if project.status == lifecycle.CANCELLED:
        return TENDER_CANCELLATION
    if open_data.has_published_award(project.id):
        return AWARD
    return TENDER


@command
def backfill_project(project_id: int) -> OcdsRelease | None:
    """Store the first release of a public project that has none (published before releases were
    stored), from its state now, through :func:`record_release`; ``None`` if it has one by now
    (another run, or an event since) or is a draft.

    The release prints what is public now, as every release does: no amount before the opening,
    bids never with amounts, awards with their values once their result is published.
    """
    project = lock_project(project_id)
    if project.status == lifecycle.DRAFT or open_data.has_releases(project.id):
        return None
    tag = backfill_tag(project)
    row = record_release(project, tag, BACKFILL)
    audit.record("ocds.backfill", project, details={"release_id": row.release_id, "tag": tag})
    return row


def backfill() -> int:
    """Give every public project without a stored release its first one, one transaction per
    project; how many were stored (0 on a second run)."""
    added = 0
    for project_id in open_data.projects_without_releases():
        if backfill_project(project_id) is not None:
            added += 1
    return added
