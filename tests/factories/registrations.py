"""Registrations through ``services.registrations`` (uploads, checks, audit), credit lists through ``services.credit``."""
from __future__ import annotations

from datetime import datetime

from procurement.domain.credit import LIST_KINDS
from procurement.domain.qualification import ARTICLE22_DECLARATIONS, required_documents
from procurement.domain.schedule import BEIJING
from procurement.models import REG_ACCEPTED, Registration, User
from procurement.services import credit, registrations
from tests.factories.files import blacklist_csv, scan_upload, tiny_pdf, tiny_png
from tests.factories.rows import valid_id
from tests.factories.timing import moved

REGISTRATION_OPEN_AT = datetime(2024, 12, 26, 10, 0, tzinfo=BEIJING)  # Thursday, inside 09:30–13:00


def make_blacklist(list_kind: str, rows: list[dict] | None = None, actor=None):
    """Import a version of one list through the service; by default one unrelated entry."""
    rows = rows if rows is not None else [{"name": "某地无关商贸有限公司", "source": "信用中国", "listed_from": "2023-01-01"}]
    rows = [{"list": LIST_KINDS[list_kind], **row} for row in rows]
    return credit.import_blacklist(list_kind, blacklist_csv(rows), f"{list_kind}.csv", actor)


def make_all_blacklists(actor=None) -> dict:
    """Import every list (one unrelated entry each), so a clean supplier's credit check passes outright."""
    return {kind: make_blacklist(kind, actor=actor) for kind in LIST_KINDS}


def _submit(project, user: User, uploads, *, via_agent=False, agent_name=None, agent_id_number=None, consortium=False, declarations=None):
    """One submission of the registration form, as the view calls the service."""
    if via_agent:
        agent_name = agent_name or "格桑"
        agent_id_number = agent_id_number or valid_id()
    answers = registrations.Answers(
        via_agent=via_agent,
        agent_name=agent_name,
        agent_id_number=agent_id_number,
        consortium=consortium,
        declarations=declarations if declarations is not None else {key: True for key in ARTICLE22_DECLARATIONS},
    )
    return registrations.submit_registration(project, user.company, answers, uploads, user)


def register(
    project,
    user: User,
    clock=None,
    *,
    at: datetime = REGISTRATION_OPEN_AT,
    via_agent: bool = False,
    agent_name: str | None = None,
    agent_id_number: str | None = None,
    consortium: bool = False,
    declarations: dict | None = None,
    documents=None,
):
    """Register ``user``'s company for ``project`` through the service, at ``at`` (inside the window).

    ``documents`` is an iterable of kinds to upload (default: every kind required). Returns the
    service's Submission; ``clock`` (a FixedClock) is moved to ``at`` and back. Without ``clock``
    the registration happens now.
    """
    kinds = documents if documents is not None else required_documents(via_agent)
    uploads = {kind: scan_upload(kind) for kind in kinds}
    options = dict(
        via_agent=via_agent, agent_name=agent_name, agent_id_number=agent_id_number, consortium=consortium, declarations=declarations
    )
    if clock is None:
        return _submit(project, user, uploads, **options)
    with moved(clock, at):
        return _submit(project, user, uploads, **options)


def stamped_scans(project, user: User) -> dict:
    """Every scan the project requires, as a supplier would upload them: PDFs naming the USCC, the ID as a PNG."""
    kinds = required_documents(False, premises="lhasa_premises" in project.criteria)
    return {
        kind: scan_upload(kind, tiny_png(6, 4), f"{kind}.png")
        if kind == "legal_rep_id"
        else scan_upload(kind, tiny_pdf(f"{kind} {user.company.uscc}"))
        for kind in kinds
    }


def registration_form(project, user: User) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """The registration form as a browser posts it for ``user``: its fields, and its files as {kind: (name, bytes)}.

    The files are :func:`stamped_scans`; with them and a clean company the registration is accepted.
    """
    fields = {"registrant": "legal_rep", "entity": "single", **{key: "y" for key in ARTICLE22_DECLARATIONS}}
    files = {kind: (upload.filename, upload.read()) for kind, upload in stamped_scans(project, user).items()}
    return fields, files


def register_accepted(project, user: User, clock=None, *, at: datetime = REGISTRATION_OPEN_AT) -> Registration:
    """Register through the service at ``at`` (the app's clock moved when ``clock`` is ``None``) and insist it was accepted."""
    with moved(clock, at):
        submission = _submit(project, user, stamped_scans(project, user))
    registration = submission.registration
    if registration.status != REG_ACCEPTED:
        failed = [r for r in (submission.check.results if submission.check else []) if r["status"] == "fail"]
        raise AssertionError(f"registration of {user.company.name} was not accepted: {failed or submission.upload_errors}")
    return registration


def make_accepted_registration(project, supplier_user: User, clock=None, *, at: datetime = REGISTRATION_OPEN_AT) -> Registration:
    """An accepted Registration of ``supplier_user``'s company, submitted through the service at ``at``.

    Its scans are stored and its registration-time check is the real one (with a warning for the
    panel while no credit list has been imported). The clock (the app's when ``clock`` is ``None``)
    is moved to ``at`` and back.
    """
    return register_accepted(project, supplier_user, clock, at=at)
