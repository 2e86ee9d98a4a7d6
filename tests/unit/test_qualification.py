"""Automatic qualification checks at registration, criterion by criterion."""
from dataclasses import replace
from datetime import date

import pytest
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from procurement.domain.credit import CreditHit
from procurement.domain.qualification import (
    ARTICLE22_DECLARATIONS,
    CRITERIA,
    DOCUMENT_KINDS,
    CheckResult,
    ListVersion,
    RegistrationFacts,
    default_criteria,
    overall_status,
    required_documents,
    run_checks,
)
from procurement.formatting import translate


def text_of(result) -> str:
    """The result as the page shows it (in Chinese): the params carry messages of their own."""
    return translate(result.message, result.params)


def make_uscc(division: str = "540102", serial: str = "MA6T00001") -> str:
    """A USCC whose check character stdnum computes (never a hand-typed one)."""
    base = "91" + division + serial
    number = base + stdnum_uscc.calc_check_digit(base)
    assert stdnum_uscc.is_valid(number)
    return number


def make_resident_id(division: str = "540102", birth: str = "19850614", sequence: str = "123") -> str:
    """A resident ID number whose check digit stdnum computes."""
    base = division + birth + sequence
    number = base + stdnum_ric.calc_check_digit(base + "0")
    assert stdnum_ric.is_valid(number)
    return number


ALL = tuple(criterion.key for criterion in CRITERIA)
BASIC_DOCUMENTS = frozenset({"business_licence", "bank_permit", "legal_rep_id", "premises_proof"})


def facts(**overrides) -> RegistrationFacts:
    good = RegistrationFacts(
        uscc=make_uscc(),
        legal_rep_id=make_resident_id(),
        via_agent=False,
        agent_id=None,
        consortium=False,
        declarations={key: True for key in ARTICLE22_DECLARATIONS},
        documents=BASIC_DOCUMENTS,
        premises_division="540102",
        premises_address="拉萨市城关区北京中路1号",
        credit_hits=(),
    )
    return replace(good, **overrides)


def result(results, criterion) -> CheckResult:
    (found,) = [r for r in results if r.criterion == criterion]
    return found


def test_criteria_keys_and_labels_in_order():
    assert [(c.key, c.label) for c in CRITERIA] == [
        ("article22", "《政府采购法》第二十二条规定的条件"),
        ("credit", "信用记录：未被列入失信名单"),
        ("no_consortium", "不接受联合体投标"),
        ("lhasa_premises", "在拉萨有固定的实体经营场所"),
        ("documents", "报名资料齐全"),
        ("identifiers", "证照号码有效"),
    ]
    assert default_criteria() == ALL


def test_article22_has_the_notices_six_conditions():
    assert list(ARTICLE22_DECLARATIONS) == [f"decl{n}" for n in range(1, 7)]
    assert ARTICLE22_DECLARATIONS["decl5"] == "参加政府采购活动前三年内，在经营活动中没有重大违法记录"
    assert ARTICLE22_DECLARATIONS["decl6"] == "法律、行政法规规定的其他条件"


def test_a_complete_registration_passes_every_criterion():
    results = run_checks(facts(), ALL)

    assert [r.criterion for r in results] == list(ALL)
    assert {r.status for r in results} == {"pass"}
    assert all(r.message for r in results)
    assert result(results, "article22").message == "六项声明均已确认。"
    assert result(results, "lhasa_premises").params["registration_division"] == "拉萨市城关区"
    assert overall_status(results) == "accepted"


def test_results_follow_criteria_order_whatever_the_request_order():
    results = run_checks(facts(), ["identifiers", "credit", "article22"])
    assert [r.criterion for r in results] == ["article22", "credit", "identifiers"]


def test_unknown_criterion_is_a_programming_error():
    with pytest.raises(ValueError):
        run_checks(facts(), ["article23"])


def test_consortium_is_refused_with_the_notices_wording():
    (found,) = run_checks(facts(consortium=True), ["no_consortium"])
    assert (found.status, found.message) == ("fail", "本项目不接受联合体投标。")
    assert overall_status([found]) == "rejected"


def test_each_unaffirmed_declaration_is_named():
    declarations = {key: True for key in ARTICLE22_DECLARATIONS} | {"decl2": False}
    declarations.pop("decl5")
    (found,) = run_checks(facts(declarations=declarations), ["article22"])

    assert found.status == "fail"
    assert found.message == "以下声明未确认：%(missing)s。"
    assert found.params["missing_keys"] == ("decl2", "decl5")
    assert "具有良好的商业信誉和健全的财务会计制度" in text_of(found)
    assert "在经营活动中没有重大违法记录" in text_of(found)


def test_missing_documents_are_each_named():
    results = run_checks(facts(documents=frozenset({"business_licence"})), ["documents", "lhasa_premises"])
    found = result(results, "documents")
    assert found.status == "fail"
    assert found.params["missing_keys"] == ("bank_permit", "legal_rep_id", "premises_proof")
    assert text_of(found) == "缺少以下资料：开户许可证复印件、法定代表人身份证复印件、经营场所证明（租赁合同或房产证）。"


def test_an_agent_needs_the_authorisation_and_an_id():
    (found,) = run_checks(facts(via_agent=True, agent_id=make_resident_id(sequence="456")), ["documents"])
    assert found.params["missing_keys"] == ("authorisation", "agent_id")
    documents = BASIC_DOCUMENTS | {"authorisation", "agent_id"}
    (found,) = run_checks(facts(via_agent=True, agent_id=make_resident_id(sequence="456"), documents=documents), ["documents"])
    assert found.status == "pass"


def test_required_documents():
    assert required_documents(False) == ("business_licence", "bank_permit", "legal_rep_id", "premises_proof")
    assert required_documents(True)[-2:] == ("authorisation", "agent_id")
    assert "premises_proof" not in required_documents(False, premises=False)
    assert set(required_documents(True)) == set(DOCUMENT_KINDS)


def test_premises_proof_is_not_required_when_the_project_drops_the_premises_criterion():
    (found,) = run_checks(facts(documents=BASIC_DOCUMENTS - {"premises_proof"}), ["documents"])
    assert found.status == "pass"


def test_invalid_identifiers_are_each_named():
    good_uscc = make_uscc()
    bad_uscc = good_uscc[:-1] + ("0" if good_uscc[-1] != "0" else "1")
    bad_id = make_resident_id()[:-1] + ("0" if make_resident_id()[-1] != "0" else "1")
    assert not stdnum_uscc.is_valid(bad_uscc) and not stdnum_ric.is_valid(bad_id)
    results = run_checks(facts(uscc=bad_uscc, legal_rep_id=bad_id, via_agent=True, agent_id=None), ALL)
    found = result(results, "identifiers")
    assert found.status == "fail"
    assert found.params["invalid_keys"] == ("uscc", "legal_rep_id", "agent_id")
    assert text_of(found) == "以下号码无效或缺失：统一社会信用代码、法定代表人身份证号码、经办人身份证号码。"
    # An invalid USCC has no registration division; the premises check still runs on the premises.
    assert result(results, "lhasa_premises").status == "pass"


def test_valid_agent_id_passes():
    (found,) = run_checks(facts(via_agent=True, agent_id=make_resident_id(sequence="456")), ["identifiers"])
    assert found.status == "pass"


def test_credit_hits_fail_naming_each_list_and_match():
    hits = (
        CreditHit("dishonest_debtor", "uscc", "拉萨市某某有限公司", make_uscc(), "最高人民法院"),
        CreditHit("tax_violation", "name", "拉萨市某某有限公司", None, "国家税务总局"),
    )
    (found,) = run_checks(facts(credit_hits=hits), ["credit"])
    assert found.status == "fail"
    assert found.params["list_kinds"] == ("dishonest_debtor", "tax_violation")
    text = text_of(found)
    assert "失信被执行人（统一社会信用代码一致" in text
    assert "重大税收违法失信主体（名称一致：拉萨市某某有限公司）" in text


def test_premises_outside_lhasa_fails_naming_the_division():
    (found,) = run_checks(facts(premises_division="510104"), ["lhasa_premises"])
    assert found.status == "fail"
    assert text_of(found) == "经营场所所在地“四川省（510104）”不在拉萨市辖区内。"
    assert found.params["registration_division"] == "拉萨市城关区"


def test_missing_premises_fails():
    (found,) = run_checks(facts(premises_division=None), ["lhasa_premises"])
    assert found.status == "fail"
    (found,) = run_checks(facts(premises_address="  "), ["lhasa_premises"])
    assert found.status == "fail"


def test_registration_outside_lhasa_with_premises_in_lhasa_is_a_warning_not_a_rejection():
    results = run_checks(facts(uscc=make_uscc(division="510104"), premises_division="540103"), ALL)
    found = result(results, "lhasa_premises")

    assert found.status == "warning"
    assert found.params["registration_division"] == "四川省（510104）"
    assert found.params["division"] == "拉萨市堆龙德庆区"
    assert "不在拉萨" in text_of(found)
    assert overall_status(results) == "accepted"


def test_legacy_lhasa_registration_division_is_lhasa():
    (found,) = run_checks(facts(uscc=make_uscc(division="540125")), ["lhasa_premises"])
    assert found.status == "pass"
    assert found.params["registration_division"] == "拉萨市堆龙德庆县"


def test_overall_status():
    passing = CheckResult("credit", "pass", "ok")
    warning = CheckResult("lhasa_premises", "warning", "look")
    failing = CheckResult("documents", "fail", "missing")
    assert overall_status([passing, warning]) == "accepted"
    assert overall_status([passing, warning, failing]) == "rejected"
    assert overall_status([]) == "accepted"


def test_credit_hits_name_the_list_version_they_came_from():
    hits = (CreditHit("tax_violation", "uscc", "拉萨市某某有限公司", make_uscc(), "国家税务总局"),)
    versions = {"tax_violation": ListVersion(7, date(2024, 12, 20)), "dishonest_debtor": ListVersion(5, date(2024, 12, 1))}
    (found,) = run_checks(facts(credit_hits=hits, credit_versions=versions), ["credit"])
    assert found.status == "fail"
    text = text_of(found)
    assert "重大税收违法失信主体（统一社会信用代码一致：拉萨市某某有限公司，" in text
    assert "；名单版本：第 7 版（2024年12月20日导入））" in text
    # Only the versions that matched are named.
    assert [translate(v["message"], v["params"]) for v in found.params["list_versions"]] == ["第 7 版（2024年12月20日导入）"]
    assert "第 5 版" not in text


def test_premises_outside_lhasa_name_the_place_the_supplier_gave():
    (found,) = run_checks(
        facts(premises_division="000000", premises_place="日喀则市桑珠孜区", premises_address="珠峰路 8 号"), ["lhasa_premises"]
    )
    assert found.status == "fail"
    assert text_of(found) == "经营场所所在地“日喀则市桑珠孜区”不在拉萨市辖区内。"
    assert "000000" not in text_of(found)


def test_premises_outside_lhasa_without_a_place_never_show_the_internal_code():
    (found,) = run_checks(facts(premises_division="000000", premises_address="珠峰路 8 号"), ["lhasa_premises"])
    assert text_of(found) == "经营场所不在拉萨市辖区内。"
    # The address's own place is named when it has one.
    (found,) = run_checks(facts(premises_division="000000", premises_address="山南市乃东区泽当镇 1 号"), ["lhasa_premises"])
    assert text_of(found) == "经营场所所在地“山南”不在拉萨市辖区内。"


@pytest.mark.parametrize(
    ("address", "named"),
    [
        ("日喀则市桑珠孜区珠峰路 8 号", "日喀则"),
        ("林芝市巴宜区八一镇", "林芝"),
        ("四川省成都市武侯区人民南路 1 号", "四川省"),
        ("阿里地区噶尔县狮泉河镇", "阿里"),
    ],
)
def test_a_lhasa_district_with_an_address_naming_elsewhere_is_a_warning(address, named):
    results = run_checks(facts(premises_division="540102", premises_address=address), ALL)
    found = result(results, "lhasa_premises")
    assert found.status == "warning"
    assert found.params["named_places"] == named
    assert text_of(found) == f"经营场所选择的是拉萨市城关区，但详细地址“{address}”提到{named}，请评审时核实。"
    assert overall_status(results) == "accepted"


def test_lhasa_streets_named_after_provinces_are_not_elsewhere():
    for address in ("城关区北京中路 1 号", "城关区江苏路 3 号一楼", "拉萨市城关区金珠西路"):
        (found,) = run_checks(facts(premises_address=address), ["lhasa_premises"])
        assert found.status == "pass", address


def test_an_address_naming_elsewhere_and_a_registration_elsewhere_give_one_warning_with_both():
    (found,) = run_checks(
        facts(uscc=make_uscc(division="540202"), premises_address="日喀则市驻拉萨办事处"), ["lhasa_premises"]
    )
    assert found.status == "warning"
    text = text_of(found)
    assert "提到日喀则" in text and "登记地为西藏自治区日喀则市（540202），不在拉萨" in text
