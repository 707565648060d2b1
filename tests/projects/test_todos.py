"""The funded projects' to-dos (projects.todos): a partner region's part of an annual report, and
no to-do ever telling a region a result sealed until its call's announcement (proposals.disclosure)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tasks import send_daily_digests
from core.todos import end_of_day, todos_for
from programmes.models import CallStatus
from projects.models import StageRound
from projects.services import reports, stages
from tests.factories import EOK

from .conftest import complete_report, evaluation_of, open_round, part_of, seat

pytestmark = pytest.mark.django_db


def kinds(user):
    return [t.kind for t in todos_for(user)]


def test_a_partner_region_is_asked_for_its_part_until_it_writes_it(report, official, partner_official):
    todo = next(t for t in todos_for(partner_official) if t.kind == "projects.report_part")
    part = part_of(report, partner_official.region_id)
    assert todo.url == reverse("projects:report", args=[report.project_id, report.year]) + f"#part-{part.pk}"
    assert todo.due.date() == report.due_on
    assert str(todo.title) == "Write your region's part of the 2023 annual report"
    assert "projects.annual_report" not in kinds(partner_official)  # submitting is the lead's
    assert "projects.report_part" not in kinds(official)  # the lead's to-do is the whole report

    reports.report_part_save(actor=partner_official, part=part, national_spent=0, local_spent=0,
                             narrative="전남 추진 실적")
    assert "projects.report_part" not in kinds(partner_official)


def test_no_part_to_do_once_the_report_is_submitted(report, official, partner_official):
    complete_report(report, lead=official, partner=partner_official)
    part_of(report, partner_official.region_id).__class__.objects.filter(report=report).update(updated_by=None)
    reports.report_submit(actor=official, report=report)
    assert "projects.report_part" not in kinds(partner_official)


def _titles(user) -> str:
    return " ".join(f"{t.title} {t.label}" for t in todos_for(user))


@pytest.mark.parametrize("announced", [False, True])
def test_a_to_do_never_reveals_a_result_sealed_until_the_announcement(
        announced, report, official, partner_official, settings):
    """The project (so: selected and funded) of a call whose results are not announced yet: its
    regions get no report, part or plan to-do, nothing naming the project, and no digest about it.
    Announced, the same to-dos appear (the test could fail)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call = report.project.proposal.call
    call.status = CallStatus.ANNOUNCED if announced else CallStatus.REVIEW
    call.save(update_fields=["status"])
    proposal = report.project.proposal
    title = proposal.title
    names = {proposal.title_ko, proposal.title_en} - {""}
    for who, kind in ((official, "projects.annual_report"), (partner_official, "projects.report_part")):
        assert (kind in kinds(who)) is announced
        leaked = [k for k in kinds(who) if k.startswith(("projects.", "funding."))]
        assert bool(leaked) is announced, leaked
        assert (title in _titles(who)) is announced
        for word in ("select", "fund", "award", "선정", "지원 결정"):
            assert announced or word not in _titles(who).lower()

    mail.outbox.clear()
    send_daily_digests()
    to_regions = [m for m in mail.outbox if set(m.to) & {official.email, partner_official.email}]
    if announced:
        assert to_regions and all(any(n in m.body for n in names) for m in to_regions)
    else:
        assert not any(n in m.body for m in to_regions for n in names), [m.body for m in to_regions]


@pytest.mark.parametrize("due_on", [None, datetime.date(2026, 1, 15)])
def test_a_stage_scoring_to_do_shows_the_rounds_deadline_when_it_sets_one(
        due_on, project, call, ministry, stage_expert):
    rnd = open_round(call, by=ministry)
    if due_on:  # the round form's "scores due on" (services.stages.round_open takes it)
        StageRound.objects.filter(pk=rnd.pk).update(scores_due_on=due_on)
    assignment = seat(evaluation_of(rnd, project), stage_expert, by=ministry)
    stages.round_start_scoring(actor=ministry, rnd=rnd)
    todo = next(t for t in todos_for(stage_expert) if t.kind == "evaluations.score")
    assert todo.url == reverse("evaluations:assignment", args=[assignment.pk])
    assert todo.due == end_of_day(due_on)


def test_the_round_is_opened_with_its_scores_deadline(project, call, ministry):
    rnd = stages.round_open(actor=ministry, call=call, stage_number=1, title="1단계 평가", year=2025,
                            envelope_won=100 * EOK, scores_due_on=datetime.date(2026, 1, 15))
    assert rnd.scores_due_on == datetime.date(2026, 1, 15)


def test_the_round_page_shows_its_scores_deadline(client, project, call, ministry):
    from tests.login import log_in

    rnd = open_round(call, by=ministry)
    StageRound.objects.filter(pk=rnd.pk).update(scores_due_on=datetime.date(2026, 1, 15))
    log_in(client, ministry)
    page = client.get(reverse("projects:round", args=[rnd.pk])).content.decode()
    assert 'id="round-scores-due">2026-01-15</time>' in page
