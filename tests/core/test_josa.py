"""Korean particles after names and numbers, checked by hand."""

import pytest
from django.template import Context, Template

from core import josa


@pytest.mark.parametrize(("text", "written", "expected"), [
    ("전라남도", "은", "전라남도는"),
    ("광주광역시", "는", "광주광역시는"),
    ("서울", "으로", "서울로"),          # ㄹ takes 로
    ("부산", "로", "부산으로"),
    ("대구", "으로", "대구로"),
    ("버전 2", "을", "버전 2를"),        # 이
    ("버전 1", "를", "버전 1을"),        # 일
    ("버전 3", "을", "버전 3을"),        # 삼
    ("버전 10", "이", "버전 10이"),      # 십
    ("20%", "은", "20%는"),             # 퍼센트
    ("1,000", "이", "1,000이"),         # 천
    ("100", "과", "100과"),             # 백
    ("김철수", "가", "김철수가"),
    ("박전문", "이", "박전문이"),
    ("“진행 중”", "로", "“진행 중”으로"),
    ("“제출”", "으로", "“제출”로"),
    ("“선정”", "으로", "“선정”으로"),
    ("“완료”", "으로", "“완료”로"),
    ("KPI", "을", "KPI를"),              # 케이피아이
    ("URL", "이", "URL이"),              # 유알엘
    ("Busan", "은", "Busan은"),
    ("expert1", "이", "expert1이"),      # 일
    ("official-busan", "과", "official-busan과"),
    ("", "은", "은(는)"),                # nothing to judge by: both forms, honestly
])
def test_attach(text, written, expected):
    assert josa.attach(text, written) == expected


def test_format_chooses_each_particle_from_its_own_value():
    template = "%(region)s은 %(other)s과 함께 “%(state)s”으로 바꾸었고 버전 %(n)s을 확인했습니다."
    assert josa.format(template, region="전라남도", other="광주광역시", state="제출", n=2) == (
        "전라남도는 광주광역시와 함께 “제출”로 바꾸었고 버전 2를 확인했습니다.")
    assert josa.format(template, region="부산광역시", other="울산", state="검토 중", n=1) == (
        "부산광역시는 울산과 함께 “검토 중”으로 바꾸었고 버전 1을 확인했습니다.")


def test_a_word_after_a_value_is_not_taken_for_a_particle():
    assert josa.format("%(who)s이번에", who="김철수") == "김철수이번에"
    assert josa.format("%(who)s 가 나", who="김") == "김 가 나"


def test_english_sentences_lose_the_marks():
    assert josa.format("%(region)s was invited.", region="Jeollanam-do") == "Jeollanam-do was invited."


def test_the_template_filters():
    template = Template('{% load portal %}{{ n|josa_mark }}를 열람 / {{ who|josa_mark }}이 작성')
    rendered = template.render(Context({"n": 1, "who": "김&이"}))
    assert Template("{% load portal %}{{ text|josa }}").render(Context({"text": rendered})) == (
        "1을 열람 / 김&amp;이가 작성")


@pytest.mark.parametrize(("msgid", "values", "korean"), [
    ("%(region)s was invited.", {"region": "전라남도"}, "전라남도를 초대했습니다."),
    ("%(region)s was invited.", {"region": "부산광역시"}, "부산광역시를 초대했습니다."),
    ("%(region)s is not eligible for this call.", {"region": "서울특별시"}, "서울특별시는 이 공모의 신청 가능 지역이 아닙니다."),
    ("%(region)s has not written its part yet.", {"region": "전라남도"}, "전라남도가 아직 지역 작성분을 입력하지 않았습니다."),
    ("%(region)s has not written its part yet.", {"region": "광주광역시"}, "광주광역시가 아직 지역 작성분을 입력하지 않았습니다."),
    ("Done: the proposal is now “%(state)s”.", {"state": "제출"}, "처리되었습니다. 제안서 상태가 “제출”로 변경되었습니다."),
    ("Done: the proposal is now “%(state)s”.", {"state": "검토 중"}, "처리되었습니다. 제안서 상태가 “검토 중”으로 변경되었습니다."),
    ("Affiliation %(mine)s is the same institution as the participating organisation %(org)s.",
     {"mine": "KAIST", "org": "한국과학기술원"}, "소속 KAIST는 참여기관 한국과학기술원과 같은 기관입니다."),
    ("Type your name exactly as “%(name)s” to sign.", {"name": "박지훈 교수"},
     "서명하려면 이름을 “박지훈 교수”와 똑같이 입력하십시오."),
    ("Type your name exactly as “%(name)s” to sign.", {"name": "김하늘"},
     "서명하려면 이름을 “김하늘”과 똑같이 입력하십시오."),
    # Whatever a person typed comes after the sentence: no particle to guess.
    ("“%(value)s” is not an e-mail address.", {"value": "kim@"}, "올바른 이메일 주소가 아닙니다: “kim@”"),
    ("You are reading version %(n)s of %(when)s (read-only).", {"n": 2, "when": "2026-01-05 10:00"},
     "2026-01-05 10:00에 고정된 버전 2를 열람하고 있습니다(읽기 전용)."),
])
def test_the_korean_catalogue_reads_right_with_the_particles(msgid, values, korean):
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("ko"):
        assert josa.format(gettext(msgid), **values) == korean
    with translation.override("en"):
        assert josa.format(gettext(msgid), **values) == msgid % values

