"""Input that used to answer 500 is refused beside its field with 400: a project code in use, a 400-digit
number, NaN as a percentage, year 1 as a time, a saved-files list the page did not write."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from wtforms import DateField, DateTimeLocalField, IntegerField

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.forms_common import BaseForm, BoundedIntegerField, IntegerTextError, parse_id, parse_integer_text
from procurement.models import Challenge, Project
from procurement.services import award as award_service
from tests.conftest import AuthActions, post_form
from tests.factories import make_buyer, make_evaluated_project, make_project
from tests.integration.test_projects import FORM


def _signed_in(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def _field_errors(html: str, name: str) -> list[str]:
    """The messages shown beside field ``name``."""
    return re.findall(rf'data-field-error="{re.escape(name)}">([^<]*)<', html)


def test_a_project_code_in_use_is_refused_beside_the_code_on_new_and_on_edit(app, clock):
    buyer = make_buyer()
    make_project(buyer, clock, publish=False, code="XZRB-2025-001")
    other = make_project(buyer, clock, publish=False, code="XZRB-2025-002")
    client = _signed_in(app, buyer)

    response = post_form(client, "/buyer/projects/new", FORM)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _field_errors(html, "code") == ["项目编号 XZRB-2025-001 已被使用。"]
    assert "西藏日报社遴选2025年办公用品供应商项目" in html  # what was typed is still there
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 2

    response = post_form(client, f"/buyer/projects/{other.id}/edit", FORM)
    assert response.status_code == 400
    assert _field_errors(response.get_data(as_text=True), "code") == ["项目编号 XZRB-2025-001 已被使用。"]
    db.session.expire_all()
    assert db.session.get(Project, other.id).code == "XZRB-2025-002"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9" * 400, "数字位数过多，请核对后重新输入。"),
        ("-" + "9" * 400, "数字位数过多，请核对后重新输入。"),
        ("²", "请输入整数（阿拉伯数字）。"),
        ("٣", "请输入整数（阿拉伯数字）。"),
        ("1e3", "请输入整数（阿拉伯数字）。"),
        ("NaN", "请输入整数（阿拉伯数字）。"),
    ],
)
def test_a_number_that_is_not_a_sensible_whole_number_is_refused_beside_the_field(app, value, message):
    buyer = make_buyer()
    client = _signed_in(app, buyer)

    response = post_form(client, "/buyer/projects/new", dict(FORM, candidates=value))
    assert response.status_code == 400
    assert _field_errors(response.get_data(as_text=True), "candidates") == [message]

    data = {"year-year": value, "year-holidays": "2026-01-01", "year-workdays": ""}
    response = post_form(client, "/buyer/calendar/year", data, page="/buyer/calendar")
    assert response.status_code == 400
    assert _field_errors(response.get_data(as_text=True), "year-year") == [message]
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 0


def test_full_width_digits_are_read_as_the_number_they_show(app):
    client = _signed_in(app, make_buyer())
    response = post_form(client, "/buyer/projects/new", dict(FORM, candidates="３"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Project.candidates)) == 3


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-Infinity", "1e999999"])
def test_a_percentage_that_is_not_a_finite_number_is_refused_beside_the_field(app, value):
    client = _signed_in(app, make_buyer())
    response = post_form(client, "/buyer/projects/new", dict(FORM, abnormal_average_ratio=value))
    assert response.status_code == 400
    assert _field_errors(response.get_data(as_text=True), "abnormal_average_ratio") == ["请填写 1 到 100 之间的百分比。"]


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_time_outside_this_century_is_refused_beside_the_field(app, value):
    client = _signed_in(app, make_buyer())
    response = post_form(client, "/buyer/projects/new", dict(FORM, opening_at=value))
    assert response.status_code == 400
    assert _field_errors(response.get_data(as_text=True), "opening_at") == ["请填写 2000 年至 2100 年之间的日期。"]


@pytest.mark.parametrize("saved", ["²", "9" * 30, "1,²", "-1", "abc"])
def test_a_saved_files_list_the_page_did_not_write_is_refused_beside_the_attachments(app, clock, saved):
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock)
    clock.set(datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING))
    award_service.confirm(built.project, built.candidate(1)[1].id, buyer)
    award_service.publish(built.project, buyer)
    clock.set(datetime(2025, 1, 8, 15, 0, tzinfo=BEIJING))
    client = _signed_in(app, built.candidate(2)[0])
    url = f"/supplier/projects/{built.project.id}/challenges/new"

    response = post_form(client, url, {"text": "成交供应商报价低于成本。", "saved_files": saved}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _field_errors(html, "saved_files") == ["已保存附件的记录无效，请重新选择附件上传。"]
    assert "成交供应商报价低于成本。" in html  # the text is kept
    assert db.session.scalar(sa.select(sa.func.count(Challenge.id))) == 0


# --- the shared parsers, and that every form uses them -------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("42", 42), (" 7 ", 7), ("-3", -3), ("+5", 5), ("１２", 12), ("", None), ("   ", None), ("9" * 15, int("9" * 15))],
)
def test_parse_integer_text_reads_plain_and_full_width_digits(text, value):
    assert parse_integer_text(text) == value


@pytest.mark.parametrize("text", ["²", "٣", "1.5", "1e5", "NaN", "1 000", "9" * 16, "9" * 5000, "0x10", "\x00", None, ["1"]])
def test_parse_integer_text_refuses_the_rest(text):
    with pytest.raises(IntegerTextError):
        parse_integer_text(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", 1), (" 12 ", 12), (str(2**63 - 1), 2**63 - 1), (str(2**63), None), ("0", None), ("-1", None), ("²", None),
     ("١", None), ("9" * 30, None), ("", None), (None, None)],
)
def test_parse_id_accepts_only_ids_a_64_bit_column_holds(text, value):
    assert parse_id(text) == value


def _form_classes(app) -> list[type]:
    found, todo = [], [BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def test_every_whole_number_field_is_bounded_and_every_date_field_checks_the_year(app):
    """A plain IntegerField lets a 400-digit number reach NumberRange; a bare date field lets year 1 through."""
    classes = _form_classes(app)
    assert len(classes) > 10  # the blueprints are imported by the app
    plain, unchecked = [], []
    for cls in classes:
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            field_class = getattr(unbound, "field_class", None)
            if field_class is None:
                continue
            if issubclass(field_class, IntegerField) and not issubclass(field_class, BoundedIntegerField):
                plain.append(f"{cls.__name__}.{name}")
            if issubclass(field_class, (DateField, DateTimeLocalField)):
                validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
                if not any(getattr(v, "__qualname__", "").startswith("sensible_year.") for v in validators):
                    unchecked.append(f"{cls.__name__}.{name}")
    assert not plain, f"use forms_common.BoundedIntegerField: {plain}"
    assert not unchecked, f"add forms_common.sensible_year() to: {unchecked}"


def test_nul_characters_are_dropped_from_what_a_form_posts_and_the_field_is_refused(app):
    """PostgreSQL cannot store a NUL in text, so the request drops them; the form still refuses the field, saying so."""
    client = _signed_in(app, make_buyer())
    response = post_form(client, "/buyer/projects/new", dict(FORM, title="办公\x00用品采购", code="XZRB\x00-1"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _field_errors(html, "title") == ["含有控制字符 U+0000（空字符），请删除后重新填写。"]
    assert _field_errors(html, "code") == ["含有控制字符 U+0000（空字符），请删除后重新填写。"]
    assert "\x00" not in html and FORM["contact_name"] in html  # the rest of the form is kept
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 0


def test_nul_characters_are_dropped_from_every_upload_name(app):
    """Several files under one field: each name loses its NUL, not only the first (PostgreSQL refuses them)."""
    from io import BytesIO

    from flask import request

    data = {"scan": [(BytesIO(b"%PDF-1"), "a.pdf"), (BytesIO(b"%PDF-2"), "b\x00c.pdf")]}
    with app.test_request_context("/", method="POST", data=data, content_type="multipart/form-data"):
        assert [upload.filename for upload in request.files.getlist("scan")] == ["a.pdf", "bc.pdf"]
