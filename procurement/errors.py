"""Error pages in Chinese, and the CSRF failure explained instead of a bare 400."""
from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError


def init_app(app: Flask) -> None:
    """Register a handler per status code."""

    @app.errorhandler(400)
    def bad_request(error):
        return render_template("errors/400.html", error=error, csrf=False), 400

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/400.html", error=error, csrf=True), 400

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def method_not_allowed(error):
        return render_template("errors/404.html"), 405

    @app.errorhandler(413)
    def too_large(error):
        return render_template("errors/413.html", limit_mb=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)), 413

    @app.errorhandler(429)
    def too_many_requests(error):
        # Flask-Limiter's RateLimitExceeded is a 429; Retry-After is added by the limiter.
        return render_template("errors/429.html"), 429

    @app.errorhandler(500)
    def server_error(error):
        from procurement.extensions import db

        db.session.rollback()
        return render_template("errors/500.html"), 500
