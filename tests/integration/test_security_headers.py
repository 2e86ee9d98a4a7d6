"""Security headers on every response: a walk over every GET route as every role, and the pages' markup.

The world has a project in its registration window with an RFQ file, and an awarded project with
its result published, its notices issued and a challenge filed (the form fuzz's scenario), so most
routes answer with a real page, PDF or file. Each role's client crawls from its home pages (following every link,
PDFs, files and static assets included, a bounded number per endpoint), then requests every
GET rule of the URL map with placeholder arguments (answers 404/403/302: error pages count too).
Every response must carry the headers; every HTML page must need nothing the CSP forbids
(no inline script, event-handler attribute, ``style`` attribute, ``<style>`` element or
``javascript:`` URL).
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import sqlalchemy as sa

from procurement.extensions import db
from procurement.headers import FILE_POLICY, MAIL_PREVIEW_POLICY, NO_REFERRER, PAGE_POLICY, REFERRER_POLICY
from procurement.models import GeneratedDocument, User
from procurement.services import rfq
from procurement.services.mail import queue_mail
from procurement.services.unit_of_work import transaction
from tests import factories as f
from tests.conftest import AuthActions, csrf_token
from tests.form_crawl import scenario_challenge

ROOT = Path(__file__).resolve().parents[2]
MAX_PER_ENDPOINT = 3
MAX_RESPONSES = 400  # per role
HOMES = {"anonymous": ["/"], "buyer": ["/buyer/", "/"], "supplier": ["/supplier/", "/"], "panel": ["/panel/", "/"]}
STATIC = ["/static/css/app.css", "/static/js/app.js", "/static/vendor/bootstrap/bootstrap.min.css", "/static/favicon.svg", "/favicon.ico"]
LINK_ATTRS = ("href", "src", "action", "formaction", "data")


def is_mail_preview(response) -> bool:
    """A sent mail's HTML body for the 已发送邮件 page's frame: sandboxed, not a page of ours."""
    return response.mimetype == "text/html" and response.headers.get("Content-Security-Policy") == MAIL_PREVIEW_POLICY


def check_headers(response, url: str) -> None:
    """The headers every response carries; pages get the strict policy, files may be framed by us only."""
    headers = response.headers
    where = f"{url} ({response.status_code}, {response.mimetype})"
    policy = headers.get("Content-Security-Policy", "")
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    # A password-reset link's pages send no Referer at all (their URL may carry its token).
    referrer = NO_REFERRER if url.startswith("/auth/reset-password/") else REFERRER_POLICY
    assert headers.get("Referrer-Policy") == referrer, where
    assert "Strict-Transport-Security" not in headers, where  # HSTS is for production only
    if is_mail_preview(response):
        assert headers.get("X-Frame-Options") == "SAMEORIGIN", where
    elif response.mimetype == "text/html":
        assert policy == PAGE_POLICY, where
        assert headers.get("X-Frame-Options") == "DENY", where
    else:
        assert "frame-ancestors 'self'" in policy or "frame-ancestors 'none'" in policy, where
        assert headers.get("X-Frame-Options") in ("DENY", "SAMEORIGIN"), where


def inline_code(html: str) -> list[str]:
    """Whatever in a page the CSP would block: inline scripts and styles, handlers, javascript: URLs."""
    if not html.strip():
        return []
    found = []
    doc = lxml.html.document_fromstring(html)
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "script" and not element.get("src"):
            found.append("<script> without src")
        if element.tag == "style":
            found.append("<style> element")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{element.tag} {name}=")
            if name.lower() == "style":
                found.append(f"{element.tag} style=")
            if name.lower() in LINK_ATTRS and value.strip().lower().startswith("javascript:"):
                found.append(f"{element.tag} {name}=javascript:")
    return found


def _world(app, clock):
    """The form fuzz's challenge scenario (signed-in buyer and supplier), a project open for
    registration with an RFQ file, and a signed-in panel member."""
    world = scenario_challenge(app, clock)
    buyer = db.session.scalar(sa.select(User).where(User.role == "buyer"))
    published = f.make_project(buyer, clock)
    rfq.add_file(published, f.scan_upload("rfq"), "询比价文件", buyer)
    member = db.session.scalar(sa.select(User).where(User.role == "panel").order_by(User.id))
    # A sent mail, so the buyer's crawl reaches the 已发送邮件 list, a message and its framed HTML.
    with transaction():
        queue_mail(to=member, subject="评审通知", text="请登录平台。", html="<p style=\"color: #333\">请登录平台。</p>", key="headers:1", kind="test")
    db.session.commit()
    code = db.session.scalar(sa.select(GeneratedDocument.verification_code).limit(1))
    clients = {role: world.clients[role] for role in ("anonymous", "buyer", "supplier")}
    clients["panel"] = app.test_client()
    assert AuthActions(clients["panel"]).login(member.email).status_code == 302
    return clients, [f"/verify?code={code}", "/verify?code=NO-SUCH-CODE"]


def _crawl(app, client, starts, check) -> set[str]:
    """Follow every same-site link from ``starts``; every response is checked. The endpoints reached."""
    adapter = app.url_map.bind("localhost")
    queue, seen, per_endpoint, endpoints = list(starts), set(), {}, set()
    while queue and len(seen) < MAX_RESPONSES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            endpoint, _ = adapter.match(urlsplit(url).path, method="GET")
        except Exception:  # noqa: BLE001 - a POST-only action or an unknown path: still checked below
            endpoint = None
        if endpoint is not None:
            if per_endpoint.get(endpoint, 0) >= MAX_PER_ENDPOINT:
                continue
            per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
        response = client.get(url)
        check(response, url)
        if endpoint is not None and response.status_code < 400:
            endpoints.add(endpoint)
        if response.status_code in (301, 302, 303) and response.location:
            queue.append(response.location)
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        if not html.strip():
            continue
        doc = lxml.html.document_fromstring(html)
        for target in doc.xpath("//a/@href|//link/@href|//script/@src|//img/@src|//iframe/@src"):
            parts = urlsplit(urljoin("http://localhost" + url, target))
            if parts.netloc in ("localhost", "") and parts.scheme in ("http", ""):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return endpoints


def _placeholder_urls(app):
    """Every GET rule with placeholder arguments (as the permission test walks them)."""
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "1" if "int" in m.group(0) or "id" in m.group(1) else "x", rule.rule)
        yield rule.endpoint, url


def test_every_response_of_every_get_route_carries_the_security_headers(app, clock):
    clients, extra = _world(app, clock)
    checked: list[str] = []
    inline: dict[str, list[str]] = {}

    def check(response, url):
        check_headers(response, url)
        checked.append(url)
        if response.mimetype == "text/html" and not is_mail_preview(response):
            problems = inline_code(response.get_data(as_text=True))
            if problems:
                inline[url] = problems

    reached: set[str] = set()
    for role, client in clients.items():
        reached |= _crawl(app, client, HOMES[role] + STATIC + extra, check)
    requested: set[str] = set()
    for role, client in clients.items():
        for endpoint, url in _placeholder_urls(app):
            check(client.get(url), url)
            requested.add(endpoint)
    # Errors and refusals: unknown page, method not allowed, expired form, a sign-in redirect.
    anonymous = clients["anonymous"]
    for response, url in (
        (anonymous.get("/no/such/page"), "/no/such/page"),
        (anonymous.post("/"), "POST /"),
        (anonymous.post("/auth/login", data={"email": "a@example.com", "password": "x"}), "POST /auth/login without CSRF"),
        (anonymous.get("/buyer/"), "/buyer/ signed out"),
    ):
        check(response, url)
    assert not inline, f"the CSP would block these: {inline}"
    get_endpoints = {endpoint for endpoint, _ in _placeholder_urls(app)}
    assert requested == get_endpoints
    # The crawl reached real pages, PDFs and files, not only placeholders' error pages.
    for endpoint in ("static", "public.notice", "public.notice_pdf", "public.verify", "buyer.project", "buyer.audit_all",
                     "buyer.sign_in_attempts", "buyer.mail_outbox", "buyer.mail_message", "buyer.mail_message_html",
                     "supplier.home", "panel.home"):
        assert endpoint in reached, endpoint
    assert len(checked) > 300


def test_uploads_keep_their_sandbox_and_may_be_framed_by_our_pages_only(app):
    """web.send_stored_file sets its own sandboxing policy; the hook adds frame-ancestors 'self' to it."""
    from flask import Response

    from procurement.headers import secure

    with app.test_request_context("/"):
        image = secure(Response(b"\x89PNG", mimetype="image/png", headers={"Content-Security-Policy": "default-src 'none'; sandbox"}))
        pdf = secure(Response(b"%PDF-1.4", mimetype="application/pdf"))
        page = secure(Response("<p>x</p>", mimetype="text/html"))
    assert image.headers["Content-Security-Policy"] == "default-src 'none'; sandbox; frame-ancestors 'self'"
    assert image.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert pdf.headers["Content-Security-Policy"] == FILE_POLICY
    assert page.headers["Content-Security-Policy"] == PAGE_POLICY and page.headers["X-Frame-Options"] == "DENY"


def test_no_template_needs_inline_script_or_style():
    """The templates pages are made from (documents/ is for WeasyPrint only, never served as HTML;
    mail/ is for mail clients, which need inline styles, shown to buyer staff only sandboxed)."""
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if path.parts[-2] in ("documents", "mail"):
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son[a-z]+\s*=", r"javascript:"):
            for match in re.finditer(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == []


def test_production_sends_hsts_and_marks_the_remember_me_cookie_secure_and_lax(monkeypatch, tmp_path):
    import config
    from procurement import create_app
    from procurement.services import accounts

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "x" * 32)
    monkeypatch.setattr(config.ProductionConfig, "SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/p.db")
    monkeypatch.setattr(config.ProductionConfig, "PUBLIC_BASE_URL", "https://caigou.example.cn")
    monkeypatch.setattr(config.ProductionConfig, "RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setattr(config.ProductionConfig, "AUDIT_KEY", "ab" * 32, raising=False)
    monkeypatch.setattr(config.ProductionConfig, "OCID_PREFIX", "ocds-a1b2c3")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app("production")
    assert app.config["REMEMBER_COOKIE_SECURE"] is True and app.config["SESSION_COOKIE_SECURE"] is True
    with app.app_context():
        db.create_all()
        accounts.create_buyer("boss@example.com", f.PASSWORD, "措姆")
        client = app.test_client()
        https = {"base_url": "https://caigou.example.cn"}
        page = client.get("/auth/login", **https)
        # Over HTTPS Flask-WTF also checks that the form came from this site (the Referer).
        https["headers"] = {"Referer": "https://caigou.example.cn/auth/login"}
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
        response = client.post(
            "/auth/login", data={"email": "boss@example.com", "password": f.PASSWORD, "remember": "y", "csrf_token": token}, **https
        )
        assert response.status_code == 302
        cookies = {value.split("=", 1)[0]: value for value in response.headers.getlist("Set-Cookie")}
        for name in ("remember_token", "session"):
            attributes = {part.strip().lower() for part in cookies[name].split(";")[1:]}
            assert {"secure", "httponly", "samesite=lax"} <= attributes, cookies[name]
        assert any(part.strip().lower().startswith("expires=") for part in cookies["remember_token"].split(";"))
        db.session.remove()
        db.engine.dispose()


def test_the_test_configuration_leaves_hsts_and_secure_cookies_to_production(app, client):
    response = client.get("/")
    assert "Strict-Transport-Security" not in response.headers
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax" and app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert csrf_token(client)
