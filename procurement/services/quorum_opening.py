"""The quorum opening (多人共同开标): each official enters the opening passphrase; the k-th opens.

:func:`supply_share` is the one way in. Before anything slow it checks the project and the
time (before the opening time nothing is taken: the passphrase is not even derived). Then,
outside any transaction, the official's private opening key is unlocked with the passphrase
(scrypt); a wrong passphrase is refused, audited, and changes nothing else. Then one command
with the project's row locked (so concurrent officials on several nodes queue):

- the official's own sealed share and every share relayed to the official are decrypted and
  checked (project, index, digest);
- if these reach the threshold, the project's private key is rebuilt, every quote is opened by
  ``services.opening.open_with_private_key`` (the opening-record job follows as for any opening),
  and every share and relayed share of the project is erased, in the same transaction (a project
  terminated before its opening loses its shares and wrapped key in the termination's
  transaction: :func:`erase_unopened`);
- otherwise the official's share is *relayed*: sealed again to each official who has not acted,
  so it waits in the database readable only with one of their passphrases, never in a worker's
  memory, and never under a key the server holds (the KEK plays no part).

The plain shares and the rebuilt key live only in this request's memory. Every step is audited
(who supplied a share, when, how many more are needed); never the passphrase or a share.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.quorum import NotEnoughShares, Share, open_share, reconstruct_private_key, seal_share_to
from procurement.domain.sealing import SealBroken, SealedUntilOpening
from procurement.extensions import db
from procurement.formatting import cn_clock
from procurement.models import OpenedQuote, OpeningOfficial, Project, RelayedShare, User
from procurement.services import ServiceError, opening, opening_keys
from procurement.services.unit_of_work import command, lock_project


@dataclass(frozen=True)
class SupplyOutcome:
    """What one official's passphrase achieved: ``opened`` quotes, or how many more are needed."""

    supplied: int
    threshold: int
    opened: list[OpenedQuote] | None = None

    @property
    def more_needed(self) -> int:
        """How many more officials must enter their passphrase."""
        return max(self.threshold - self.supplied, 0)


def official_of(project: Project, user_id: int) -> OpeningOfficial | None:
    """The user's seat among the project's opening officials."""
    return db.session.scalar(
        sa.select(OpeningOfficial).where(OpeningOfficial.project_id == project.id, OpeningOfficial.user_id == user_id)
    )


def _check_can_supply(project: Project, official: OpeningOfficial | None, now) -> None:
    """:raise ServiceError: not a quorum project, not an official, opened, not openable, too early, supplied already."""
    if not project.is_quorum or official is None:
        raise ServiceError(N_("您不是本项目的开标人。"), "not_an_official")
    opening.check_openable(project)
    if now < project.opening_at:
        raise ServiceError(
            N_("开启时间（%(opening)s，北京时间）未到，现在不能提交开标口令；请在开启时间到达后再输入。"),
            "too_early",
            field="passphrase",
            opening=cn_clock(project.opening_at),
        )
    if official.supplied_at is not None:
        raise ServiceError(N_("您已于 %(when)s 提交过开标口令，无需再次提交。"), "already_supplied", when=cn_clock(official.supplied_at))


def supply_share(project_id: int, user: User, passphrase: str) -> SupplyOutcome:
    """One official's passphrase at the opening: their share counted; the k-th opens the quotes.

    :raise ServiceError: see :func:`_check_can_supply`; a wrong passphrase (audited, nothing
        consumed); a share that cannot be used (audited); a quote that fails its checks (the
        opening rolls back, the share with it, and the failure is audited as for any opening).
    """
    project = db.session.get(Project, project_id)
    if project is None:
        raise ServiceError(N_("您不是本项目的开标人。"), "not_an_official")
    _check_can_supply(project, official_of(project, user.id), clock.now())
    try:
        private_key = opening_keys.unlock(user, passphrase)
    except ServiceError as error:
        if error.code == "wrong_passphrase":
            _audit_refusal(project_id, user, "wrong_passphrase")
        raise
    try:
        return _supply(project_id, user.id, private_key)
    except opening.SealCheckFailed as failure:
        raise opening.audit_broken_seal(project_id, failure, user) from failure.error
    except _ShareUnusable as unusable:
        _audit_refusal(project_id, user, unusable.error.code)
        raise ServiceError(
            N_("您的开标份额无法使用：%(reason)s 如您在本项目发布后重新生成过开标密钥，旧份额已无法解开，请由其他开标人开启。"),
            "share_unusable",
            reason=unusable.error.message,
        ) from unusable.error


class _ShareUnusable(Exception):
    """The official's own share (or one relayed to it) does not open or check: what to audit and say."""

    def __init__(self, error: SealBroken) -> None:
        super().__init__(error.code)
        self.error = error


@command
def _audit_refusal(project_id: int, user: User, reason: str) -> None:
    """Record a refused passphrase or share (committed on its own; nothing else changes)."""
    official = official_of(db.session.get(Project, project_id), user.id)
    audit.record(
        "opening.share_refused",
        object_type="opening_official",
        object_id=official.id if official else None,
        project_id=project_id,
        details={"reason": reason},
        actor=user,
    )


@command
def _supply(project_id: int, user_id: int, private_key: bytes) -> SupplyOutcome:
    project = lock_project(project_id)
    user = db.session.get(User, user_id)
    official = official_of(project, user_id)
    now = clock.now()
    _check_can_supply(project, official, now)
    shares = _shares_for(project, official, private_key)
    official.supplied_at = now
    supplied = db.session.scalar(
        sa.select(sa.func.count(OpeningOfficial.id)).where(
            OpeningOfficial.project_id == project.id, OpeningOfficial.supplied_at.is_not(None)
        )
    )
    threshold = project.quorum_threshold
    audit.record(
        "opening.share_supplied",
        official,
        project_id=project.id,
        details={"position": official.position, "supplied": supplied, "threshold": threshold, "more_needed": max(threshold - supplied, 0)},
        actor=user,
    )
    if len(shares) < threshold:
        _relay(project, official, shares, now)
        return SupplyOutcome(supplied=supplied, threshold=threshold)
    try:
        project_key = reconstruct_private_key(
            project.quorum_wrapped_private_key, list(shares.values()), threshold, now=now, opening_at=project.opening_at
        )
    except (SealBroken, NotEnoughShares, SealedUntilOpening) as error:
        raise ServiceError(
            N_("开标份额无法还原项目私钥：%(reason)s 报价未开启，请联系技术人员核查。"), "key_unusable", reason=error.message
        ) from error
    suppliers = db.session.execute(
        sa.select(OpeningOfficial.position, OpeningOfficial.user_id, OpeningOfficial.supplied_at)
        .where(OpeningOfficial.project_id == project.id, OpeningOfficial.supplied_at.is_not(None))
        .order_by(OpeningOfficial.supplied_at, OpeningOfficial.position)
    ).all()
    opened = opening.open_with_private_key(
        project,
        project_key,
        now,
        user,
        details={
            "mode": "quorum",
            "threshold": threshold,
            "officials": [{"user_id": row.user_id, "position": row.position, "supplied_at": row.supplied_at.isoformat()} for row in suppliers],
        },
    )
    erase_shares(project)
    return SupplyOutcome(supplied=supplied, threshold=threshold, opened=opened)


def _shares_for(project: Project, official: OpeningOfficial, private_key: bytes) -> dict[int, Share]:
    """The official's own share and every share relayed to it, checked, by index.

    :raise _ShareUnusable: one of them does not decrypt with this key or does not check.
    """
    digests = dict(
        db.session.execute(
            sa.select(OpeningOfficial.position, OpeningOfficial.share_digest).where(OpeningOfficial.project_id == project.id)
        ).all()
    )
    relayed = db.session.scalars(
        sa.select(RelayedShare).where(RelayedShare.official_id == official.id).order_by(RelayedShare.share_index)
    ).all()
    if official.sealed_share is None:
        raise _ShareUnusable(SealBroken(N_("开标份额已损坏。"), code="share_missing"))
    try:
        own = open_share(private_key, official.sealed_share, project_id=project.id, index=official.position, digest=digests.get(official.position))
        shares = {own.index: own}
        for row in relayed:
            share = open_share(private_key, row.sealed, project_id=project.id, index=row.share_index, digest=digests.get(row.share_index))
            shares[share.index] = share
    except SealBroken as error:
        raise _ShareUnusable(error) from error
    return shares


def _relay(project: Project, official: OpeningOfficial, shares: dict[int, Share], now) -> None:
    """Seal the shares counted so far to each official who has not acted (those it lacks); drop
    what was relayed to ``official``, whose shares are now counted."""
    db.session.execute(sa.delete(RelayedShare).where(RelayedShare.official_id == official.id))
    waiting = db.session.scalars(
        sa.select(OpeningOfficial).where(
            OpeningOfficial.project_id == project.id, OpeningOfficial.supplied_at.is_(None), OpeningOfficial.id != official.id
        )
    ).all()
    held = set(
        db.session.execute(
            sa.select(RelayedShare.official_id, RelayedShare.share_index).where(RelayedShare.project_id == project.id)
        ).all()
    )
    for other in waiting:
        if other.public_key is None:
            continue
        for share in shares.values():
            if (other.id, share.index) not in held:
                db.session.add(
                    RelayedShare(
                        project_id=project.id, official_id=other.id, share_index=share.index,
                        sealed=seal_share_to(share, other.public_key), created_at=now,
                    )
                )


def erase_shares(project: Project) -> tuple[int, int]:
    """Erase every sealed and relayed share of the project (in the caller's transaction: the
    opening's, or the termination's); how many sealed and relayed shares there were."""
    relayed = db.session.execute(sa.delete(RelayedShare).where(RelayedShare.project_id == project.id)).rowcount
    sealed = db.session.execute(
        sa.update(OpeningOfficial)
        .where(
            OpeningOfficial.project_id == project.id,
            sa.or_(OpeningOfficial.sealed_share.is_not(None), OpeningOfficial.share_digest.is_not(None)),
        )
        .values(sealed_share=None, share_digest=None)
    ).rowcount
    return sealed, relayed


def erase_unopened(project: Project, actor) -> None:
    """A quorum project terminated before its opening: erase, in the termination's transaction,
    every sealed and relayed share and the quorum-wrapped private key, so its sealed quotes can
    never be opened by anyone; audited (how many shares, never a share).

    Nothing to do for a server-key project, or once opened (the opening erased the shares).
    """
    if not project.is_quorum or project.opened_at is not None:
        return
    sealed, relayed = erase_shares(project)
    had_key = project.quorum_wrapped_private_key is not None
    project.quorum_wrapped_private_key = None
    audit.record(
        "opening.shares_erased",
        project,
        details={"reason": project.status, "sealed_shares": sealed, "relayed_shares": relayed, "wrapped_key": had_key},
        actor=actor,
    )
