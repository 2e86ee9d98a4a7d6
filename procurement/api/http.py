"""The API's answers: JSON bodies with ETag and Last-Modified (304 when the client has them),
public caching, CORS on the public GETs, and JSON errors under ``/api/``."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Flask, Response, current_app, request

from procurement.ocds import jsontext

PREFIX = "/api/"
JSON = "application/json"
EXPOSED = "ETag, Last-Modified, Link, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"


def is_api_request() -> bool:
    """Whether the request is for the API (its errors answer JSON, not pages)."""
    return request.path.startswith(PREFIX)


def conditional(response: Response, body: bytes, last_modified: datetime | None, max_age: int | None = None) -> Response:
    """Add the validators and caching of a public answer; a 304 when the client's copy is current."""
    response.set_etag(hashlib.sha256(body).hexdigest())
    if last_modified is not None:
        response.last_modified = last_modified.replace(microsecond=0)
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["API_MAX_AGE"] if max_age is None else max_age
    return response.make_conditional(request)


def json_response(value, *, last_modified: datetime | None = None, headers: dict | None = None, max_age: int | None = None) -> Response:
    """``value`` as exact JSON text (decimals unchanged), conditional (see :func:`conditional`)."""
    body = jsontext.dumps(value).encode("utf-8")
    response = Response(body, mimetype=JSON, headers=headers)
    return conditional(response, body, last_modified, max_age)


def error_response(status: int, code: str, message: str) -> Response:
    """``{"error": {"code", "message"}}`` with ``status``; never cached."""
    body = jsontext.dumps({"error": {"code": code, "message": str(message)}})
    response = Response(body, status=status, mimetype=JSON)
    response.headers["Cache-Control"] = "no-store"
    return response


class ApiError(Exception):
    """A refusal a view raises: answered as :func:`error_response`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


def cors(response: Response) -> Response:
    """``after_request``: anyone's page may read the public GETs (and preflight them)."""
    if is_api_request() and request.method in ("GET", "HEAD", "OPTIONS"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


def init_app(app: Flask) -> None:
    """Register CORS and the API's own refusals."""
    app.after_request(cors)

    @app.errorhandler(ApiError)
    def api_error(error: ApiError):
        return error_response(error.status, error.code, error.message)
