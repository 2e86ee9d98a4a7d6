"""Ended projects reach everyone (issue 10): a failed (流标) or cancelled (终止) project's termination
notice on the participating supplier's pages, the public notice page and the results list, with a PDF
anyone may download; a failed evaluation's notice only once every member has signed the report."""
from __future__ import annotations

import re

import sqlalchemy as sa

from procurement.extensions import db
from procurement.models import GeneratedDocument
from procurement.services import evaluation as evaluation_service
from tests.conftest import AuthActions, post_form
from tests.factories import (
    PASSWORD,
    make_accepted_registration,
    make_buyer,
    make_opened_project,
    make_project,
    make_sealed_quote,
    make_supplier,
)

FAILURE = "有效报价不足3家（实际2家），本项目流标。"


def signed_in(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def termination_documents() -> list[GeneratedDocument]:
    return list(db.session.scalars(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "termination_notice")))


def outcome_badge(page: str) -> str:
    """The text of the first outcome badge on a page."""
    match = re.search(r'data-testid="outcome">([^<]*)<', page)
    assert match, "no outcome badge"
    return match.group(1).strip()


def ranked_as_failed(clock):
    """An opened project whose panel failed three of five suppliers and ranked: too few valid quotes."""
    built = make_opened_project(make_buyer(), clock, declare=True, start=True)
    project = built.project
    failing = {built.registrations[2].id: "lhasa_premises", built.registrations[3].id: "lhasa_premises", built.registrations[4].id: "credit"}
    criteria = evaluation_service.criteria_of(project)
    for member, user in zip(built.members, built.panel):
        cells = [
            evaluation_service.CellInput(
                registration.id,
                criterion,
                "fail" if failing.get(registration.id) == criterion else "pass",
                "不符合要求" if failing.get(registration.id) == criterion else "",
            )
            for registration in built.registrations
            for criterion in criteria
        ]
        evaluation_service.save_votes(member, cells, submit=True, actor=user)
    evaluation_service.rank(built.members[0], built.panel[0])
    return built


def assert_public_termination(app, project, reason: str) -> GeneratedDocument:
    """An anonymous visitor sees the termination on the notice page and in the results list, and downloads its PDF."""
    (document,) = termination_documents()
    public = app.test_client()
    notice = html(public, f"/notices/{project.id}")
    assert 'data-testid="termination"' in notice and reason in notice
    pdf_url = f"/notices/{project.id}/termination.pdf"
    assert f'href="{pdf_url}"' in notice
    results = html(public, "/results")
    assert f"{project.title}终止公告" in results and f'href="{pdf_url}"' in results and reason in results
    pdf = public.get(pdf_url)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and pdf.headers["X-Document-SHA256"] == document.sha256
    verified = html(public, f"/verify?code={document.verification_code}")
    assert 'data-testid="verify-ok"' in verified and f"{project.title}终止公告" in verified
    return document


def test_a_failed_project_shows_its_termination_notice_to_suppliers_and_the_public_only_after_the_report_is_signed(app, clock):
    built = ranked_as_failed(clock)
    project = built.project
    participant = signed_in(app, built.suppliers[0])
    public = app.test_client()

    # Ranked, the report not yet signed by everyone: nothing is issued, nothing verifiable, nothing shown.
    for index, (member, user) in enumerate(zip(built.members, built.panel)):
        assert termination_documents() == []
        page = html(participant, f"/supplier/projects/{project.id}")
        assert outcome_badge(page) == "评审中" and "流标" not in page and "termination.pdf" not in page
        assert outcome_badge(html(participant, "/supplier/")) == "评审中"
        notice = html(public, f"/notices/{project.id}")
        assert 'data-testid="termination"' not in notice and "流标" not in notice
        assert re.search(r'data-testid="phase">评审中<', notice)
        assert f"{project.title}终止公告" not in html(public, "/results")
        assert public.get(f"/notices/{project.id}/termination.pdf").status_code == 404
        evaluation_service.confirm_report(member, PASSWORD, "不同意" if index == 1 else None, user)
        db.session.expire_all()

    # The last signature: the project has failed and the notice is out, for everyone.
    assert project.status == "failed"
    document = assert_public_termination(app, project, FAILURE)
    for user in (built.suppliers[0], built.suppliers[3]):  # a valid quote and a failed one alike
        client = signed_in(app, user)
        page = html(client, f"/supplier/projects/{project.id}")
        assert outcome_badge(page) == "流标" and FAILURE in page
        assert "成交结果尚未公布" not in page
        assert f'href="/notices/{project.id}/termination.pdf"' in page and document.verification_code in page
        assert page.index('data-testid="outcome-section"') < page.index('data-testid="registration-section"')
        home = html(client, "/supplier/")
        assert outcome_badge(home) == "流标" and FAILURE in home
        assert f'href="/notices/{project.id}/termination.pdf"' in home
        pdf = client.get(f"/notices/{project.id}/termination.pdf")
        assert pdf.status_code == 200 and pdf.headers["X-Document-SHA256"] == document.sha256


def test_a_cancelled_project_issues_a_termination_notice_that_registered_suppliers_and_the_public_see(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    quoted, registered_only, outsider = make_supplier(), make_supplier(), make_supplier()
    make_sealed_quote(make_accepted_registration(project, quoted), quoted, ("25.00", "420.00", "21.50"))
    make_accepted_registration(project, registered_only)
    assert public_pdf_missing(app, project)

    client = signed_in(app, buyer)
    reason = "采购需求发生变化，本项目终止"
    assert post_form(client, f"/buyer/projects/{project.id}/cancel", {"reason": reason}).status_code == 302
    db.session.expire_all()
    assert project.status == "cancelled"
    document = assert_public_termination(app, project, reason)
    assert "终止公告PDF" in html(client, f"/buyer/projects/{project.id}")

    for user in (quoted, registered_only):
        supplier = signed_in(app, user)
        page = html(supplier, f"/supplier/projects/{project.id}")
        assert outcome_badge(page) == "终止" and reason in page
        assert f'href="/notices/{project.id}/termination.pdf"' in page and document.verification_code in page
        home = html(supplier, "/supplier/")
        assert outcome_badge(home) == "终止" and f'href="/notices/{project.id}/termination.pdf"' in home
        assert supplier.get(f"/notices/{project.id}/termination.pdf").status_code == 200
    # A supplier that never registered reads it on the project page too: it is a public announcement.
    page = html(signed_in(app, outsider), f"/supplier/projects/{project.id}")
    assert outcome_badge(page) == "终止" and f'href="/notices/{project.id}/termination.pdf"' in page


def public_pdf_missing(app, project) -> bool:
    """No termination notice for a project that goes on: the public PDF answers 404."""
    return app.test_client().get(f"/notices/{project.id}/termination.pdf").status_code == 404


def test_the_termination_notice_of_a_project_cancelled_before_the_opening_says_no_quote_was_opened(app, clock):
    import subprocess

    from procurement.documents.storage import read_bytes

    buyer = make_buyer()
    project = make_project(buyer, clock)
    client = signed_in(app, buyer)
    assert post_form(client, f"/buyer/projects/{project.id}/cancel", {"reason": "预算调整"}).status_code == 302
    (document,) = termination_documents()
    data = read_bytes(document.storage_path, kind="document")
    text = "".join(subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode().split())
    assert "终止公告" in text and "项目终止：预算调整" in text
    assert "原定于2025年1月2日16点00分" in text and "开启前终止" in text
