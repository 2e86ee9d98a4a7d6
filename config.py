"""Configuration classes; the environment overrides what a deployment must set.

``create_app`` picks one by name (``development``, ``test``, ``production``) from the
argument or ``PROCUREMENT_CONFIG``; ``DATABASE_URL``, ``SECRET_KEY``, ``FILE_STORE``,
``UPLOAD_FOLDER``, ``SEAL_KEK`` (or ``SEAL_KEK_FILE``), ``AUDIT_KEY`` (or ``AUDIT_KEY_FILE``) and
``SIMULATED_NOW`` are read from the environment.
"""
from __future__ import annotations

import os
from datetime import timedelta


class Config:
    """Settings shared by every environment."""

    # Empty means: an SQLite file in the instance folder (resolved in create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Where uploads and generated documents live: "folder" (empty means folder: the two folders
    # below, one node only) or "database" (the stored_blob table, which every app node reaches).
    FILE_STORE = os.environ.get("FILE_STORE", "")
    # Empty means: <instance>/uploads, outside the web root.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", "")
    # Empty means: <instance>/generated.
    DOCUMENT_FOLDER = os.environ.get("DOCUMENT_FOLDER", "")
    # The key-encryption key for the sealed quotes: hex in SEAL_KEK, or a file path;
    # the embedded default generates <instance>/seal.kek once.
    SEAL_KEK = os.environ.get("SEAL_KEK", "")
    SEAL_KEK_FILE = os.environ.get("SEAL_KEK_FILE", "")
    # The key that seals the audit chains' heads (HMAC-SHA256), kept out of the database like
    # the KEK: hex in AUDIT_KEY, or a file path; the embedded default generates <instance>/audit.key once.
    AUDIT_KEY = os.environ.get("AUDIT_KEY", "")
    AUDIT_KEY_FILE = os.environ.get("AUDIT_KEY_FILE", "")
    MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # one file
    # One request: a registration carries up to six scans of MAX_UPLOAD_BYTES each.
    MAX_CONTENT_LENGTH = 6 * MAX_UPLOAD_BYTES + 2 * 1024 * 1024
    TIME_ZONE = "Asia/Shanghai"
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    WTF_CSRF_TIME_LIMIT = None  # a supplier may spend a long time on one form
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Flask-Login's "keep me signed in" cookie: like the session cookie, and a month, not a year.
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    # Strict-Transport-Security's value; empty (no header) except in production, behind HTTPS.
    HSTS = ""
    # Rate limits (Flask-Limiter, procurement.auth.throttle). Redis when REDIS_URL (or
    # RATELIMIT_STORAGE_URI) is set, so every node counts together; else this process's memory
    # (the embedded default has one process). A Redis outage falls back to memory, never to 500.
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_KEY_PREFIX = "procurement-limits"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    THROTTLE_SIGN_IN_PER_ADDRESS = "30 per minute;300 per hour"
    THROTTLE_SIGN_IN_PER_ACCOUNT = "10 per minute;30 per hour"  # wrong passwords (400 answers) only
    THROTTLE_SIGN_UP_PER_ADDRESS = "10 per hour"
    THROTTLE_PASSWORD_RESET_PER_ADDRESS = "10 per hour"
    THROTTLE_PASSWORD_RESET_PER_ACCOUNT = "3 per hour"
    # Setting the new password from a reset link (the link is signed: this only bounds the work).
    THROTTLE_PASSWORD_RESET_SUBMIT_PER_ADDRESS = "20 per hour"
    THROTTLE_VERIFY_PER_ADDRESS = "60 per minute;600 per hour"
    THROTTLE_API_PER_ADDRESS = "120 per minute;3000 per hour"  # every /api/v1/ request
    # Per-account lockout, kept in the database (procurement.domain.sign_in): from the 5th wrong
    # password in a row the account is locked 15 minutes, doubling per further failure up to a day.
    LOGIN_LOCKOUT_THRESHOLD = 5
    LOGIN_LOCKOUT_MINUTES = 15
    LOGIN_LOCKOUT_MAX_MINUTES = 24 * 60
    LOGIN_LOCKOUT_FORGET_MINUTES = 24 * 60
    # Whether buyer staff may move a simulated clock (demo and development only).
    ALLOW_SIMULATED_CLOCK = False
    SIMULATED_NOW = os.environ.get("SIMULATED_NOW", "")
    # scrypt N=2**15, r=8, p=3: OWASP's equivalent of N=2**17 with werkzeug's 32 MiB (about 0.25 s on
    # one core of our machine). Hashes made with other parameters are renewed at sign-in.
    PASSWORD_HASH_METHOD = "scrypt:32768:8:3"
    # scrypt (n, r, p) for the officials' opening passphrases (quorum opening): N=2**17, r=8, p=1,
    # OWASP's first choice (128 MiB, about 0.4 s on one core of our machine). Stored beside each
    # wrapped opening key, so a change applies to keys set up or changed afterwards.
    OPENING_KEY_SCRYPT = (1 << 17, 8, 1)
    # Wrong opening passphrases per signed-in account, one count for the opening page and the
    # passphrase change (procurement.auth.throttle.throttle_opening_passphrase).
    THROTTLE_OPENING_PASSPHRASE_PER_ACCOUNT = "10 per 10 minutes;30 per day"
    ENV_NAME = "base"
    # The public address used in verification QR codes; empty means the request's host.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Open data (OCDS releases, /api/v1/). The ocid prefix is the one the Open Contracting
    # Partnership registers for a publisher; "ocds-demo00" is a PLACEHOLDER, not a registered
    # prefix: set OCID_PREFIX before publishing for real (an ocid never changes once released);
    # production refuses to start with the placeholder or with anything not shaped "ocds-xxxxxx".
    OCID_PREFIX = os.environ.get("OCID_PREFIX", "ocds-demo00")
    # The scheme of organisation identifiers (the USCC, 统一社会信用代码), from org-id.guide.
    OCDS_IDENTIFIER_SCHEME = os.environ.get("OCDS_IDENTIFIER_SCHEME", "CN-USCC")
    # The buyer's own USCC, printed as its identifier; empty: the buyer is listed by name only.
    OCDS_BUYER_USCC = os.environ.get("OCDS_BUYER_USCC", "")
    OCDS_PUBLISHER_NAME = os.environ.get("OCDS_PUBLISHER_NAME", "西藏日报社")
    # How long a client may reuse an API answer before revalidating it (ETag / Last-Modified).
    API_MAX_AGE = 60
    # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: trust none of them).
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0") or 0)
    # Jobs (procurement.jobs): with REDIS_URL, RQ workers (`flask worker`) run them; without,
    # this process does after the response. JOBS_RUN forces one: rq, after_response, eager, manual.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    JOBS_RUN = os.environ.get("JOBS_RUN", "")
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "procurement")
    JOB_MAX_ATTEMPTS = 3  # the first run and two retries, then the job is shown failed
    JOB_RETRY_INTERVALS = [10, 60]  # seconds before each RQ retry
    JOB_STALE_SECONDS = 120  # a queued or running job untouched this long may be resumed or retried
    JOB_TIMEOUT = 1800  # seconds RQ lets one run take
    # Mail (procurement.mail): SMTP when MAIL_SERVER is set, otherwise each message is written as
    # a .eml file to the instance folder's outbox (MAIL_OUTBOX), so a bare machine needs no server.
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "0") or 0)  # 0: 465 with MAIL_USE_SSL, else 25
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "") in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "询比价采购平台 <noreply@localhost>")
    MAIL_OUTBOX = os.environ.get("MAIL_OUTBOX", "")
    MAIL_TIMEOUT = 30
    # The 已发送邮件 list for buyer staff (every mail_message row, bodies of sign-in links
    # withheld): development, test and demo only, never production.
    MAIL_OUTBOX_PAGE = False
    # How long a password-reset link works (procurement.domain.reset_links).
    PASSWORD_RESET_LINK_MINUTES = int(os.environ.get("PASSWORD_RESET_LINK_MINUTES", "60") or 60)


class DevelopmentConfig(Config):
    """``make run``: SQLite in the instance folder, a movable demo clock."""

    ENV_NAME = "development"
    ALLOW_SIMULATED_CLOCK = True
    MAIL_OUTBOX_PAGE = True


class TestConfig(Config):
    """The test suite: a database per test, fast hashing, CSRF kept on (tests send tokens)."""

    ENV_NAME = "test"
    TESTING = True
    ALLOW_SIMULATED_CLOCK = True
    MAIL_OUTBOX_PAGE = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", os.environ.get("DATABASE_URL", ""))
    SECRET_KEY = "test-secret-key-not-for-production"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    OPENING_KEY_SCRYPT = (1 << 10, 8, 1)
    SIMULATED_NOW = ""
    # The suite signs in hundreds of times from one address: rate limits are off, and the tests
    # of the limits turn them on (with their own storage). The database lockout stays on.
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    # Jobs run at once after their command commits: a test sees the result when the request
    # returns (the `manual_jobs` fixture keeps them queued until `drain()`).
    JOBS_RUN = "eager"
    JOB_RETRY_INTERVALS = [0]


class ProductionConfig(Config):
    """gunicorn behind a proxy, PostgreSQL from DATABASE_URL; no simulated clock, ever."""

    ENV_NAME = "production"
    ALLOW_SIMULATED_CLOCK = False
    MAIL_OUTBOX_PAGE = False
    SIMULATED_NOW = ""
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    # Production runs behind one reverse proxy (deploy/nginx/procurement.conf) unless told otherwise.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "1") or 0)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    HSTS = "max-age=31536000"


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
