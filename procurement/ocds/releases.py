"""One OCDS release from a project's public state at an event (plain snapshots in, a dict out).

The snapshot holds only what the public may know at that moment: before the opening there are no
tenderers, no bids and no amounts (``bids`` is ``None``), and registrations are never part of it;
awards appear once their result is published. Amounts stay ``Decimal`` (``jsontext.dumps`` writes
them exactly); times are written in Beijing time with their offset.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from procurement.domain.schedule import BEIJING

CURRENCY = "CNY"
LANGUAGE = "zh"

# Stored statuses (procurement.domain.lifecycle) → tender.status (tenderStatus codelist).
TENDER_STATUS = {
    "published": "active",
    "opened": "active",
    "evaluated": "active",
    "awarded": "complete",
    "cancelled": "cancelled",
    "failed": "unsuccessful",
}
# Public document kinds → documentType codelist.
DOCUMENT_TYPES = {
    "announcement": "tenderNotice",
    "result_announcement": "awardNotice",
    "termination_notice": "cancellationDetails",
}
PUBLIC_DOCUMENT_KINDS = tuple(DOCUMENT_TYPES)

# The default OCID_PREFIX (config.py): a placeholder, registered with no one.
PLACEHOLDER_OCID_PREFIX = "ocds-demo00"
# What the Open Contracting Partnership registers: "ocds-" and six lowercase letters or digits.
_REGISTERED_PREFIX = re.compile(r"ocds-[a-z0-9]{6}")


def is_registrable_prefix(prefix: str) -> bool:
    """Whether ``prefix`` has the form of an OCP-registered ocid prefix and is not the placeholder."""
    return prefix != PLACEHOLDER_OCID_PREFIX and _REGISTERED_PREFIX.fullmatch(prefix) is not None


@dataclass(frozen=True)
class Settings:
    """What the deployment configures: the ocid prefix, the identifier scheme, the buyer's USCC, URLs."""

    ocid_prefix: str
    identifier_scheme: str = "CN-USCC"
    buyer_uscc: str = ""
    base_url: str = "http://127.0.0.1:5000"

    def ocid(self, project_id: int) -> str:
        """The project's Open Contracting ID: the prefix and the project's number."""
        return f"{self.ocid_prefix}-{project_id}"

    def document_url(self, code: str) -> str:
        """Where the public downloads one document exactly as issued (by its verification code)."""
        return f"{self.base_url.rstrip('/')}/api/v1/documents/{code}.pdf"


@dataclass(frozen=True)
class Organisation:
    """A supplier as it registered: its name and USCC (``None`` if it never gave one)."""

    name: str
    uscc: str | None
    local_id: str  # used when there is no USCC

    def party_id(self, scheme: str) -> str:
        return f"{scheme}-{self.uscc}" if self.uscc else self.local_id


@dataclass(frozen=True)
class ItemLine:
    """A bill-of-quantities line (fixed once published)."""

    position: int
    name: str
    specification: str
    unit: str
    quantity: Decimal


@dataclass(frozen=True)
class AmendmentEntry:
    """A correction notice and the releases it produced and amended."""

    id: int
    date: datetime
    summary: str
    reason: str
    fields: tuple[str, ...]
    release_id: str | None
    amends_release_id: str | None


@dataclass(frozen=True)
class DocumentEntry:
    """A public document (announcement, result announcement, termination notice) as issued."""

    id: int
    kind: str
    title: str
    issued_at: datetime
    sha256: str
    verification_code: str
    description: str | None = None


@dataclass(frozen=True)
class BidEntry:
    """An opened quote: who, when submitted, and where the evaluation left it (no amount)."""

    id: int
    submitted_at: datetime
    tenderer: Organisation
    status: str  # pending, valid, disqualified (bidStatus codelist)
    registration_id: int = 0


@dataclass(frozen=True)
class AwardEntry:
    """A published award decision: active, or cancelled when the winner dropped out."""

    id: int
    status: str  # active, cancelled (awardStatus codelist)
    date: datetime
    amount: Decimal | None
    supplier: Organisation
    bid_id: int | None


@dataclass(frozen=True)
class ProcessSnapshot:
    """Everything a release prints about one project, as public at one moment."""

    project_id: int
    code: str
    title: str
    buyer_name: str
    method: str
    description: str
    status: str
    published_at: datetime
    opening_at: datetime
    notice_ends: date | None
    contact_name: str
    contact_phone: str
    items: tuple[ItemLine, ...] = ()
    amendments: tuple[AmendmentEntry, ...] = ()
    documents: tuple[DocumentEntry, ...] = ()
    bids: tuple[BidEntry, ...] | None = None  # None until the opening
    awards: tuple[AwardEntry, ...] = ()
    evaluated: bool = False


def timestamp(moment: datetime) -> str:
    """An OCDS date-time: Beijing time with its offset, to the second."""
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=BEIJING) + timedelta(days=1, seconds=-1)


def _number(value: Decimal) -> Decimal | int:
    """A quantity as a JSON number: whole numbers without a fraction (``100``, not ``100.000``)."""
    return int(value) if value == value.to_integral_value() else value.normalize()


def _reference(org_id: str, name: str) -> dict:
    return {"id": org_id, "name": name}


def _buyer(snapshot: ProcessSnapshot, settings: Settings) -> dict:
    party = {"id": f"{settings.identifier_scheme}-{settings.buyer_uscc}" if settings.buyer_uscc else "buyer", "name": snapshot.buyer_name}
    if settings.buyer_uscc:
        party["identifier"] = {"scheme": settings.identifier_scheme, "id": settings.buyer_uscc, "legalName": snapshot.buyer_name}
    party["contactPoint"] = {"name": snapshot.contact_name, "telephone": snapshot.contact_phone}
    party["roles"] = ["buyer", "procuringEntity"]
    return party


def _party(org: Organisation, roles: list[str], settings: Settings) -> dict:
    party = {"id": org.party_id(settings.identifier_scheme), "name": org.name}
    if org.uscc:
        party["identifier"] = {"scheme": settings.identifier_scheme, "id": org.uscc, "legalName": org.name}
    party["roles"] = roles
    return party


def _document(entry: DocumentEntry, settings: Settings) -> dict:
    document = {
        "id": f"document-{entry.id}",
        "documentType": DOCUMENT_TYPES[entry.kind],
        "title": entry.title,
        "url": settings.document_url(entry.verification_code),
        "datePublished": timestamp(entry.issued_at),
        "format": "application/pdf",
        "language": LANGUAGE,
        # Not in the core schema: the SHA-256 of the exact bytes at ``url`` (also shown by /verify).
        "sha256": entry.sha256,
    }
    if entry.description:
        document["description"] = entry.description
    return document


def _amendment(entry: AmendmentEntry) -> dict:
    amendment = {"id": f"amendment-{entry.id}", "date": timestamp(entry.date), "rationale": entry.reason, "description": entry.summary}
    if entry.amends_release_id:
        amendment["amendsReleaseID"] = entry.amends_release_id
    if entry.release_id:
        amendment["releaseID"] = entry.release_id
    return amendment


def _item(line: ItemLine) -> dict:
    description = f"{line.name}（{line.specification}）" if line.specification else line.name
    return {"id": str(line.position), "description": description, "quantity": _number(line.quantity), "unit": {"name": line.unit}}


def build_release(snapshot: ProcessSnapshot, settings: Settings, *, release_id: str, at: datetime, tags: list[str]) -> dict:
    """The release ``release_id`` (tagged ``tags``) of the snapshot's project at ``at``."""
    scheme = settings.identifier_scheme
    buyer = _buyer(snapshot, settings)
    tender: dict = {
        "id": snapshot.code,
        "title": snapshot.title,
        "description": snapshot.description,
        "status": TENDER_STATUS[snapshot.status],
        "procuringEntity": _reference(buyer["id"], buyer["name"]),
        "items": [_item(line) for line in snapshot.items],
        "procurementMethod": "open",
        "procurementMethodDetails": snapshot.method,
        "awardCriteria": "priceOnly",
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": timestamp(snapshot.published_at), "endDate": timestamp(snapshot.opening_at)},
    }
    if snapshot.notice_ends is not None:
        # Questions about the notice are taken during its notice period (公告期限), by the contact it names.
        tender["enquiryPeriod"] = {"startDate": timestamp(snapshot.published_at), "endDate": timestamp(_end_of_day(snapshot.notice_ends))}
    parties = [buyer]
    release: dict = {"ocid": settings.ocid(snapshot.project_id), "id": release_id, "date": timestamp(at), "tag": list(tags)}
    release["initiationType"] = "tender"
    if snapshot.bids is not None:
        awarded = {award.supplier.party_id(scheme) for award in snapshot.awards if award.status == "active"}
        tenderers = []
        for bid in snapshot.bids:
            org_id = bid.tenderer.party_id(scheme)
            if org_id not in {party["id"] for party in parties}:
                parties.append(_party(bid.tenderer, ["tenderer", "supplier"] if org_id in awarded else ["tenderer"], settings))
                tenderers.append(_reference(org_id, bid.tenderer.name))
        tender["numberOfTenderers"] = len(tenderers)
        tender["tenderers"] = tenderers
    if snapshot.documents:
        tender["documents"] = [_document(entry, settings) for entry in snapshot.documents]
    if snapshot.amendments:
        tender["amendments"] = [_amendment(entry) for entry in snapshot.amendments]
    release["parties"] = parties
    release["buyer"] = _reference(buyer["id"], buyer["name"])
    release["tender"] = tender
    if snapshot.bids is not None:
        release["bids"] = _bids(snapshot, settings)
    if snapshot.awards:
        release["awards"] = [_award(award, settings) for award in snapshot.awards]
    release["language"] = LANGUAGE
    return release


def _bids(snapshot: ProcessSnapshot, settings: Settings) -> dict:
    statistics = [{"id": "bids", "measure": "bids", "value": len(snapshot.bids)}]
    if snapshot.evaluated:
        valid = sum(1 for bid in snapshot.bids if bid.status == "valid")
        statistics.append({"id": "validBids", "measure": "validBids", "value": valid})
    details = [
        {
            "id": f"bid-{bid.id}",
            "date": timestamp(bid.submitted_at),
            "status": bid.status,
            "tenderers": [_reference(bid.tenderer.party_id(settings.identifier_scheme), bid.tenderer.name)],
        }
        for bid in snapshot.bids
    ]
    return {"statistics": statistics, "details": details}


def _award(award: AwardEntry, settings: Settings) -> dict:
    entry = {"id": f"award-{award.id}", "status": award.status, "date": timestamp(award.date)}
    if award.amount is not None:
        entry["value"] = {"amount": award.amount, "currency": CURRENCY}
    entry["suppliers"] = [_reference(award.supplier.party_id(settings.identifier_scheme), award.supplier.name)]
    if award.bid_id is not None:
        entry["relatedBid"] = f"bid-{award.bid_id}"
    return entry
