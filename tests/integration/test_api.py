"""The public JSON API (/api/v1/): pagination and filters, ETag and Last-Modified (304s), caching,
CORS, JSON errors with stable codes, rate limits, and statement counts that do not grow with rows."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import OcdsRelease
from procurement.queries import open_data
from procurement.services import projects
from tests.conftest import make_test_app
from tests.factories import PUBLISHED_AT, make_buyer, make_opened_project, make_project
from tests.factories.opening import OPENED_SUPPLIERS
from tests.sqlcount import count_statements, page_statements


def _published(buyer, clock, count: int) -> list:
    """``count`` projects published a day apart from 2024-12-20 (the last one first in the list)."""
    start = PUBLISHED_AT - timedelta(days=5)
    return [
        make_project(buyer, clock, code=f"API-{n}", published_at=start + timedelta(days=n), opening_at=datetime(2025, 1, 20, 16, 0, tzinfo=BEIJING))
        for n in range(count)
    ]


def test_the_project_list_pages_with_links_and_filters_by_status_and_date(app, clock):
    buyer = make_buyer()
    made = _published(buyer, clock, 5)
    make_project(buyer, clock, code="DRAFT-1", publish=False)
    clock.set(datetime(2024, 12, 27, 10, 0, tzinfo=BEIJING))
    projects.cancel(made[0], "预算调整", buyer)
    client = app.test_client()
    first = client.get("/api/v1/projects?per_page=2")
    body = first.get_json()
    assert first.status_code == 200 and body["total"] == 5 and body["pages"] == 3  # the draft is never listed
    assert [p["code"] for p in body["projects"]] == ["API-4", "API-3"]
    assert body["links"]["next"] == "http://testserver/api/v1/projects?page=2&per_page=2" and "prev" not in body["links"]
    assert '<http://testserver/api/v1/projects?page=2&per_page=2>; rel="next"' in first.headers["Link"]
    last = client.get(body["links"]["last"].removeprefix("http://testserver")).get_json()
    assert [p["code"] for p in last["projects"]] == ["API-0"] and "next" not in last["links"] and last["links"]["prev"].endswith("page=2&per_page=2")
    seen = []
    url = "/api/v1/projects?per_page=2"
    while url:
        page = client.get(url).get_json()
        seen += [p["code"] for p in page["projects"]]
        url = page["links"].get("next", "").removeprefix("http://testserver")
    assert seen == [f"API-{n}" for n in (4, 3, 2, 1, 0)]

    cancelled = client.get("/api/v1/projects?status=cancelled").get_json()
    assert [p["code"] for p in cancelled["projects"]] == ["API-0"] and cancelled["projects"][0]["status"] == "cancelled"
    assert [p["code"] for p in client.get("/api/v1/projects?status=active").get_json()["projects"]] == ["API-4", "API-3", "API-2", "API-1"]
    assert client.get("/api/v1/projects?status=complete").get_json()["total"] == 0
    window = client.get("/api/v1/projects?published_from=2024-12-21&published_to=2024-12-23").get_json()
    assert [p["code"] for p in window["projects"]] == ["API-3", "API-2", "API-1"]
    assert window["links"]["self"] == "http://testserver/api/v1/projects?published_from=2024-12-21&published_to=2024-12-23&page=1&per_page=20"
    entry = client.get("/api/v1/projects?published_from=2024-12-24").get_json()["projects"][0]
    assert entry["ocid"] == f"ocds-demo00-{made[4].id}" and entry["publishedAt"] == "2024-12-24T09:00:00+08:00"
    assert entry["links"]["releases"] == f"http://testserver/api/v1/projects/{made[4].id}/releases"


def test_a_repeated_request_with_the_etag_or_the_date_answers_304_until_something_changes(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    client = app.test_client()
    for url in ("/api/v1/projects", f"/api/v1/projects/{project.id}/releases", f"/api/v1/projects/{project.id}/record", "/api/v1/results", "/api/v1/openapi.json"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["ETag"], url
        assert response.headers["Cache-Control"].startswith("public, max-age="), url
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", url
        if "Last-Modified" in response.headers:
            since = client.get(url, headers={"If-Modified-Since": response.headers["Last-Modified"]})
            assert since.status_code == 304, url
    before = client.get(f"/api/v1/projects/{project.id}/releases")
    clock.set(datetime(2024, 12, 26, 10, 0, tzinfo=BEIJING))
    projects.amend(project, {"contact_phone": "13800000002"}, "更正联系电话", "原联系电话有误", buyer)
    for url in (f"/api/v1/projects/{project.id}/releases", "/api/v1/projects"):
        changed = client.get(url, headers={"If-None-Match": before.headers["ETag"], "If-Modified-Since": before.headers["Last-Modified"]})
        assert changed.status_code == 200, url
    assert client.get(f"/api/v1/projects/{project.id}/releases").headers["Last-Modified"] != before.headers["Last-Modified"]


def test_errors_are_json_with_a_stable_code_and_a_chinese_message(app, clock):
    buyer = make_buyer()
    draft = make_project(buyer, clock, publish=False)
    client = app.test_client()
    cases = [
        ("/api/v1/projects?page=0", 400, "invalid_parameter", "page"),
        ("/api/v1/projects?page=abc", 400, "invalid_parameter", "page"),
        ("/api/v1/projects?per_page=101", 400, "invalid_parameter", "per_page"),
        ("/api/v1/projects?status=draft", 400, "invalid_parameter", "status"),
        ("/api/v1/projects?published_from=2024-13-01", 400, "invalid_parameter", "published_from"),
        ("/api/v1/projects?published_from=2024-12-25&published_to=2024-12-01", 400, "invalid_parameter", "published_from"),
        ("/api/v1/results?per_page=-1", 400, "invalid_parameter", "per_page"),
        (f"/api/v1/projects/{draft.id}/releases", 404, "not_found", "项目"),
        ("/api/v1/projects/999/record", 404, "not_found", "项目"),
        ("/api/v1/documents/NO-SUCH-CODE", 404, "document_not_found", "NOSUCHCODE"),
        ("/api/v1/documents/NOSUCHCODE.pdf", 404, "not_found", "资源"),
        ("/api/v1/no-such-path", 404, "not_found", "资源"),
    ]
    for url, status, code, mentioned in cases:
        response = client.get(url)
        assert response.status_code == status and response.mimetype == "application/json", url
        error = response.get_json()["error"]
        assert error["code"] == code and mentioned in error["message"], (url, error)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    for method in ("post", "put", "delete", "patch"):
        response = getattr(client, method)("/api/v1/projects")
        assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed", method
        assert "GET" in response.headers["Allow"] and "Access-Control-Allow-Origin" not in response.headers
    assert client.get("/no-such-page").mimetype == "text/html"  # the pages keep their HTML errors


def test_a_server_error_under_the_api_answers_json(database_template, tmp_path, clock):
    from procurement.auth.permissions import public

    failing = make_test_app(database_template, tmp_path, PROPAGATE_EXCEPTIONS=False)
    failing.extensions["clock"] = clock

    @public
    def boom():
        raise RuntimeError("boom")

    failing.add_url_rule("/api/v1/boom", "api_boom", boom)
    with failing.app_context():
        response = failing.test_client().get("/api/v1/boom")
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 500 and response.get_json() == {"error": {"code": "server_error", "message": "服务器内部错误，请稍后再试。"}}


def test_cors_lets_any_page_read_the_public_gets_and_preflight_them(app, clock):
    client = app.test_client()
    response = client.get("/api/v1/projects", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*" and "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options("/api/v1/projects", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.status_code == 200 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"] and "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get("/", headers={"Origin": "https://example.org"}).headers  # pages: no CORS


@pytest.fixture
def limited(database_template, tmp_path, clock):
    limited = make_test_app(
        database_template, tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
        THROTTLE_API_PER_ADDRESS="5 per minute", THROTTLE_VERIFY_PER_ADDRESS="3 per minute",
    )
    limited.extensions["clock"] = clock
    with limited.app_context():
        yield limited
        db.session.remove()
        db.engine.dispose()


def test_the_api_is_rate_limited_per_address_across_its_paths_and_verify_shares_the_page_limit(limited):
    client = limited.test_client()
    for url in ("/api/v1/projects", "/api/v1/results", "/api/v1/openapi.json", "/api/v1/projects?page=2", "/api/v1/results?page=2"):
        assert client.get(url).status_code == 200, url
    refused = client.get("/api/v1/projects")
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert refused.headers["Retry-After"] and refused.headers["Access-Control-Allow-Origin"] == "*"
    other = limited.test_client()  # the verify lookup: one count for the page and the API
    assert other.get("/verify?code=AAAA", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 404
    assert other.get("/verify?code=BBBB", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 404
    assert other.get("/api/v1/documents/CCCC", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 404
    assert other.get("/api/v1/documents/DDDD", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 429


def test_document_verification_answers_what_the_verify_page_shows(app, clock):
    project = make_project(make_buyer(), clock)
    (release, update) = [r for r in open_data.releases_of(project.id)]
    from procurement.services import announcements

    document = announcements.current_announcement(project)
    client = app.test_client()
    typed = "-".join(document.verification_code[i:i + 4] for i in (0, 4, 8)).lower()
    answer = client.get(f"/api/v1/documents/{typed}").get_json()
    assert answer == {
        "verified": True,
        "document": {
            "verificationCode": document.verification_code,
            "title": document.title,
            "issuedAt": "2024-12-25T09:00:00+08:00",
            "sha256": document.sha256,
            "superseded": False,
            "url": f"http://testserver/api/v1/documents/{document.verification_code}.pdf",
        },
    }
    pdf = client.get(f"/api/v1/documents/{document.verification_code}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.headers["X-Document-SHA256"] == document.sha256
    assert update.source == f"document:{document.id}" and release.source == "publish"


def test_the_list_sends_as_many_statements_for_one_project_as_for_five(app, clock):
    buyer = make_buyer()
    client = app.test_client()
    _published(buyer, clock, 1)
    one = page_statements(client, "/api/v1/projects").count
    results_one = page_statements(client, "/api/v1/results").count
    for n in range(1, 5):
        make_project(buyer, clock, code=f"MORE-{n}")
    assert page_statements(client, "/api/v1/projects").count == one
    assert page_statements(client, "/api/v1/results").count == results_one


def test_a_project_release_package_and_its_snapshot_need_the_same_statements_for_one_participant_or_five(app, clock):
    buyer = make_buyer()
    client = app.test_client()
    counts = []
    for suppliers in (1, 5):
        built = make_opened_project(buyer, clock, suppliers=OPENED_SUPPLIERS[:suppliers], panel=(), code=f"COUNT-{suppliers}")
        project_id = built.project.id
        assert db.session.query(OcdsRelease).filter_by(project_id=project_id).count() == 3
        measured = {
            "releases": page_statements(client, f"/api/v1/projects/{project_id}/releases").count,
            "record": page_statements(client, f"/api/v1/projects/{project_id}/record").count,
        }
        with app.test_request_context():
            db.session.expire_all()
            project = db.session.get(type(built.project), project_id)
            with count_statements() as log:
                snapshot = open_data.snapshot(project, {})
        assert len(snapshot.bids) == suppliers
        measured["snapshot"] = log.count
        counts.append(measured)
    assert counts[0] == counts[1]
