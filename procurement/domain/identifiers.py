"""Chinese identifiers: USCC (GB 32100), resident ID numbers (GB 11643), divisions (GB/T 2260), mobiles.

Check characters are verified with ``python-stdnum``, never by hand. Input is normalised first
(NFKC folds the full-width digits and letters a Chinese input method may produce; spaces go).
"""
from __future__ import annotations

import re
import unicodedata

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from procurement.domain import DomainError, N_

__all__ = [
    "LEGACY_LHASA_DIVISIONS",
    "LHASA_CITY_DIVISION",
    "LHASA_DIVISIONS",
    "PROVINCES",
    "InvalidIdentifier",
    "division_label",
    "is_lhasa_division",
    "mask_id_number",
    "places_outside_lhasa_named",
    "uscc_division",
    "validate_mobile",
    "validate_resident_id",
    "validate_uscc",
]


class InvalidIdentifier(DomainError):
    """An identifier failed validation; ``reason`` is ``length``, ``format``, ``checksum`` or ``component``."""

    code = "invalid_identifier"

    def __init__(self, message: str, code: str | None = None, reason: str = "format", **params: object) -> None:
        super().__init__(message, code=code, **params)
        self.reason = reason


def _normalise(value: str) -> str:
    """Fold full-width characters, drop all whitespace (incl. U+3000) and upper-case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


def validate_uscc(value: str) -> str:
    """The compact USCC (统一社会信用代码) if valid; :raise InvalidIdentifier: (code ``invalid_uscc``)."""
    number = _normalise(value).replace("-", "")
    try:
        return str(uscc.validate(number))
    except InvalidLength:
        raise InvalidIdentifier(
            N_("统一社会信用代码应为18位，当前为 %(length)s 位。"), "invalid_uscc", "length", length=len(number)
        ) from None
    except InvalidFormat:
        raise InvalidIdentifier(
            N_("统一社会信用代码含有无效字符：前8位应为数字，其余为数字或大写字母（不含 I、O、Z、S、V）。"),
            "invalid_uscc",
            "format",
        ) from None
    except InvalidChecksum:
        raise InvalidIdentifier(
            N_("统一社会信用代码校验位不正确，请核对营业执照上的代码。"), "invalid_uscc", "checksum"
        ) from None
    except ValidationError:
        raise InvalidIdentifier(
            N_("统一社会信用代码无效：应为18位，且校验位正确。"), "invalid_uscc", "component"
        ) from None


def validate_resident_id(value: str) -> str:
    """The compact 18-digit resident ID number (居民身份证号码) if valid; :raise InvalidIdentifier:
    (code ``invalid_id_number``)."""
    number = _normalise(value)
    try:
        return str(ric.validate(number))
    except InvalidLength:
        raise InvalidIdentifier(
            N_("身份证号码应为18位，当前为 %(length)s 位。"), "invalid_id_number", "length", length=len(number)
        ) from None
    except InvalidFormat:
        raise InvalidIdentifier(
            N_("身份证号码格式无效：前17位应为数字，最后一位为数字或 X。"), "invalid_id_number", "format"
        ) from None
    except InvalidChecksum:
        raise InvalidIdentifier(
            N_("身份证号码校验位不正确，请核对号码。"), "invalid_id_number", "checksum"
        ) from None
    except (InvalidComponent, ValidationError):
        raise InvalidIdentifier(
            N_("身份证号码中的出生日期或地区代码无效。"), "invalid_id_number", "component"
        ) from None


def mask_id_number(value: str) -> str:
    """Mask an ID number for listing: first 4 and last 4 kept, stars between.

    Values of 8 characters or fewer would be shown whole that way, so they keep only their
    first and last character (1–2 characters: all stars).
    """
    text = re.sub(r"\s+", "", value)
    if len(text) > 8:
        keep = 4
    elif len(text) > 2:
        keep = 1
    else:
        return "*" * len(text)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


LHASA_DIVISIONS: dict[str, str] = {
    "540102": "城关区",
    "540103": "堆龙德庆区",
    "540104": "达孜区",
    "540121": "林周县",
    "540122": "当雄县",
    "540123": "尼木县",
    "540124": "曲水县",
    "540127": "墨竹工卡县",
}

#: Codes abolished when the counties became districts; older USCCs still carry them.
LEGACY_LHASA_DIVISIONS: dict[str, str] = {
    "540125": "堆龙德庆县",
    "540126": "达孜县",
}

#: Lhasa's own city-level code: USCCs issued by the city registrar (拉萨市市场监督管理局) carry it,
#: so treating it as "elsewhere" would warn about many genuinely local companies.
LHASA_CITY_DIVISION = "540100"

#: The 31 provincial-level divisions of GB/T 2260, by their first two digits.
PROVINCES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
}


#: Tibet's prefecture-level divisions (GB/T 2260), named so a buyer in Lhasa sees at a glance
#: which prefecture a supplier was registered in.
XIZANG_PREFECTURES: dict[str, str] = {
    "5401": "拉萨市", "5402": "日喀则市", "5403": "昌都市", "5404": "林芝市",
    "5405": "山南市", "5406": "那曲市", "5425": "阿里地区",
}


#: What an address may name that lies outside Lhasa: Tibet's other prefectures by their short names
#: (the way addresses write them), and every other province by its full name. Short province
#: names are left out on purpose: Lhasa's own streets are named after them (北京中路, 江苏路).
_OUTSIDE_LHASA_NAMES: tuple[str, ...] = tuple(
    name.removesuffix("地区").removesuffix("市") for code, name in XIZANG_PREFECTURES.items() if code != "5401"
) + tuple(name for code, name in PROVINCES.items() if code != "54")


def places_outside_lhasa_named(address: str) -> tuple[str, ...]:
    """The places outside Lhasa that ``address`` names (日喀则, 四川省, ...), in the order they appear.

    Used to flag for the panel an address that contradicts a chosen Lhasa district; it never
    refuses anything, since a Lhasa address may legitimately name another place (say, a
    prefecture's office in Lhasa).
    """
    text = unicodedata.normalize("NFKC", address or "")
    found = [(text.find(name), name) for name in _OUTSIDE_LHASA_NAMES if name in text]
    return tuple(name for _, name in sorted(found))


def uscc_division(uscc_value: str) -> str:
    """The 6-digit registration division code of a valid USCC (its characters 3–8)."""
    return validate_uscc(uscc_value)[2:8]


def is_lhasa_division(code: str) -> bool:
    """Whether ``code`` is a Lhasa division: a current or legacy county-level code, or Lhasa's own."""
    return code in LHASA_DIVISIONS or code in LEGACY_LHASA_DIVISIONS or code == LHASA_CITY_DIVISION


def division_label(code: str) -> str:
    """A readable name for a division code: 拉萨市城关区 for Lhasa, else the province and the code."""
    if code in LHASA_DIVISIONS:
        return "拉萨市" + LHASA_DIVISIONS[code]
    if code in LEGACY_LHASA_DIVISIONS:
        return "拉萨市" + LEGACY_LHASA_DIVISIONS[code]
    if code == LHASA_CITY_DIVISION:
        return "拉萨市"
    province = PROVINCES.get(code[:2])
    if province is None:
        return code
    return f"{province}{XIZANG_PREFECTURES.get(code[:4], '')}（{code}）"


_MOBILE = re.compile(r"1[3-9][0-9]{9}")  # [0-9], not \d: \d also matches other scripts' digits


def validate_mobile(value: str) -> str:
    """The 11-digit mainland mobile number if valid, after dropping spaces, dashes and +86/0086;
    :raise InvalidIdentifier: (code ``invalid_mobile``)."""
    number = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", value))
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix):]
            break
    else:
        if len(number) == 13 and number.startswith("86"):
            number = number[2:]
    if not _MOBILE.fullmatch(number):
        raise InvalidIdentifier(
            N_("手机号码无效：应为以 1 开头的 11 位中国大陆手机号。"), "invalid_mobile", "format"
        )
    return number
