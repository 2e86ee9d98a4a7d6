"""The 询比价 procurement service: ``create_app`` builds the Flask application."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: str | type | dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers, CLI.

    ``config`` is a name (``development``, ``test``, ``production``), a config class, or
    a dict of overrides applied on top of the test configuration (for tests).
    """
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"),
        instance_relative_config=True,
    )
    from procurement.web import CleanRequest

    app.request_class = CleanRequest
    configure(app, config)
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def configure(app: Flask, config: str | type | dict | None) -> None:
    """Load the config class, then the secrets and paths the environment or instance give."""
    from config import CONFIGS, TestConfig

    overrides: dict = {}
    if isinstance(config, dict):
        overrides = config
        config = TestConfig
    if config is None:
        config = os.environ.get("PROCUREMENT_CONFIG", "development")
    if isinstance(config, str):
        config = CONFIGS[config]
    app.config.from_object(config)
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)

    if not app.config.get("SECRET_KEY"):
        if config.__name__ == "ProductionConfig":
            raise RuntimeError("SECRET_KEY must be set in production (environment variable SECRET_KEY).")
        app.config["SECRET_KEY"] = _instance_secret(app, "secret_key", lambda: secrets.token_hex(32))
    if config.__name__ == "ProductionConfig" and app.config.get("ALLOW_SIMULATED_CLOCK"):
        raise RuntimeError("A simulated clock is never allowed in production.")
    if config.__name__ == "ProductionConfig" and not app.config.get("PUBLIC_BASE_URL"):
        # Verification URLs are printed into permanent PDFs: never take them from a Host header.
        raise RuntimeError("PUBLIC_BASE_URL must be set in production (the address printed in QR codes).")
    if config.__name__ == "ProductionConfig" and not (app.config.get("AUDIT_KEY") or app.config.get("AUDIT_KEY_FILE")):
        # Every audited write seals its chain's head: without the key none could commit.
        raise RuntimeError("AUDIT_KEY or AUDIT_KEY_FILE must be set in production (the audit chains' seal key).")
    if config.__name__ == "ProductionConfig":
        from procurement.ocds.releases import PLACEHOLDER_OCID_PREFIX, is_registrable_prefix

        # Every release carries its ocid for good: never publish one under the placeholder.
        if not is_registrable_prefix(app.config.get("OCID_PREFIX") or ""):
            raise RuntimeError(
                "OCID_PREFIX must be set in production to the ocid prefix the Open Contracting Partnership "
                "registered for this publisher (\"ocds-\" and 6 lowercase letters or digits, e.g. ocds-a1b2c3); "
                f"got {app.config.get('OCID_PREFIX')!r}"
                + (" (the placeholder)." if app.config.get("OCID_PREFIX") == PLACEHOLDER_OCID_PREFIX else ".")
            )
    app.config["UPLOAD_FOLDER"] = app.config.get("UPLOAD_FOLDER") or os.path.join(app.instance_path, "uploads")
    app.config["DOCUMENT_FOLDER"] = app.config.get("DOCUMENT_FOLDER") or os.path.join(app.instance_path, "generated")
    from procurement.documents import storage

    storage.configure(app)
    from procurement.database import resolve_database_uri

    resolve_database_uri(app)


def trust_proxies(app: Flask) -> None:
    """Behind ``PROXY_HOPS`` reverse proxies, take the client's address, scheme and host from the
    ``X-Forwarded-*`` headers the nearest proxies set (werkzeug's ProxyFix); with none, ignore them,
    since a client could forge them."""
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=0)


def _instance_secret(app: Flask, name: str, make) -> str:
    """Read ``instance/<name>``, creating it once (mode 0600) when missing."""
    path = Path(app.instance_path) / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    """Bind every extension to the app."""
    from procurement import clock, database, headers, i18n, log_redaction
    from procurement.api import http as api_http
    from procurement.auth import permissions, throttle
    from procurement.extensions import csrf, db, login_manager, migrate

    database.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    i18n.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "warning"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("请先登录。")
    login_manager.session_protection = "strong"
    clock.init_app(app)
    permissions.init_app(app)
    throttle.init_app(app)
    headers.init_app(app)
    log_redaction.init_app(app)
    api_http.init_app(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per role, the public JSON API, and every signed-in person's messages."""
    from procurement.api.views import bp as api_bp
    from procurement.auth.views import bp as auth_bp
    from procurement.buyer.views import bp as buyer_bp
    from procurement.inbox import bp as inbox_bp
    from procurement.officials.views import bp as officials_bp
    from procurement.panel.views import bp as panel_bp
    from procurement.public.views import bp as public_bp
    from procurement.supplier.views import bp as supplier_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(supplier_bp)
    app.register_blueprint(buyer_bp)
    app.register_blueprint(panel_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(inbox_bp)  # issue 13: every role's messages
    app.register_blueprint(officials_bp)  # issue 15: buyer staff and panel as opening officials


def register_errorhandlers(app: Flask) -> None:
    """Chinese error pages for 400, 403, 404, 413, 429 and 500."""
    from procurement import errors

    errors.init_app(app)


def register_template_helpers(app: Flask) -> None:
    """Filters for Beijing time and money, and the context every page needs."""
    from procurement import templating

    templating.init_app(app)


def register_commands(app: Flask) -> None:
    """``flask users``, ``flask demo``, ``flask blacklist``, ``flask audit``, ``flask store``."""
    from procurement import cli

    cli.init_app(app)
