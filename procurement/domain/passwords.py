"""Passwords people cannot guess: zxcvbn's estimate, and the reason in Chinese.

zxcvbn (pinned, offline: its frequency lists ship in the package) estimates how many guesses a
password needs from the patterns it finds: common passwords, words and names, keyboard walks,
repeats, sequences, dates and years, and the account's own email, name or company. A password
needs at least :data:`MIN_SCORE` (3: about 10^8 guesses, beyond an online attack even unthrottled
and slow against our scrypt hashes offline). The reason refers to the longest weak pattern, as
zxcvbn's own feedback does, in words a supplier's clerk understands.
"""
from __future__ import annotations

from dataclasses import dataclass

from zxcvbn import zxcvbn

from procurement.domain import N_

MIN_LENGTH = 8
MAX_LENGTH = 128
MIN_SCORE = 3
# zxcvbn's matching is quadratic in the length; nothing past this is analysed (and it is long enough).
ANALYSED_LENGTH = 100

ADVICE = N_("请换用更长、不易猜到的组合，例如几个不相关的词语拼音加数字或符号。")
REASONS = {
    "common": N_("这是最常见的密码之一，极易被猜中。"),
    "like_common": N_("与常见密码过于相似，容易被猜中。"),
    "user_input": N_("密码中含有您的邮箱、姓名或公司名称，容易被猜中。"),
    "word": N_("单个常见单词或姓名容易被猜中。"),
    "spatial": N_("键盘上相邻的按键（如 qwerty、1q2w3e）容易被猜中。"),
    "repeat": N_("重复的字符或片段（如 aaaa、abcabc）容易被猜中。"),
    "sequence": N_("连续的字母或数字（如 abcd、12345678）容易被猜中。"),
    "date": N_("日期和年份容易被猜中。"),
    "short": N_("密码过于简单，容易被猜中。"),
}


@dataclass(frozen=True)
class Weakness:
    """Why a password is refused: ``reason`` (a key of :data:`REASONS`) and the Chinese message."""

    reason: str
    message: str
    params: dict


def weakness(password: str, user_inputs: tuple[str, ...] = ()) -> Weakness | None:
    """Why ``password`` is too weak, or ``None`` when it is good enough.

    ``user_inputs`` are the account's own words (email, name, company), which make a password
    easy to guess for anyone who knows whose it is.
    """
    if len(password) < MIN_LENGTH:
        return Weakness("too_short", N_("密码至少需要 %(n)s 位。"), {"n": MIN_LENGTH})
    if len(password) > MAX_LENGTH:
        return Weakness("too_long", N_("密码最多 %(n)s 位。"), {"n": MAX_LENGTH})
    inputs = [word for value in user_inputs if value for word in _words(value)]
    result = zxcvbn(password[:ANALYSED_LENGTH], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return None
    reason = _reason(result["sequence"])
    return Weakness(reason, N_("密码强度不足：%(reason)s%(advice)s"), {"reason": REASONS[reason], "advice": ADVICE})


def _words(value: str) -> list[str]:
    """An email's local part and domain words, a name as written: what zxcvbn should not find."""
    value = value.strip().lower()
    words = [value]
    if "@" in value:
        local, _, domain = value.partition("@")
        words += [local, *domain.split(".")[:1]]
    return [word for word in words if len(word) >= 3]


def _reason(sequence: list[dict]) -> str:
    """The reason for the longest matched pattern (zxcvbn's own choice of what to report)."""
    if not sequence:
        return "short"
    longest = max(sequence, key=lambda match: len(match["token"]))
    pattern = longest["pattern"]
    if pattern == "dictionary":
        name = longest.get("dictionary_name")
        if name == "passwords":
            sole = len(sequence) == 1 and not longest.get("l33t") and not longest.get("reversed")
            return "common" if sole else "like_common"
        if name == "user_inputs":
            return "user_input"
        return "word"
    if pattern in ("spatial", "repeat", "sequence", "date"):
        return pattern
    if pattern == "regex" and longest.get("regex_name") == "recent_year":
        return "date"
    return "short"
