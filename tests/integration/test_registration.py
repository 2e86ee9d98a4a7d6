"""Registration (报名): the window, the form, the uploads, every automatic check and the buyer's view."""
from __future__ import annotations

import io
import re
from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from procurement.domain.qualification import ARTICLE22_DECLARATIONS
from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import AuditEvent, QualificationCheck, Registration, RegistrationDocument, StoredFile
from procurement.services import registrations as registration_service
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import AuthActions, csrf_token, post_form
from tests.factories import (
    REGISTRATION_OPEN_AT,
    make_all_blacklists,
    make_blacklist,
    make_buyer,
    make_project,
    make_supplier,
    register,
    tiny_jpeg,
    tiny_pdf,
    tiny_png,
    valid_id,
    valid_uscc,
)

BASE_DOCUMENTS = ("business_licence", "bank_permit", "legal_rep_id", "premises_proof")


@pytest.fixture
def buyer(app):
    return make_buyer()


@pytest.fixture
def project(buyer, clock):
    project = make_project(buyer, clock)
    make_all_blacklists(buyer)
    clock.set(REGISTRATION_OPEN_AT)
    return project


@pytest.fixture
def supplier(app):
    return make_supplier()


@pytest.fixture
def signed_in(client, supplier):
    AuthActions(client).login(supplier.email)
    return supplier


def url(project) -> str:
    return f"/supplier/projects/{project.id}/registration"


def form_data(*, registrant="legal_rep", entity="single", declarations=True, documents=BASE_DOCUMENTS, files=None, **extra):
    """The registration form as a browser posts it; ``files`` overrides single uploads by kind."""
    data = {"registrant": registrant, "entity": entity, **extra}
    if declarations is True:
        declarations = list(ARTICLE22_DECLARATIONS)
    for key in declarations or ():
        data[key] = "y"
    for kind in documents:
        data[kind] = (io.BytesIO(tiny_pdf(kind)), f"{kind}.pdf")
    for kind, value in (files or {}).items():
        data[kind] = value
    return data


def submit(client, project, page=None, **kwargs):
    """POST the registration form (CSRF token from the form page, or ``page`` when the form is closed)."""
    return post_form(client, url(project), form_data(**kwargs), page=page, content_type="multipart/form-data")


def registration_of(supplier, project) -> Registration | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Registration).where(Registration.company_id == supplier.company_id, Registration.project_id == project.id)
    )


def results_of(check: QualificationCheck) -> dict[str, dict]:
    return {r["criterion"]: r for r in check.results}


def project_page(client, project) -> str:
    response = client.get(f"/supplier/projects/{project.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def text(html: str) -> str:
    """The visible text, roughly: tags dropped, whitespace squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the passing case ---------------------------------------------------------------------------


def test_a_complete_registration_passes_every_check_and_is_accepted(client, project, signed_in, app):
    response = submit(client, project)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/supplier/projects/{project.id}#registration")

    registration = registration_of(signed_in, project)
    assert registration.status == "accepted"
    check = registration.checks[-1]
    assert check.context == "registration"
    assert check.overall == "accepted"
    assert [r["criterion"] for r in check.results] == [
        "article22", "credit", "no_consortium", "lhasa_premises", "documents", "identifiers"
    ]
    assert {r["status"] for r in check.results} == {"pass"}
    # The evidence: the latest version of each list, and the profile as it was.
    latest = {kind: v.id for kind, v in registration_service.credit.latest_versions().items()}
    assert check.list_versions == latest and len(latest) == 3
    assert registration.company_snapshot["uscc"] == signed_in.company.uscc
    assert registration.submitted_at == REGISTRATION_OPEN_AT
    # The files are stored outside the web root under their SHA-256.
    kinds = {doc.kind for doc in registration.documents}
    assert kinds == set(BASE_DOCUMENTS)
    for doc in registration.documents:
        assert doc.stored_file.mime_type == "application/pdf"
        assert doc.stored_file.storage_path.endswith(doc.stored_file.sha256)
        assert app.config["UPLOAD_FOLDER"] not in doc.stored_file.storage_path

    page = text(project_page(client, project))
    assert "报名成功：各项自动审核均已通过。" in page
    assert "报名成功" in page
    assert page.count("✔ 通过") == 6
    assert "经营场所位于拉萨市城关区。 （统一社会信用代码登记地：拉萨市城关区）" in page
    assert "未被列入任何失信名单。" in page
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"registration.create", "registration.upload", "registration.submit"} <= actions


def test_registration_through_an_agent_needs_the_agent_documents_and_passes_with_them(client, project, signed_in):
    agent_id = valid_id(birth="19900215")
    response = submit(
        client,
        project,
        registrant="agent",
        agent_name="格桑",
        agent_id_number=agent_id.lower(),
        documents=BASE_DOCUMENTS + ("authorisation", "agent_id"),
    )
    assert response.status_code == 302
    registration = registration_of(signed_in, project)
    assert registration.status == "accepted"
    assert registration.via_agent and registration.agent_name == "格桑"
    assert registration.agent_id_number == agent_id.upper()


def test_a_project_page_before_registering_offers_the_form(client, project, signed_in):
    page = project_page(client, project)
    assert "填写报名表" in page
    form = client.get(url(project)).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form
    for text_ in ARTICLE22_DECLARATIONS.values():
        assert text_ in form
    assert "本项目不接受联合体投标。" in form


# --- identifiers --------------------------------------------------------------------------------


def _break_check_character(code: str) -> str:
    last = code[-1]
    return code[:-1] + ("1" if last != "1" else "2")


def test_a_bad_uscc_in_the_profile_fails_the_identifier_check(client, project, signed_in):
    # The profile form refuses a bad code (below); an old profile may still carry one.
    signed_in.company.uscc = _break_check_character(signed_in.company.uscc)
    db.session.commit()
    response = submit(client, project)
    assert response.status_code == 302
    registration = registration_of(signed_in, project)
    assert registration.status == "rejected"
    result = results_of(registration.checks[-1])["identifiers"]
    assert result["status"] == "fail"
    page = text(project_page(client, project))
    assert "以下号码无效或缺失：统一社会信用代码。" in page
    assert "自动审核未通过" in page


def test_the_profile_form_refuses_a_bad_uscc_beside_the_field(client, signed_in):
    company = signed_in.company
    data = {
        "name": company.name,
        "uscc": _break_check_character(company.uscc),
        "registered_address": company.registered_address,
        "premises_division": company.premises_division,
        "premises_address": company.premises_address,
        "legal_rep_name": company.legal_rep_name,
        "legal_rep_id_number": company.legal_rep_id_number,
        "contact_name": company.contact_name,
        "contact_mobile": company.contact_mobile,
    }
    response = post_form(client, "/supplier/profile", data)
    assert response.status_code == 400
    assert "统一社会信用代码校验位不正确" in response.get_data(as_text=True)


def test_a_bad_agent_id_number_is_refused_beside_the_field_and_the_uploads_are_kept(client, project, signed_in):
    bad = _break_check_character(valid_id())
    response = submit(client, project, registrant="agent", agent_name="格桑", agent_id_number=bad)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'data-field-error="agent_id_number">身份证号码校验位不正确', html)
    assert "以下文件已保存，无需重新上传" in html
    registration = registration_of(signed_in, project)
    assert registration.status == "draft"
    assert {doc.kind for doc in registration.documents} == set(BASE_DOCUMENTS)
    assert registration.checks == []


def test_a_bad_legal_representative_id_fails_the_identifier_check(client, project, signed_in):
    signed_in.company.legal_rep_id_number = _break_check_character(signed_in.company.legal_rep_id_number)
    db.session.commit()
    assert submit(client, project).status_code == 302
    registration = registration_of(signed_in, project)
    assert registration.status == "rejected"
    assert "以下号码无效或缺失：法定代表人身份证号码。" in text(project_page(client, project))


def test_an_agent_without_name_and_id_is_asked_for_them_and_the_agent_documents_are_kept(client, project, signed_in):
    response = submit(client, project, registrant="agent", documents=("authorisation", "agent_id"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "经办人报名时，请填写经办人姓名。" in html
    assert "经办人报名时，请填写经办人身份证号码。" in html
    assert 'data-testid="saved-authorisation"' in html and 'data-testid="saved-agent_id"' in html
    assert {doc.kind for doc in registration_of(signed_in, project).documents} == {"authorisation", "agent_id"}


# --- documents ----------------------------------------------------------------------------------


def test_a_missing_document_fails_the_documents_check(client, project, signed_in):
    response = submit(client, project, documents=("business_licence", "legal_rep_id", "premises_proof"))
    assert response.status_code == 302
    registration = registration_of(signed_in, project)
    assert registration.status == "rejected"
    assert results_of(registration.checks[-1])["documents"]["status"] == "fail"
    assert "缺少以下资料：开户许可证复印件。" in text(project_page(client, project))


def test_an_agent_registration_without_the_agent_documents_is_rejected(client, project, signed_in):
    submit(client, project, registrant="agent", agent_name="格桑", agent_id_number=valid_id())
    assert registration_of(signed_in, project).status == "rejected"
    assert "缺少以下资料：法定代表人授权委托书、经办人身份证复印件。" in text(project_page(client, project))


def test_agent_documents_are_ignored_when_the_legal_representative_registers(client, project, signed_in):
    submit(client, project, documents=BASE_DOCUMENTS + ("authorisation",))
    registration = registration_of(signed_in, project)
    assert registration.status == "accepted"
    assert "authorisation" not in {doc.kind for doc in registration.documents}


def test_a_file_of_the_wrong_type_disguised_by_its_extension_is_refused(client, project, signed_in):
    disguised = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"  # a GIF renamed to .pdf
    response = submit(client, project, files={"bank_permit": (io.BytesIO(disguised), "开户许可证.pdf")})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'data-field-error="bank_permit">文件“开户许可证.pdf”的内容不是允许的格式（PDF、JPEG、PNG）', html)
    # The other files are saved and the page says so; the refused one is not stored.
    assert "以下文件已保存，无需重新上传" in html
    registration = registration_of(signed_in, project)
    assert {doc.kind for doc in registration.documents} == {"business_licence", "legal_rep_id", "premises_proof"}
    assert registration.status == "draft"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile).where(StoredFile.size == len(disguised))) == 0


def test_an_oversized_file_is_refused_with_the_limit(client, project, signed_in, app):
    big = b"%PDF-1.4\n" + b"0" * app.config["MAX_UPLOAD_BYTES"]
    data = form_data(files={"premises_proof": (io.BytesIO(big), "lease.pdf")})
    data["csrf_token"] = csrf_token(client, url(project))
    # Encoded in memory: the test client would spool a body this big to a temporary file it never closes.
    data = {k: FileStorage(v[0], filename=v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
    boundary, body = encode_multipart(data)
    response = client.post(url(project), data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert re.search(r'data-field-error="premises_proof">文件“lease.pdf”过大：单个文件不能超过 10 MB。', response.get_data(as_text=True))
    registration = registration_of(signed_in, project)
    assert "premises_proof" not in {doc.kind for doc in registration.documents}


def test_images_are_accepted_as_scans(client, project, signed_in):
    png = tiny_png()
    jpeg = tiny_jpeg()
    submit(client, project, files={"legal_rep_id": (io.BytesIO(png), "id.png"), "bank_permit": (io.BytesIO(jpeg), "permit.JPG")})
    registration = registration_of(signed_in, project)
    assert registration.status == "accepted"
    types = {doc.kind: doc.stored_file.mime_type for doc in registration.documents}
    assert types["legal_rep_id"] == "image/png" and types["bank_permit"] == "image/jpeg"


def test_a_resubmission_keeps_earlier_files_and_a_new_upload_replaces_one(client, project, signed_in):
    submit(client, project, entity="consortium")
    registration = registration_of(signed_in, project)
    assert registration.status == "rejected"
    before = {doc.kind: doc.stored_file_id for doc in registration.documents}

    # Corrected without choosing any file again: nothing is lost.
    submit(client, project, documents=())
    registration = registration_of(signed_in, project)
    assert registration.status == "accepted"
    assert {doc.kind: doc.stored_file_id for doc in registration.documents} == before

    # A new licence replaces the old one: still one document per kind.
    submit(client, project, documents=(), files={"business_licence": (io.BytesIO(tiny_png()), "licence.png")})
    registration = registration_of(signed_in, project)
    docs = db.session.scalars(
        sa.select(RegistrationDocument).where(RegistrationDocument.registration_id == registration.id)
    ).all()
    assert len(docs) == 4
    licence = next(doc for doc in docs if doc.kind == "business_licence")
    assert licence.stored_file_id != before["business_licence"]
    assert licence.stored_file.mime_type == "image/png"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    assert len(registration.checks) == 3


def test_an_invalid_form_still_saves_the_uploads_and_says_so(client, project, signed_in):
    response = submit(client, project, registrant="", entity="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "请选择由谁报名。" in html and "请选择投标主体。" in html
    assert "以下文件已保存，无需重新上传" in html
    for kind in BASE_DOCUMENTS:
        assert f'data-testid="saved-{kind}"' in html
    registration = registration_of(signed_in, project)
    assert registration.status == "draft" and len(registration.documents) == 4


# --- declarations, consortium, premises ---------------------------------------------------------


def test_an_unaffirmed_declaration_fails_article_22(client, project, signed_in):
    submit(client, project, declarations=["decl1", "decl2", "decl3", "decl4", "decl6"])
    assert registration_of(signed_in, project).status == "rejected"
    assert "以下声明未确认：（5）参加政府采购活动前三年内，在经营活动中没有重大违法记录。" in text(project_page(client, project))


def test_a_consortium_is_refused_with_the_notice_wording_and_the_files_are_kept(client, project, signed_in):
    response = submit(client, project, entity="consortium")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "已上传的文件均已保存，无需重新上传" in page
    assert "本项目不接受联合体投标。" in page
    registration = registration_of(signed_in, project)
    assert registration.status == "rejected"
    assert results_of(registration.checks[-1])["no_consortium"]["status"] == "fail"
    assert len(registration.documents) == 4


def profile_data(company, **overrides) -> dict:
    data = {
        "name": company.name,
        "uscc": company.uscc,
        "registered_address": company.registered_address,
        "premises_division": company.premises_division,
        "premises_place": company.premises_place or "",
        "premises_address": company.premises_address,
        "legal_rep_name": company.legal_rep_name,
        "legal_rep_id_number": company.legal_rep_id_number,
        "contact_name": company.contact_name,
        "contact_mobile": company.contact_mobile,
    }
    return data | overrides


def test_premises_outside_lhasa_fail_naming_the_place_the_supplier_gave(client, project, signed_in):
    # The profile's "不在拉萨市" asks where the premises are ...
    response = post_form(client, "/supplier/profile", profile_data(signed_in.company, premises_division="other"))
    assert response.status_code == 400
    assert re.search(r'data-field-error="premises_place">经营场所不在拉萨市时，请填写所在的市（地区）和区县', response.get_data(as_text=True))
    response = post_form(
        client,
        "/supplier/profile",
        profile_data(signed_in.company, premises_division="other", premises_place="日喀则市桑珠孜区", premises_address="珠峰路 8 号"),
    )
    assert response.status_code == 302
    # ... and the refusal names it, never the internal code.
    submit(client, project)
    registration = registration_of(signed_in, project)
    assert registration.status == "rejected"
    assert results_of(registration.checks[-1])["lhasa_premises"]["status"] == "fail"
    assert registration.company_snapshot["premises_place"] == "日喀则市桑珠孜区"
    page = text(project_page(client, project))
    assert "经营场所所在地“日喀则市桑珠孜区”不在拉萨市辖区内。" in page
    assert "000000" not in page
    # The profile form shows the choice again, and choosing a Lhasa district drops the place.
    form = client.get("/supplier/profile").get_data(as_text=True)
    assert 'value="日喀则市桑珠孜区"' in form and re.search(r'selected[^>]*value="other"|value="other"[^>]*selected', form)
    post_form(client, "/supplier/profile", profile_data(signed_in.company, premises_division="540102", premises_place="日喀则市"))
    db.session.expire_all()
    assert signed_in.company.premises_place is None


def test_an_old_profile_outside_lhasa_without_a_place_is_refused_without_the_code(client, project, signed_in):
    signed_in.company.premises_division = "000000"
    db.session.commit()
    submit(client, project)
    assert registration_of(signed_in, project).status == "rejected"
    page = text(project_page(client, project))
    assert "经营场所不在拉萨市辖区内。" in page and "000000" not in page


def test_a_lhasa_district_with_an_address_in_shigatse_is_a_warning_for_the_panel(client, project, signed_in, buyer):
    from types import SimpleNamespace

    from procurement.services import evaluation

    signed_in.company.premises_address = "日喀则市桑珠孜区珠峰路 20 号"
    db.session.commit()
    response = submit(client, project)
    assert response.status_code == 302
    registration = registration_of(signed_in, project)
    assert registration.status == "accepted"
    result = results_of(registration.checks[-1])["lhasa_premises"]
    assert result["status"] == "warning"
    expected = "经营场所选择的是拉萨市城关区，但详细地址“日喀则市桑珠孜区珠峰路 20 号”提到日喀则，请评审时核实。"
    page = text(project_page(client, project))
    assert expected in page and "⚠ 提示" in page
    # The buyer's registration detail and the panel's review evidence show the same warning.
    AuthActions(client).logout()
    AuthActions(client).login(buyer.email)
    detail = text(client.get(f"/buyer/projects/{project.id}/registrations/{registration.id}").get_data(as_text=True))
    assert expected in detail
    evidence = evaluation.evidence_for(project, registration, SimpleNamespace(lines=[], total=Decimal("0")))["lhasa_premises"]
    assert evidence.status == "warning" and evidence.message % evidence.params == expected


def test_registered_outside_lhasa_with_premises_inside_is_a_warning_not_a_failure(client, project):
    user = make_supplier(division="540202", premises_division="540102")
    AuthActions(client).login(user.email)
    submit(client, project)
    registration = registration_of(user, project)
    assert registration.status == "accepted"
    assert results_of(registration.checks[-1])["lhasa_premises"]["status"] == "warning"
    page = text(project_page(client, project))
    assert "登记地为西藏自治区日喀则市（540202），不在拉萨" in page


# --- credit lists -------------------------------------------------------------------------------


def test_a_blacklisted_uscc_is_refused_naming_the_list_its_version_and_whom_to_contact(client, project, signed_in, buyer, clock):
    clock.set(datetime(2024, 12, 26, 9, 40, tzinfo=BEIJING))
    version = make_blacklist(
        "tax_violation",
        [{"name": "另一个名称有限公司", "uscc": signed_in.company.uscc, "source": "国家税务总局", "listed_from": "2024-01-01"}],
        actor=buyer,
    )
    clock.set(REGISTRATION_OPEN_AT)
    submit(client, project)
    registration = registration_of(signed_in, project)
    assert registration.status == "rejected"
    check = registration.checks[-1]
    assert check.list_versions["tax_violation"] == version.id
    assert results_of(check)["credit"]["status"] == "fail"
    page = text(project_page(client, project))
    assert (
        f"已被列入以下名单，不得参加本次采购：重大税收违法失信主体（统一社会信用代码一致：另一个名称有限公司，{signed_in.company.uscc}"
        f"；名单版本：第 {version.id} 版（2024年12月26日导入））。"
    ) in page
    # Whom to ask if the match is wrong: the notice's contact.
    assert "如认为匹配有误（例如同名的另一家单位），请联系采购人西藏日报社：联系人 措姆女士，电话 13618906639。" in page
    # The buyer's page names the same version number, so the two can talk about the same list.
    AuthActions(client).logout()
    AuthActions(client).login(buyer.email)
    detail = text(client.get(f"/buyer/projects/{project.id}/registrations/{registration.id}").get_data(as_text=True))
    assert f"重大税收违法失信主体： 第 {version.id} 版 （2024年12月26日 09:40 导入）" in detail
    # The contact line is for the supplier, not repeated to the buyer.
    assert "如认为匹配有误" not in detail


def test_a_clean_credit_check_shows_no_contact_line(client, project, signed_in):
    submit(client, project)
    assert "如认为匹配有误" not in project_page(client, project)


def test_a_blacklisted_name_written_with_full_width_brackets_is_refused(client, project, buyer):
    user = make_supplier(company_name="拉萨(高原)纸业有限公司")
    AuthActions(client).login(user.email)
    make_blacklist(
        "dishonest_debtor", [{"name": "拉萨（高原）纸业 有限公司", "source": "中国执行信息公开网", "listed_from": "2024-06-01"}], actor=buyer
    )
    submit(client, project)
    registration = registration_of(user, project)
    assert registration.status == "rejected"
    assert "失信被执行人（名称一致：拉萨（高原）纸业 有限公司；名单版本：第 " in text(project_page(client, project))


def test_an_entry_no_longer_in_force_does_not_count(client, project, signed_in, buyer):
    make_blacklist(
        "dishonest_debtor",
        [{"name": signed_in.company.name, "listed_from": "2022-01-01", "listed_until": "2023-12-31"}],
        actor=buyer,
    )
    submit(client, project)
    assert registration_of(signed_in, project).status == "accepted"


def test_only_the_latest_version_of_a_list_counts(client, project, signed_in, buyer):
    make_blacklist("procurement_violation", [{"name": signed_in.company.name}], actor=buyer)
    make_blacklist("procurement_violation", [{"name": "别的公司"}], actor=buyer)
    submit(client, project)
    assert registration_of(signed_in, project).status == "accepted"


def test_a_list_never_imported_is_a_warning_for_the_panel(client, buyer, clock, signed_in):
    project = make_project(buyer, clock)
    clock.set(REGISTRATION_OPEN_AT)
    make_blacklist("dishonest_debtor", actor=buyer)
    submit(client, project)
    registration = registration_of(signed_in, project)
    assert registration.status == "accepted"
    credit = results_of(registration.checks[-1])["credit"]
    assert credit["status"] == "warning"
    assert "以下名单尚未导入，未能核查：重大税收违法失信主体、政府采购严重违法失信行为记录名单" in text(project_page(client, project))


def test_the_credit_check_is_rerun_at_review_against_the_current_lists(client, project, signed_in, buyer, clock):
    register(project, signed_in, clock)
    registration = registration_of(signed_in, project)
    assert registration.status == "accepted"
    version = make_blacklist("dishonest_debtor", [{"name": signed_in.company.name, "listed_from": "2024-12-30"}], actor=buyer)
    clock.set(datetime(2025, 1, 2, 17, 0, tzinfo=BEIJING))
    check = registration_service.rerun_credit_check(registration, buyer)
    assert check.context == "review"
    assert check.overall == "rejected"
    assert check.list_versions["dishonest_debtor"] == version.id
    assert [r["criterion"] for r in check.results] == ["credit"]
    assert check.run_at == clock.now()
    # Evidence only: the panel decides by its votes.
    assert registration.status == "accepted"
    assert len(registration.checks) == 2
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "registration.credit_recheck")) is not None


# --- the window ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "message", "opens"),
    [
        (datetime(2024, 12, 25, 9, 10, tzinfo=BEIJING), "报名尚未开始，将于 2024年12月25日（星期三）09:30（北京时间）开始。", "今日9:30起可提交"),
        (datetime(2024, 12, 26, 14, 0, tzinfo=BEIJING), "下一次开放：2024年12月26日（星期四）15:30（北京时间）。", "今日15:30起可提交"),
        (datetime(2024, 12, 28, 10, 0, tzinfo=BEIJING), "下一次开放：2024年12月30日（星期一）09:30（北京时间）。", "12月30日（星期一）9:30起可提交"),
        (datetime(2024, 12, 30, 18, 0, tzinfo=BEIJING), "现在不在报名时段内（每个工作日上午09:30至13:00时、下午15:30至18:00时）", "明日9:30起可提交"),
    ],
    ids=["before-first-session", "lunch-break", "weekend", "evening"],
)
def test_outside_the_hours_the_form_can_be_prepared_but_not_submitted(client, project, signed_in, clock, at, message, opens):
    clock.set(at)
    page = client.get(url(project))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="registration-form"' in html
    assert message in html and opens in html
    response = submit(client, project)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "报名尚未提交。" in html and message in html and opens in html
    # Nothing typed or uploaded is lost: the answers are a draft, the files are stored; nothing was checked.
    registration = registration_of(signed_in, project)
    assert registration.status == "draft" and registration.submitted_at is None and registration.checks == []
    assert {doc.kind for doc in registration.documents} == set(BASE_DOCUMENTS)
    assert registration.draft["registrant"] == "legal_rep"
    assert registration.draft["declarations"] == list(ARTICLE22_DECLARATIONS)


def test_after_the_window_nothing_is_stored(client, project, signed_in, clock):
    clock.set(datetime(2025, 1, 1, 10, 0, tzinfo=BEIJING))
    message = "报名已于 2024年12月31日（星期二）18:00（北京时间）截止"
    page = client.get(url(project))
    assert page.status_code == 200
    assert 'data-testid="registration-form"' not in page.get_data(as_text=True)
    assert message in page.get_data(as_text=True)
    for action in ("submit", "save"):
        response = submit(client, project, page="/supplier/profile", action=action)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0


def test_the_project_page_says_when_registration_opens_and_offers_to_prepare(client, project, signed_in, clock):
    clock.set(datetime(2024, 12, 25, 9, 10, tzinfo=BEIJING))
    page = text(project_page(client, project))
    assert "报名尚未开始，将于 2024年12月25日（星期三）09:30 开始（北京时间）。" in page
    assert "填写报名表" in page
    assert "现在不能提交，但可以先填写报名表、上传资料并保存草稿；今日9:30起可提交。" in page


# --- preparing during the break (13:00–15:30), submitting in the afternoon session ----------


BREAK = datetime(2024, 12, 26, 13, 30, tzinfo=BEIJING)
AFTERNOON = datetime(2024, 12, 26, 15, 31, tzinfo=BEIJING)


def test_a_registration_prepared_in_the_break_is_kept_and_submitted_at_15_31(client, project, signed_in, clock):
    clock.set(BREAK)
    agent_id = valid_id(birth="19900215")
    # The supplier fills in half the form and uploads three scans, and saves the draft.
    response = submit(
        client, project, action="save", registrant="agent", agent_name="格桑", agent_id_number=agent_id,
        entity="single", declarations=["decl1", "decl2"], documents=("business_licence", "bank_permit", "authorisation"),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(project))
    saved = text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "报名草稿已保存（含已上传的文件），尚未提交。今日15:30起可提交。" in saved
    registration = registration_of(signed_in, project)
    assert registration.status == "draft" and registration.checks == []

    # It comes back later (still in the break): the fields and uploads are there.
    client.get("/supplier/")
    html = client.get(url(project)).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="agent"|<input[^>]*value="agent"[^>]*checked', html)
    assert 'value="格桑"' in html and f'value="{agent_id}"' in html
    assert re.search(r'id="decl1"[^>]*checked|checked[^>]*id="decl1"', html)
    assert not re.search(r'id="decl3"[^>]*checked|checked[^>]*id="decl3"', html)
    for kind in ("business_licence", "bank_permit", "authorisation"):
        assert f'data-testid="saved-{kind}"' in html
    assert "今日15:30起可提交" in html
    project_html = text(project_page(client, project))
    assert "您已保存报名草稿，尚未提交报名。" in project_html and "继续填写报名表" in project_html

    # Submitting at 13:30 is refused with when submitting opens; nothing typed or uploaded is lost.
    response = submit(
        client, project, registrant="agent", agent_name="格桑", agent_id_number=agent_id, documents=("legal_rep_id",)
    )
    assert response.status_code == 400
    page = text(response.get_data(as_text=True))
    assert "报名尚未提交。" in page and "今日15:30起可提交" in page
    assert "下一次开放：2024年12月26日（星期四）15:30（北京时间）" in page
    registration = registration_of(signed_in, project)
    assert registration.status == "draft" and registration.submitted_at is None and registration.checks == []
    assert {doc.kind for doc in registration.documents} == {"business_licence", "bank_permit", "authorisation", "legal_rep_id"}
    assert registration.draft["declarations"] == list(ARTICLE22_DECLARATIONS)

    # At 15:31 the same supplier submits only the missing files: accepted.
    clock.set(AFTERNOON)
    response = submit(
        client, project, registrant="agent", agent_name="格桑", agent_id_number=agent_id,
        documents=("premises_proof", "agent_id"),
    )
    assert response.status_code == 302
    registration = registration_of(signed_in, project)
    assert registration.status == "accepted"
    assert registration.submitted_at == AFTERNOON
    assert registration.draft is None
    assert len(registration.documents) == 6
    actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("registration.draft") == 2 and actions.count("registration.submit") == 1


def test_a_draft_saved_inside_the_hours_is_not_checked(client, project, signed_in):
    response = submit(client, project, action="save", entity="consortium", documents=("business_licence",))
    assert response.status_code == 302
    assert "请在报名截止前提交" in text(client.get(response.headers["Location"]).get_data(as_text=True))
    registration = registration_of(signed_in, project)
    assert registration.status == "draft" and registration.checks == []
    assert registration.draft["entity"] == "consortium"


def test_a_draft_of_an_accepted_registration_leaves_it_accepted_until_resubmitted(client, project, signed_in, clock):
    submit(client, project)
    clock.set(BREAK)
    response = submit(client, project, action="save", entity="consortium", documents=())
    assert response.status_code == 302
    registration = registration_of(signed_in, project)
    assert registration.status == "accepted" and registration.consortium is False
    assert len(registration.checks) == 1
    assert "您有已保存但尚未提交的修改（草稿）。" in text(project_page(client, project))
    html = client.get(url(project)).get_data(as_text=True)
    assert re.search(r'value="consortium"[^>]*checked|checked[^>]*value="consortium"', html)


def test_an_unacceptable_file_in_a_draft_is_refused_beside_the_field_and_the_rest_kept(client, project, signed_in, clock):
    clock.set(BREAK)
    response = submit(
        client, project, action="save", documents=("business_licence",),
        files={"bank_permit": (io.BytesIO(b"GIF89a;"), "permit.pdf")},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'data-field-error="bank_permit"' in html and "以下文件已保存，无需重新上传" in html
    assert "今日15:30起可提交" in html
    registration = registration_of(signed_in, project)
    assert {doc.kind for doc in registration.documents} == {"business_licence"}
    assert registration.draft is not None


def test_a_rejected_registration_cannot_be_corrected_after_the_window(client, project, signed_in, clock):
    submit(client, project, entity="consortium")
    clock.set(datetime(2025, 1, 1, 10, 0, tzinfo=BEIJING))
    page = text(project_page(client, project))
    assert "自动审核未通过，报名期内未能更正。" in page
    assert "修改报名资料" not in page
    response = submit(client, project, page="/supplier/profile")
    assert response.status_code == 400
    assert registration_of(signed_in, project).status == "rejected"


# --- the profile, privacy, the buyer's view -----------------------------------------------------


def test_an_incomplete_profile_must_be_completed_first_with_a_way_back(client, project):
    user = make_supplier(complete=False)
    AuthActions(client).login(user.email)
    link = f"/supplier/profile?next=/supplier/projects/{project.id}/registration"
    assert link in project_page(client, project)
    page = client.get(url(project)).get_data(as_text=True)
    assert "请先完善公司信息，再报名。" in page and link in page
    response = submit(client, project, page="/supplier/profile")
    assert response.status_code == 400
    assert registration_of(user, project) is None


def test_suppliers_never_see_other_suppliers_or_how_many_registered(client, project, clock):
    first = make_supplier(company_name="拉萨第一商贸有限公司")
    register(project, first, clock)
    second = make_supplier(company_name="拉萨第二商贸有限公司")
    AuthActions(client).login(second.email)
    clock.set(REGISTRATION_OPEN_AT)
    for path in (f"/supplier/projects/{project.id}", url(project), "/supplier/", f"/notices/{project.id}"):
        html = client.get(path).get_data(as_text=True)
        assert "拉萨第一商贸有限公司" not in html
        assert first.company.uscc not in html
    # Another supplier's document answers 404 (it has no registration of its own to show).
    assert client.get(f"{url(project)}/documents/business_licence").status_code == 404


def test_the_supplier_views_its_own_document_inline(client, project, signed_in):
    submit(client, project)
    response = client.get(f"{url(project)}/documents/business_licence")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.data == tiny_pdf("business_licence")
    response.close()
    assert client.get(f"{url(project)}/documents/no_such_kind").status_code == 404


def test_buyer_sees_who_registered_when_with_status_and_checks(client, project, buyer, clock):
    good = make_supplier(company_name="拉萨雪域办公用品有限公司")
    agent_id = valid_id(serial="001")
    register(project, good, clock, via_agent=True, agent_name="格桑", agent_id_number=agent_id)
    bad = make_supplier(company_name="拉萨联合体测试有限公司")
    register(project, bad, clock, consortium=True, at=datetime(2024, 12, 27, 16, 0, tzinfo=BEIJING))
    AuthActions(client).login(buyer.email)

    hub = client.get(f"/buyer/projects/{project.id}")
    assert hub.status_code == 200
    html = hub.get_data(as_text=True)
    section = html[html.index('data-testid="registrations-section"'):]
    assert section.index("拉萨雪域办公用品有限公司") < section.index("拉萨联合体测试有限公司")
    assert "2024年12月26日 10:00" in section and "2024年12月27日 16:00" in section
    assert "报名成功" in section and "未通过自动审核" in section
    assert 'data-criterion="no_consortium"' in section and "本项目不接受联合体投标。" in section

    registration = registration_of(good, project)
    detail = client.get(f"/buyer/projects/{project.id}/registrations/{registration.id}")
    assert detail.status_code == 200
    page = detail.get_data(as_text=True)
    assert agent_id not in page
    assert good.company.legal_rep_id_number not in page
    assert "5401" + "*" * 10 + agent_id[-4:] in page
    assert "所用失信名单版本" in page and "第 1 版" in page
    for kind in ("business_licence", "authorisation", "agent_id"):
        assert f"/buyer/projects/{project.id}/registrations/{registration.id}/documents/{kind}" in page

    document = client.get(f"/buyer/projects/{project.id}/registrations/{registration.id}/documents/authorisation")
    assert document.status_code == 200
    assert document.mimetype == "application/pdf"
    assert document.headers["Content-Disposition"].startswith("inline")
    assert document.headers["X-Content-Type-Options"] == "nosniff"
    assert document.data.startswith(b"%PDF-")
    document.close()


def test_buyer_sees_an_empty_registrations_section(client, project, buyer):
    AuthActions(client).login(buyer.email)
    html = text(client.get(f"/buyer/projects/{project.id}").get_data(as_text=True))
    assert "报名情况 0" in html and "尚无供应商报名。" in html


def test_buyer_urls_of_another_project_answer_404(client, project, buyer, clock):
    user = make_supplier()
    register(project, user, clock)
    other = make_project(buyer, clock)
    registration = registration_of(user, project)
    AuthActions(client).login(buyer.email)
    assert client.get(f"/buyer/projects/{other.id}/registrations/{registration.id}").status_code == 404
    assert client.get(f"/buyer/projects/{other.id}/registrations/{registration.id}/documents/business_licence").status_code == 404
    assert client.get(f"/buyer/projects/{project.id}/registrations/{registration.id}/documents/agent_id").status_code == 404


def test_uscc_helper_makes_valid_codes():
    # Guards the factories the other tests rely on.
    from procurement.domain.identifiers import validate_uscc

    assert validate_uscc(valid_uscc("540202"))[2:8] == "540202"
