"""The read side of open data: a project's public state as an OCDS snapshot (for the release its
next event stores), its stored releases, and the API's project list.

Every function sends a fixed number of statements, whatever the number of lines, participants,
documents or projects it reads. Nothing here reads a registration before the opening: bids come
from the opened quotes only, awards only once their result is published.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.orm import joinedload

from procurement.extensions import db
from procurement.models import (
    STATUS_DRAFT,
    Amendment,
    Award,
    BoqItem,
    Evaluation,
    EvaluationResult,
    GeneratedDocument,
    OcdsRelease,
    OpenedQuote,
    Project,
    Registration,
    SealedQuote,
)
from procurement.ocds.releases import (
    PUBLIC_DOCUMENT_KINDS,
    AmendmentEntry,
    AwardEntry,
    BidEntry,
    DocumentEntry,
    ItemLine,
    Organisation,
    ProcessSnapshot,
    Settings,
)
from procurement.queries.lookups import registered_value

AWARDED = "awarded"  # services.award.AWARDED


def settings() -> Settings:
    """The deployment's OCDS settings; URLs from ``PUBLIC_BASE_URL`` (else the request's, else the local default)."""
    config = current_app.config
    base = config.get("PUBLIC_BASE_URL") or (request.url_root if has_request_context() else "http://127.0.0.1:5000/")
    return Settings(
        ocid_prefix=config["OCID_PREFIX"],
        identifier_scheme=config["OCDS_IDENTIFIER_SCHEME"],
        buyer_uscc=config.get("OCDS_BUYER_USCC") or "",
        base_url=base,
    )


def _organisation(registration: Registration) -> Organisation:
    return Organisation(
        name=registered_value(registration, "name"),
        uscc=registered_value(registration, "uscc") or None,
        local_id=f"company-{registration.company_id}",
    )


def _bids(project: Project, results: dict[int, EvaluationResult], evaluated: bool) -> tuple[BidEntry, ...]:
    rows = db.session.execute(
        sa.select(OpenedQuote, SealedQuote.submitted_at)
        .join(SealedQuote, SealedQuote.id == OpenedQuote.sealed_quote_id)
        .where(OpenedQuote.project_id == project.id)
        .options(joinedload(OpenedQuote.registration).joinedload(Registration.company))
        .order_by(OpenedQuote.id)
    ).all()
    bids = []
    for quote, submitted_at in rows:
        result = results.get(quote.registration_id)
        status = "pending" if not evaluated or result is None else ("valid" if result.passed else "disqualified")
        bids.append(BidEntry(quote.id, submitted_at, _organisation(quote.registration), status, quote.registration_id))
    return tuple(bids)


def _awards(project: Project, bid_of: dict[int, int]) -> tuple[AwardEntry, ...]:
    """Published award decisions: a standing winner is active, one that dropped out after publication cancelled."""
    rows = db.session.scalars(
        sa.select(Award)
        .where(Award.project_id == project.id, Award.publicity_ends.is_not(None))
        .options(joinedload(Award.registration).joinedload(Registration.company))
        .order_by(Award.candidate_place, Award.id)
    ).all()
    return tuple(
        AwardEntry(
            award.id,
            "active" if award.status == AWARDED else "cancelled",
            award.decided_at,
            award.amount,
            _organisation(award.registration),
            bid_of.get(award.registration_id),
        )
        for award in rows
    )


def snapshot(project: Project, release_ids: dict[str, str]) -> ProcessSnapshot:
    """The project's public state now, for a release. ``release_ids`` maps each stored release's
    source (``amendment:<id>``...) to its release id, the one being written included."""
    items = db.session.scalars(sa.select(BoqItem).where(BoqItem.project_id == project.id).order_by(BoqItem.position)).all()
    amendments = db.session.scalars(
        sa.select(Amendment).where(Amendment.project_id == project.id).order_by(Amendment.created_at, Amendment.id)
    ).all()
    documents = db.session.scalars(
        sa.select(GeneratedDocument)
        .where(GeneratedDocument.project_id == project.id, GeneratedDocument.kind.in_(PUBLIC_DOCUMENT_KINDS))
        .order_by(GeneratedDocument.id)
    ).all()
    ordered = list(release_ids.values())
    amendment_entries = []
    for amendment in amendments:
        release_id = release_ids.get(f"amendment:{amendment.id}")
        previous = ordered[ordered.index(release_id) - 1] if release_id in ordered and ordered.index(release_id) > 0 else None
        amendment_entries.append(
            AmendmentEntry(
                amendment.id,
                amendment.created_at,
                amendment.summary,
                amendment.reason,
                tuple(change["field"] for change in amendment.changes or ()),
                release_id,
                previous,
            )
        )
    bids: tuple[BidEntry, ...] | None = None
    awards: tuple[AwardEntry, ...] = ()
    evaluated = False
    if project.opened_at is not None:
        evaluation = db.session.scalar(sa.select(Evaluation).where(Evaluation.project_id == project.id))
        evaluated = evaluation is not None and evaluation.completed_at is not None
        results = {}
        if evaluated:
            results = {
                row.registration_id: row
                for row in db.session.scalars(sa.select(EvaluationResult).where(EvaluationResult.project_id == project.id))
            }
        bids = _bids(project, results, evaluated)
        awards = _awards(project, {bid.registration_id: bid.id for bid in bids})
    reason = project.status_reason if project.status in ("cancelled", "failed") else None
    return ProcessSnapshot(
        project_id=project.id,
        code=project.code,
        title=project.title,
        buyer_name=project.buyer_name,
        method=project.method,
        description=project.requirements_text,
        status=project.status,
        published_at=project.published_at,
        opening_at=project.opening_at,
        notice_ends=project.notice_ends,
        contact_name=project.contact_name,
        contact_phone=project.contact_phone,
        items=tuple(ItemLine(i.position, i.name, i.specification, i.unit, i.quantity) for i in items),
        amendments=tuple(amendment_entries),
        documents=tuple(
            DocumentEntry(
                d.id, d.kind, d.title, d.issued_at, d.sha256, d.verification_code,
                reason if d.kind == "termination_notice" else None,
            )
            for d in documents
        ),
        bids=bids,
        awards=awards,
        evaluated=evaluated,
    )


def projects_without_releases() -> list[int]:
    """The public projects (never drafts) with no stored release, by id: those published before
    releases were stored, which ``flask ocds backfill`` gives a first one."""
    has_release = sa.exists().where(OcdsRelease.project_id == Project.id)
    return list(db.session.scalars(sa.select(Project.id).where(Project.status != STATUS_DRAFT, ~has_release).order_by(Project.id)))


def has_published_award(project_id: int) -> bool:
    """Whether a result of the project was published (an award whose publicity began), standing or since cancelled."""
    return db.session.scalar(
        sa.select(Award.id).where(Award.project_id == project_id, Award.publicity_ends.is_not(None)).limit(1)
    ) is not None


def has_releases(project_id: int) -> bool:
    """Whether any release of the project is stored (one indexed row read, no bodies loaded)."""
    return db.session.scalar(sa.select(OcdsRelease.id).where(OcdsRelease.project_id == project_id).limit(1)) is not None


def releases_of(project_id: int) -> list[OcdsRelease]:
    """A project's stored releases, oldest first."""
    return list(db.session.scalars(sa.select(OcdsRelease).where(OcdsRelease.project_id == project_id).order_by(OcdsRelease.seq)))


# --------------------------------------------------------------------------- the API's list


@dataclass(frozen=True)
class ProjectEntry:
    """One project of the API's list, and when its newest release was stored."""

    project: Project
    last_release_at: datetime | None
    releases: int


@dataclass(frozen=True)
class ProjectList:
    """One page of public projects, newest publication first."""

    entries: tuple[ProjectEntry, ...]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def project_list(
    *,
    page: int,
    per_page: int,
    statuses: tuple[str, ...] | None = None,
    published_from: date | None = None,
    published_to: date | None = None,
) -> ProjectList:
    """Public projects (never drafts), newest publication first, filtered by stored status and
    publication date (Beijing dates, inclusive)."""
    where = [Project.status != STATUS_DRAFT]
    if statuses:
        where.append(Project.status.in_(statuses))
    if published_from:
        where.append(Project.published_on >= published_from)
    if published_to:
        where.append(Project.published_on <= published_to)
    total = db.session.scalar(sa.select(sa.func.count(Project.id)).where(*where)) or 0
    projects = db.session.scalars(
        sa.select(Project)
        .where(*where)
        .order_by(Project.published_at.desc(), Project.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    latest: dict[int, tuple[datetime, int]] = {}
    if projects:
        rows = db.session.execute(
            sa.select(OcdsRelease.project_id, sa.func.max(OcdsRelease.released_at), sa.func.count(OcdsRelease.id))
            .where(OcdsRelease.project_id.in_([p.id for p in projects]))
            .group_by(OcdsRelease.project_id)
        ).all()
        latest = {project_id: (at, count) for project_id, at, count in rows}
    entries = tuple(
        ProjectEntry(p, latest.get(p.id, (None, 0))[0], latest.get(p.id, (None, 0))[1]) for p in projects
    )
    return ProjectList(entries, page, per_page, total)


def last_release_at() -> datetime | None:
    """When the newest release of any project was stored: every change a list shows comes with one."""
    return db.session.scalar(sa.select(sa.func.max(OcdsRelease.released_at)))


def published_winners(project_ids: list[int]) -> dict[int, list[Award]]:
    """Project id → its standing published winners (place order), for many projects in one query."""
    if not project_ids:
        return {}
    rows = db.session.scalars(
        sa.select(Award)
        .where(Award.project_id.in_(project_ids), Award.status == AWARDED, Award.publicity_ends.is_not(None))
        .options(joinedload(Award.registration).joinedload(Registration.company))
        .order_by(Award.project_id, Award.candidate_place)
    ).all()
    winners: dict[int, list[Award]] = {}
    for award in rows:
        winners.setdefault(award.project_id, []).append(award)
    return winners


def supplier_of(award: Award) -> Organisation:
    """A winner as it registered (name and USCC)."""
    return _organisation(award.registration)
