"""Automatic qualification checks at registration (资格审查, notice §三, design.md §3).

A registration is checked criterion by criterion the moment it is submitted, so the supplier sees
what to fix while the window is open. Each result carries an untranslated Chinese template and
its params; the panel later confirms every criterion by vote, so a ``warning`` flags something
for the panel to look at without refusing the supplier.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from . import N_
from .credit import LIST_KINDS, CreditHit
from .identifiers import (
    division_label,
    is_lhasa_division,
    places_outside_lhasa_named,
    uscc_division,
    validate_resident_id,
    validate_uscc,
)

Status = Literal["pass", "fail", "warning"]


@dataclass(frozen=True)
class Criterion:
    """One qualification requirement; a project may switch off the ones not in its notice."""

    key: str
    label: str
    applies_by_default: bool = True


# The order is the notice's order, with the two purely formal checks last; results follow it.
CRITERIA: tuple[Criterion, ...] = (
    Criterion("article22", N_("《政府采购法》第二十二条规定的条件")),
    Criterion("credit", N_("信用记录：未被列入失信名单")),
    Criterion("no_consortium", N_("不接受联合体投标")),
    Criterion("lhasa_premises", N_("在拉萨有固定的实体经营场所")),
    Criterion("documents", N_("报名资料齐全")),
    Criterion("identifiers", N_("证照号码有效")),
)
CRITERION_KEYS: tuple[str, ...] = tuple(criterion.key for criterion in CRITERIA)

# The six conditions of Article 22 as the notice prints them; the supplier affirms each one.
ARTICLE22_DECLARATIONS: dict[str, str] = {
    "decl1": N_("具有独立承担民事责任的能力"),
    "decl2": N_("具有良好的商业信誉和健全的财务会计制度"),
    "decl3": N_("具有履行合同所必需的设备和专业技术能力"),
    "decl4": N_("有依法缴纳税收和社会保障资金的良好记录"),
    "decl5": N_("参加政府采购活动前三年内，在经营活动中没有重大违法记录"),
    "decl6": N_("法律、行政法规规定的其他条件"),
}

DOCUMENT_KINDS: dict[str, str] = {
    "business_licence": N_("营业执照副本复印件"),
    "bank_permit": N_("开户许可证复印件"),
    "legal_rep_id": N_("法定代表人身份证复印件"),
    "premises_proof": N_("经营场所证明（租赁合同或房产证）"),
    "authorisation": N_("法定代表人授权委托书"),
    "agent_id": N_("经办人身份证复印件"),
}

_MATCHED_BY = {"uscc": N_("统一社会信用代码一致"), "name": N_("名称一致")}
# One credit hit as the result names it, by (the entry has a USCC, the list's version is known).
_CREDIT_HIT = {
    (False, False): N_("%(list)s（%(matched_by)s：%(name)s）"),
    (True, False): N_("%(list)s（%(matched_by)s：%(name)s，%(uscc)s）"),
    (False, True): N_("%(list)s（%(matched_by)s：%(name)s；名单版本：%(version)s）"),
    (True, True): N_("%(list)s（%(matched_by)s：%(name)s，%(uscc)s；名单版本：%(version)s）"),
}
_IDENTIFIER_LABELS = {
    "uscc": N_("统一社会信用代码"),
    "legal_rep_id": N_("法定代表人身份证号码"),
    "agent_id": N_("经办人身份证号码"),
}


@dataclass(frozen=True)
class ListVersion:
    """One imported version of a credit list as the supplier is told it: its number and import day."""

    number: int
    imported_on: date

    @property
    def label(self) -> dict:
        """第 3 版（2024年12月20日导入）, as a message the page translates (the buyer's blacklist page
        numbers versions the same way)."""
        return {
            "message": N_("第 %(number)s 版（%(date)s导入）"),
            "params": {"number": self.number, "date": {"date": self.imported_on.isoformat()}},
        }


@dataclass(frozen=True)
class RegistrationFacts:
    """What a registration states, plus the credit hits found for it.

    ``premises_division`` is a GB/T 2260 code (``000000`` when the supplier chose "not in Lhasa");
    ``premises_place`` is where the supplier says its premises are when they are not in Lhasa
    (日喀则市桑珠孜区); ``credit_versions`` maps a list kind to the version the hits came from.
    """

    uscc: str
    legal_rep_id: str
    via_agent: bool
    agent_id: str | None
    consortium: bool
    declarations: Mapping[str, bool]
    documents: frozenset[str]
    premises_division: str | None
    premises_address: str
    credit_hits: tuple[CreditHit, ...]
    premises_place: str = ""
    credit_versions: Mapping[str, ListVersion] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one criterion; ``message`` is an untranslated template filled by ``params``."""

    criterion: str
    status: Status
    message: str
    params: dict[str, object] = field(default_factory=dict)


def required_documents(via_agent: bool, *, premises: bool = True) -> tuple[str, ...]:
    """Return the document kinds a registration must upload, in :data:`DOCUMENT_KINDS` order.

    The notice asks for the licence, bank permit and legal representative's ID, plus the letter
    of authorisation and the agent's ID when an agent registers; ``premises`` adds the proof of
    the Lhasa premises that design.md §3 asks for (off when the project drops that criterion).
    """
    wanted = {"business_licence", "bank_permit", "legal_rep_id"}
    if premises:
        wanted.add("premises_proof")
    if via_agent:
        wanted |= {"authorisation", "agent_id"}
    return tuple(kind for kind in DOCUMENT_KINDS if kind in wanted)


def default_criteria() -> tuple[str, ...]:
    """Return the keys of the criteria that apply when a project does not say otherwise."""
    return tuple(criterion.key for criterion in CRITERIA if criterion.applies_by_default)


def run_checks(facts: RegistrationFacts, criteria: Sequence[str]) -> tuple[CheckResult, ...]:
    """Check ``facts`` against each criterion in ``criteria``; results come in :data:`CRITERIA` order.

    :raise ValueError: ``criteria`` names an unknown criterion (a programming error).
    """
    unknown = set(criteria) - set(CRITERION_KEYS)
    if unknown:
        raise ValueError(f"unknown criteria: {sorted(unknown)}")
    checks = {
        "article22": _check_article22,
        "credit": _check_credit,
        "no_consortium": _check_no_consortium,
        "lhasa_premises": _check_lhasa_premises,
        "documents": lambda f: _check_documents(f, premises="lhasa_premises" in criteria),
        "identifiers": _check_identifiers,
    }
    return tuple(checks[key](facts) for key in CRITERION_KEYS if key in criteria)


def overall_status(results: Sequence[CheckResult]) -> Literal["accepted", "rejected"]:
    """Return ``rejected`` if any criterion failed; warnings are left to the panel and do not reject."""
    return "rejected" if any(result.status == "fail" for result in results) else "accepted"


def _check_article22(facts: RegistrationFacts) -> CheckResult:
    # Only an explicit True counts: a missing key or a stray "no" string is not an affirmation.
    missing = [key for key in ARTICLE22_DECLARATIONS if facts.declarations.get(key) is not True]
    if not missing:
        return CheckResult("article22", "pass", N_("六项声明均已确认。"))
    # Messages in the params are translated where the result is shown (procurement.formatting.translate).
    names = [
        {"message": N_("（%(n)s）%(text)s"), "params": {"n": key.removeprefix("decl"), "text": {"message": ARTICLE22_DECLARATIONS[key]}}}
        for key in missing
    ]
    return CheckResult(
        "article22", "fail", N_("以下声明未确认：%(missing)s。"), {"missing": {"clauses": names}, "missing_keys": tuple(missing)}
    )


def _check_credit(facts: RegistrationFacts) -> CheckResult:
    if not facts.credit_hits:
        return CheckResult("credit", "pass", N_("未被列入任何失信名单。"))
    # Entries that differ only in what the message does not show (their source, their dates) read
    # the same: each reading is said once.
    readings: dict[str, dict] = {}
    for hit in facts.credit_hits:
        version = facts.credit_versions.get(hit.list_kind)
        params = {
            "list": {"message": LIST_KINDS.get(hit.list_kind, hit.list_kind)},
            "matched_by": {"message": _MATCHED_BY[hit.matched_by]},
            "name": hit.entry_name,
        }
        if hit.entry_uscc:
            params["uscc"] = hit.entry_uscc
        if version is not None:
            params["version"] = version.label
        message = _CREDIT_HIT[(bool(hit.entry_uscc), version is not None)]
        readings.setdefault(repr(sorted(params.items(), key=str)), {"message": message, "params": params})
    hits = {"clauses": list(readings.values())}
    kinds = tuple(dict.fromkeys(hit.list_kind for hit in facts.credit_hits))
    return CheckResult(
        "credit",
        "fail",
        N_("已被列入以下名单，不得参加本次采购：%(hits)s。"),
        {
            "hits": hits,
            "list_kinds": tuple(hit.list_kind for hit in facts.credit_hits),
            "list_versions": tuple(
                facts.credit_versions[kind].label for kind in kinds if kind in facts.credit_versions
            ),
        },
    )


def _check_no_consortium(facts: RegistrationFacts) -> CheckResult:
    if facts.consortium:
        return CheckResult("no_consortium", "fail", N_("本项目不接受联合体投标。"))
    return CheckResult("no_consortium", "pass", N_("以单一主体报名。"))


def _check_lhasa_premises(facts: RegistrationFacts) -> CheckResult:
    registration_code = _registration_division(facts.uscc)
    params: dict[str, object] = {
        "registration_division": division_label(registration_code) if registration_code else "",
        "registration_division_code": registration_code or "",
    }
    division = (facts.premises_division or "").strip()
    address = facts.premises_address.strip()
    if not division or not address:
        return CheckResult("lhasa_premises", "fail", N_("请填写经营场所的详细地址及所在区县。"), params)
    named = places_outside_lhasa_named(address)
    params |= {"division": division_label(division), "division_code": division, "address": address}
    if not is_lhasa_division(division):
        place = _premises_place(facts, division, named)
        if not place:
            return CheckResult("lhasa_premises", "fail", N_("经营场所不在拉萨市辖区内。"), params)
        return CheckResult(
            "lhasa_premises", "fail", N_("经营场所所在地“%(place)s”不在拉萨市辖区内。"), params | {"place": place}
        )
    # A Lhasa district with an address naming another prefecture or province, or a registration
    # elsewhere (common for branches and moved companies): the premises decide, so the panel is
    # only asked to look (design.md §3).
    registered_elsewhere = bool(registration_code) and not is_lhasa_division(registration_code)
    if named:
        params |= {"named_places": "、".join(named)}
        message = (
            N_("经营场所选择的是%(division)s，但详细地址“%(address)s”提到%(named_places)s；统一社会信用代码显示的登记地为%(registration_division)s，不在拉萨，请评审时核实。")
            if registered_elsewhere
            else N_("经营场所选择的是%(division)s，但详细地址“%(address)s”提到%(named_places)s，请评审时核实。")
        )
        return CheckResult("lhasa_premises", "warning", message, params)
    if registered_elsewhere:
        return CheckResult(
            "lhasa_premises",
            "warning",
            N_("经营场所位于%(division)s；统一社会信用代码显示的登记地为%(registration_division)s，不在拉萨，请评审时核实。"),
            params,
        )
    return CheckResult("lhasa_premises", "pass", N_("经营场所位于%(division)s。"), params)


def _premises_place(facts: RegistrationFacts, division: str, named: tuple[str, ...]) -> str:
    """What to call premises outside Lhasa: what the supplier wrote, else the division, else the address's place."""
    place = (facts.premises_place or "").strip()
    if place:
        return place
    label = division_label(division)
    if label != division:  # a real division code, not the form's "not in Lhasa" placeholder
        return label
    return "、".join(named)


def _check_documents(facts: RegistrationFacts, *, premises: bool) -> CheckResult:
    missing = [kind for kind in required_documents(facts.via_agent, premises=premises) if kind not in facts.documents]
    if not missing:
        return CheckResult("documents", "pass", N_("报名资料齐全。"))
    return CheckResult(
        "documents",
        "fail",
        N_("缺少以下资料：%(missing)s。"),
        {"missing": [{"message": DOCUMENT_KINDS[kind]} for kind in missing], "missing_keys": tuple(missing)},
    )


def _check_identifiers(facts: RegistrationFacts) -> CheckResult:
    invalid: list[str] = []
    if not _is_valid(validate_uscc, facts.uscc):
        invalid.append("uscc")
    if not _is_valid(validate_resident_id, facts.legal_rep_id):
        invalid.append("legal_rep_id")
    if facts.via_agent and not _is_valid(validate_resident_id, facts.agent_id or ""):
        invalid.append("agent_id")
    if not invalid:
        return CheckResult("identifiers", "pass", N_("统一社会信用代码和身份证号码均有效。"))
    return CheckResult(
        "identifiers",
        "fail",
        N_("以下号码无效或缺失：%(invalid)s。"),
        {"invalid": [{"message": _IDENTIFIER_LABELS[key]} for key in invalid], "invalid_keys": tuple(invalid)},
    )


def _is_valid(validate: Callable[[str], str], value: str) -> bool:
    try:
        validate(value)
    except ValueError:
        return False
    return True


def _registration_division(uscc: str) -> str | None:
    """The USCC's registration division code, or ``None`` when the USCC is invalid (reported elsewhere)."""
    try:
        return uscc_division(uscc)
    except ValueError:
        return None
