"""The interface language: Chinese by default, English on request; remembered per browser and per user.

A first visit follows ``Accept-Language``; the switch in the navigation (a CSRF-protected POST)
sets the ``lang`` cookie and, for a signed-in user, the account's choice, which then wins over the
browser's. Dates, times and amounts follow the language; the documents stay Chinese and the
English page says so.
"""
from __future__ import annotations

import re
from datetime import datetime

import lxml.html
import pytest
from flask_babel import force_locale

from procurement import formatting, i18n
from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import User
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_buyer, make_project, make_supplier

EN = {"Accept-Language": "en-GB,en;q=0.9"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
REGISTRATION_TIME = datetime(2024, 12, 26, 10, 0, tzinfo=BEIJING)


def _page(client, url: str = "/", headers=None):
    response = client.get(url, headers=headers or {})
    assert response.status_code == 200
    return response, lxml.html.document_fromstring(response.get_data(as_text=True))


def _lang(doc) -> str:
    return doc.getroot().get("lang") if hasattr(doc, "getroot") else doc.get("lang")


def _nav(doc) -> str:
    return " ".join(doc.xpath("//nav[contains(@class, 'navbar')]")[0].text_content().split())


def _forget_locale() -> None:
    """Flask-Babel keeps a request's locale in ``g``, which a test's app context shares between requests."""
    from flask import g

    g.pop("_flask_babel", None)


def _switch(client, locale: str, next_url: str = "/", page: str = "/", headers=None):
    return client.post(
        "/auth/language",
        data={"csrf_token": csrf_token(client, page), "locale": locale, "next": next_url},
        headers=headers or {},
    )


# --------------------------------------------------------------------------- first visit


def test_without_accept_language_the_interface_is_chinese(client):
    response, doc = _page(client)
    assert _lang(doc) == "zh-CN"
    assert "采购公告" in _nav(doc) and "Procurement notices" not in _nav(doc)


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("en-US,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,en;q=0.5", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("en;q=0.4,zh-TW;q=0.8", "zh-CN"),
        ("fr-FR,de;q=0.9", "zh-CN"),
        ("", "zh-CN"),
    ],
)
def test_a_first_visit_follows_accept_language(client, header, lang):
    response, doc = _page(client, headers={"Accept-Language": header} if header else {})
    assert _lang(doc) == lang
    assert ("Procurement notices" in _nav(doc)) == (lang == "en")
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_the_switch_is_on_every_page_with_both_languages(client):
    for url in ("/", "/auth/login", "/auth/signup", "/verify", "/results"):
        _response, doc = _page(client, url, EN)
        forms = doc.xpath("//form[@data-testid='language-switch']")
        assert len(forms) == 1, url
        (form,) = forms
        assert form.get("method") == "post" and form.get("action") == "/auth/language"
        assert form.xpath(".//input[@name='csrf_token']/@value")
        choices = {b.get("value"): (b.text_content().strip(), b.get("lang")) for b in form.xpath(".//button[@name='locale']")}
        assert choices == {"zh_Hans_CN": ("中文", "zh-CN"), "en": ("English", "en")}
        assert form.xpath(".//button[@value='en']/@aria-current") == ["true"]


# --------------------------------------------------------------------------- the switch, per browser


def test_switching_sets_a_cookie_that_outlasts_accept_language(client):
    response = _switch(client, "en", next_url="/verify?code=ABC")
    assert response.status_code == 302
    assert response.headers["Location"] == "/verify?code=ABC"
    cookie = client.get_cookie(i18n.COOKIE)
    assert cookie is not None and cookie.value == "en" and cookie.http_only
    _response, doc = _page(client, "/", ZH)
    assert _lang(doc) == "en" and "Procurement notices" in _nav(doc)
    # ...and switching back.
    assert _switch(client, "zh_Hans_CN", page="/").status_code == 302
    _response, doc = _page(client, "/", EN)
    assert _lang(doc) == "zh-CN" and "采购公告" in _nav(doc)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""])
def test_the_switch_goes_back_only_to_a_page_of_this_site(client, target):
    response = _switch(client, "en", next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_switch_needs_the_csrf_token_and_a_known_language(client):
    assert client.post("/auth/language", data={"locale": "en", "next": "/"}).status_code == 400
    assert client.get_cookie(i18n.COOKIE) is None
    response = _switch(client, "fr")
    assert response.status_code == 400
    assert client.get_cookie(i18n.COOKIE) is None


# --------------------------------------------------------------------------- per user


def test_a_signed_in_users_choice_is_saved_and_wins_over_the_browser(app, client):
    supplier = make_supplier()
    AuthActions(client).login(supplier.email)
    assert _switch(client, "en", page="/supplier/").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, supplier.id).locale == "en"

    other_browser = app.test_client()  # no cookie, a Chinese browser
    AuthActions(other_browser).login(supplier.email, follow=False)
    _response, doc = _page(other_browser, "/supplier/", ZH)
    assert _lang(doc) == "en" and "My registrations" in _nav(doc)
    other_browser.set_cookie(i18n.COOKIE, "zh_Hans_CN")
    _response, doc = _page(other_browser, "/supplier/", ZH)
    assert _lang(doc) == "en", "the account's choice wins over the browser's cookie"

    # Switching back in the other browser is saved too; the first browser follows the account.
    assert _switch(other_browser, "zh_Hans_CN", page="/supplier/").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, supplier.id).locale == "zh_Hans_CN"
    _response, doc = _page(client, "/supplier/", EN)
    assert _lang(doc) == "zh-CN" and "我的报名" in _nav(doc)


def test_a_user_who_never_chose_follows_the_browser(client):
    supplier = make_supplier()
    AuthActions(client).login(supplier.email)
    assert db.session.get(User, supplier.id).locale is None
    _response, doc = _page(client, "/supplier/", EN)
    assert _lang(doc) == "en"
    _response, doc = _page(client, "/supplier/")
    assert _lang(doc) == "zh-CN"


def test_messages_computed_in_python_are_translated_when_shown(client):
    supplier = make_supplier()
    client.set_cookie(i18n.COOKIE, "en")
    # A flash message with the user's (Chinese) name marked as such, a form error, the login page.
    response = AuthActions(client).login(supplier.email, "wrong-password-123")
    text = response.get_data(as_text=True)
    assert "Incorrect email or password." in text and "邮箱或密码不正确" not in text
    response = AuthActions(client).login(supplier.email, follow=True)
    doc = lxml.html.document_fromstring(response.get_data(as_text=True))
    (alert,) = doc.xpath("//div[@role='alert']")
    assert alert.text_content().startswith("Welcome, ")
    assert alert.xpath(".//span[@lang='zh']/text()") == [supplier.name]
    # A required field and WTForms' own message (a date it cannot read), in English.
    response = client.post("/auth/password", data={"csrf_token": csrf_token(client, "/auth/password")})
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_wtforms_own_messages_follow_the_language(app):
    """WTForms' built-in messages (a value a field cannot read) come from its own catalogs, via Flask-WTF."""
    from procurement.buyer.calendar_forms import RegionalHolidayForm

    data = {"regional-day": "2025-13-45", "regional-name": "Losar"}
    with app.test_request_context("/", method="POST", data=data, headers=EN):
        _forget_locale()
        assert RegionalHolidayForm(prefix="regional", meta={"csrf": False}).day.process_errors == ["Not a valid date value."]
    with app.test_request_context("/", method="POST", data=data, headers=ZH):
        _forget_locale()
        (message,) = RegionalHolidayForm(prefix="regional", meta={"csrf": False}).day.process_errors
        assert re.search("[\u4e00-\u9fff]", message), message


def test_the_error_pages_are_english(app, client):
    client.set_cookie(i18n.COOKIE, "en")
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found (404)" in response.get_data(as_text=True)
    with app.test_request_context("/", headers=EN):
        from flask import render_template

        _forget_locale()
        assert "Too many requests (429)" in render_template("errors/429.html")


# --------------------------------------------------------------------------- formats and documents


def test_dates_times_and_amounts_follow_the_language(app):
    at = datetime(2026, 12, 2, 14, 30, tzinfo=BEIJING)
    with app.test_request_context("/"):
        _forget_locale()
        assert formatting.local_datetime(at) == "2026年12月2日 14:30"
        assert formatting.local_datetime(at, weekday=True) == "2026年12月2日（星期三）14:30"
        assert formatting.local_date(at) == "2026年12月2日"
        assert formatting.local_hours([["09:30", "13:00"], ["15:30", "18:00"]]) == "上午09:30至13:00时、下午15:30至18:00时"
        with force_locale("en"):
            assert formatting.local_datetime(at) == "2 Dec 2026, 14:30"
            assert formatting.local_datetime(at, weekday=True) == "Wed 2 Dec 2026, 14:30"
            assert formatting.local_date(at.date()) == "2 Dec 2026"
            assert formatting.local_clock(at) == "2 Dec 2026, 14:30"
            assert formatting.local_seconds(at.replace(second=9)) == "2 Dec 2026, 14:30:09"
            assert formatting.local_hours([["09:30", "13:00"], ["15:30", "18:00"]]) == "09:30–13:00 and 15:30–18:00"
            assert formatting.local_hours_cutoff([["09:30", "13:00"], ["15:30", "18:00"]]) == (
                "Closes at 18:00 each day; nothing is accepted from 18:00 (nor from 13:00 to 15:30)"
            )
            # Times are Beijing time whatever the instant's zone.
            assert formatting.local_datetime(at.astimezone(__import__("zoneinfo").ZoneInfo("UTC"))) == "2 Dec 2026, 14:30"


def test_the_notice_page_in_english_keeps_the_notice_chinese(app, clock):
    project = make_project(make_buyer(), clock)
    clock.set(REGISTRATION_TIME)
    client = app.test_client()
    _response, doc = _page(client, f"/notices/{project.id}", EN)
    (notice,) = doc.xpath("//*[@data-testid='notice']")
    assert notice.get("lang") == "zh-CN"
    body = notice.text_content()
    assert "一、项目基本情况" in body and "2025年1月2日16点00分（北京时间）" in body and "Beijing" not in body
    assert doc.xpath("//*[@data-testid='issued-in-chinese']")[0].text_content().strip() == (
        "This document is issued in Chinese; the Chinese text is authoritative."
    )
    aside = " ".join(doc.xpath("//aside")[0].text_content().split())
    assert "25 Dec 2024 — 31 Dec 2024" in aside and "09:30–13:00 and 15:30–18:00" in aside
    assert "Thu 2 Jan 2025, 16:00" in aside
    assert "Quote deadline: 2 Jan 2025, 16:00 (Beijing time)" in aside
    assert "Registration is open now." in aside
    # The title users entered is marked as Chinese in the English list; amounts keep the yuan sign.
    _response, home = _page(client, "/", EN)
    assert home.xpath("//*[@data-testid='open-projects']//strong/span[@lang='zh']/text()") == [project.title]
    _response, chinese = _page(client, f"/notices/{project.id}")
    assert not chinese.xpath("//*[@data-testid='issued-in-chinese']")
    assert "¥30.00" in chinese.xpath("//*[@data-testid='notice']")[0].text_content()


def test_an_english_page_for_a_supplier_shows_english_dates_and_its_quote_deadline(app, clock):
    project = make_project(make_buyer(), clock)
    supplier = make_supplier()
    clock.set(REGISTRATION_TIME)
    client = app.test_client()
    client.set_cookie(i18n.COOKIE, "en")
    AuthActions(client).login(supplier.email)
    _response, doc = _page(client, f"/supplier/projects/{project.id}")
    text = " ".join(doc.text_content().split())
    assert "Quote deadline / opening: Thu 2 Jan 2025, 16:00 (Beijing time)" in text
    assert not re.search("[\u4e00-\u9fff]", "".join(doc.xpath("//*[@data-testid='registration-window']//text()")))


def test_a_panel_member_reads_member_and_the_buyer_a_list_of_members(app, clock):
    """成员 is one member (a role, a column of members) except where it heads the list of them."""
    from tests.factories import make_opened_project

    buyer = make_buyer()
    built = make_opened_project(buyer, clock)
    project = built.project
    member = next(user for user, seat in zip(built.panel, built.members) if not seat.is_chair)
    for user, url, wanted, unwanted in [
        (buyer, f"/buyer/projects/{project.id}", "Members: ", "Member: "),
        (buyer, f"/buyer/projects/{project.id}/panel", "<th>Member</th>", "<th>Members</th>"),
        (member, "/panel/", "Member · ", "Members · "),
        (member, f"/panel/projects/{project.id}", "Your role on this project's evaluation panel: Member<", "Members<"),
    ]:
        client = app.test_client()
        client.set_cookie(i18n.COOKIE, "en")
        AuthActions(client).login(user.email)
        page = client.get(url).get_data(as_text=True)
        assert wanted in page and unwanted not in page, url
    with app.test_request_context("/", headers=EN):
        from flask_babel import gettext, pgettext

        _forget_locale()
        assert (gettext("成员"), pgettext("panel list", "成员")) == ("Member", "Members")
