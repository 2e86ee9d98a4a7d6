"""Projects: the editor, publication with its frozen schedule, amendments, cancellation, RFQ files."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import sqlalchemy as sa

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import AuditEvent, FileDownload, Project, Registration
from tests.conftest import AuthActions, post_form
from tests.factories import make_buyer, make_project, make_supplier

FORM = {
    "code": "XZRB-2025-001",
    "title": "西藏日报社遴选2025年办公用品供应商项目",
    "buyer_name": "西藏日报社",
    "method": "询比价",
    "contract_term": "自合同签订之日起1年",
    "requirements_text": "具体详见询比价文件及公告",
    "criteria": ["article22", "credit", "no_consortium", "lhasa_premises", "documents", "identifiers"],
    "specific_requirement": "在拉萨有固定的实体经营场所",
    "registration_place": "西藏传媒集团二楼",
    "registration_documents_text": "",
    "opening_at": "2025-01-02T16:00",
    "opening_place": "西藏传媒集团二楼会议室",
    "contact_name": "措姆女士",
    "contact_phone": "13618906639",
    "registration_working_days": "5",
    "registration_hours": "09:30-13:00, 15:30-18:00",
    "notice_working_days": "5",
    "candidates": "2",
    "min_valid_quotes": "3",
    "tie_rule": "draw",
    "abnormal_average_ratio": "50",
    "abnormal_second_ratio": "50",
    "abnormal_ceiling_ratio": "45",
    "publicity_working_days": "1",
    "challenge_working_days": "7",
    "answer_working_days": "7",
    "confirmation_working_days": "5",
    "contract_days": "30",
    "items-0-name": "复印纸",
    "items-0-specification": "A4 70g",
    "items-0-unit": "包",
    "items-0-quantity": "1200",
    "items-0-ceiling_unit_price": "28.00",
    "items-1-name": "硒鼓",
    "items-1-specification": "CF228A",
    "items-1-unit": "个",
    "items-1-quantity": "80",
    "items-1-ceiling_unit_price": "",
}


def _buyer_client(app):
    make_buyer()
    client = app.test_client()
    AuthActions(client).login("buyer@example.com")
    return client


def test_buyer_creates_a_draft_that_the_public_cannot_see(app, clock):
    client = _buyer_client(app)
    response = post_form(client, "/buyer/projects/new", FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    project = db.session.scalar(sa.select(Project))
    assert project.status == "draft"
    assert [(i.position, i.name, str(i.quantity), i.ceiling_unit_price) for i in project.items] == [
        (1, "复印纸", "1200.000", project.items[0].ceiling_unit_price),
        (2, "硒鼓", "80.000", None),
    ]
    assert str(project.items[0].ceiling_unit_price) == "28.00"
    assert project.opening_at == datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING)
    assert project.registration_hours == [["09:30", "13:00"], ["15:30", "18:00"]]
    anonymous = app.test_client()
    assert anonymous.get(f"/notices/{project.id}").status_code == 404
    assert "XZRB-2025-001" not in anonymous.get("/").get_data(as_text=True)


def test_editor_errors_are_shown_beside_the_fields_with_400(app):
    client = _buyer_client(app)
    bad = dict(FORM, code="", registration_hours="9点到13点", **{"items-0-quantity": "abc", "items-1-ceiling_unit_price": "1.234"})
    response = post_form(client, "/buyer/projects/new", bad, page="/buyer/projects/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'data-field-error="code"' in html
    assert "无法识别的时段" in html
    assert 'data-field-error="items-0-quantity"' in html
    assert 'data-field-error="items-1-ceiling_unit_price"' in html
    assert "金额最多两位小数" in html
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 0


def test_publish_freezes_the_notice_schedule_and_shows_every_date(app, clock):
    client = _buyer_client(app)
    post_form(client, "/buyer/projects/new", FORM)
    project = db.session.scalar(sa.select(Project))
    clock.set(datetime(2024, 12, 25, 9, 0, tzinfo=BEIJING))
    preview = client.get(f"/buyer/projects/{project.id}/publish").get_data(as_text=True)
    assert "2024年12月25日 — 2024年12月31日" in preview
    assert "2025年1月2日（星期四）16:00" in preview
    response = post_form(client, f"/buyer/projects/{project.id}/publish", {"confirm": "yes"})
    assert response.status_code == 302
    db.session.refresh(project)
    assert (project.status, project.published_on, project.registration_closes, project.notice_ends) == (
        "published", date(2024, 12, 25), date(2024, 12, 31), date(2024, 12, 31)
    )
    assert project.public_key and project.wrapped_private_key
    public = app.test_client().get(f"/notices/{project.id}").get_data(as_text=True)
    assert "西藏日报社遴选2025年办公用品供应商项目询比价公告" in public
    assert "一、项目基本情况" in public and "六、其他事项" in public
    assert 'data-testid="countdown"' in public


def test_publish_refuses_an_opening_before_registration_closes(app, clock):
    client = _buyer_client(app)
    post_form(client, "/buyer/projects/new", dict(FORM, opening_at="2024-12-30T10:00"))
    project = db.session.scalar(sa.select(Project))
    clock.set(datetime(2024, 12, 25, 9, 0, tzinfo=BEIJING))
    response = post_form(client, f"/buyer/projects/{project.id}/publish", {"confirm": "yes"})
    assert response.status_code == 400
    assert "早于报名截止时间" in response.get_data(as_text=True)
    db.session.refresh(project)
    assert project.status == "draft"


def test_publish_warns_when_fewer_than_three_working_days_before_the_deadline(app, clock):
    client = _buyer_client(app)
    post_form(client, "/buyer/projects/new", dict(FORM, opening_at="2024-12-26T18:00", registration_working_days="1"))
    project = db.session.scalar(sa.select(Project))
    clock.set(datetime(2024, 12, 25, 9, 0, tzinfo=BEIJING))
    html = client.get(f"/buyer/projects/{project.id}/publish").get_data(as_text=True)
    assert 'data-testid="publish-warning"' in html


def test_publish_names_a_year_missing_from_the_calendar(app, clock):
    client = _buyer_client(app)
    post_form(client, "/buyer/projects/new", dict(FORM, opening_at="2027-01-08T16:00"))
    project = db.session.scalar(sa.select(Project))
    clock.set(datetime(2026, 12, 28, 9, 0, tzinfo=BEIJING))
    html = client.get(f"/buyer/projects/{project.id}/publish").get_data(as_text=True)
    assert "缺少 2027 年" in html


def test_amendment_recomputes_the_schedule_and_is_shown_and_audited(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    client = app.test_client()
    AuthActions(client).login(buyer.email)
    clock.set(datetime(2024, 12, 26, 9, 0, tzinfo=BEIJING))
    data = {
        "opening_at": "2025-01-03T16:00",
        "opening_place": "西藏传媒集团三楼会议室",
        "registration_working_days": "6",
        "requirements_text": "具体详见询比价文件及公告",
        "registration_documents_text": "",
        "contact_name": "措姆女士",
        "contact_phone": "13618906639",
        "summary": "开启时间推迟一天，地点改为三楼会议室",
        "reason": "会议室冲突",
    }
    response = post_form(client, f"/buyer/projects/{project.id}/amend", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(project)
    assert project.registration_closes == date(2025, 1, 2)
    assert project.opening_at == datetime(2025, 1, 3, 16, 0, tzinfo=BEIJING)
    page = app.test_client().get(f"/notices/{project.id}").get_data(as_text=True)
    assert "更正公告" in page and "会议室冲突" in page and "西藏传媒集团三楼会议室" in page
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "project.amend")) is not None


def test_cancel_removes_the_project_from_the_open_list_and_shows_a_termination_notice(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    client = app.test_client()
    AuthActions(client).login(buyer.email)
    assert post_form(client, f"/buyer/projects/{project.id}/cancel", {"reason": ""}).status_code == 400
    response = post_form(client, f"/buyer/projects/{project.id}/cancel", {"reason": "采购需求发生变化"})
    assert response.status_code == 302
    public = app.test_client()
    home = public.get("/").get_data(as_text=True)
    assert 'data-testid="no-open-projects"' in home
    notice = public.get(f"/notices/{project.id}").get_data(as_text=True)
    assert "终止公告" in notice and "采购需求发生变化" in notice


def _docx_bytes() -> bytes:
    """A minimal DOCX (its content types name the document part); fixed member dates, so two calls give
    the same bytes on a slow machine too."""
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (("[Content_Types].xml", types), ("word/document.xml", "<w:document/>")):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 12, 25, 9, 0, 0)), text)
    return buffer.getvalue()


def test_rfq_files_are_checked_by_content_and_only_accepted_registrants_download(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    client = app.test_client()
    AuthActions(client).login(buyer.email)
    fake = post_form(
        client,
        f"/buyer/projects/{project.id}/files",
        {"rfq-title": "报价单", "rfq-file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "报价单.pdf")},
        page=f"/buyer/projects/{project.id}",
        content_type="multipart/form-data",
    )
    assert fake.status_code == 400
    assert "不是允许的格式" in fake.get_data(as_text=True)
    ok = post_form(
        client,
        f"/buyer/projects/{project.id}/files",
        {"rfq-title": "询比价文件", "rfq-file": (io.BytesIO(_docx_bytes()), "询比价文件.docx")},
        page=f"/buyer/projects/{project.id}",
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    file_id = project.files[0].id

    supplier = make_supplier()
    supplier_client = app.test_client()
    AuthActions(supplier_client).login(supplier.email)
    url = f"/supplier/projects/{project.id}/files/{file_id}"
    assert supplier_client.get(url).status_code == 404  # not registered
    registration = Registration(
        project_id=project.id, company_id=supplier.company_id, status="accepted", created_at=clock.now(), created_by_id=supplier.id
    )
    db.session.add(registration)
    db.session.commit()
    with supplier_client.get(url) as response:
        assert response.status_code == 200
        assert response.data == _docx_bytes()
    assert db.session.scalar(sa.select(sa.func.count(FileDownload.id))) == 1
    registration.status = "rejected"
    db.session.commit()
    assert supplier_client.get(url).status_code == 404


def test_boq_import_with_a_bad_row_changes_nothing_and_names_the_row(app):
    client = _buyer_client(app)
    post_form(client, "/buyer/projects/new", FORM)
    project = db.session.scalar(sa.select(Project))
    csv_text = "品名,规格型号,单位,数量,最高限价\n复印纸,A4,包,10,28\n订书机,12号,个,abc,35\n"
    response = post_form(
        client,
        f"/buyer/projects/{project.id}/boq-import",
        {"boq-file": (io.BytesIO(csv_text.encode()), "清单.csv")},
        page=f"/buyer/projects/{project.id}/edit",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "第 3 行，数量" in response.get_data(as_text=True)
    db.session.refresh(project)
    assert [i.name for i in project.items] == ["复印纸", "硒鼓"]


def test_boq_import_from_xlsx_replaces_the_lines(app):
    from openpyxl import Workbook

    client = _buyer_client(app)
    post_form(client, "/buyer/projects/new", FORM)
    project = db.session.scalar(sa.select(Project))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["品名", "规格型号", "单位", "数量", "最高限价"])
    sheet.append(["档案盒", "A4 5cm", "个", 800, 6])
    sheet.append(["长尾夹", "32mm", "盒", 150, 7.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = post_form(
        client,
        f"/buyer/projects/{project.id}/boq-import",
        {"boq-file": (io.BytesIO(buffer.getvalue()), "清单.xlsx")},
        page=f"/buyer/projects/{project.id}/edit",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(project)
    assert [(i.name, str(i.ceiling_unit_price)) for i in project.items] == [("档案盒", "6.00"), ("长尾夹", "7.50")]
