"""The funded projects' to-dos (core.todos), from the same permissions as the moves they lead to.

Officials: the lead region's annual reports to submit (due / overdue), a partner region's part of
one not written yet (same deadline), a stage plan to write and submit. Staff: submitted reports to
accept or return, plans to endorse, endorsed plans to approve and good-faith reviews to decide — the last two never for the person
who endorsed or opened them (four eyes). Only projects the user sees: a project sealed until its call's announcement is none."""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_official, is_staff_member
from core.todos import NORMAL, URGENT, Todo, end_of_day
from proposals.models import Participation

from .models import (
    AnnualReport,
    GoodFaithReview,
    PlanState,
    ProjectStatus,
    ReportPart,
    ReportState,
    ReviewState,
    StagePlan,
)
from .selectors import projects_visible_to

_WITH_REGIONS = Prefetch("project__proposal__participations", Participation.objects.all())


def official_todos(user):
    if not is_official(user):
        return []
    visible = projects_visible_to(user=user).filter(status=ProjectStatus.ACTIVE)
    out = []
    for report in (AnnualReport.objects.filter(project__in=visible, state__in=ReportState.editable())
                   .select_related("project__proposal").prefetch_related(_WITH_REGIONS).order_by("due_on", "pk")):
        if user.has_perm("projects.submit_report", report.project):
            out.append(Todo(kind="projects.annual_report",
                            title=format_lazy(_("Submit the {year} annual report"), year=report.year),
                            url=reverse("projects:report", args=[report.project_id, report.year]),
                            due=end_of_day(report.due_on), label=report.project.proposal.title))
    # A partner region writes its own part (spending, progress); the lead's to-do is the whole report.
    for part in (ReportPart.objects.filter(region_id=user.region_id, updated_by__isnull=True,
                                           report__project__in=visible, report__state__in=ReportState.editable())
                 .exclude(report__project__proposal__lead_region_id=user.region_id)
                 .select_related("report__project__proposal").order_by("report__due_on", "pk")):
        if user.has_perm("projects.edit_report_part", part):
            report = part.report
            out.append(Todo(kind="projects.report_part",
                            title=format_lazy(_("Write your region's part of the {year} annual report"),
                                              year=report.year),
                            url=reverse("projects:report", args=[report.project_id, report.year]) + f"#part-{part.pk}",
                            due=end_of_day(report.due_on), label=report.project.proposal.title))
    for plan in (StagePlan.objects.filter(project__in=visible, state__in=[PlanState.DRAFT, PlanState.RETURNED])
                 .select_related("project__proposal").prefetch_related(_WITH_REGIONS).order_by("pk")):
        if user.has_perm("projects.submit_plan", plan):
            out.append(Todo(kind="projects.stage_plan",
                            title=format_lazy(_("Write and submit the follow-up plan for stage {n}"),
                                              n=plan.stage_number),
                            url=reverse("projects:plan", args=[plan.pk]), label=plan.project.proposal.title,
                            priority=URGENT if plan.state == PlanState.RETURNED else NORMAL))
    return out


def staff_todos(user):
    if not is_staff_member(user):
        return []
    out = []
    if user.has_perm("projects.review_report"):
        for report in (AnnualReport.objects.filter(state=ReportState.SUBMITTED)
                       .select_related("project__proposal").order_by("submitted_at", "pk")):
            out.append(Todo(kind="projects.review_report",
                            title=format_lazy(_("Accept or return the {year} annual report"), year=report.year),
                            url=reverse("projects:report", args=[report.project_id, report.year]),
                            label=report.project.proposal.title))
    for plan in (StagePlan.objects.filter(state__in=[PlanState.SUBMITTED, PlanState.ENDORSED])
                 .select_related("project__proposal").order_by("pk")):
        if plan.state == PlanState.SUBMITTED and user.has_perm("projects.endorse_plan", plan):
            title = format_lazy(_("Endorse or return the follow-up plan for stage {n}"), n=plan.stage_number)
        elif plan.state == PlanState.ENDORSED and user.has_perm("projects.approve_plan", plan):
            title = format_lazy(_("Approve the follow-up plan for stage {n} (four eyes)"), n=plan.stage_number)
        else:
            continue
        out.append(Todo(kind=f"projects.plan_{plan.state}", title=title, url=reverse("projects:plan", args=[plan.pk]),
                        label=plan.project.proposal.title, priority=URGENT))
    for review in (GoodFaithReview.objects.filter(state=ReviewState.OPEN)
                   .select_related("evaluation__project__proposal").order_by("opened_at", "pk")):
        if user.has_perm("projects.decide_good_faith", review):
            out.append(Todo(kind="projects.good_faith", title=_("Decide the good-faith review (four eyes)"),
                            url=reverse("projects:good_faith", args=[review.evaluation_id]),
                            label=review.evaluation.project.proposal.title, priority=URGENT))
    return out
