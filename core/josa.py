"""Korean particles (조사) after a name or a number, chosen as a person would write them.

A Korean message that puts a value before a particle cannot know the particle in advance:
"전라남도는" but "광주광역시는"…"서울은", "버전 2를" but "버전 1을", "부산으로" but "서울로".
Catalogue entries never write both forms ("을(를)"); they write one form after the placeholder
and the value decides:

    josa.format(_("%(region)s is not eligible for this call."), region=region.name)
    # msgstr "%(region)s은 이 공모의 신청 가능 지역이 아닙니다." → "전라남도는 …", "서울특별시는 …"

In templates, mark the values and resolve the translated sentence (the `portal` library):

    {% blocktranslate asvar message with n=version.number|josa_mark %}…{% endblocktranslate %}{{ message|josa }}

The particle may follow closing quotes or brackets ("“%(state)s”으로"). Any form of a pair may be
written (을 or 를, 은 or 는, 이 or 가, 과 or 와, 으로 or 로); the value's last sound picks the right one.
"""

import html
import re

MARK = "\u2063"  # INVISIBLE SEPARATOR: ends a value whose particle is to be chosen

# Each particle: (form after a final consonant, form after a vowel).
PAIRS = {
    "을": ("을", "를"), "를": ("을", "를"),
    "은": ("은", "는"), "는": ("은", "는"),
    "이": ("이", "가"), "가": ("이", "가"),
    "과": ("과", "와"), "와": ("과", "와"),
    "으로": ("으로", "로"), "로": ("으로", "로"),
}
_RIEUL = 8  # ㄹ as a final consonant (jongseong index)
_CLOSERS = "”’\"')]」』》〉"
_RESOLVE = re.compile(
    MARK + r"([" + re.escape(_CLOSERS) + r"]*)(으로|로|을|를|은|는|이|가|과|와)(?![가-힣])"
)

# Digits read in Sino-Korean: 영 일 이 삼 사 오 육 칠 팔 구 → their final consonant (None: a vowel).
_DIGIT_FINAL = {"0": "ㅇ", "1": "ㄹ", "2": None, "3": "ㅁ", "4": None,
                "5": None, "6": "ㄱ", "7": "ㄹ", "8": "ㄹ", "9": None}
# A number ending in zeros is read by its largest unit: 십 백 천 만 … 억 … 조 … 경.
_ZEROS_FINAL = [(16, "ㅇ"), (12, None), (8, "ㄱ"), (4, "ㄴ"), (3, "ㄴ"), (2, "ㄱ"), (1, "ㅂ")]
# Latin letters read on their own (acronyms: KPI, R&D, AI): 에이 비 씨 디 … 엘 엠 엔 … 알 …
_LETTER_FINAL = {"l": "ㄹ", "m": "ㅁ", "n": "ㄴ", "r": "ㄹ"}
# The last letter of an English word: "Busan" 부산 (ㄴ), "Seoul" 서울 (ㄹ), "book" 북 (ㄱ).
_WORD_FINAL = {"l": "ㄹ", "m": "ㅁ", "n": "ㄴ", "k": "ㄱ", "p": "ㅂ", "t": "ㅅ", "b": "ㅂ"}


def final(text) -> str | None | bool:
    """The final consonant heard at the end of `text`: 'ㄹ', another consonant, None (a vowel),
    or False when nothing tells (empty, or symbols only)."""
    text = html.unescape(str(text)).rstrip(" " + _CLOSERS + ".,!?·")  # a rendered, escaped value too
    if not text:
        return False
    last = text[-1]
    if "가" <= last <= "힣":
        index = (ord(last) - ord("가")) % 28
        return None if index == 0 else ("ㄹ" if index == _RIEUL else "consonant")
    if last.isdigit():
        digits = re.search(r"[\d,]*\d$", text).group().replace(",", "")
        zeros = len(digits) - len(digits.rstrip("0"))
        if zeros == 0 or digits.strip("0") == "":
            return _sound(_DIGIT_FINAL[digits[-1]] if digits.strip("0") else "ㅇ")
        for count, sound in _ZEROS_FINAL:
            if zeros >= count:
                return _sound(sound)
    if last == "%":
        return None  # 퍼센트
    if last.isascii() and last.isalpha():
        word = re.search(r"[A-Za-z]+$", text).group()
        if word.isupper() or len(word) == 1:  # read letter by letter
            return _sound(_LETTER_FINAL.get(last.lower()))
        if word.lower().endswith("ng"):
            return "consonant"
        return _sound(_WORD_FINAL.get(last.lower()))
    return False


def _sound(jamo: str | None) -> str | None:
    if jamo is None:
        return None
    return "ㄹ" if jamo == "ㄹ" else "consonant"


def particle(text, written: str) -> str:
    """The particle `written` (any form of its pair) as it goes after `text`."""
    consonant_form, vowel_form = PAIRS[written]
    sound = final(text)
    if sound is False:
        return f"{consonant_form}({vowel_form})" if written != "로" and written != "으로" else "(으)로"
    if consonant_form == "으로":
        return "으로" if sound == "consonant" else "로"
    return vowel_form if sound is None else consonant_form


def attach(text, written: str) -> str:
    """`text` followed by its particle: attach("전라남도", "은") → "전라남도는"."""
    return f"{text}{particle(text, written)}"


def mark(value) -> str:
    """The value, marked so that `resolve` chooses the particle written after it."""
    return f"{value}{MARK}"


def resolve(text: str) -> str:
    """Every marked value's particle chosen; the marks removed."""
    # Each particle is judged on the text just before its mark (the value's last sound).
    out, position = [], 0
    for match in _RESOLVE.finditer(text):
        out.append(text[position:match.start()])
        out.append(match.group(1) + particle(text[:match.start()].replace(MARK, ""), match.group(2)))
        position = match.end()
    out.append(text[position:])
    return "".join(out).replace(MARK, "")


def format(template: str, **values) -> str:  # noqa: A001 - reads as josa.format
    """`template % values` with every particle after a value chosen for that value."""
    return resolve(template % {key: mark(value) for key, value in values.items()})
