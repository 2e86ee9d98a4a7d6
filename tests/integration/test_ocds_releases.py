"""OCDS releases (issue 16): every release a project's life produces validates against the OCDS 1.1.5
release schema with the bids extension merged in (jsonschema, draft 4, the schemas in the
repository), the packages and the compiled record against their schemas, every code is in its
codelist, and a release never changes once stored."""
from __future__ import annotations

import json
import re

from procurement.extensions import db
from procurement.models import OcdsRelease
from procurement.ocds import schemas
from procurement.services import projects
from tests.ocds import AMENDED_PHONE, awarded_world, cancelled_project, errors, failed_project, stored_releases
from tests.factories import make_buyer, make_project

CODED = {  # field → codelist, wherever the field appears in a release
    "tag": "releaseTag.csv",
    "roles": "partyRole.csv",
    "documentType": "documentType.csv",
    "procurementMethod": "method.csv",
    "awardCriteria": "awardCriteria.csv",
    "submissionMethod": "submissionMethod.csv",
    "initiationType": "initiationType.csv",
    "measure": "bidStatistics.csv",
}


def _codes(value, found: dict[str, set[str]], path: tuple[str, ...] = ()) -> None:
    """Collect every coded value (and tender/award/bid statuses, told apart by where they sit)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "status" and path:
                found.setdefault({"tender": "tenderStatus.csv", "awards": "awardStatus.csv", "details": "bidStatus.csv"}[path[-1]], set()).add(item)
            elif key in CODED:
                found.setdefault(CODED[key], set()).update(item if isinstance(item, list) else [item])
            else:
                _codes(item, found, path + (key,))
    elif isinstance(value, list):
        for item in value:
            _codes(item, found, path)


def _assert_valid_and_coded(releases: list[dict]) -> None:
    found: dict[str, set[str]] = {}
    for release in releases:
        assert errors("release", release) == [], release["id"]
        _codes(release, found)
    for codelist, codes in found.items():
        assert codes <= schemas.codelist(codelist), (codelist, codes - schemas.codelist(codelist))


def test_the_award_path_releases_validate_with_the_bids_extension_and_the_record_too(app, clock):
    built = awarded_world(clock)
    project = built.project
    releases = stored_releases(project)
    assert [r["tag"] for r in releases] == [
        ["tender"], ["tenderUpdate"],  # publication, then its announcement PDF
        ["tenderAmendment"], ["tenderUpdate"],  # the correction notice, then its PDF
        ["tenderUpdate"],  # the opening
        ["award"], ["awardCancellation"], ["awardUpdate"],  # published, the winner declines, the second published
    ]
    _assert_valid_and_coded(releases)
    assert [r["date"] for r in releases] == sorted(r["date"] for r in releases)
    assert len({r["id"] for r in releases}) == len(releases) and {r["ocid"] for r in releases} == {f"ocds-demo00-{project.id}"}
    assert all(r["language"] == "zh" for r in releases)

    tender, amendment, opened, final = releases[0], releases[2], releases[4], releases[-1]
    assert tender["tender"]["procurementMethod"] == "open" and tender["tender"]["procurementMethodDetails"] == "询比价"
    assert tender["tender"]["awardCriteria"] == "priceOnly" and tender["tender"]["status"] == "active"
    assert [(i["description"], i["quantity"], i["unit"]["name"]) for i in tender["tender"]["items"]] == [
        ("复印纸（A4 70g）", 100, "包"), ("硒鼓（CF228A）", 10, "个"), ("中性笔（0.5mm 黑）", 20, "盒")
    ]
    assert tender["tender"]["tenderPeriod"] == {"startDate": "2024-12-25T09:00:00+08:00", "endDate": "2025-01-02T16:00:00+08:00"}
    assert "enquiryPeriod" in tender["tender"]
    # before the opening: the buyer alone, no tenderers, no bids, no amount
    for before in releases[:4]:
        assert [p["roles"] for p in before["parties"]] == [["buyer", "procuringEntity"]]
        assert "bids" not in before and "awards" not in before
        assert "numberOfTenderers" not in before["tender"] and "tenderers" not in before["tender"]
        assert '"amount"' not in json.dumps(before) and '"value"' not in json.dumps(before)
    # the announcement PDF: its URL and SHA-256
    (document,) = releases[1]["tender"]["documents"]
    assert document["documentType"] == "tenderNotice" and re.fullmatch(r"[0-9a-f]{64}", document["sha256"])
    pdf = app.test_client().get(document["url"].removeprefix("http://testserver"))
    assert pdf.status_code == 200 and pdf.headers["X-Document-SHA256"] == document["sha256"]
    # the amendment
    (entry,) = amendment["tender"]["amendments"]
    assert entry["rationale"] == "原联系电话有误" and entry["releaseID"] == amendment["id"] and entry["amendsReleaseID"] == releases[1]["id"]
    assert amendment["parties"][0]["contactPoint"]["telephone"] == AMENDED_PHONE
    assert tender["parties"][0]["contactPoint"]["telephone"] != AMENDED_PHONE  # the earlier release kept its own
    # the opening: four tenderers with their USCC, their bids pending, no amount
    assert opened["tender"]["numberOfTenderers"] == 4
    assert {p["identifier"]["scheme"] for p in opened["parties"][1:]} == {"CN-USCC"}
    assert [b["status"] for b in opened["bids"]["details"]] == ["pending"] * 4
    assert opened["bids"]["statistics"] == [{"id": "bids", "measure": "bids", "value": 4}]
    assert '"amount"' not in json.dumps(opened)
    # the award: exact amounts in CNY, the first winner cancelled, the second active and a supplier
    assert [(a["status"], a["value"]) for a in final["awards"]] == [
        ("cancelled", {"amount": 7037.5, "currency": "CNY"}), ("active", {"amount": 7270.0, "currency": "CNY"})
    ]
    body = db.session.query(OcdsRelease).filter_by(project_id=project.id).order_by(OcdsRelease.seq.desc()).first().body
    assert '"amount":7037.50,' in body and '"amount":7270.00,' in body  # Decimal text, not a float's
    suppliers = [p["name"] for p in final["parties"] if "supplier" in p["roles"]]
    assert suppliers == [built.suppliers[1].company.name]
    assert [b["status"] for b in final["bids"]["details"]] == ["valid", "valid", "valid", "disqualified"]
    assert final["tender"]["status"] == "complete"

    client = app.test_client()
    package = client.get(f"/api/v1/projects/{project.id}/releases").get_json()
    assert errors("release-package", package) == [] and package["releases"] == releases
    assert package["extensions"] == [schemas.BIDS_EXTENSION_URL]
    record = client.get(f"/api/v1/projects/{project.id}/record").get_json()
    assert errors("record-package", record) == []
    compiled = record["records"][0]["compiledRelease"]
    assert errors("release", compiled) == [] and compiled["tag"] == ["compiled"]
    assert [a["status"] for a in compiled["awards"]] == ["cancelled", "active"]
    # both announcements, the withdrawn result announcement and the new one
    assert [d["documentType"] for d in compiled["tender"]["documents"]] == ["tenderNotice"] * 2 + ["awardNotice"] * 2
    assert [r["url"].rsplit("#", 1)[1] for r in record["records"][0]["releases"]] == [r["id"] for r in releases]


def test_cancellation_and_failure_releases_validate(app, clock):
    buyer = make_buyer()
    cancelled = stored_releases(cancelled_project(clock, buyer))
    assert [r["tag"] for r in cancelled] == [["tender"], ["tenderUpdate"], ["tenderCancellation"], ["tenderUpdate"]]
    assert [r["tender"]["status"] for r in cancelled] == ["active", "active", "cancelled", "cancelled"]
    notice = cancelled[-1]["tender"]["documents"][-1]
    assert notice["documentType"] == "cancellationDetails" and notice["description"] == "采购需求发生变化"
    assert all("bids" not in r for r in cancelled)  # cancelled before the opening: nothing of the quotes
    failed = stored_releases(failed_project(clock, buyer).project)
    assert [r["tag"] for r in failed] == [["tender"], ["tenderUpdate"], ["tenderUpdate"], ["tenderUpdate"]]
    assert failed[-1]["tender"]["status"] == "unsuccessful"
    assert failed[-1]["bids"]["statistics"] == [
        {"id": "bids", "measure": "bids", "value": 5}, {"id": "validBids", "measure": "validBids", "value": 2}
    ]
    assert failed[-1]["tender"]["documents"][-1]["documentType"] == "cancellationDetails"
    _assert_valid_and_coded(cancelled + failed)
    client = app.test_client()
    for project_id in {r["ocid"].rsplit("-", 1)[1] for r in cancelled + failed}:
        assert errors("release-package", client.get(f"/api/v1/projects/{project_id}/releases").get_json()) == []
        assert errors("record-package", client.get(f"/api/v1/projects/{project_id}/record").get_json()) == []


def test_a_stored_release_never_changes_and_is_served_the_same_every_time(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    client = app.test_client()
    first = client.get(f"/api/v1/projects/{project.id}/releases")
    again = client.get(f"/api/v1/projects/{project.id}/releases")
    assert first.data == again.data and first.headers["ETag"] == again.headers["ETag"]
    early = first.get_json()["releases"]
    projects.amend(project, {"title": "更正后的标题"}, "更正标题", "标题有误", buyer)
    later = client.get(f"/api/v1/projects/{project.id}/releases")
    assert later.headers["ETag"] != first.headers["ETag"]
    releases = later.get_json()["releases"]
    assert releases[: len(early)] == early  # the earlier releases, byte for byte the same content
    assert releases[0]["tender"]["title"] != "更正后的标题" and releases[-2]["tender"]["title"] == "更正后的标题"


def test_a_draft_has_no_release_and_the_ocid_prefix_is_configured(app, clock):
    buyer = make_buyer()
    draft = make_project(buyer, clock, publish=False)
    assert stored_releases(draft) == []
    assert app.test_client().get(f"/api/v1/projects/{draft.id}/releases").status_code == 404
    app.config["OCID_PREFIX"] = "ocds-abc123"
    published = make_project(buyer, clock, code="TEST-PREFIX")
    assert stored_releases(published)[0]["ocid"] == f"ocds-abc123-{published.id}"


def _delete_releases(*projects_) -> None:
    """As before migration ocds01: the projects' releases gone, everything else kept."""
    db.session.query(OcdsRelease).filter(OcdsRelease.project_id.in_([p.id for p in projects_])).delete(synchronize_session=False)
    db.session.commit()


def test_flask_ocds_backfill_gives_each_project_without_releases_one_from_its_state_now(app, clock):
    built = awarded_world(clock)
    awarded = built.project
    buyer = built.buyer
    cancelled = cancelled_project(clock, buyer)
    early = make_project(buyer, clock, code="TEST-EARLY")  # published, not yet opened
    kept = make_project(buyer, clock, code="TEST-KEPT")  # has its releases: untouched
    draft = make_project(buyer, clock, code="TEST-DRAFT", publish=False)
    kept_before = [(r.release_id, r.body) for r in db.session.query(OcdsRelease).filter_by(project_id=kept.id).order_by(OcdsRelease.seq)]
    _delete_releases(awarded, cancelled, early)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["ocds", "backfill"])
    assert result.exit_code == 0, result.output
    assert result.output == "Backfilled 3 OCDS releases.\n"
    (award_release,) = stored_releases(awarded)
    (cancel_release,) = stored_releases(cancelled)
    (early_release,) = stored_releases(early)
    assert stored_releases(draft) == []
    assert [(r.release_id, r.body) for r in db.session.query(OcdsRelease).filter_by(project_id=kept.id).order_by(OcdsRelease.seq)] == kept_before
    _assert_valid_and_coded([award_release, cancel_release, early_release])
    assert [award_release["tag"], cancel_release["tag"], early_release["tag"]] == [["award"], ["tenderCancellation"], ["tender"]]
    assert award_release["id"] == f"ocds-demo00-{awarded.id}-0001"
    assert {row.source for row in db.session.query(OcdsRelease).filter(OcdsRelease.project_id.in_([awarded.id, cancelled.id, early.id]))} == {"backfill"}
    # before the opening: no tenderer, no bid, no amount anywhere
    for before in (early_release, cancel_release):
        assert "bids" not in before and "awards" not in before and "tenderers" not in before["tender"]
        assert '"amount"' not in json.dumps(before) and '"value"' not in json.dumps(before)
    assert cancel_release["tender"]["status"] == "cancelled" and early_release["tender"]["status"] == "active"
    # after the result: bids without amounts, awards with their values, as the state stands now
    assert all(set(bid) == {"id", "date", "status", "tenderers"} for bid in award_release["bids"]["details"])
    assert '"amount"' not in json.dumps(award_release["bids"]) and '"amount"' not in json.dumps(award_release["tender"])
    assert [(a["status"], a["value"]) for a in award_release["awards"]] == [
        ("cancelled", {"amount": 7037.5, "currency": "CNY"}), ("active", {"amount": 7270.0, "currency": "CNY"})
    ]
    assert award_release["tender"]["status"] == "complete"
    client = app.test_client()
    for project in (awarded, cancelled, early):
        assert errors("release-package", client.get(f"/api/v1/projects/{project.id}/releases").get_json()) == []
        assert errors("record-package", client.get(f"/api/v1/projects/{project.id}/record").get_json()) == []

    total = db.session.query(OcdsRelease).count()
    again = runner.invoke(args=["ocds", "backfill"])
    assert again.exit_code == 0 and again.output == "Backfilled 0 OCDS releases.\n"
    assert db.session.query(OcdsRelease).count() == total
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # each backfill audited on its project's chain


def test_a_backfilled_project_keeps_its_ocid_and_numbering_at_its_next_event(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    _delete_releases(project)
    app.config["OCID_PREFIX"] = "ocds-abc123"
    assert app.test_cli_runner().invoke(args=["ocds", "backfill"]).output == "Backfilled 1 OCDS release.\n"
    app.config["OCID_PREFIX"] = "ocds-xyz789"
    projects.amend(project, {"title": "更正后的标题"}, "更正标题", "标题有误", buyer)
    releases = stored_releases(project)
    assert [r["tag"] for r in releases][:2] == [["tender"], ["tenderAmendment"]]
    assert [r["id"] for r in releases][:2] == [f"ocds-abc123-{project.id}-0001", f"ocds-abc123-{project.id}-0002"]
    assert releases[1]["tender"]["amendments"][0]["amendsReleaseID"] == releases[0]["id"]
