"""The OCDS output without an app: exact JSON numbers, the schema with bids merged in, and a release
built from a snapshot before and after the opening."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from procurement.domain.schedule import BEIJING
from procurement.ocds import jsontext, schemas
from procurement.ocds.releases import BidEntry, ItemLine, Organisation, ProcessSnapshot, Settings, build_release

AT = datetime(2024, 12, 25, 9, 0, tzinfo=BEIJING)


def test_decimals_are_written_exactly_and_floats_refused():
    assert jsontext.dumps({"amount": Decimal("7173.50"), "n": 3, "ok": True, "x": None, "s": "拉萨"}) == (
        '{"amount":7173.50,"n":3,"ok":true,"x":null,"s":"拉萨"}'
    )
    assert jsontext.dumps([Decimal("0.10"), Decimal("12345678901234.99")]) == "[0.10,12345678901234.99]"
    assert jsontext.loads("[7173.50]") == [Decimal("7173.50")]
    for bad in (1.5, Decimal("NaN"), AT, {1: "x"}):
        with pytest.raises(TypeError):
            jsontext.dumps(bad)


def test_the_release_schema_has_the_bids_extension_merged_in():
    schema = schemas.release_schema()
    assert schema["properties"]["bids"] == {"title": "Bids", "description": schema["properties"]["bids"]["description"], "$ref": "#/definitions/Bids"}
    assert "relatedBid" in schema["definitions"]["Award"]["properties"] and "value" in schema["definitions"]["Award"]["properties"]
    assert "bids" not in schemas.load("release-schema.json")["properties"]  # the file itself is untouched
    assert {"pending", "valid", "disqualified"} <= schemas.codelist("bidStatus.csv")


def _snapshot(**changes) -> ProcessSnapshot:
    values = dict(
        project_id=7, code="XZRB-1", title="办公用品", buyer_name="西藏日报社", method="询比价", description="详见公告",
        status="published", published_at=AT, opening_at=datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING), notice_ends=date(2024, 12, 31),
        contact_name="措姆", contact_phone="13618906639", items=(ItemLine(1, "复印纸", "A4", "包", Decimal("100.000")),),
    )
    values.update(changes)
    return ProcessSnapshot(**values)


def test_a_release_before_the_opening_names_no_tenderer_and_after_it_names_them():
    settings = Settings("ocds-demo00")
    before = build_release(_snapshot(), settings, release_id="r1", at=AT, tags=["tender"])
    assert before["ocid"] == "ocds-demo00-7" and before["date"] == "2024-12-25T09:00:00+08:00" and before["language"] == "zh"
    assert "bids" not in before and "tenderers" not in before["tender"] and len(before["parties"]) == 1
    assert before["tender"]["items"] == [{"id": "1", "description": "复印纸（A4）", "quantity": 100, "unit": {"name": "包"}}]
    assert before["tender"]["enquiryPeriod"]["endDate"] == "2024-12-31T23:59:59+08:00"
    bid = BidEntry(3, AT, Organisation("拉萨甲公司", "91540102MA6T00000X", "company-1"), "pending")
    after = build_release(_snapshot(status="opened", bids=(bid,)), settings, release_id="r2", at=AT, tags=["tenderUpdate"])
    assert after["tender"]["numberOfTenderers"] == 1 and after["tender"]["tenderers"] == [{"id": "CN-USCC-91540102MA6T00000X", "name": "拉萨甲公司"}]
    assert after["parties"][1]["identifier"] == {"scheme": "CN-USCC", "id": "91540102MA6T00000X", "legalName": "拉萨甲公司"}
    assert after["bids"]["details"][0]["status"] == "pending" and "value" not in after["bids"]["details"][0]
