"""A project's opening mode (开标方式), chosen on the draft and sealed at publication.

Server-key mode (服务器密钥): the project's private key is wrapped by the KEK (design.md §6).
Quorum mode (多人共同开标): the buyer names n officials with a set-up opening key and a threshold
k; at publication the private key is wrapped by a fresh random key split k-of-n among them
(``domain.quorum.seal_quorum``) and no KEK-wrapped copy exists. Both are frozen at publication.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import N_, lifecycle
from procurement.domain.quorum import QuorumInvalid, check_quorum, seal_quorum
from procurement.domain.sealing import generate_project_keys
from procurement.extensions import db
from procurement.keys import load_kek
from procurement.models import MODE_QUORUM, MODE_SERVER, OpeningKey, OpeningOfficial, Project, User
from procurement.services import ServiceError
from procurement.services.opening_keys import OFFICIAL_ROLES, fingerprint
from procurement.services.unit_of_work import command, lock_project


@command
def set_opening_mode(project: Project | int, mode: str, official_ids: Sequence[int], threshold: int | None, actor) -> None:
    """Choose the draft's opening mode; for a quorum, its officials (in order) and threshold.

    :raise ServiceError: not a draft, an unknown mode, an official who cannot be one (no key,
        inactive, not buyer staff or panel), or numbers that break k ≥ 2, k ≤ n.
    """
    project = lock_project(project)
    if project.status != lifecycle.DRAFT:
        raise ServiceError(N_("开标方式在发布时已确定，发布后不能更改。"), "not_draft")
    if mode not in (MODE_SERVER, MODE_QUORUM):
        raise ServiceError(N_("请选择开标方式。"), "unknown_mode", field="mode")
    project.officials.clear()
    db.session.flush()
    if mode == MODE_SERVER:
        project.opening_mode, project.quorum_threshold = MODE_SERVER, None
        audit.record("project.opening_mode", project, details={"mode": MODE_SERVER}, actor=actor)
        return
    ids = list(dict.fromkeys(official_ids))
    users = [user for user, _ in _officials(ids)]
    try:
        check_quorum(threshold or 0, len(users))
    except QuorumInvalid as error:
        raise ServiceError(error.message, error.code, field="threshold", **error.params) from None
    project.opening_mode, project.quorum_threshold = MODE_QUORUM, threshold
    for position, user in enumerate(users, start=1):
        project.officials.append(OpeningOfficial(user_id=user.id, position=position))
    audit.record(
        "project.opening_mode",
        project,
        details={"mode": MODE_QUORUM, "threshold": threshold, "officials": [user.id for user in users]},
        actor=actor,
    )


def _officials(ids: list[int]) -> list[tuple[User, OpeningKey]]:
    """The accounts ``ids`` names, in that order, each able to be an official, with their opening keys.

    :raise ServiceError: beside the officials field.
    """
    found = {
        user.id: (user, key)
        for user, key in db.session.execute(
            sa.select(User, OpeningKey).outerjoin(OpeningKey, OpeningKey.user_id == User.id).where(User.id.in_(ids))
        )
    }
    users = []
    for user_id in ids:
        user, key = found.get(user_id, (None, None))
        if user is None or user.role not in OFFICIAL_ROLES:
            raise ServiceError(N_("所选开标人不存在或不是采购人、评审人员。"), "unknown_official", field="officials")
        if not user.active:
            raise ServiceError(N_("%(name)s 的账号已停用，不能担任开标人。"), "inactive_official", field="officials", name=user.name)
        if key is None:
            raise ServiceError(
                N_("%(name)s 还没有设置个人开标密钥，不能担任开标人。"), "official_without_key", field="officials", name=user.name
            )
        users.append((user, key))
    return users


def create_sealing_keys(project: Project, actor) -> None:
    """At publication (inside its command): the project's key pair, sealed as its mode says.

    Server-key mode wraps the private key with the KEK. Quorum mode seals it to the officials'
    current opening keys and leaves ``wrapped_private_key`` empty: there is no KEK path.

    :raise ServiceError: a quorum whose officials can no longer act (a key gone, an account
        disabled) or whose numbers break the rules.
    """
    if not project.is_quorum:
        keys = generate_project_keys(load_kek())
        project.public_key, project.wrapped_private_key = keys.public_key, keys.wrapped_private_key
        return
    officials = list(project.officials)
    try:
        keys = _officials([official.user_id for official in officials])
        check_quorum(project.quorum_threshold or 0, len(officials))
    except (ServiceError, QuorumInvalid) as error:
        raise ServiceError(
            N_("多人共同开标的设置无效：%(reason)s 请在“开标方式”中重新选择开标人。"), "quorum_invalid",
            reason=error.message % error.params if error.params else error.message,
        ) from None
    recipients = [key.public_key for _, key in keys]
    sealed = seal_quorum(project.id, recipients, project.quorum_threshold)
    project.public_key = sealed.public_key
    project.wrapped_private_key = None
    project.quorum_wrapped_private_key = sealed.wrapped_private_key
    if [official.position for official in officials] != [share.index for share in sealed.shares]:
        raise RuntimeError("the officials' positions are not their share indices 1..n")
    for official, share, public_key in zip(officials, sealed.shares, recipients):
        official.public_key, official.sealed_share, official.share_digest = public_key, share.sealed, share.digest
    audit.record(
        "project.quorum_seal",
        project,
        details={
            "threshold": project.quorum_threshold,
            "officials": [
                {"user_id": official.user_id, "position": official.position, "key": fingerprint(public_key)}
                for official, public_key in zip(officials, recipients)
            ],
            "at": clock.now().isoformat(),
        },
        actor=actor,
    )
