"""Phase 3 of the planning period: the patent analysis of the draft grown from a final theme — written by
staff or by an expert consulting on it, answered by the region, closed to edits once answered — and the
proposal's origin section, its version comparison and the theme drop page."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from evaluations.models import Assignment, AssignmentKind
from proposals import page_parts
from proposals.models import KeyPatent, PatentAnalysis, ThemeStatus
from proposals.services import patents, themes
from tests.evaluations.conftest import assign, clear, make_expert
from tests.login import log_in
from tests.proposals.conftest import PDF, ProposalFactory
from tests.proposals.test_theme_selection import _media_root, call, two_themes  # noqa: F401

pytestmark = pytest.mark.django_db

FIELDS = {"landscape": "미국·일본 기업이 소자 구조 특허 다수 보유", "white_spaces": "겹눈 광학계 결합 구조",
          "risk": "medium", "risk_comment": "소자 적층 구조 일부 회피 설계 필요"}
ROWS = [{"number": "US 10,000,001 B2", "title": "Neuromorphic device", "holder": "IBM", "country": "US",
         "legal_status": "등록"}]


@pytest.fixture
def draft(official, partner_official, call, two_themes):  # noqa: F811
    """Gwangju + Jeonnam's draft, grown from their final theme (the other theme dropped with a reason)."""
    themes.theme_drop(actor=official, theme=two_themes[0], reason="수요기업 확보 곤란")
    themes.theme_select(actor=official, call=call, theme=two_themes[1], reason="설문 결과와 산업 집적도")
    themes.selection_sign_off(actor=partner_official, theme=two_themes[1])
    return themes.proposal_from_theme(actor=official, theme=two_themes[1])


def english(client, user):
    log_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_staff_write_the_analysis_with_its_key_patents_and_file(ministry, draft):
    analysis = patents.patent_analysis_save(actor=ministry, proposal=draft, fields=FIELDS, patents=ROWS + [{}],
                                            upload=SimpleUploadedFile("특허분석.pdf", PDF))
    assert (analysis.risk, analysis.file_name, analysis.written_by) == ("medium", "특허분석.pdf", ministry)
    assert list(KeyPatent.objects.values_list("number", "holder")) == [("US 10,000,001 B2", "IBM")]
    assert AuditEvent.objects.filter(summary="Patent analysis written").count() == 1


def test_an_expert_consulting_on_the_draft_writes_it_but_not_an_expert_with_another_kind_of_assignment(
        ministry, expert, draft):
    evaluator = make_expert("evaluator2")
    # Cleared on an evaluation of the draft (written straight: a draft is not evaluated), not consulting.
    Assignment.objects.create(kind=AssignmentKind.EVALUATION, expert=evaluator, proposal=draft, assigned_by=ministry,
                              declared_at=timezone.now())
    with pytest.raises(PermissionDenied):
        patents.patent_analysis_save(actor=evaluator, proposal=draft, fields=FIELDS)
    consulting = assign(draft, expert, by=ministry, kind=AssignmentKind.CONSULTING)
    with pytest.raises(PermissionDenied):  # not before the conflict declaration
        patents.patent_analysis_save(actor=expert, proposal=draft, fields=FIELDS)
    clear(consulting)
    assert patents.patent_analysis_save(actor=expert, proposal=draft, fields=FIELDS).written_by == expert


def test_the_region_cannot_write_the_analysis(official, draft):
    with pytest.raises(PermissionDenied):
        patents.patent_analysis_save(actor=official, proposal=draft, fields=FIELDS)


def test_a_proposal_that_did_not_grow_from_a_theme_has_no_patent_analysis(ministry, call):  # noqa: F811
    with pytest.raises(PermissionDenied):
        patents.patent_analysis_save(actor=ministry, proposal=ProposalFactory(call=call), fields=FIELDS)


@pytest.mark.parametrize(("fields", "rows", "field"), [
    ({**FIELDS, "landscape": " "}, [], "landscape"),
    ({**FIELDS, "risk": "extreme"}, [], "risk"),
    ({**FIELDS, "risk": "high", "risk_comment": ""}, [], "risk_comment"),
    (FIELDS, [{"number": "", "title": "제목만"}], "patents"),
])
def test_bad_analyses_are_refused_at_their_field(ministry, draft, fields, rows, field):
    with pytest.raises(ValidationError) as refused:
        patents.patent_analysis_save(actor=ministry, proposal=draft, fields=fields, patents=rows)
    assert list(refused.value.message_dict) == [field]
    assert PatentAnalysis.objects.count() == 0


def test_a_file_that_lies_about_its_type_is_refused_and_what_was_typed_is_kept(client, ministry, draft):
    english(client, ministry)
    response = client.post(reverse("proposals:patents_edit", args=[draft.pk]), {
        **FIELDS, "patents-TOTAL_FORMS": "1", "patents-INITIAL_FORMS": "0", "patents-0-number": "KR 10-1234567",
        "patents-0-title": "소자", "file": SimpleUploadedFile("분석.pdf", b"MZ\x90\x00 not a pdf")})
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert response.context["form"]["landscape"].value() == FIELDS["landscape"]
    assert response.context["formset"][0]["number"].value() == "KR 10-1234567"
    assert PatentAnalysis.objects.count() == 0


def test_the_region_answers_and_then_the_analysis_is_closed_to_edits(client, ministry, official, draft):
    analysis = patents.patent_analysis_save(actor=ministry, proposal=draft, fields=FIELDS, patents=ROWS)
    english(client, official)
    response = client.post(reverse("proposals:patents_answer", args=[draft.pk]), {"answer": ""})
    assert response.status_code == 400 and "answer" in response.context["answer_form"].errors
    response = client.post(reverse("proposals:patents_answer", args=[draft.pk]),
                           {"answer": "적층 구조를 회피 설계로 2단계 계획에 반영"})
    assert response["Location"] == reverse("proposals:patents", args=[draft.pk])
    analysis.refresh_from_db()
    assert (analysis.answer, analysis.answered_by) == ("적층 구조를 회피 설계로 2단계 계획에 반영", official)
    with pytest.raises(ValidationError) as refused:
        patents.patent_analysis_save(actor=ministry, proposal=draft, fields={**FIELDS, "risk": "low"})
    assert "can no longer be changed" in refused.value.messages[0]
    assert PatentAnalysis.objects.get().risk == "medium"
    english(client, ministry)
    assert 'id="patent-edit"' not in client.get(reverse("proposals:patents", args=[draft.pk])).content.decode()


def test_experts_not_consulting_and_other_regions_get_a_404(client, ministry, outsider_official, draft):
    patents.patent_analysis_save(actor=ministry, proposal=draft, fields=FIELDS)
    for person in (outsider_official, make_expert("stranger")):
        log_in(client, person)
        assert client.get(reverse("proposals:patents", args=[draft.pk])).status_code == 404


def test_the_origin_section_shows_the_themes_opinions_selection_and_the_answered_analysis(
        client, ministry, official, draft, two_themes):  # noqa: F811
    analysis = patents.patent_analysis_save(actor=ministry, proposal=draft, fields=FIELDS, patents=ROWS)
    patents.patent_analysis_answer(actor=official, analysis=analysis, answer="회피 설계 반영")
    english(client, official)
    page = client.get(reverse("proposals:detail", args=[draft.pk])).content.decode()
    assert 'id="proposal-origin"' in page
    assert "수요기업 확보 곤란" in page  # the dropped theme's reason
    assert "설문 결과와 산업 집적도" in page  # the selection's reason
    assert "US 10,000,001 B2" in page and "회피 설계 반영" in page
    assert reverse("proposals:patents", args=[draft.pk]) in page


def test_the_origin_shows_what_the_origin_advice_slot_gives(client, official, draft):
    def advice(*, user, proposal):
        return {"template": "proposals/_state.html", "state": "타당성 자문: 권고"}

    page_parts.register_origin_advice(advice)
    try:
        assert page_parts.origin_advice(user=official, proposal=draft)[0]["state"] == "타당성 자문: 권고"
        english(client, official)
        response = client.get(reverse("proposals:detail", args=[draft.pk]))
        assert response.status_code == 200
        assert 'id="origin-advice"' in response.content.decode()
    finally:
        page_parts._origin_advice.remove(advice)


def test_the_version_comparison_shows_the_origin_once(client, official, draft):
    from proposals.models import ProposalVersion
    from proposals.services.versions import snapshot

    ProposalVersion.objects.create(proposal=draft, number=1, kind="consulting", revision=draft.revision,
                                   snapshot=snapshot(draft), created_by=official)
    english(client, official)
    page = client.get(reverse("proposals:compare", args=[draft.pk])).content.decode()
    assert page.count('id="proposal-origin"') == 1
    assert "설문 결과와 산업 집적도" in page


def test_the_lead_region_drops_a_theme_on_its_page_with_a_reason_and_confirmation(client, official, partner_official,
                                                                                   two_themes):  # noqa: F811
    url = reverse("proposals:theme_drop", args=[two_themes[0].pk])
    log_in(client, partner_official)
    assert client.get(url).status_code == 403
    english(client, official)
    assert client.get(url).status_code == 200
    response = client.post(url, {"status_reason": "수요 부족"})  # not confirmed
    assert response.status_code == 400 and "confirm" in response.context["form"].errors
    assert response.context["form"]["status_reason"].value() == "수요 부족"
    response = client.post(url, {"status_reason": "", "confirm": "on"})
    assert response.status_code == 400
    two_themes[0].refresh_from_db()
    assert two_themes[0].status == ThemeStatus.CANDIDATE
    response = client.post(url, {"status_reason": "수요 부족", "confirm": "on"})
    assert response["Location"] == reverse("proposals:theme_detail", args=[two_themes[0].pk])
    two_themes[0].refresh_from_db()
    assert (two_themes[0].status, two_themes[0].status_reason) == (ThemeStatus.DROPPED, "수요 부족")


def test_the_theme_move_table_refuses_a_move_from_another_status(official, call, two_themes):  # noqa: F811
    themes.theme_drop(actor=official, theme=two_themes[0], reason="제외")
    with pytest.raises(ValidationError) as refused:
        themes.theme_select(actor=official, call=call, theme=two_themes[0], reason="다시")
    assert refused.value.messages == ["Only a candidate theme can be selected."]
    with pytest.raises(ValidationError):
        themes.theme_transition(actor=official, theme=two_themes[1], action="revive")
