"""Reading a bill of quantities from spreadsheet rows."""
from decimal import Decimal

import pytest

from procurement.domain.boq import BoqImportError, parse_boq_rows

HEADER = ["品名", "规格型号", "单位", "数量", "最高限价"]


def test_reads_rows_with_chinese_headers_and_optional_ceiling():
    rows = parse_boq_rows([HEADER, ["复印纸", "A4 70g", "包", "1200", "28.00"], ["中性笔", "", "盒", 300.0, None]])
    assert [(r.name, r.quantity, r.ceiling_unit_price) for r in rows] == [
        ("复印纸", Decimal("1200.000"), Decimal("28.00")),
        ("中性笔", Decimal("300.000"), None),
    ]


def test_english_headers_and_blank_lines():
    rows = parse_boq_rows([["name", "unit", "quantity"], [], ["A4 paper", "pack", "10"]])
    assert rows[0].line == 3 and rows[0].unit == "pack"


def test_every_bad_row_is_named_and_nothing_is_returned():
    with pytest.raises(BoqImportError) as caught:
        parse_boq_rows([HEADER, ["复印纸", "", "包", "10", ""], ["", "", "个", "abc", "-1"], ["硒鼓", "", "个", "5", "1.234"]])
    lines = sorted({error.line for error in caught.value.errors})
    assert lines == [3, 4]
    messages = [error.message % error.params for error in caught.value.errors]
    assert any("第 3 行：缺少品名" in m for m in messages)
    assert any(m.startswith("第 4 行，最高限价") for m in messages)


def test_missing_required_column_is_reported_on_the_header():
    with pytest.raises(BoqImportError) as caught:
        parse_boq_rows([["品名", "规格型号"], ["复印纸", "A4"]])
    assert caught.value.errors[0].line == 1
    assert "单位" in caught.value.errors[0].message % caught.value.errors[0].params


def test_empty_file_is_an_error():
    with pytest.raises(BoqImportError):
        parse_boq_rows([])
    with pytest.raises(BoqImportError):
        parse_boq_rows([HEADER])
