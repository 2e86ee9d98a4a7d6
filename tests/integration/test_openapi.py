"""The OpenAPI document at /api/v1/openapi.json is what the API does: every documented operation
answers every documented status (304, 400, 404 and 429 included) for a request that should get it,
with the documented headers and a body valid against the documented schema (JSON Schema 2020-12,
the document's own components). The walk is ours: it builds one request per (path, status) on
demo-like data (a project published, amended, opened, awarded, re-awarded), and fails when the
document lists a status the walk does not exercise, or the URL map has an API route the document
does not describe."""
from __future__ import annotations

import json
import re

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from procurement.api.views import OPENAPI
from procurement.extensions import db
from procurement.models import GeneratedDocument
from tests.ocds import awarded_world

DOCUMENT = json.loads(OPENAPI.read_text(encoding="utf-8"))
URN = "urn:procurement:openapi"


@pytest.fixture
def app_config():
    """Rate limits on, high enough for the walk; each 429 step lowers the API's limit for a moment."""
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "THROTTLE_API_PER_ADDRESS": "100000 per minute",
        "THROTTLE_VERIFY_PER_ADDRESS": "100000 per minute",
    }


def resolve(node: dict) -> dict:
    """Follow a local ``$ref`` (``#/components/...``) to what it names."""
    while "$ref" in node:
        target = DOCUMENT
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def validator_for(pointer: str) -> Draft202012Validator:
    """A validator for the schema at ``pointer`` of the document, its ``$ref``s resolved in the document."""
    registry = Registry().with_resource(URN, Resource.from_contents(DOCUMENT, default_specification=DRAFT202012))
    return Draft202012Validator({"$ref": f"{URN}#{pointer}"}, registry=registry)


def _escape(text: str) -> str:
    return text.replace("~", "~0").replace("/", "~1")


def _schema_pointer(path: str, status: str, media: str) -> str | None:
    response = DOCUMENT["paths"][path]["get"]["responses"][status]
    if "$ref" in response:
        base = response["$ref"].removeprefix("#")
        response = resolve(response)
    else:
        base = f"/paths/{_escape(path)}/get/responses/{status}"
    content = response.get("content", {}).get(media)
    if content is None or "schema" not in content:
        return None
    return f"{base}/content/{_escape(media)}/schema"


def test_every_documented_operation_answers_as_documented(app, clock):
    built = awarded_world(clock)
    project_id = built.project.id
    code = db.session.query(GeneratedDocument.verification_code).filter_by(kind="result_announcement", superseded_at=None).scalar()
    values = {"project_id": {"ok": str(project_id), "missing": "999"}, "code": {"ok": code, "missing": "NOSUCHCODE"}}
    bad_query = {"/api/v1/projects": "?page=0", "/api/v1/results": "?per_page=0"}
    client = app.test_client()
    exercised, addresses = set(), iter(f"10.9.0.{n}" for n in range(1, 250))

    def url(path: str, which: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)][which], path)

    def check(path: str, status: str, response) -> None:
        where = f"GET {path} {status}"
        assert str(response.status_code) == status, (where, response.status_code, response.get_data(as_text=True)[:300])
        documented = resolve(DOCUMENT["paths"][path]["get"]["responses"][status])
        for header in documented.get("headers", {}):
            assert header in response.headers, (where, header)
        if status == "304":
            assert response.data == b"", where
            return
        media = response.mimetype
        assert media in documented.get("content", {}), (where, media)
        pointer = _schema_pointer(path, status, media)
        if pointer and media == "application/json":
            problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator_for(pointer).iter_errors(response.get_json())]
            assert problems == [], (where, problems[:5])
        exercised.add((path, status))

    for path, item in DOCUMENT["paths"].items():
        assert set(item) == {"get"}, path  # read-only: GET only
        for status in item["get"]["responses"]:
            if status == "default":
                continue
            ok_url = url(path, "ok")
            if status == "200":
                check(path, status, client.get(ok_url))
            elif status == "304":
                etag = client.get(ok_url).headers["ETag"]
                check(path, status, client.get(ok_url, headers={"If-None-Match": etag}))
                exercised.add((path, status))
            elif status == "400":
                check(path, status, client.get(ok_url + bad_query[path]))
            elif status == "404":
                check(path, status, client.get(url(path, "missing")))
            elif status == "429":
                address = next(addresses)
                app.config["THROTTLE_API_PER_ADDRESS"] = "1 per hour"
                try:
                    client.get(ok_url, environ_base={"REMOTE_ADDR": address})
                    check(path, status, client.get(ok_url, environ_base={"REMOTE_ADDR": address}))
                finally:
                    app.config["THROTTLE_API_PER_ADDRESS"] = "100000 per minute"
            else:
                pytest.fail(f"the walk has no request for GET {path} {status}")
    documented = {(path, status) for path, item in DOCUMENT["paths"].items() for status in item["get"]["responses"] if status != "default"}
    assert exercised == documented


def test_the_document_describes_every_api_route_and_is_served_as_is(app):
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert routes == set(DOCUMENT["paths"])
    assert DOCUMENT["openapi"].startswith("3.1")
    for path, item in DOCUMENT["paths"].items():
        for parameter in item["get"].get("parameters", []):
            parameter = resolve(parameter)
            if parameter["in"] == "path":
                assert "{" + parameter["name"] + "}" in path, (path, parameter["name"])
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.get_json() == DOCUMENT
    Draft202012Validator.check_schema(DOCUMENT["components"]["schemas"]["ProjectList"])
