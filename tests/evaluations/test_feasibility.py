"""Expert groups and feasibility reviews of candidate themes (issue 17, phase 2): assignments through the
conflict service, the expert's declaration first, the review submitted once and returned by staff, the
consolidated advice the region reads, the selection recording whether it followed the advice, and a
theme's reviewer counting as a coach of the proposal that grows from it."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.todos import todos_for
from evaluations.models import ExpertGroupMember, Recommendation, ReviewState, ThemeReview
from evaluations.services import feasibility
from evaluations.services.conflicts import proposal_facts
from evaluations.services.panels import panel_auto_plan
from evaluations.services.pledges import review_pledge_sign
from programmes.models import Region
from proposals.planning_status import region_standings, standing_csv_rows
from proposals.services import themes
from tests.evaluations.conftest import make_expert
from tests.factories import CallFactory
from tests.login import log_in
from tests.proposals.test_themes import FIELDS, SEOUL

pytestmark = pytest.mark.django_db

REVIEW = {"feasibility_grade": 4, "feasibility_comment": "원천기술 확보 가능", "originality_grade": 3,
          "originality_comment": "", "regional_fit_grade": 5, "regional_fit_comment": "지역 역량 충분",
          "application_grade": 3, "application_comment": "", "recommendation": Recommendation.WITH_CHANGES,
          "reasons": "실증 경로를 구체화할 것"}


@pytest.fixture
def call():
    today = timezone.localdate()

    def day(n):
        return today + datetime.timedelta(days=n)

    return CallFactory(planning_start=day(-10), discovery_end=day(2), selection_end=day(30), planning_end=day(40),
                       consulting_start=day(-10), consulting_end=day(45),
                       submission_deadline=datetime.datetime.combine(day(50), datetime.time(18), tzinfo=SEOUL),
                       review_start=day(55), review_end=day(60), announcement_date=day(70))


@pytest.fixture
def theme(official, call):
    return themes.theme_create(actor=official, call=call, partners=[Region.objects.get(code="jeonnam")],
                               fields={**FIELDS, "title_ko": "뉴로모픽 소자",
                                       "capacity_institutions": "전남대학교\n광주과학기술원"})


@pytest.fixture
def group(ministry, call):
    group = feasibility.group_save(actor=ministry, call=call, name_ko="반도체 전문가 그룹", name_en="Chips")
    for name in ("chair", "member"):
        feasibility.group_member_add(actor=ministry, group=group, expert=make_expert(f"g-{name}"))
    feasibility.group_set_chair(actor=ministry, member=group.members.get(expert__username="g-chair"))
    return group


def pledged(review, expert):
    review_pledge_sign(actor=expert, review=review, signed_name=expert.display_name, agree=True)
    return ThemeReview.objects.get(pk=review.pk)


def cleared(review, expert):
    return feasibility.review_declare(actor=expert, review=pledged(review, expert), conflict=False)


def submitted(theme, expert, ministry, **changes):
    review = cleared(feasibility.review_assign(actor=ministry, theme=theme, expert=expert), expert)
    return feasibility.review_transition(actor=expert, review=review, action="submit", data={**REVIEW, **changes})


def test_a_group_has_one_chair_and_naming_another_moves_it(ministry, group):
    other = group.members.get(expert__username="g-member")
    feasibility.group_set_chair(actor=ministry, member=other)
    assert list(ExpertGroupMember.objects.filter(group=group, is_chair=True).values_list("expert__username",
                                                                                         flat=True)) == ["g-member"]


def test_an_expert_from_a_region_of_the_theme_cannot_be_assigned_and_is_told_why(ministry, theme):
    local = make_expert("local", home="jeonnam")
    with pytest.raises(ValidationError) as exc:
        feasibility.review_assign(actor=ministry, theme=theme, expert=local)
    assert "Home region" in " ".join(exc.value.message_dict["expert"])
    assert not ThemeReview.objects.exists()


def test_an_expert_of_an_institution_the_analysis_names_cannot_be_assigned(ministry, theme):
    gist = make_expert("gist", affiliation="광주과학기술원")
    with pytest.raises(ValidationError):
        feasibility.review_assign(actor=ministry, theme=theme, expert=gist)


def test_assigning_the_group_leaves_out_the_conflicted_member_and_says_why(ministry, theme, group):
    feasibility.group_member_add(actor=ministry, group=group, expert=make_expert("g-local", home="gwangju"))
    plan = feasibility.group_plan(group)
    assert sorted(m.expert.username for m in plan[0].assign) == ["g-chair", "g-member"]
    assert [m.expert.username for m, _reasons in plan[0].conflicted] == ["g-local"]
    created = feasibility.group_assign(actor=ministry, group=group)
    assert sorted(r.expert.username for r in created) == ["g-chair", "g-member"]
    assert AuditEvent.objects.filter(action="feasibility", object_id=str(group.pk)).exists()
    with pytest.raises(ValidationError):  # nothing left to assign
        feasibility.group_assign(actor=ministry, group=group)


def test_the_expert_sees_the_theme_only_after_declaring_no_conflict(client, ministry, theme):
    expert = make_expert("reader")
    review = pledged(feasibility.review_assign(actor=ministry, theme=theme, expert=expert), expert)
    log_in(client, expert)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("evaluations:theme_review", args=[review.pk])).content.decode()
    assert "저항변화 메모리" not in page and "theme-declare" in page
    client.post(reverse("evaluations:theme_review_declare", args=[review.pk]), {"decision": "none"})
    page = client.get(reverse("evaluations:theme_review", args=[review.pk])).content.decode()
    assert "저항변화 메모리" in page and "review-submit" in page


def test_a_review_without_reasons_is_refused_and_what_was_typed_is_kept(client, ministry, theme):
    expert = make_expert("hasty")
    review = cleared(feasibility.review_assign(actor=ministry, theme=theme, expert=expert), expert)
    log_in(client, expert)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("evaluations:theme_review_save", args=[review.pk]),
                           {**REVIEW, "reasons": "", "feasibility_comment": "남겨 둘 의견", "action": "submit",
                            "confirm": "yes"})
    assert response.status_code == 400
    assert "Give the reasons for your recommendation." in response.content.decode()
    assert "남겨 둘 의견" in response.content.decode()
    assert ThemeReview.objects.get(pk=review.pk).state == ReviewState.DRAFT


def test_a_review_is_submitted_once_returned_by_staff_then_submitted_again(ministry, theme, official):
    expert = make_expert("once")
    review = submitted(theme, expert, ministry)
    assert review.state == ReviewState.SUBMITTED
    with pytest.raises(ValidationError):
        feasibility.review_transition(actor=expert, review=review, action="submit", data=REVIEW)
    with pytest.raises(ValidationError):
        feasibility.review_transition(actor=ministry, review=review, action="return", reason="")
    review = feasibility.review_transition(actor=ministry, review=review, action="return", reason="근거 보강")
    assert review.state == ReviewState.RETURNED
    review = feasibility.review_transition(actor=expert, review=review, action="submit",
                                           data={**REVIEW, "reasons": "보강한 근거"})
    assert (review.state, review.reasons) == (ReviewState.SUBMITTED, "보강한 근거")
    assert official.notifications.filter(message__contains="뉴로모픽 소자").exists()


def test_the_region_reads_the_consolidated_advice_without_names_unless_the_call_reveals_them(
        client, ministry, theme, official, outsider_official):
    submitted(theme, make_expert("named-one", display_name="김자문"), ministry)
    submitted(theme, make_expert("named-two"), ministry, recommendation=Recommendation.RECOMMEND)
    theme.call.reveal_panel_names = False
    theme.call.save()
    log_in(client, official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("proposals:selection", args=[theme.call_id])).content.decode()
    assert "실증 경로를 구체화할 것" in page and "김자문" not in page
    assert 'data-recommendation="with_changes">Recommend with changes: <strong>1</strong>' in page
    theme.call.reveal_panel_names = True
    theme.call.save()
    assert "김자문" in client.get(reverse("proposals:selection", args=[theme.call_id])).content.decode()
    assert not outsider_official.has_perm("evaluations.view_theme_advice", theme)


def test_with_advice_the_selection_must_say_whether_it_followed_it_and_why(ministry, theme, official):
    submitted(theme, make_expert("advisor"), ministry)
    with pytest.raises(ValidationError) as exc:
        themes.theme_select(actor=official, call=theme.call, theme=theme, reason="의견 수렴 결과")
    assert set(exc.value.message_dict) == {"followed_advice", "advice_reason"}
    selection = themes.theme_select(actor=official, call=theme.call, theme=theme, reason="의견 수렴 결과",
                                    followed_advice="yes", advice_reason="실증 경로를 보완함")
    assert selection.followed_advice == "yes"
    standing = next(s for s in region_standings(theme.call) if s.region.code == "gwangju")
    assert (standing.advised, standing.followed_advice) == (1, "yes")
    rows = list(standing_csv_rows(theme.call, [standing]))
    assert rows[1][-2] == 1 and rows[1][-1] in ("Followed the advice", "조언을 따름")


def test_without_advice_the_selection_asks_nothing_about_it(theme, official):
    selection = themes.theme_select(actor=official, call=theme.call, theme=theme, reason="의견 수렴 결과",
                                    followed_advice="no", advice_reason="무시")
    assert (selection.followed_advice, selection.advice_reason) == ("", "")


def test_the_experts_to_do_asks_to_pledge_then_declare_then_review_by_the_end_of_the_selection_phase(
        ministry, theme):
    expert = make_expert("todo")
    review = feasibility.review_assign(actor=ministry, theme=theme, expert=expert)
    kinds = [t.kind for t in todos_for(expert) if t.kind.startswith("evaluations.theme")]
    assert kinds == ["evaluations.theme_pledge"]
    pledged(review, expert)
    kinds = [t.kind for t in todos_for(expert) if t.kind.startswith("evaluations.theme")]
    assert kinds == ["evaluations.theme_declare"]
    feasibility.review_declare(actor=expert, review=ThemeReview.objects.get(pk=review.pk), conflict=False)
    todo = next(t for t in todos_for(expert) if t.kind == "evaluations.theme_review")
    assert todo.due.astimezone(SEOUL).date() == theme.call.selection_end


def test_a_reviewer_of_the_theme_counts_as_a_coach_of_its_proposal_and_is_left_out_of_its_panel(
        ministry, theme, eligible_factory):
    reviewer, other = make_expert("coach-reviewer"), make_expert("fresh")
    submitted(theme, reviewer, ministry)
    theme.call.panel_size = 1
    theme.call.save()
    proposal = eligible_factory(call=theme.call)
    proposal.origin_theme = theme
    proposal.save(update_fields=["origin_theme"])
    assert reviewer.pk in proposal_facts(proposal)["coach_ids"]
    (row,) = panel_auto_plan(call=theme.call).rows
    assert [e for e, _match in row.experts] == [other]
    assert row.excluded == [(reviewer, ["Coached this proposal as a consultant."])]
