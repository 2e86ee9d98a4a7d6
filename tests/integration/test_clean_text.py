"""Clean text: every text field of every form refuses control, bidi and invisible characters, by
construction, is bounded, and its bound fits the column it is stored in."""
from __future__ import annotations

import re

import sqlalchemy as sa
from wtforms import Form, StringField, TextAreaField
from wtforms.fields import FieldList, FormField
from wtforms.validators import Length

from procurement.auth.forms import LoginForm, SignUpForm
from procurement.buyer.calendar_forms import RegionalHolidayForm
from procurement.buyer.forms import PanelAccountForm
from procurement.buyer.project_forms import AmendmentForm, CancelForm, ItemForm, ProjectForm, RfqFileForm
from procurement.extensions import db
from procurement.forms_common import BaseForm, CleanForm, CleanText
from procurement.models import BoqItem, Company, Holiday, Project, ProjectFile, Registration, User
from procurement.panel.forms import read_cells, reasons_had_forbidden_characters
from procurement.supplier.forms import ProfileForm
from procurement.supplier.registration_forms import RegistrationForm
from tests.conftest import AuthActions, post_form
from tests.factories import make_buyer

# Form field -> the column it is stored in (same name unless given). Checked: the form's bound fits.
STORED = {
    SignUpForm: {"company_name": Company.name, "contact_name": Company.contact_name, "email": User.email},
    LoginForm: {"email": User.email},
    PanelAccountForm: {"name": User.name, "email": User.email, "phone": User.phone},
    ProfileForm: {name: getattr(Company, name) for name in (
        "name", "registered_address", "premises_place", "premises_address", "legal_rep_name", "contact_name", "contact_mobile")},
    ProjectForm: {name: getattr(Project, name) for name in (
        "code", "title", "buyer_name", "contract_term", "specific_requirement", "registration_place", "opening_place",
        "contact_name", "contact_phone")},
    AmendmentForm: {name: getattr(Project, name) for name in ("opening_place", "contact_name", "contact_phone")},
    ItemForm: {"name": BoqItem.name, "specification": BoqItem.specification, "unit": BoqItem.unit},
    RfqFileForm: {"title": ProjectFile.title},
    RegionalHolidayForm: {"name": Holiday.name},
    RegistrationForm: {"agent_name": Registration.agent_name},
}
# Typed with spaces or dashes, stored normalised and checked to be exactly 18 characters by the domain.
NORMALISED = {(ProfileForm, "uscc"): Company.uscc, (ProfileForm, "legal_rep_id_number"): Company.legal_rep_id_number,
              (RegistrationForm, "agent_id_number"): Registration.agent_id_number}


def _form_classes() -> list[type]:
    found, todo = [], [Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("procurement."):
                found.append(sub)
    return found


def _text_fields(form):
    """Every text field of a bound form, into its FormField rows and FieldList entries."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from _text_fields(entry.form) if isinstance(entry, FormField) else [entry]
        elif isinstance(field, FormField):
            yield from _text_fields(field.form)
        elif isinstance(field, StringField):
            yield field


def _max_length(field) -> int:
    bounds = [v.max for v in field.validators if isinstance(v, Length) and v.max >= 0]
    assert bounds, field.name
    return min(bounds)


def test_every_text_field_of_every_form_refuses_hidden_characters_and_is_bounded(app):
    classes = _form_classes()
    assert len(classes) > 25
    outside = [cls.__name__ for cls in classes if not issubclass(cls, (BaseForm, CleanForm))]
    assert outside == [], "build forms on forms_common.BaseForm (or CleanForm for rows): " + ", ".join(outside)
    checked = 0
    with app.test_request_context("/"):
        for cls in classes:
            form = cls() if issubclass(cls, BaseForm) else cls(prefix="row")
            for field in _text_fields(form):
                first = field.validators[0]
                assert isinstance(first, CleanText), f"{cls.__name__}.{field.name}"
                assert first.multiline is isinstance(field, TextAreaField), f"{cls.__name__}.{field.name}"
                assert 0 < _max_length(field) <= 20000, f"{cls.__name__}.{field.name}"
                checked += 1
    assert checked > 60


def test_the_forms_bounds_fit_the_columns_they_are_stored_in(app):
    too_long = []
    with app.test_request_context("/"):
        for cls, columns in STORED.items():
            form = cls() if issubclass(cls, BaseForm) else cls(prefix="row")
            for name, column in columns.items():
                limit = column.property.columns[0].type.length
                if _max_length(form[name]) > limit:
                    too_long.append(f"{cls.__name__}.{name}: form {_max_length(form[name])} > column {limit}")
        for (cls, name), column in NORMALISED.items():
            assert column.property.columns[0].type.length == 18
            assert _max_length(cls()[name]) <= 30
    assert too_long == []


def _errors(html: str, name: str) -> list[str]:
    return re.findall(rf'data-field-error="{re.escape(name)}">([^<]*)<', html)


def test_a_company_name_with_a_right_to_left_override_is_refused_beside_the_field(client):
    data = {"company_name": "拉萨雪域\u202e司公限有", "contact_name": "达瓦", "email": "dawa@example.com",
            "password": "longenough1", "password2": "longenough1"}
    response = post_form(client, "/auth/signup", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _errors(html, "company_name") == ["含有改变文字显示方向的控制字符 U+202E（第 5 个字符），请删除后重新填写。"]
    assert 'value="dawa@example.com"' in html and 'value="达瓦"' in html  # the rest of the form is kept
    assert db.session.scalar(sa.select(sa.func.count(Company.id))) == 0


def test_a_panel_account_named_with_a_nul_or_a_zero_width_space_is_refused(app, client):
    AuthActions(client).login(make_buyer().email)
    for name, message in (("\x00", "含有控制字符 U+0000（空字符），请删除后重新填写。"),
                          ("格\u200b桑", "含有不可见字符 U+200B（第 2 个字符），请删除后重新填写。")):
        response = post_form(client, "/buyer/panel-accounts", {"name": name, "email": "gesang@example.com", "password": "gesang-flower-19"})
        assert response.status_code == 400
        assert _errors(response.get_data(as_text=True), "name") == [message]
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.role == "panel")) == 0


def test_multi_line_text_keeps_line_breaks_and_refuses_the_rest(app):
    for text, ok in (("理由一\r\n理由二\t（附后）", True), ("理由\u2066一\u2069", False), ("理由\x1b", False)):
        with app.test_request_context("/", method="POST", data={"reason": text}):
            form = CancelForm(meta={"csrf": False})
            assert form.validate() is ok, (text, form.errors)


def test_review_reasons_lose_hidden_characters_and_the_member_is_told(app):
    data = {"v-1-credit": "fail", "r-1-credit": "名单\u202e中有", "r-2-credit": "正常"}
    from werkzeug.datastructures import MultiDict

    form = MultiDict(data)
    cells = read_cells(form, [1, 2], ["credit"])
    assert [cell.reason for cell in cells] == ["名单中有", "正常"]
    assert reasons_had_forbidden_characters(form)
    assert not reasons_had_forbidden_characters(MultiDict({"r-2-credit": "正常"}))
