"""Credit blacklists: name normalisation, the all-or-nothing CSV import and matching."""
from datetime import date

import pytest
from stdnum.cn import uscc as stdnum_uscc

from procurement.domain.credit import (
    LIST_KINDS,
    BlacklistImportError,
    BlacklistRow,
    CreditHit,
    check_credit,
    normalise_name,
    parse_blacklist_csv,
)


def make_uscc(division: str = "540102", serial: str = "MA6T00001") -> str:
    """A USCC whose check character stdnum computes (never a hand-typed one)."""
    base = "91" + division + serial
    number = base + stdnum_uscc.calc_check_digit(base)
    assert stdnum_uscc.is_valid(number)
    return number


USCC_A = make_uscc(serial="MA6T00001")
USCC_B = make_uscc(serial="MA6T00002")


def entry(name="拉萨市某某（集团）有限公司", uscc=None, list_kind="dishonest_debtor", listed_from=None, listed_until=None):
    return BlacklistRow(
        line=2,
        name=name,
        uscc=uscc,
        list_kind=list_kind,
        source="信用中国",
        listed_from=listed_from,
        listed_until=listed_until,
    )


# --- normalise_name -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "拉萨市某某 (集团) 有限公司",
        "拉萨市某某【集团】有限公司",
        "拉萨市某某〔集团〕有限公司",
        "拉萨市某某［集团］有限公司",
        "拉萨市某某《集团》有限公司",
        "拉萨市某某<集团>有限公司",
        "\u3000拉萨市某某\u3000（集团）\t有限公司 ",
        "拉萨市某某(集团)有限\u200b公司",
    ],
)
def test_bracket_and_space_variants_normalise_equal(variant):
    assert normalise_name(variant) == normalise_name("拉萨市某某（集团）有限公司") == "拉萨市某某(集团)有限公司"


def test_full_width_latin_is_folded_and_casefolded():
    assert normalise_name("ＡＢＣ办公用品（拉萨）有限公司") == normalise_name("abc办公用品(拉萨)有限公司")
    assert normalise_name("ＡＢＣ") == "abc"


def test_different_names_stay_different():
    assert normalise_name("拉萨市某某有限公司") != normalise_name("拉萨市某某（集团）有限公司")


# --- parse_blacklist_csv ----------------------------------------------------------------------


def test_parses_english_headers_with_bom_and_either_list_spelling():
    text = (
        "\ufeffname,uscc,list,source,listed_from,listed_until\r\n"
        f"拉萨市某某有限公司,{USCC_A.lower()},dishonest_debtor,最高人民法院,2024-01-01,2025-12-31\r\n"
        "西藏某商贸有限公司,,重大税收违法失信主体,国家税务总局,,\r\n"
        "\r\n"
        "某某办公用品店,,政府采购严重违法失信行为记录名单,中国政府采购网,2023-05-06,\r\n"
    )
    rows = parse_blacklist_csv(text)

    assert rows == [
        BlacklistRow(2, "拉萨市某某有限公司", USCC_A, "dishonest_debtor", "最高人民法院", date(2024, 1, 1), date(2025, 12, 31)),
        BlacklistRow(3, "西藏某商贸有限公司", None, "tax_violation", "国家税务总局", None, None),
        BlacklistRow(5, "某某办公用品店", None, "procurement_violation", "中国政府采购网", date(2023, 5, 6), None),
    ]


def test_parses_chinese_headers_in_any_order():
    text = "名单,名称,统一社会信用代码,来源,移出日期,列入日期\n失信被执行人,拉萨市某某有限公司,,法院,,2024-03-01\n"
    (row,) = parse_blacklist_csv(text)
    assert (row.list_kind, row.name, row.listed_from, row.listed_until) == (
        "dishonest_debtor",
        "拉萨市某某有限公司",
        date(2024, 3, 1),
        None,
    )


def test_one_bad_row_is_reported_by_line_and_nothing_is_returned():
    text = (
        "name,uscc,list,source,listed_from,listed_until\n"
        "甲公司,,dishonest_debtor,法院,2024-01-01,\n"
        "乙公司,,no_such_list,法院,2024-01-01,\n"
        "丙公司,,tax_violation,税务,2024-01-01,\n"
    )
    with pytest.raises(BlacklistImportError) as caught:
        parse_blacklist_csv(text)

    error = caught.value
    assert [(e.line, e.message, e.params) for e in error.errors] == [
        (3, "未知的名单类型“%(value)s”。", {"value": "no_such_list"})
    ]
    assert error.code == "blacklist_import_invalid"
    assert error.params == {"count": 1}


def test_every_bad_row_is_reported():
    bad_uscc = USCC_A[:-1] + ("0" if USCC_A[-1] != "0" else "1")
    assert not stdnum_uscc.is_valid(bad_uscc)
    text = (
        "name,uscc,list,source,listed_from,listed_until\n"
        ",,dishonest_debtor,法院,,\n"
        f"乙公司,{bad_uscc},dishonest_debtor,法院,,\n"
        "丙公司,,,法院,,\n"
        "丁公司,,tax_violation,税务,2024/01/01,2024-02-30\n"
        "戊公司,,tax_violation,税务,2024-05-01,2024-04-30\n"
        "己公司,,tax_violation,税务,,,extra\n"
    )
    with pytest.raises(BlacklistImportError) as caught:
        parse_blacklist_csv(text)

    found = [(e.line, e.message) for e in caught.value.errors]
    assert found == [
        (2, "缺少名称。"),
        (3, "统一社会信用代码“%(value)s”无效。"),
        (4, "缺少名单类型。"),
        (5, "列入日期“%(value)s”无效，格式应为 YYYY-MM-DD。"),
        (5, "移出日期“%(value)s”无效，格式应为 YYYY-MM-DD。"),
        (6, "移出日期 %(listed_until)s 早于列入日期 %(listed_from)s。"),
        (7, "该行有 %(count)s 列，多于表头的 %(expected)s 列。"),
    ]


def test_a_row_spanning_lines_is_reported_where_it_starts():
    text = 'name,list\n"甲公司\n（拉萨）",dishonest_debtor\n乙公司,unknown\n'
    with pytest.raises(BlacklistImportError) as caught:
        parse_blacklist_csv(text)
    assert [e.line for e in caught.value.errors] == [4]


@pytest.mark.parametrize("text", ["", "\ufeff", "name,uscc,list,source,listed_from,listed_until\n", "name,list\n\n,\n"])
def test_a_file_without_data_rows_is_an_error(text):
    with pytest.raises(BlacklistImportError) as caught:
        parse_blacklist_csv(text)
    assert len(caught.value.errors) == 1


def test_header_problems_are_reported_on_line_1():
    with pytest.raises(BlacklistImportError) as caught:
        parse_blacklist_csv("名称,名称,uscc,lisetd_from\n甲公司,甲公司,,\n")
    assert [(e.line, e.message) for e in caught.value.errors] == [
        (1, "表头中的列“%(column)s”重复。"),
        (1, "表头含有无法识别的列：%(columns)s。"),
        (1, "表头缺少必需的列：%(columns)s。"),
    ]


def test_list_kinds_have_the_notices_names():
    assert LIST_KINDS == {
        "dishonest_debtor": "失信被执行人",
        "tax_violation": "重大税收违法失信主体",
        "procurement_violation": "政府采购严重违法失信行为记录名单",
    }


# --- check_credit -----------------------------------------------------------------------------


def test_matches_by_uscc_whatever_the_name():
    hits = check_credit(f" {USCC_A.lower()} ", "完全不同的名称", [entry(uscc=USCC_A)], date(2025, 1, 2))
    assert hits == (CreditHit("dishonest_debtor", "uscc", "拉萨市某某（集团）有限公司", USCC_A, "信用中国"),)


def test_matches_by_normalised_name():
    hits = check_credit(USCC_B, "拉萨市某某【集团】有限公司", [entry(uscc=USCC_A, list_kind="tax_violation")], date(2025, 1, 2))
    assert [(hit.list_kind, hit.matched_by) for hit in hits] == [("tax_violation", "name")]


def test_no_match_for_other_names_and_codes():
    assert check_credit(USCC_B, "拉萨市另一家有限公司", [entry(uscc=USCC_A)], date(2025, 1, 2)) == ()


@pytest.mark.parametrize(
    ("on", "listed"),
    [
        (date(2024, 12, 31), False),
        (date(2025, 1, 1), True),
        (date(2025, 6, 30), True),
        (date(2025, 7, 1), False),
    ],
)
def test_an_entry_counts_only_within_its_dates_inclusive(on, listed):
    entries = [entry(uscc=USCC_A, listed_from=date(2025, 1, 1), listed_until=date(2025, 6, 30))]
    assert bool(check_credit(USCC_A, "甲", entries, on)) is listed


def test_open_ended_dates():
    entries = [
        entry(uscc=USCC_A, listed_until=date(2020, 1, 1), list_kind="dishonest_debtor"),
        entry(uscc=USCC_A, listed_from=date(2024, 1, 1), list_kind="tax_violation"),
    ]
    assert [hit.list_kind for hit in check_credit(USCC_A, "甲", entries, date(2019, 6, 1))] == ["dishonest_debtor"]
    assert [hit.list_kind for hit in check_credit(USCC_A, "甲", entries, date(2030, 1, 1))] == ["tax_violation"]


def test_one_hit_per_list_entry_on_several_lists():
    entries = [entry(uscc=USCC_A), entry(uscc=USCC_A, list_kind="procurement_violation"), entry(uscc=USCC_A)]
    hits = check_credit(USCC_A, "拉萨市某某(集团)有限公司", entries, date(2025, 1, 2))
    assert [(hit.list_kind, hit.matched_by) for hit in hits] == [
        ("dishonest_debtor", "uscc"),
        ("procurement_violation", "uscc"),
    ]


def test_imported_rows_feed_the_check():
    rows = parse_blacklist_csv(f"name,uscc,list\n拉萨市某某 (集团) 有限公司,{USCC_A},失信被执行人\n")
    assert check_credit(USCC_A, "x", rows, date(2025, 1, 2))[0].matched_by == "uscc"
    assert check_credit(USCC_B, "拉萨市某某（集团）有限公司", rows, date(2025, 1, 2))[0].matched_by == "name"
