"""The API's views: each reads its parameters, asks one read-side query, answers JSON."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, current_app, url_for
from flask_babel import gettext as _

from procurement.api import params
from procurement.api.http import ApiError, conditional, json_response
from procurement.auth.permissions import public
from procurement.auth.throttle import throttle_api, throttle_verify
from procurement.ocds import jsontext, packages
from procurement.ocds.releases import CURRENCY, PUBLIC_DOCUMENT_KINDS, TENDER_STATUS, timestamp
from procurement.queries import open_data
from procurement.queries import public as public_queries
from procurement.queries import results as result_queries
from procurement.web import send_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
OPENAPI = Path(__file__).resolve().parent / "openapi.json"
#: tender.status (the list's filter) → the stored statuses it covers.
TENDER_STATUSES = ("active", "complete", "cancelled", "unsuccessful")
STORED_STATUSES = {code: tuple(s for s, c in TENDER_STATUS.items() if c == code) for code in TENDER_STATUSES}


def _absolute(endpoint: str, **values) -> str:
    """An absolute URL of this site (``PUBLIC_BASE_URL`` when configured)."""
    return open_data.settings().base_url.rstrip("/") + url_for(endpoint, **values)


def _publisher() -> dict:
    return {"name": current_app.config["OCDS_PUBLISHER_NAME"]}


def _not_found(message: str | None = None) -> ApiError:
    return ApiError(404, "not_found", message or _("没有这个资源。"))


def _paged(endpoint: str, page: int, pages: int, per_page: int, **filters) -> tuple[dict, str]:
    """The ``links`` of a paged answer and the same as a ``Link`` header (RFC 8288)."""
    query = {key: value for key, value in filters.items() if value}

    def link(number: int) -> str:
        url = _absolute(endpoint)
        return url + "?" + urlencode({**query, "page": number, "per_page": per_page})

    links = {"self": link(page), "first": link(1), "last": link(pages)}
    if page > 1:
        links["prev"] = link(min(page - 1, pages))
    if page < pages:
        links["next"] = link(page + 1)
    header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if rel != "self")
    return links, header


@lru_cache(maxsize=1)
def _openapi_body() -> bytes:
    return OPENAPI.read_bytes()


@bp.route("/openapi.json")
@public
@throttle_api
def openapi():
    """This API's OpenAPI 3.1 description."""
    body = _openapi_body()
    response = current_app.response_class(body, mimetype="application/json")
    return conditional(response, body, None, max_age=3600)


def _project_entry(entry: open_data.ProjectEntry, ocid) -> dict:
    project = entry.project
    item = {
        "id": project.id,
        "ocid": ocid(project.id),
        "code": project.code,
        "title": project.title,
        "buyer": project.buyer_name,
        "status": TENDER_STATUS[project.status],
        "publishedAt": timestamp(project.published_at) if project.published_at else None,
        "tenderPeriodEnd": timestamp(project.opening_at),
        "releases": entry.releases,
        "lastReleaseAt": timestamp(entry.last_release_at) if entry.last_release_at else None,
    }
    item["links"] = {
        "releases": _absolute("api.project_releases", project_id=project.id),
        "record": _absolute("api.project_record", project_id=project.id),
        "notice": _absolute("public.notice", project_id=project.id),
    }
    return item


@bp.route("/projects")
@public
@throttle_api
def projects():
    """Public projects, newest publication first, filtered by ``status`` and publication dates."""
    page, per_page = params.paging()
    status = params.choice("status", TENDER_STATUSES)
    published_from, published_to = params.day("published_from"), params.day("published_to")
    if published_from and published_to and published_from > published_to:
        raise ApiError(400, "invalid_parameter", _("参数 published_from 不能晚于 published_to。"))
    listing = open_data.project_list(
        page=page,
        per_page=per_page,
        statuses=STORED_STATUSES[status] if status else None,
        published_from=published_from,
        published_to=published_to,
    )
    settings = open_data.settings()
    links, header = _paged(
        "api.projects", page, listing.pages, per_page,
        status=status, published_from=published_from and published_from.isoformat(),
        published_to=published_to and published_to.isoformat(),
    )
    body = {
        "projects": [_project_entry(entry, settings.ocid) for entry in listing.entries],
        "page": page,
        "perPage": per_page,
        "pages": listing.pages,
        "total": listing.total,
        "links": links,
    }
    return json_response(body, last_modified=open_data.last_release_at(), headers={"Link": header})


def _releases(project_id: int):
    """The stored releases of a public project, and their parsed bodies.

    :raise ApiError: 404 when the project does not exist, is a draft, or has no release yet.
    """
    rows = open_data.releases_of(project_id)
    if not rows:
        raise _not_found(_("没有这个项目，或该项目尚未发布开放数据。"))
    return rows, [jsontext.loads(row.body) for row in rows]


@bp.route("/projects/<int:project_id>/releases")
@public
@throttle_api
def project_releases(project_id: int):
    """The project's OCDS release package: one release per public event, oldest first."""
    rows, releases = _releases(project_id)
    package = packages.release_package(releases, uri=_absolute("api.project_releases", project_id=project_id), publisher=_publisher())
    return json_response(package, last_modified=rows[-1].released_at)


@bp.route("/projects/<int:project_id>/record")
@public
@throttle_api
def project_record(project_id: int):
    """The project's OCDS record package: its releases (linked) and the compiled release."""
    rows, releases = _releases(project_id)
    package = packages.record_package(
        releases,
        uri=_absolute("api.project_record", project_id=project_id),
        releases_uri=_absolute("api.project_releases", project_id=project_id),
        publisher=_publisher(),
    )
    return json_response(package, last_modified=rows[-1].released_at)


def _document(document, settings) -> dict:
    entry = {
        "verificationCode": document.verification_code,
        "title": document.title,
        "issuedAt": timestamp(document.issued_at),
        "sha256": document.sha256,
        "superseded": document.superseded_at is not None,
    }
    if document.kind in PUBLIC_DOCUMENT_KINDS and document.project_id is not None:
        entry["url"] = settings.document_url(document.verification_code)
    return entry


@bp.route("/results")
@public
@throttle_api
def results():
    """Published result announcements (成交结果公告) and termination notices (终止公告), newest first."""
    page, per_page = params.paging()
    listing = result_queries.results_page(page, per_page)
    settings = open_data.settings()
    winners = open_data.published_winners([entry.project.id for entry in listing.entries if entry.kind == "result"])
    entries = []
    for entry in listing.entries:
        item = {
            "kind": entry.kind,
            "project": {"id": entry.project.id, "ocid": settings.ocid(entry.project.id), "code": entry.project.code, "title": entry.project.title},
            "document": _document(entry.document, settings),
        }
        if entry.kind == "result":
            item["winners"] = [
                {"name": open_data.supplier_of(award).name, "value": {"amount": award.amount, "currency": CURRENCY}}
                for award in winners.get(entry.project.id, [])
            ]
        else:
            item["reason"] = entry.project.status_reason or ""
        item["links"] = {"record": _absolute("api.project_record", project_id=entry.project.id)}
        entries.append(item)
    links, header = _paged("api.results", page, listing.pages, per_page)
    body = {"results": entries, "page": page, "perPage": per_page, "pages": listing.pages, "total": listing.total, "links": links}
    return json_response(body, last_modified=open_data.last_release_at(), headers={"Link": header})


@bp.route("/documents/<code>")
@public
@throttle_api
@throttle_verify
def document(code: str):
    """Verify a generated document by its code (the verify page's lookup, and its limit)."""
    normalised = public_queries.normalise_code(code)
    found = public_queries.document_by_code(normalised)
    if found is None:
        raise ApiError(404, "document_not_found", _("未找到验证码为 %(code)s 的文书。", code=normalised))
    return json_response({"verified": True, "document": _document(found, open_data.settings())}, last_modified=found.issued_at)


@bp.route("/documents/<code>.pdf")
@public
@throttle_api
def document_pdf(code: str):
    """A public document (announcement, result announcement, termination notice) exactly as issued."""
    found = public_queries.document_by_code(public_queries.normalise_code(code))
    if found is None or found.kind not in PUBLIC_DOCUMENT_KINDS or found.project_id is None:
        raise _not_found()
    project = public_queries.public_project(found.project_id)
    if project is None:
        raise _not_found()
    return send_document(found, f"{project.code}-{found.verification_code}.pdf", inline=True)
