"""Error pages in Chinese, and the CSRF failure explained instead of a bare 400; under ``/api/``
the same errors answer JSON (``{"error": {"code", "message"}}``) with a stable code."""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from procurement.api.http import error_response, is_api_request


def init_app(app: Flask) -> None:
    """Register a handler per status code."""

    @app.errorhandler(400)
    def bad_request(error):
        if is_api_request():
            return error_response(400, "bad_request", _("请求无效。"))
        return render_template("errors/400.html", error=error, csrf=False), 400

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/400.html", error=error, csrf=True), 400

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(error):
        if is_api_request():
            return error_response(404, "not_found", _("没有这个资源。"))
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def method_not_allowed(error):
        if is_api_request():
            response = error_response(405, "method_not_allowed", _("该接口只读，只接受 GET 请求。"))
            response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or ["GET", "HEAD", "OPTIONS"])
            return response
        return render_template("errors/404.html"), 405

    @app.errorhandler(413)
    def too_large(error):
        if is_api_request():
            return error_response(413, "too_large", _("请求过大。"))
        return render_template("errors/413.html", limit_mb=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)), 413

    @app.errorhandler(429)
    def too_many_requests(error):
        # Flask-Limiter's RateLimitExceeded is a 429; Retry-After is added by the limiter. A limit
        # with a page of its own (its on_breach made one: the opening passphrase's) answers with it.
        if getattr(error, "response", None) is not None:
            return error.response
        if is_api_request():
            return error_response(429, "rate_limited", _("请求过于频繁，请稍后再试。"))
        return render_template("errors/429.html"), 429

    @app.errorhandler(500)
    def server_error(error):
        from procurement.extensions import db

        db.session.rollback()
        if is_api_request():
            return error_response(500, "server_error", _("服务器内部错误，请稍后再试。"))
        return render_template("errors/500.html"), 500
