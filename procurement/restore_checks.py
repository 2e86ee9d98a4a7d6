"""What ``flask restore`` checks once an archive is loaded: the audit chains, every file, every seal.

The sealed quotes are checked without ever unsealing one before its project's opening time:

- every project's wrapped private key is well formed and names the configured KEK (its KEK id,
  see ``domain.sealing``), so the quotes will open with this KEK;
- every sealed quote version still has the SHA-256 its receipt (回执) records;
- for a project whose opening time has passed (by the service's clock), the private key is
  unwrapped through ``unwrap_private_key`` (which refuses earlier) and every current quote is
  decrypted and checked by the opening's own check (``services.opening.unseal_quote``); for an
  opened project each decrypted total must equal the opened quote's recorded total.

Before the opening time a damaged wrapped key would thus only be found at the opening; unwrapping
it earlier to find out would mean the restore does what the service itself refuses to do.

Quorum projects (多人共同开标) have no KEK-wrapped key: nothing here can decrypt their quotes (only
k officials' passphrases can). The restore checks that each unopened one still has its quorum-
wrapped key and one sealed share per official, and counts its current quotes as quorum-sealed;
one terminated before its opening had them erased, and is not counted.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass, field

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain.money import quote_total
from procurement.domain.sealing import SealBroken, kek_id, receipt_hash, unwrap_private_key, wrapped_kek_id
from procurement.extensions import db
from procurement.keys import load_kek
from procurement.models import KIND_QUOTE, STATUS_CANCELLED, OpenedQuote, Project, Registration, SealedQuote


@dataclass
class SealCheck:
    """What :func:`check_seals` found."""

    projects: int = 0
    receipts: int = 0
    decrypted: int = 0
    sealed_until_opening: int = 0
    quorum_projects: int = 0
    quorum_sealed: int = 0
    problems: list[str] = field(default_factory=list)


def check_seals() -> SealCheck:
    """Check every project's wrapped key against the configured KEK and every sealed quote (see the module)."""
    result = SealCheck()
    try:
        kek = load_kek()
    except RuntimeError as error:
        result.problems.append(f"no usable KEK is configured: {error}")
        return result
    now = clock.now()
    quotes = db.session.execute(
        sa.select(SealedQuote, Registration.project_id)
        .join(Registration, Registration.id == SealedQuote.registration_id)
        .where(SealedQuote.kind == KIND_QUOTE)
        .order_by(SealedQuote.id)
    ).all()
    by_project: dict[int, list] = {}
    for quote, project_id in quotes:
        by_project.setdefault(project_id, []).append(quote)
        result.receipts += 1
        if quote.sealed is None or not hmac.compare_digest(receipt_hash(quote.sealed), quote.receipt_hash or ""):
            result.problems.append(f"sealed_quote {quote.id} (registration {quote.registration_id}, version {quote.version}): does not match its receipt")
    opened = {row.sealed_quote_id: row.total for row in db.session.scalars(sa.select(OpenedQuote))}
    _check_quorums(by_project, result)
    for project in db.session.scalars(sa.select(Project).where(Project.wrapped_private_key.is_not(None)).order_by(Project.id)):
        result.projects += 1
        where = f"project {project.id} ({project.code})"
        try:
            if not hmac.compare_digest(wrapped_kek_id(project.wrapped_private_key), kek_id(kek)):
                result.problems.append(f"{where}: its private key is wrapped by another KEK than the configured one")
                continue
        except SealBroken:
            result.problems.append(f"{where}: its wrapped private key is damaged")
            continue
        current = [quote for quote in by_project.get(project.id, []) if quote.is_current]
        if now < project.opening_at:
            result.sealed_until_opening += len(current)
            continue
        _decrypt(project, current, kek, now, opened, result)
    return result


def _check_quorums(by_project: dict[int, list], result: SealCheck) -> None:
    """Quorum projects: the wrapped key and one sealed share per official while unopened (not once
    terminated: erased then); nothing decrypted."""
    for project in db.session.scalars(
        sa.select(Project).where(Project.opening_mode == "quorum", Project.public_key.is_not(None)).order_by(Project.id)
    ):
        result.quorum_projects += 1
        where = f"project {project.id} ({project.code})"
        if project.wrapped_private_key is not None:
            result.problems.append(f"{where}: a quorum project with a KEK-wrapped private key")
        if project.opened_at is None and project.status == STATUS_CANCELLED:
            continue  # terminated before its opening: its shares and wrapped key were erased
        if project.opened_at is None:
            result.quorum_sealed += len([quote for quote in by_project.get(project.id, []) if quote.is_current])
            missing = [official.position for official in project.officials if not (official.sealed_share and official.share_digest)]
            if project.quorum_wrapped_private_key is None or missing:
                result.problems.append(f"{where}: its quorum key or the sealed shares of officials {missing} are missing")


def _decrypt(project: Project, current: list[SealedQuote], kek: bytes, now, opened: dict, result: SealCheck) -> None:
    from procurement.services.opening import unseal_quote

    where = f"project {project.id} ({project.code})"
    try:
        private_key = unwrap_private_key(project.wrapped_private_key, kek, now=now, opening_at=project.opening_at)
    except SealBroken as error:
        result.problems.append(f"{where}: its private key does not unwrap with the configured KEK ({error.code})")
        return
    items = {item.id: item for item in project.items}
    for quote in current:
        try:
            lines = unseal_quote(private_key, quote, project.id, items)
        except SealBroken as error:
            result.problems.append(f"{where}: sealed_quote {quote.id} does not open ({error.code})")
            continue
        result.decrypted += 1
        if quote.id in opened and quote_total(lines) != opened[quote.id]:
            result.problems.append(f"{where}: sealed_quote {quote.id} decrypts to another total than was opened")


@dataclass
class RestoreReport:
    """Every check of a restored instance: lines to print, and whether all passed."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing failed."""
        return not self.problems


def verify_instance() -> RestoreReport:
    """Check the configured instance as a restore does: audit chains, files, sealed quotes."""
    from procurement.cli import describe_break
    from procurement.documents.storage import current_store
    from procurement.store_cli import check_files

    report = RestoreReport()
    statuses = audit.verify()
    faults = [status.broken for status in statuses if not status.ok]
    events = sum(status.count for status in statuses)
    report.lines.append(f"Audit chains: {len(statuses)} chains, {events} events, {len(faults)} faulty.")
    report.problems += [describe_break(broken) for broken in faults]
    store = current_store()
    files = check_files(store)
    report.lines.append(f"Files ({store.name} store): {files.count} rows checked against their SHA-256, {len(files.problems)} faulty.")
    report.problems += files.problems
    seals = check_seals()
    report.lines.append(
        f"Sealed quotes: {seals.projects} project keys name the configured KEK; {seals.receipts} quote versions match "
        f"their receipts; {seals.decrypted} current quotes decrypted (projects past their opening time); "
        f"{seals.sealed_until_opening} stay sealed until their opening time; {seals.quorum_projects} quorum projects, "
        f"whose {seals.quorum_sealed} current quotes open only with their officials' passphrases."
    )
    report.problems += seals.problems
    db.session.rollback()
    return report
