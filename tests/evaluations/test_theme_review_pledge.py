"""Issue 17's leftovers on feasibility reviews: the confidentiality pledge bound to each review (before anything
of the theme is shown), the theme's files for the experts who review it (through the one theme selector; any
other expert gets a 404) and staff unassigning a review that is not submitted (with the reason, audited, the
expert told; a submitted review is refused with a clear message)."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Notification
from audit.models import AuditEvent
from evaluations.models import ConfidentialityPledge, ReviewState, ThemeReview
from evaluations.services import feasibility
from evaluations.services.conflicts import proposal_facts
from evaluations.services.pledges import pledge_signed, review_pledge_sign
from proposals.selectors import themes_visible_to
from proposals.services import themes
from tests.evaluations.conftest import make_expert
from tests.evaluations.test_feasibility import REVIEW, call, cleared, pledged, submitted, theme  # noqa: F401
from tests.login import log_in
from tests.proposals.conftest import PDF
from tests.proposals.test_themes import FIELDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(official, theme):  # noqa: F811
    themes.theme_attachment_add(actor=official, theme=theme, upload=SimpleUploadedFile("역량분석.pdf", PDF),
                                description="혁신역량 분석")
    return theme.attachments.get()


def _review_url(review, name="theme_review"):
    return reverse(f"evaluations:{name}", args=[review.pk])


# --- The pledge ----------------------------------------------------------------------------------------


def test_the_review_page_sends_the_expert_to_the_pledge_before_anything_of_the_theme(client, ministry, theme):  # noqa: F811
    expert = make_expert("pledger")
    review = feasibility.review_assign(actor=ministry, theme=theme, expert=expert)
    log_in(client, expert)
    response = client.get(_review_url(review))
    assert response.status_code == 302 and response.url == _review_url(review, "theme_review_pledge")
    page = client.get(response.url).content.decode()
    assert "뉴로모픽 소자" not in page and "저항변화 메모리" not in page  # neither title nor analysis
    assert "전남대학교" not in page  # not even the institutions the declaration asks about
    # the declaration is refused too, by the view and by the service
    assert client.post(_review_url(review, "theme_review_declare"), {"decision": "none"}).status_code == 302
    with pytest.raises(ValidationError, match="pledge"):
        feasibility.review_declare(actor=expert, review=review, conflict=False)
    assert ThemeReview.objects.get(pk=review.pk).declared_at is None


def test_a_wrong_name_or_no_tick_is_refused_at_the_field_and_what_was_typed_is_kept(client, ministry, theme):  # noqa: F811
    expert = make_expert("typo", display_name="홍길동")
    review = feasibility.review_assign(actor=ministry, theme=theme, expert=expert)
    log_in(client, expert)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(_review_url(review, "theme_review_pledge"), {"signed_name": "홍길순"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Type your name exactly as" in page and "Tick the box to accept the pledge." in page
    assert 'value="홍길순"' in page
    assert not ConfidentialityPledge.objects.exists()


def test_the_signed_pledge_is_bound_to_the_review_with_its_time_and_audited(client, ministry, theme):  # noqa: F811
    expert = make_expert("signer", display_name="홍길동")
    review = feasibility.review_assign(actor=ministry, theme=theme, expert=expert)
    log_in(client, expert)
    response = client.post(_review_url(review, "theme_review_pledge"), {"signed_name": " 홍길동 ", "agree": "on"})
    assert response.status_code == 302 and response.url == _review_url(review)
    pledge = ConfidentialityPledge.objects.get()
    assert (pledge.theme_review_id, pledge.expert_id, pledge.call_id, pledge.signed_name) == (
        review.pk, expert.pk, theme.call_id, "홍길동")
    assert pledge.signed_at is not None
    assert AuditEvent.objects.filter(action="feasibility", summary__contains="pledge").exists()
    # a review's pledge is not the call's pledge for proposals
    assert not pledge_signed(user=expert, call_id=theme.call_id)
    # now the declaration, then the theme
    page = client.get(_review_url(review)).content.decode()
    assert "theme-declare" in page and "review-pledge" in page
    with pytest.raises(ValidationError):  # signed once
        review_pledge_sign(actor=expert, review=ThemeReview.objects.get(pk=review.pk), signed_name="홍길동", agree=True)


def test_only_the_reviews_own_expert_signs_its_pledge(client, ministry, theme):  # noqa: F811
    expert, other = make_expert("own"), make_expert("other")
    review = feasibility.review_assign(actor=ministry, theme=theme, expert=expert)
    with pytest.raises(Exception):  # noqa: B017 — PermissionDenied
        review_pledge_sign(actor=other, review=review, signed_name=other.display_name, agree=True)
    log_in(client, other)
    assert client.get(_review_url(review, "theme_review_pledge")).status_code == 404


# --- The theme's files ---------------------------------------------------------------------------------


def test_the_reviewing_expert_downloads_the_themes_file_only_after_pledge_and_declaration(
        client, ministry, theme, attachment):  # noqa: F811
    expert = make_expert("reader")
    review = feasibility.review_assign(actor=ministry, theme=theme, expert=expert)
    url = reverse("proposals:theme_attachment", args=[theme.pk, attachment.pk])
    log_in(client, expert)
    assert client.get(url).status_code == 404  # assigned, nothing signed
    review = pledged(review, expert)
    assert client.get(url).status_code == 404  # pledged, not declared
    feasibility.review_declare(actor=expert, review=review, conflict=False)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    page = client.get(_review_url(review)).content.decode()
    assert url in page and "역량분석.pdf" in page


@pytest.mark.parametrize("who, status", [
    ("lead official", 200), ("partner official", 200), ("other region's official", 404), ("ministry", 200),
    ("reviewing expert", 200), ("expert without a review", 404), ("expert who declared a conflict", 404),
    ("expert of another theme", 404), ("unassigned expert", 404),
])
def test_who_downloads_a_themes_file(client, who, status, ministry, official, partner_official,
                                     outsider_official, theme, attachment):  # noqa: F811
    other_theme = themes.theme_create(actor=official, call=theme.call, partners=[],
                                      fields={**FIELDS, "title_ko": "AI 반도체"})
    experts = {name: make_expert(name) for name in ("reviewing", "idle", "conflicted", "elsewhere", "removed")}
    cleared(feasibility.review_assign(actor=ministry, theme=theme, expert=experts["reviewing"]), experts["reviewing"])
    conflicted = pledged(feasibility.review_assign(actor=ministry, theme=theme, expert=experts["conflicted"]),
                         experts["conflicted"])
    feasibility.review_declare(actor=experts["conflicted"], review=conflicted, conflict=True, note="같은 학과")
    cleared(feasibility.review_assign(actor=ministry, theme=other_theme, expert=experts["elsewhere"]),
            experts["elsewhere"])
    removed = cleared(feasibility.review_assign(actor=ministry, theme=theme, expert=experts["removed"]),
                      experts["removed"])
    feasibility.review_transition(actor=ministry, review=removed, action="unassign", reason="일정 불가")
    user = {"lead official": official, "partner official": partner_official,
            "other region's official": outsider_official, "ministry": ministry,
            "reviewing expert": experts["reviewing"], "expert without a review": experts["idle"],
            "expert who declared a conflict": experts["conflicted"], "expert of another theme": experts["elsewhere"],
            "unassigned expert": experts["removed"]}[who]
    log_in(client, user)
    url = reverse("proposals:theme_attachment", args=[theme.pk, attachment.pk])
    assert client.get(url).status_code == status
    assert themes_visible_to(user=user).filter(pk=theme.pk).exists() is (status == 200)


# --- Unassigning ---------------------------------------------------------------------------------------


def test_staff_unassign_a_draft_review_with_the_reason_audited_and_the_expert_told(client, ministry, theme):  # noqa: F811
    expert = make_expert("busy")
    review = cleared(feasibility.review_assign(actor=ministry, theme=theme, expert=expert), expert)
    log_in(client, ministry)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("evaluations:theme_review_unassign", args=[theme.pk])
    response = client.post(url, {"review": review.pk, "unassigned_reason": "  "})
    assert response.status_code == 400 and "Say why the review is unassigned." in response.content.decode()
    assert ThemeReview.objects.get(pk=review.pk).state == ReviewState.DRAFT
    response = client.post(url, {"review": review.pk, "unassigned_reason": "해외 출장으로 검토 불가"})
    assert response.status_code == 302
    review = ThemeReview.objects.get(pk=review.pk)
    assert (review.state, review.unassigned_reason) == (ReviewState.UNASSIGNED, "해외 출장으로 검토 불가")
    assert review.unassigned_at is not None
    event = AuditEvent.objects.filter(action="feasibility", actor=ministry).latest("pk")
    assert "unassign" in event.summary and event.after["reason"] == "해외 출장으로 검토 불가"
    assert Notification.objects.filter(user=expert, message__contains="해외 출장으로 검토 불가").exists()
    # the expert no longer reads the theme nor writes the review, and is no coach of its proposal
    log_in(client, expert)
    page = client.get(reverse("evaluations:theme_review", args=[review.pk])).content.decode()
    assert "review-unassigned" in page and "저항변화 메모리" not in page and "review-submit" not in page
    assert client.post(reverse("evaluations:theme_review_save", args=[review.pk]),
                       {**REVIEW, "action": "save"}).status_code == 403
    assert not expert.has_perm("evaluations.write_theme_review", review)
    assert theme.feasibility_reviews.exclude(state=ReviewState.UNASSIGNED).count() == 0
    with pytest.raises(ValidationError, match="unassigned"):  # not asked again by hand
        feasibility.review_assign(actor=ministry, theme=theme, expert=expert)


def test_a_returned_review_may_be_unassigned(ministry, theme):  # noqa: F811
    expert = make_expert("returned")
    review = submitted(theme, expert, ministry)
    review = feasibility.review_transition(actor=ministry, review=review, action="return", reason="근거 보강")
    review = feasibility.review_transition(actor=ministry, review=review, action="unassign", reason="기한 내 미제출")
    assert review.state == ReviewState.UNASSIGNED


def test_a_submitted_review_cannot_be_unassigned_and_staff_are_told_why(client, ministry, theme):  # noqa: F811
    expert = make_expert("done")
    review = submitted(theme, expert, ministry)
    with pytest.raises(ValidationError, match="submitted review cannot be unassigned"):
        feasibility.review_transition(actor=ministry, review=review, action="unassign", reason="중복")
    log_in(client, ministry)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("evaluations:theme_review_unassign", args=[theme.pk]),
                           {"review": review.pk, "unassigned_reason": "중복"})
    assert response.status_code == 400
    assert "A submitted review cannot be unassigned" in response.content.decode()
    assert ThemeReview.objects.get(pk=review.pk).state == ReviewState.SUBMITTED


def test_only_staff_unassign(ministry, theme):  # noqa: F811
    expert = make_expert("self")
    review = cleared(feasibility.review_assign(actor=ministry, theme=theme, expert=expert), expert)
    with pytest.raises(Exception):  # noqa: B017 — PermissionDenied
        feasibility.review_transition(actor=expert, review=review, action="unassign", reason="하기 싫음")
    assert ThemeReview.objects.get(pk=review.pk).state == ReviewState.DRAFT


def test_an_unassigned_reviewer_is_no_coach_of_the_proposal_grown_from_the_theme(ministry, theme, eligible_factory):  # noqa: F811
    expert = make_expert("gone")
    review = cleared(feasibility.review_assign(actor=ministry, theme=theme, expert=expert), expert)
    proposal = eligible_factory(call=theme.call)
    proposal.origin_theme = theme
    proposal.save(update_fields=["origin_theme"])
    assert expert.pk in proposal_facts(proposal)["coach_ids"]
    feasibility.review_transition(actor=ministry, review=review, action="unassign", reason="일정 불가")
    assert expert.pk not in proposal_facts(proposal)["coach_ids"]
