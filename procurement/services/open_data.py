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

from procurement import clock
from procurement.extensions import db
from procurement.models import OcdsRelease, Project
from procurement.ocds import jsontext
from procurement.ocds.releases import Settings, build_release
from procurement.queries import open_data
from procurement.services.unit_of_work import in_command

# Release tags (releaseTag codelist) by event.
TENDER = "tender"
TENDER_AMENDMENT = "tenderAmendment"
TENDER_UPDATE = "tenderUpdate"
TENDER_CANCELLATION = "tenderCancellation"
AWARD = "award"
AWARD_UPDATE = "awardUpdate"
AWARD_CANCELLATION = "awardCancellation"


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
