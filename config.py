"""Configuration classes; the environment overrides what a deployment must set.

``create_app`` picks one by name (``development``, ``test``, ``production``) from the
argument or ``PROCUREMENT_CONFIG``; ``DATABASE_URL``, ``SECRET_KEY``, ``UPLOAD_FOLDER``,
``SEAL_KEK`` (or ``SEAL_KEK_FILE``) and ``SIMULATED_NOW`` are read from the environment.
"""
from __future__ import annotations

import os


class Config:
    """Settings shared by every environment."""

    # Empty means: an SQLite file in the instance folder (resolved in create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Empty means: <instance>/uploads, outside the web root.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", "")
    # Empty means: <instance>/generated.
    DOCUMENT_FOLDER = os.environ.get("DOCUMENT_FOLDER", "")
    # The key-encryption key for the sealed quotes: hex in SEAL_KEK, or a file path;
    # the embedded default generates <instance>/seal.kek once.
    SEAL_KEK = os.environ.get("SEAL_KEK", "")
    SEAL_KEK_FILE = os.environ.get("SEAL_KEK_FILE", "")
    MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # one file
    # One request: a registration carries up to six scans of MAX_UPLOAD_BYTES each.
    MAX_CONTENT_LENGTH = 6 * MAX_UPLOAD_BYTES + 2 * 1024 * 1024
    TIME_ZONE = "Asia/Shanghai"
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    WTF_CSRF_TIME_LIMIT = None  # a supplier may spend a long time on one form
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Whether buyer staff may move a simulated clock (demo and development only).
    ALLOW_SIMULATED_CLOCK = False
    SIMULATED_NOW = os.environ.get("SIMULATED_NOW", "")
    PASSWORD_HASH_METHOD = "scrypt"
    ENV_NAME = "base"
    # The public address used in verification QR codes; empty means the request's host.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Jobs (procurement.jobs): with REDIS_URL, RQ workers (`flask worker`) run them; without,
    # this process does after the response. JOBS_RUN forces one: rq, after_response, eager, manual.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    JOBS_RUN = os.environ.get("JOBS_RUN", "")
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "procurement")
    JOB_MAX_ATTEMPTS = 3  # the first run and two retries, then the job is shown failed
    JOB_RETRY_INTERVALS = [10, 60]  # seconds before each RQ retry
    JOB_STALE_SECONDS = 120  # a queued or running job untouched this long may be resumed or retried
    JOB_TIMEOUT = 1800  # seconds RQ lets one run take


class DevelopmentConfig(Config):
    """``make run``: SQLite in the instance folder, a movable demo clock."""

    ENV_NAME = "development"
    ALLOW_SIMULATED_CLOCK = True


class TestConfig(Config):
    """The test suite: a database per test, fast hashing, CSRF kept on (tests send tokens)."""

    ENV_NAME = "test"
    TESTING = True
    ALLOW_SIMULATED_CLOCK = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", os.environ.get("DATABASE_URL", ""))
    SECRET_KEY = "test-secret-key-not-for-production"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    SIMULATED_NOW = ""
    # Jobs run at once after their command commits: a test sees the result when the request
    # returns (the `manual_jobs` fixture keeps them queued until `drain()`).
    JOBS_RUN = "eager"
    JOB_RETRY_INTERVALS = [0]


class ProductionConfig(Config):
    """gunicorn behind a proxy, PostgreSQL from DATABASE_URL; no simulated clock, ever."""

    ENV_NAME = "production"
    ALLOW_SIMULATED_CLOCK = False
    SIMULATED_NOW = ""
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
