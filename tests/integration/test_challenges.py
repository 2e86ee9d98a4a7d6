"""Challenges (质疑): filed in the period with attachments, late ones refused, answered by the buyer."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import AuditEvent, Challenge, StoredFile
from procurement.services import award as award_service
from tests.conftest import AuthActions, csrf_token, post_form
from tests.factories import make_buyer, make_evaluated_project, make_supplier, tiny_pdf

RESULT_DAY = datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING)
PDF_BYTES = tiny_pdf("challenge")


@pytest.fixture
def published(app, clock):
    """Result published on Monday 2025-01-06: publicity ends that day, challenges until 2025-01-15."""
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock)
    clock.set(RESULT_DAY)
    _, winner = built.candidate(1)
    award_service.confirm(built.project, winner.id, buyer)
    award_service.publish(built.project, buyer)
    return built


def signed_in(app, user):
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


def file_challenge(client, project_id: int, text: str, files=()):
    url = f"/supplier/projects/{project_id}/challenges/new"
    data = {"text": text, "csrf_token": csrf_token(client, f"/supplier/projects/{project_id}")}
    data["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(url, data=data, content_type="multipart/form-data")


def test_participant_files_a_challenge_with_an_attachment(app, clock, published):
    clock.set(datetime(2025, 1, 8, 15, 0, tzinfo=BEIJING))
    second, registration = published.candidate(2)
    client = signed_in(app, second)
    page = client.get(f"/supplier/projects/{published.project.id}").get_data(as_text=True)
    assert "2025年1月15日 前（含当日）提出书面质疑" in page
    response = file_challenge(client, published.project.id, "成交供应商的报价低于成本，请求重新评审。", [("质疑函.pdf", PDF_BYTES)])
    assert response.status_code == 302
    challenge = db.session.scalar(sa.select(Challenge))
    assert challenge.registration_id == registration.id
    assert challenge.text == "成交供应商的报价低于成本，请求重新评审。"
    # Filed Wednesday 2025-01-08; seven working days from the next day end on Friday 2025-01-17.
    assert challenge.answer_due_on == date(2025, 1, 17)
    assert [a.stored_file.original_name for a in challenge.attachments] == ["质疑函.pdf"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "challenge.file"))
    assert event.details["attachments"][0]["name"] == "质疑函.pdf"
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "采购人尚未答复，答复期限为 2025年1月17日" in shown
    attachment = challenge.attachments[0]
    response = client.get(f"/supplier/challenges/{challenge.id}/attachments/{attachment.id}")
    assert response.get_data() == PDF_BYTES
    response.close()


def test_challenge_on_the_last_day_is_accepted(app, clock, published):
    clock.set(datetime(2025, 1, 15, 23, 30, tzinfo=BEIJING))
    second, _ = published.candidate(2)
    response = file_challenge(signed_in(app, second), published.project.id, "质疑事项。")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Challenge.id))) == 1


def test_late_challenge_is_refused_with_the_date_it_was_due(app, clock, published):
    clock.set(datetime(2025, 1, 16, 0, 5, tzinfo=BEIJING))
    second, _ = published.candidate(2)
    client = signed_in(app, second)
    page = client.get(f"/supplier/projects/{published.project.id}/challenges/new")
    assert "质疑期已于 2025年1月15日 截止，逾期提出的质疑不予受理。" in page.get_data(as_text=True)
    response = file_challenge(client, published.project.id, "迟到的质疑。")
    assert response.status_code == 400
    assert "质疑期已于 2025年1月15日 截止" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Challenge.id))) == 0
    project_page = client.get(f"/supplier/projects/{published.project.id}").get_data(as_text=True)
    assert "质疑期已于 2025年1月15日 截止。" in project_page


def test_no_challenge_before_the_result_is_published(app, clock):
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock)
    clock.set(RESULT_DAY)
    second, _ = built.candidate(2)
    client = signed_in(app, second)
    response = file_challenge(client, built.project.id, "提前的质疑。")
    assert response.status_code == 400
    assert "成交结果尚未公布" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Challenge.id))) == 0


def test_a_supplier_that_did_not_take_part_cannot_challenge(app, published):
    outsider = make_supplier()
    client = signed_in(app, outsider)
    assert client.get(f"/supplier/projects/{published.project.id}/challenges/new").status_code == 404


def test_empty_text_is_refused_beside_the_field(app, published):
    second, _ = published.candidate(2)
    response = file_challenge(signed_in(app, second), published.project.id, "  ")
    assert response.status_code == 400
    assert 'data-field-error="text"' in response.get_data(as_text=True)


def test_a_bad_attachment_is_refused_and_the_good_one_is_kept(app, published):
    second, _ = published.candidate(2)
    client = signed_in(app, second)
    response = file_challenge(
        client,
        published.project.id,
        "质疑内容，保留在表单中。",
        [("证明.pdf", PDF_BYTES), ("伪装.pdf", b"this is plain text, not a PDF")],
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'data-field-error="attachments"' in html
    assert "伪装.pdf" in html and "不是允许的格式" in html
    assert "质疑内容，保留在表单中。" in html  # what was typed is kept
    assert 'data-testid="saved-attachments"' in html and "证明.pdf" in html  # the good file was saved
    saved = db.session.scalar(sa.select(StoredFile).where(StoredFile.original_name == "证明.pdf"))
    assert saved is not None
    assert db.session.scalar(sa.select(sa.func.count(Challenge.id))) == 0

    # Resubmitting with the saved file's id attaches it without uploading it again.
    data = {
        "text": "质疑内容，保留在表单中。",
        "saved_files": str(saved.id),
        "csrf_token": csrf_token(client, f"/supplier/projects/{published.project.id}"),
    }
    response = client.post(f"/supplier/projects/{published.project.id}/challenges/new", data=data)
    assert response.status_code == 302
    challenge = db.session.scalar(sa.select(Challenge))
    assert [a.stored_file_id for a in challenge.attachments] == [saved.id]


def test_saved_file_ids_from_someone_else_are_ignored(app, published):
    second, _ = published.candidate(2)
    winner, _ = published.candidate(1)
    # The winner uploads a file (a saved file on its own page) ...
    file_challenge(signed_in(app, winner), published.project.id, "", [("赢家的文件.pdf", PDF_BYTES)])
    theirs = db.session.scalar(sa.select(StoredFile).where(StoredFile.original_name == "赢家的文件.pdf"))
    # ... and another supplier cannot attach it by sending its id.
    client = signed_in(app, second)
    data = {"text": "质疑。", "saved_files": str(theirs.id), "csrf_token": csrf_token(client, "/supplier/")}
    assert client.post(f"/supplier/projects/{published.project.id}/challenges/new", data=data).status_code == 302
    challenge = db.session.scalar(sa.select(Challenge).where(Challenge.text == "质疑。"))
    assert challenge.attachments == []


def test_buyer_answers_and_the_challenger_sees_the_answer(app, clock, published):
    clock.set(datetime(2025, 1, 8, 15, 0, tzinfo=BEIJING))
    second, _ = published.candidate(2)
    supplier_client = signed_in(app, second)
    file_challenge(supplier_client, published.project.id, "请求复核评审结果。", [("质疑函.pdf", PDF_BYTES)])
    challenge = db.session.scalar(sa.select(Challenge))

    buyer_client = signed_in(app, published.buyer)
    project_page = buyer_client.get(f"/buyer/projects/{published.project.id}").get_data(as_text=True)
    assert f"/buyer/challenges/{challenge.id}" in project_page and "待答复" in project_page
    page = buyer_client.get(f"/buyer/challenges/{challenge.id}").get_data(as_text=True)
    assert "请求复核评审结果。" in page and "质疑函.pdf" in page and "2025年1月17日" in page
    attachment = challenge.attachments[0]
    response = buyer_client.get(f"/buyer/challenges/{challenge.id}/attachments/{attachment.id}")
    assert response.get_data() == PDF_BYTES
    response.close()

    response = post_form(buyer_client, f"/buyer/challenges/{challenge.id}", {"answer": ""})
    assert response.status_code == 400 and 'data-field-error="answer"' in response.get_data(as_text=True)
    clock.set(datetime(2025, 1, 10, 11, 0, tzinfo=BEIJING))
    response = post_form(buyer_client, f"/buyer/challenges/{challenge.id}", {"answer": "经复核，评审结果无误，质疑不成立。"})
    assert response.status_code == 302
    db.session.refresh(challenge)
    assert challenge.answer_text == "经复核，评审结果无误，质疑不成立。"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "challenge.answer"))
    assert event.details["late"] is False

    shown = supplier_client.get(f"/supplier/challenges/{challenge.id}").get_data(as_text=True)
    assert "经复核，评审结果无误，质疑不成立。" in shown
    assert "已答复" in supplier_client.get(f"/supplier/projects/{published.project.id}").get_data(as_text=True)

    again = post_form(buyer_client, f"/buyer/challenges/{challenge.id}", {"answer": "第二次答复"}, follow_redirects=True)
    assert "该质疑已经答复" in again.get_data(as_text=True)
    db.session.refresh(challenge)
    assert challenge.answer_text == "经复核，评审结果无误，质疑不成立。"


def test_another_supplier_cannot_see_a_challenge(app, published):
    second, _ = published.candidate(2)
    file_challenge(signed_in(app, second), published.project.id, "质疑。", [("质疑函.pdf", PDF_BYTES)])
    challenge = db.session.scalar(sa.select(Challenge))
    winner, _ = published.candidate(1)
    other = signed_in(app, winner)
    assert other.get(f"/supplier/challenges/{challenge.id}").status_code == 404
    attachment = challenge.attachments[0]
    assert other.get(f"/supplier/challenges/{challenge.id}/attachments/{attachment.id}").status_code == 404


def test_a_late_answer_is_recorded_and_flagged(app, clock, published):
    clock.set(datetime(2025, 1, 8, 15, 0, tzinfo=BEIJING))
    second, _ = published.candidate(2)
    file_challenge(signed_in(app, second), published.project.id, "质疑。")
    challenge = db.session.scalar(sa.select(Challenge))
    clock.set(datetime(2025, 1, 20, 9, 0, tzinfo=BEIJING))
    buyer_client = signed_in(app, published.buyer)
    assert "逾期未答复" in buyer_client.get(f"/buyer/projects/{published.project.id}").get_data(as_text=True)
    post_form(buyer_client, f"/buyer/challenges/{challenge.id}", {"answer": "答复。"})
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "challenge.answer"))
    assert event.details["late"] is True


def test_missing_calendar_year_refuses_filing_with_a_message_and_answering_still_works(app, clock):
    """Late December 2026: the answer deadline reaches 2027, which the calendar does not know."""
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock, report_at=datetime(2026, 12, 14, 11, 0, tzinfo=BEIJING))
    clock.set(datetime(2026, 12, 15, 10, 0, tzinfo=BEIJING))
    _, winner = built.candidate(1)
    award_service.confirm(built.project, winner.id, buyer)
    award_service.publish(built.project, buyer)  # challenges until Thursday 2026-12-24
    clock.set(datetime(2026, 12, 24, 15, 0, tzinfo=BEIJING))
    second, registration = built.candidate(2)
    client = signed_in(app, second)
    response = file_challenge(client, built.project.id, "请求复核评审结果。", [("质疑函.pdf", PDF_BYTES)])
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "工作日历缺少 2027 年的国务院节假日安排" in html and "质疑未提交" in html
    assert "请求复核评审结果。" in html and "质疑函.pdf" in html  # what was typed and uploaded is kept
    assert db.session.scalar(sa.select(sa.func.count(Challenge.id))) == 0

    # A challenge recorded earlier (due in 2027) is answered without touching the calendar.
    challenge = Challenge(
        project_id=built.project.id,
        registration_id=registration.id,
        filed_by_id=second.id,
        text="早先的质疑。",
        filed_at=datetime(2026, 12, 23, 9, 0, tzinfo=BEIJING),
        answer_due_on=date(2027, 1, 6),
    )
    db.session.add(challenge)
    db.session.commit()
    buyer_client = signed_in(app, buyer)
    assert buyer_client.get(f"/buyer/projects/{built.project.id}").status_code == 200
    response = post_form(buyer_client, f"/buyer/challenges/{challenge.id}", {"answer": "经复核，质疑不成立。"})
    assert response.status_code == 302
    db.session.refresh(challenge)
    assert challenge.answer_text == "经复核，质疑不成立。"
