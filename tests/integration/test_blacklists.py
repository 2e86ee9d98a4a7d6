"""Credit blacklists: CSV imports as dated versions (all or nothing), in the browser and with ``flask blacklist``."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from procurement.extensions import db
from procurement.models import AuditEvent, BlacklistEntry, BlacklistImport
from procurement.services import credit
from tests.conftest import AuthActions, csrf_token
from tests.factories import blacklist_csv, make_blacklist, make_buyer, valid_uscc

USCC = valid_uscc()
GOOD_ROWS = [
    {"name": "拉萨某某商贸有限公司", "uscc": USCC, "list": "失信被执行人", "source": "中国执行信息公开网", "listed_from": "2024-03-01"},
    {"name": "西藏某某（集团）有限公司", "list": "dishonest_debtor", "source": "信用中国", "listed_from": "2023-05-10", "listed_until": "2026-05-09"},
]


@pytest.fixture
def buyer(app):
    return make_buyer()


@pytest.fixture
def signed_in(client, buyer):
    AuthActions(client).login(buyer.email)
    return buyer


def upload(client, list_kind: str, data: bytes, filename: str = "list.csv"):
    """POST the import form of ``list_kind`` as the browser does (its fields carry the list as prefix)."""
    token = csrf_token(client, "/buyer/blacklists")
    return client.post(
        f"/buyer/blacklists/{list_kind}/import",
        data={f"{list_kind}-csrf_token": token, f"{list_kind}-file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(BlacklistImport)),
        db.session.scalar(sa.select(sa.func.count()).select_from(BlacklistEntry)),
    )


def test_the_page_offers_an_import_form_per_list(client, signed_in):
    html = client.get("/buyer/blacklists").get_data(as_text=True)
    for kind, label in (("dishonest_debtor", "失信被执行人"), ("tax_violation", "重大税收违法失信主体"), ("procurement_violation", "政府采购严重违法失信行为记录名单")):
        assert f'action="/buyer/blacklists/{kind}/import"' in html
        assert label in html
    assert html.count("尚未导入") >= 3


def test_a_good_csv_becomes_a_dated_version_with_its_entries(client, signed_in, clock):
    response = upload(client, "dishonest_debtor", blacklist_csv(GOOD_ROWS), "失信被执行人-2024-12.csv")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已导入“失信被执行人”新版本（第 1 版），共 2 条。" in page

    version = db.session.scalar(sa.select(BlacklistImport))
    assert version.list_kind == "dishonest_debtor"
    assert version.imported_at == clock.now()
    assert version.source_filename == "失信被执行人-2024-12.csv"
    assert version.row_count == 2 and len(version.sha256) == 64
    entries = credit.entries_of(version)
    assert [e.normalised_name for e in entries] == ["拉萨某某商贸有限公司", "西藏某某(集团)有限公司"]
    assert entries[0].uscc == USCC
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "blacklist.import")) is not None

    detail = client.get(f"/buyer/blacklists/versions/{version.id}")
    assert detail.status_code == 200
    html = detail.get_data(as_text=True)
    assert "西藏某某（集团）有限公司" in html and USCC in html
    assert "2026年5月9日" in html and "当前版本" in html


def test_a_csv_with_one_bad_row_changes_nothing_and_names_the_row(client, signed_in):
    make_blacklist("dishonest_debtor", actor=signed_in)
    before = counts()
    rows = GOOD_ROWS + [{"name": "坏行有限公司", "uscc": "91540102MA6T00001Z", "list": "失信被执行人"}] + GOOD_ROWS[:1]
    response = upload(client, "dishonest_debtor", blacklist_csv(rows))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "名单文件有 1 处错误，未导入任何记录。" in html
    assert "第 4 行：统一社会信用代码“91540102MA6T00001Z”无效。" in html
    assert "第 2 行" not in html and "第 3 行" not in html and "第 5 行" not in html
    assert counts() == before


def test_every_bad_row_is_reported_at_once(client, signed_in):
    text = (
        "名称,统一社会信用代码,名单,来源,列入日期,移出日期\n"
        ",,失信被执行人,,,\n"  # line 2: no name
        "甲公司,,失信被执行人,,2024/01/01,\n"  # line 3: date format
        "乙公司,,某某名单,,,\n"  # line 4: unknown list
        "丙公司,,重大税收违法失信主体,,,\n"  # line 5: another list than the one imported
        "丁公司,,失信被执行人,,2024-05-01,2024-04-01\n"  # line 6: ends before it starts
    ).encode("utf-8")
    response = upload(client, "dishonest_debtor", text)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "第 2 行：缺少名称。" in html
    assert "第 3 行：列入日期“2024/01/01”无效，格式应为 YYYY-MM-DD。" in html
    assert "第 4 行：未知的名单类型“某某名单”。" in html
    assert "第 5 行：该行属于“重大税收违法失信主体”，不是所导入的“失信被执行人”。" in html
    assert "第 6 行：移出日期 2024-04-01 早于列入日期 2024-05-01。" in html
    assert counts() == (0, 0)


def test_a_file_of_another_list_is_refused(client, signed_in):
    response = upload(client, "tax_violation", blacklist_csv(GOOD_ROWS))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "第 2 行：该行属于“失信被执行人”，不是所导入的“重大税收违法失信主体”。" in html
    assert "第 3 行" in html
    assert counts() == (0, 0)


def test_a_gbk_export_with_chinese_headers_is_read(client, signed_in):
    text = "名称,统一社会信用代码,名单,来源,列入日期,移出日期\n拉萨（高原）纸业有限公司,,政府采购严重违法失信行为记录名单,中国政府采购网,2024-01-01,\n"
    response = upload(client, "procurement_violation", text.encode("gb18030"))
    assert response.status_code == 302
    entry = db.session.scalar(sa.select(BlacklistEntry))
    assert entry.name == "拉萨（高原）纸业有限公司"
    assert entry.normalised_name == "拉萨(高原)纸业有限公司"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "是空的，请重新选择。"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "的内容不是允许的格式（CSV）"),
        (b"name,list\n", "第 2 行：文件中没有数据行。"),
        (b"company,list\nx,y\n", "第 1 行：表头含有无法识别的列：company。"),
    ],
    ids=["empty", "binary", "header-only", "bad-header"],
)
def test_unusable_files_are_explained_not_500(client, signed_in, data, message):
    response = upload(client, "dishonest_debtor", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts() == (0, 0)


def test_no_file_chosen_is_asked_for(client, signed_in):
    response = upload(client, "dishonest_debtor", b"", filename="")
    assert response.status_code == 400
    assert "请选择要导入的 CSV 文件。" in response.get_data(as_text=True)


def test_an_unknown_list_or_version_is_404(client, signed_in):
    assert upload(client, "no_such_list", blacklist_csv(GOOD_ROWS)).status_code == 404
    assert client.get("/buyer/blacklists/versions/99").status_code == 404


def test_each_import_is_a_new_version_and_checks_read_the_latest(app, buyer):
    first = make_blacklist("dishonest_debtor", [{"name": "拉萨某某商贸有限公司", "uscc": USCC}], actor=buyer)
    assert credit.check_registration_credit(USCC, "别的名字").hits[0].matched_by == "uscc"
    second = make_blacklist("dishonest_debtor", [{"name": "另一家公司"}], actor=buyer)
    found = credit.check_registration_credit(USCC, "拉萨某某商贸有限公司")
    assert found.hits == ()
    assert found.list_versions == {"dishonest_debtor": second.id}
    assert second.id != first.id
    assert len(credit.entries_of(first)) == 1  # older versions stay as evidence


def test_the_flask_command_imports_a_version(runner, tmp_path):
    path = tmp_path / "debtors.csv"
    path.write_bytes(blacklist_csv(GOOD_ROWS))
    result = runner.invoke(args=["blacklist", "import", "dishonest_debtor", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 entries into dishonest_debtor as version 1." in result.output
    assert counts() == (1, 2)
    version = db.session.scalar(sa.select(BlacklistImport))
    assert version.source_filename == "debtors.csv" and version.imported_by_id is None


def test_the_flask_command_accepts_the_chinese_list_name(runner, tmp_path):
    path = tmp_path / "tax.csv"
    path.write_bytes(blacklist_csv([{"name": "某公司", "list": "重大税收违法失信主体"}]))
    result = runner.invoke(args=["blacklist", "import", "重大税收违法失信主体", str(path)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(BlacklistImport.list_kind)) == "tax_violation"


def test_the_flask_command_with_a_bad_row_changes_nothing_and_names_the_row(runner, tmp_path):
    path = tmp_path / "debtors.csv"
    path.write_bytes(blacklist_csv(GOOD_ROWS + [{"name": "", "list": "失信被执行人"}]))
    result = runner.invoke(args=["blacklist", "import", "dishonest_debtor", str(path)])
    assert result.exit_code == 1
    assert "第 4 行：缺少名称。" in result.output
    assert counts() == (0, 0)


def test_the_flask_command_refuses_an_unknown_list(runner, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(blacklist_csv(GOOD_ROWS))
    result = runner.invoke(args=["blacklist", "import", "no_such_list", str(path)])
    assert result.exit_code == 2
    assert "unknown list" in result.output
    assert counts() == (0, 0)
