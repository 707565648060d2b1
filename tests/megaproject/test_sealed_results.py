"""Results sealed until announced, everywhere a region could read them (proposals.disclosure).

The world: a Gwangju (lead) + Jeonnam proposal ("선정 과제") that passed eligibility and was
selected by staff with a reason while its call is under review, its funding decision
approved by a second staff member and its letter built; a second proposal ("부적격 과제")
screened out with a reason. Before the call's results are announced, the Gwangju and Jeonnam
officials read "Under review" on every page, list, filter, figure, export and notification,
and nothing of the selection or the decision; the screened-out proposal is told at once.
Announcing tells everything at once (notifications and mails included). A decision only
prepared is never a region's to see, before or after.
"""

import csv
import io

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import Notification
from funding import services as funding_services
from funding.models import AwardLetter
from programmes.models import CallStatus
from programmes.services import call_change_status
from proposals.models import Proposal
from proposals.services import proposal_check_eligibility, proposal_submit
from tests.evaluations.conftest import make_eligible
from tests.funding.conftest import (  # noqa: F401  (fixtures)
    _english,
    _media_root,
    approve,
    build_letter,
    fill,
    make_proposal,
    plan,
)
from tests.login import log_in
from tests.proposals.conftest import before_deadline  # noqa: F401
from tests.proposals.listing import listed_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, settings):
    """A browser reading English pages."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client

REASON = "상위 2개 과제 선정: 지역 간 역할 분담이 명확함"
SCREENED_OUT = "지방비 분담 확약서 누락"


def eligible_in_review(call, make, title, *, ministry, now):
    """A proposal submitted while the call is open and passed eligibility; the call then under review."""
    call.status = CallStatus.OPEN
    call.save()
    proposal = make_eligible(make(partners=["jeonnam"], title_ko=title), ministry=ministry, now=now)
    call.status = CallStatus.REVIEW
    call.save()
    return proposal


@pytest.fixture
def world(call, ministry, ministry2, official, partner_official, outsider_official, make_proposal,  # noqa: F811
          before_deadline, approve, django_capture_on_commit_callbacks):  # noqa: F811
    selected = eligible_in_review(call, make_proposal, "선정 과제", ministry=ministry, now=before_deadline)
    funding_services.selection_decide(actor=ministry, proposal=selected, action="select", reason=REASON)
    years, obligations = plan(selected)
    decision = funding_services.funding_prepare(actor=ministry, proposal=selected, years=years,
                                                obligations=obligations, conditions="조건: 연차 점검")
    decision, letter = approve(decision, ministry2)
    screened = fill(make_proposal(partners=["jeonnam"], title_ko="부적격 과제"))
    call.status = CallStatus.OPEN
    call.save()
    proposal_submit(actor=official, proposal=screened, now=before_deadline)
    call.status = CallStatus.REVIEW
    call.save()
    proposal_check_eligibility(actor=ministry, proposal=screened, passed=False, reason=SCREENED_OUT)
    return {"call": call, "selected": Proposal.objects.get(pk=selected.pk), "screened": screened,
            "decision": decision, "letter": letter, "ministry": ministry}


def announce(world, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_change_status(actor=world["ministry"], call=world["call"], status=CallStatus.ANNOUNCED)


def page(web, user, url, **params) -> str:
    log_in(web, user)
    response = web.get(url, params)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content).decode("utf-8-sig") if response.streaming \
        else response.content.decode()


def csv_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def listed_titles(web, user, **params) -> list[str]:
    log_in(web, user)
    ids = listed_ids(web.get(reverse("proposals:list"), params))
    shown = Proposal.objects.in_bulk(ids)
    return [shown[pk].title_ko for pk in ids]


# --- The proposal page, the list and its filter ----------------------------------------------------------


@pytest.mark.parametrize("who", ["official", "partner_official"])
def test_before_the_announcement_the_proposal_page_says_under_review_and_nothing_of_the_selection(
        web, request, world, who):
    body = page(web, request.getfixturevalue(who), reverse("proposals:detail", args=[world["selected"].pk]))
    assert ["pstate-under_review" in body, "pstate-selected" in body, "pstate-funded" in body, REASON in body,
            "Funding decision" in body, "Project workspace" in body] == [True, False, False, False, False, False]


def test_staff_see_the_result_at_once(web, world, ministry):
    body = page(web, ministry, reverse("proposals:detail", args=[world["selected"].pk]))
    assert ["pstate-funded" in body, "pstate-under_review" in body, "Funding decision v1 approved." in body] == [
        True, False, True]


def test_a_proposal_screened_out_is_told_at_once_with_the_reason(web, world, official):
    body = page(web, official, reverse("proposals:detail", args=[world["screened"].pk]))
    assert ["Eligibility failed" in body, SCREENED_OUT in body] == [True, True]


def test_after_the_announcement_the_region_sees_the_result_and_the_decision(
        web, world, official, django_capture_on_commit_callbacks):
    announce(world, django_capture_on_commit_callbacks)
    body = page(web, official, reverse("proposals:detail", args=[world["selected"].pk]))
    assert ["pstate-under_review" in body, "pstate-funded" in body, "Funding decision and letters" in body] == [
        False, True, True]
    assert page(web, official, reverse("funding:decision", args=[world["selected"].pk]))


@pytest.mark.parametrize("state", ["selected", "funded", "not_selected", "reserve", "eligible"])
def test_an_official_filtering_by_a_result_learns_nothing_before_the_announcement(
        web, world, official, state):
    assert listed_titles(web, official, state=state) == []
    assert listed_titles(web, official, state="under_review") == ["선정 과제"]
    assert listed_titles(web, official, state="ineligible") == ["부적격 과제"]


def test_the_list_shows_under_review_and_sorting_by_state_does_not_tell_results_apart(web, world, official):
    body = page(web, official, reverse("proposals:list"), sort="state")
    badges = ["pstate-under_review", "pstate-funded", "pstate-selected", "pstate-ineligible"]
    assert [badge in body for badge in badges] == [True, False, False, True]


def test_after_the_announcement_the_filter_finds_the_result(web, world, official,
                                                            django_capture_on_commit_callbacks):
    announce(world, django_capture_on_commit_callbacks)
    assert listed_titles(web, official, state="funded") == ["선정 과제"]
    assert listed_titles(web, official, state="under_review") == []


# --- Funding decisions, letters and the project ------------------------------------------------------------


def test_before_the_announcement_the_approved_decision_its_letter_and_project_are_hidden(web, world, official):
    log_in(web, official)
    pk = world["selected"].pk
    assert [web.get(reverse("funding:decision", args=[pk])).status_code,
            web.get(reverse("funding:letter_download", args=[world["letter"].pk])).status_code,
            web.get(reverse("funding:letter_status", args=[world["letter"].pk])).status_code] == [404, 404, 404]
    assert list(web.get(reverse("projects:list")).context["page"].object_list) == []


@pytest.mark.parametrize("announced", [False, True])
def test_a_prepared_decision_is_never_a_regions_to_see(web, world, official, ministry, announced, before_deadline,  # noqa: F811
                                                       django_capture_on_commit_callbacks, make_proposal):  # noqa: F811
    other = eligible_in_review(world["call"], make_proposal, "준비 과제", ministry=ministry, now=before_deadline)
    funding_services.selection_decide(actor=ministry, proposal=other, action="select", reason=REASON)
    years, obligations = plan(other)
    funding_services.funding_prepare(actor=ministry, proposal=other, years=years, obligations=obligations,
                                     conditions="준비된 조건")
    if announced:
        announce(world, django_capture_on_commit_callbacks)
    log_in(web, official)
    assert web.get(reverse("funding:decision", args=[other.pk])).status_code == 404
    log_in(web, ministry)
    assert "준비된 조건" in web.get(reverse("funding:decision", args=[other.pk])).content.decode()


# --- Dashboards, figure CSV and the proposals export -------------------------------------------------------


def test_the_regions_dashboard_and_its_figures_hold_no_result_before_the_announcement(
        web, world, official, django_capture_on_commit_callbacks):
    log_in(web, official)
    figures = {f["key"]: f["value"] for f in web.get(reverse("dashboard")).context["key_figures"]}
    assert (figures["selected"], figures["national"], figures["local"]) == (0, 0, 0)
    funnel = csv_of(page(web, official, reverse("dashboard_figure_csv", args=["proposals"])))
    assert [row[:2] for row in funnel[1:]] == [["All proposals", "2"], ["Submitted", "2"], ["Eligible", "1"],
                                                ["Selected", "0"], ["Funded", "0"]]
    assert csv_of(page(web, official, reverse("dashboard_figure_csv", args=["projects"])))[1:] == []
    announce(world, django_capture_on_commit_callbacks)
    figures = {f["key"]: f["value"] for f in web.get(reverse("dashboard")).context["key_figures"]}
    assert figures["selected"] == 1 and figures["national"] > 0
    funnel = csv_of(page(web, official, reverse("dashboard_figure_csv", args=["proposals"])))
    assert funnel[-1][:2] == ["Funded", "1"]


def test_the_proposals_export_says_under_review_and_its_state_filter_learns_nothing(
        web, world, official, ministry, django_capture_on_commit_callbacks):
    url = reverse("reports:export", kwargs={"dataset": "proposals", "fmt": "csv"})

    def states(user, **params):
        rows = csv_of(page(web, user, url, **params))
        column = rows[0].index("State")
        return sorted((r[rows[0].index("Title (Korean)")], r[column]) for r in rows[1:])

    assert states(official) == [("부적격 과제", "Eligibility failed"), ("선정 과제", "Under review")]
    assert states(official, state="funded") == []
    assert states(ministry, state="funded") == [("선정 과제", "Funded")]
    funding_rows = csv_of(page(web, official, reverse("reports:export", kwargs={"dataset": "funding",
                                                                                     "fmt": "csv"})))
    assert funding_rows[1:] == []
    announce(world, django_capture_on_commit_callbacks)
    assert states(official) == [("부적격 과제", "Eligibility failed"), ("선정 과제", "Funded")]


# --- Notifications and mails ------------------------------------------------------------------------


def messages_to(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("message", flat=True))


def mailed_after(user, text: str, before: int) -> int:
    """Mails to `user` holding `text` caused after the user's first `before` notifications: read from the
    outbox when tasks run in-process (the world is built without running its commit callbacks); with a
    broker the worker (another process) sends them, so the later notifications whose mail is due or sent."""
    if not settings.CELERY_BROKER_URL:
        return len([m for m in mail.outbox if m.to == [user.email] and text in m.body])
    later = list(Notification.objects.filter(user=user).order_by("pk"))[before:]
    return len([n for n in later if text in n.message and n.mail_state in ("pending", "sent")])


@pytest.mark.parametrize("who", ["official", "partner_official"])
def test_the_region_hears_under_review_then_nothing_until_the_announcement_then_everything(
        request, world, who, django_capture_on_commit_callbacks):
    user = request.getfixturevalue(who)
    before = messages_to(user)
    assert not any("Selected" in m or "Funded" in m or REASON in m or "funding decision" in m.lower()
                   or "award letter" in m for m in before)
    assert any("선정 과제" in m and "Under review" in m for m in before)  # eligibility passed: told at once
    assert any("부적격 과제" in m and SCREENED_OUT in m for m in before)  # screened out: told at once, with reason
    announce(world, django_capture_on_commit_callbacks)
    told = messages_to(user)[len(before):]
    assert told == ["“선정 과제” is now “Funded”. Reason: Funding decision v1 approved.",
                    "The funding decision for “선정 과제” was approved; its award letter is on the decision page."]
    assert mailed_after(user, "선정 과제", len(before)) == 2


def test_announcing_mails_the_participating_regions_only(world, official, partner_official, outsider_official,
                                                        django_capture_on_commit_callbacks):
    people = (official, partner_official, outsider_official)
    before = [len(messages_to(u)) for u in people]
    announce(world, django_capture_on_commit_callbacks)
    assert messages_to(outsider_official) == []
    assert [mailed_after(u, "", n) for u, n in zip(people, before, strict=True)] == [2, 2, 0]


def test_a_region_posting_a_move_on_a_sealed_proposal_is_not_told_its_state(web, world, official):
    log_in(web, official)
    response = web.post(reverse("proposals:action", args=[world["selected"].pk]),
                           {"action": "withdraw", "confirm": "yes"}, follow=True)
    body = response.content.decode()
    assert ["Under review" in body, "Funded" in body, "Selected" in body] == [True, False, False]


def test_the_letter_is_kept_for_the_region_until_the_announcement(web, world, official,
                                                                  django_capture_on_commit_callbacks):
    assert AwardLetter.objects.filter(pk=world["letter"].pk, status="done").exists()
    announce(world, django_capture_on_commit_callbacks)
    log_in(web, official)
    assert web.get(reverse("funding:letter_download", args=[world["letter"].pk])).status_code == 200
