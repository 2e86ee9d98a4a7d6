"""Security headers on every response: pages, PDFs, uploads, static files, errors and redirects.

A small ``after_request`` hook rather than Flask-Talisman (last released 2023, and it would
also take over HTTPS redirects and cookies, which the proxy and the config already do).

Pages (``text/html``) get :data:`PAGE_POLICY`: scripts and styles only from our own static
files (no inline script, no ``style`` attribute, no ``javascript:`` URL), no plugins, forms
post only to us, and no other site may frame them (``frame-ancestors 'none'`` and
``X-Frame-Options: DENY``), so the buyer's open, publish and award buttons cannot be
clickjacked. Everything else (PDFs, images, spreadsheets, CSS, JS) gets :data:`FILE_POLICY`
unless the view set a policy of its own (``web.send_stored_file`` sandboxes uploads): such a
response may be framed by our own pages only (the panel previews documents in a frame).
The one HTML response that is not a page is a sent mail's body (``buyer.mail_message_html``),
under :data:`MAIL_PREVIEW_POLICY`. HSTS is sent when ``HSTS`` is configured (production, behind HTTPS).
``Referrer-Policy`` is :data:`REFERRER_POLICY` unless the view chose another (the password-reset
pages send :data:`NO_REFERRER`).
"""
from __future__ import annotations

from flask import Flask, Response, current_app

PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # Bootstrap's form controls draw their icons with data: SVGs
        "font-src 'self'",
        "connect-src 'self'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
FILE_POLICY = "default-src 'none'; frame-ancestors 'self'"
# A sent mail's HTML body, shown to buyer staff in a frame of the 已发送邮件 page: a sandboxed
# document (no script, no form, no plugin, an opaque origin) that may carry the inline styles
# mail clients need, load nothing but data: images, and be framed by our own pages only.
MAIL_PREVIEW_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'self'"
REFERRER_POLICY = "same-origin"
#: Pages whose own URL is a secret (a password-reset link's) send no Referer at all, not even to us.
NO_REFERRER = "no-referrer"


def secure(response: Response) -> Response:
    """Add the security headers ``response`` lacks."""
    headers = response.headers
    page = response.mimetype == "text/html"
    policy = headers.get("Content-Security-Policy")
    if policy is None:
        headers["Content-Security-Policy"] = PAGE_POLICY if page else FILE_POLICY
    elif "frame-ancestors" not in policy:
        ancestors = "'none'" if page else "'self'"
        headers["Content-Security-Policy"] = f"{policy}; frame-ancestors {ancestors}"
    if "X-Frame-Options" not in headers:
        headers["X-Frame-Options"] = "DENY" if page else "SAMEORIGIN"
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    hsts = current_app.config.get("HSTS")
    if hsts:
        headers.setdefault("Strict-Transport-Security", hsts)
    return response


def init_app(app: Flask) -> None:
    """Register the hook (it runs for error pages and static files too)."""
    app.after_request(secure)
