"""The follow-up support plan: after a "continue" outcome the regions draft the
next stage (goals, years, national and local money per region and year); one
ministry staff member endorses it and another approves it, within the round's
envelope for the next stage (the round's row is locked, so two approvals can
never overspend it) and never past the ten-year limit."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from core.permissions import require
from proposals.services.budget import required_local

from ..models import PlanState, PlanYear, Project, StagePlan, StageRound
from .lifecycle import check_ten_year_rule, require_running, stage_add

EDITABLE = (PlanState.DRAFT, PlanState.RETURNED)


def _locked(plan: StagePlan) -> StagePlan:
    return StagePlan.objects.select_for_update().select_related(
        "project__proposal__call", "evaluation__round", "evaluation__stage").get(pk=plan.pk)


def _check_editable(plan: StagePlan) -> None:
    if plan.state not in EDITABLE:
        raise ValidationError(_("This plan is “%(state)s” and cannot be changed.") % {
            "state": plan.get_state_display()})


def plan_problems(plan: StagePlan, lines=None) -> dict:
    """The rules over a plan's money, keyed like the funding decision's:
    ("national"|"local", region id, year), ("year", year), ("total",)."""
    call = plan.project.proposal.call
    pct = Decimal(call.min_local_matching_pct)
    lines = list(plan.lines.all()) if lines is None else lines
    problems = {}
    years = plan.year_list

    def short(need: Decimal) -> str:
        return _("Local funds must be at least %(pct)s%% of the national funding: at least %(need)s won.") % {
            "pct": f"{pct.normalize():f}", "need": f"{int(need.to_integral_value(rounding='ROUND_CEILING')):,}"}

    for line in lines:
        if line.year not in years and (line.national_won or line.local_won):
            problems[("national", line.region_id, line.year)] = _("This year is outside the stage.")
    for year in years:
        national = sum(x.national_won for x in lines if x.year == year)
        local = sum(x.local_won for x in lines if x.year == year)
        need = required_local(national=national, local=local, other=0, pct=pct, basis=call.matching_basis)
        if Decimal(local) < need:
            problems[("year", year)] = short(need)
    total_national = sum(x.national_won for x in lines)
    if total_national == 0:
        problems[("total",)] = _("Plan some national funding for the stage.")
    return problems


@transaction.atomic
def plan_save(*, actor, plan: StagePlan, goals=None, years=None, amounts=None, revision=None) -> StagePlan:
    """Officials of the participating regions save the plan: each region its own
    money ({(region id, year): (national, local)}); the lead region also the goals
    and the number of years. A save based on an older revision is refused."""
    plan = _locked(plan)
    require(actor, "projects.edit_plan", plan)
    _check_editable(plan)
    require_running(plan.project)
    if revision is not None and str(revision) != str(plan.revision):
        raise ValidationError(_("Someone else saved this plan meanwhile. Your figures are kept below; check "
                                "the saved plan and save again."))
    lead = actor.has_perm("projects.submit_plan", plan)
    errors = {}
    if years is not None:
        # Straight from the form: a blank or malformed value is a field error, not a crash.
        try:
            years = int(str(years).strip())
        except ValueError:
            errors["years"] = _("Enter a whole number of years.")
            years = None
    if years is not None and int(years) != plan.years:
        if not lead:
            errors["years"] = _("Only the lead region changes the stage's length.")
        else:
            # The plan's years count towards the project's total: the ten-year rule.
            try:
                check_ten_year_rule(plan.project, adding_years=int(years))
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if goals is not None and goals.strip() != plan.goals and not lead:
        errors["goals"] = _("Only the lead region writes the stage's goals.")
    rows = {(x.region_id, x.year): x for x in plan.lines.all()}
    for (region_id, year), (national, local) in (amounts or {}).items():
        row = rows.get((region_id, year))
        if row is None:
            errors[f"national-{region_id}-{year}"] = _("This region or year is not part of the plan.")
            continue
        if region_id != actor.region_id:
            errors[f"national-{region_id}-{year}"] = _("Each region enters its own amounts.")
            continue
        for field, value in (("national", national), ("local", local)):
            try:
                number = int(str(value if value is not None else "0").replace(",", "").strip() or 0)
            except ValueError:
                errors[f"{field}-{region_id}-{year}"] = _("Enter a whole number of won.")
                continue
            if number < 0:
                errors[f"{field}-{region_id}-{year}"] = _("Amounts cannot be negative.")
            elif number > 10**15:
                errors[f"{field}-{region_id}-{year}"] = _("This amount is too large.")
            else:
                setattr(row, f"{field}_won", number)
    if errors:
        raise ValidationError(errors)
    if years is not None and int(years) != plan.years:
        plan.years = int(years)
        regions = sorted({r for r, _y in rows})
        PlanYear.objects.filter(plan=plan).exclude(year__in=plan.year_list).delete()
        PlanYear.objects.bulk_create([PlanYear(plan=plan, region_id=r, year=y) for y in plan.year_list
                                      for r in regions if (r, y) not in rows])
    PlanYear.objects.bulk_update([r for r in rows.values() if r.year in plan.year_list],
                                 ["national_won", "local_won"])
    if goals is not None and lead:
        plan.goals = goals.strip()
    plan.national_total_won = plan.lines.aggregate(t=Sum("national_won"))["t"] or 0
    plan.revision += 1
    plan.save()
    return plan


@transaction.atomic
def plan_submit(*, actor, plan: StagePlan) -> StagePlan:
    plan = _locked(plan)
    require(actor, "projects.submit_plan", plan)
    _check_editable(plan)
    require_running(plan.project)
    problems = plan_problems(plan)
    if not plan.goals.strip():
        problems[("goals",)] = _("Write the goals of the stage.")
    if problems:
        raise ValidationError(list(dict.fromkeys(problems.values())))
    plan.state = PlanState.SUBMITTED
    plan.submitted_by = actor
    plan.submitted_at = timezone.now()
    plan.save(update_fields=["state", "submitted_by", "submitted_at"])
    _record(actor, plan)
    _notify_staff(plan, _("The stage %(n)s plan of “%(title)s” was submitted.") % {
        "n": plan.stage_number, "title": plan.project.proposal.title_ko})
    return plan


@transaction.atomic
def plan_return(*, actor, plan: StagePlan, comment: str) -> StagePlan:
    plan = _locked(plan)
    require(actor, "projects.endorse_plan", plan)
    if plan.state not in (PlanState.SUBMITTED, PlanState.ENDORSED):
        raise ValidationError(_("Only a submitted plan can be returned."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what must change; the regions see your comments.")})
    plan.state = PlanState.RETURNED
    plan.comment = comment.strip()
    plan.endorsed_by = None
    plan.endorsed_at = None
    plan.save(update_fields=["state", "comment", "endorsed_by", "endorsed_at"])
    _record(actor, plan)
    _notify_regions(plan, _("The stage %(n)s plan of “%(title)s” was returned with comments.") % {
        "n": plan.stage_number, "title": plan.project.proposal.title_ko})
    return plan


@transaction.atomic
def plan_endorse(*, actor, plan: StagePlan) -> StagePlan:
    plan = _locked(plan)
    require(actor, "projects.endorse_plan", plan)
    if plan.state != PlanState.SUBMITTED:
        raise ValidationError(_("Only a submitted plan can be endorsed."))
    plan.state = PlanState.ENDORSED
    plan.endorsed_by = actor
    plan.endorsed_at = timezone.now()
    plan.save(update_fields=["state", "endorsed_by", "endorsed_at"])
    _record(actor, plan)
    return plan


def round_committed_won(rnd: StageRound) -> int:
    return StagePlan.objects.filter(evaluation__round=rnd, state=PlanState.APPROVED).aggregate(
        t=Sum("national_total_won"))["t"] or 0


def round_envelope_status(rnd: StageRound) -> dict:
    committed = round_committed_won(rnd)
    return {"envelope": rnd.envelope_won, "committed": committed, "remaining": rnd.envelope_won - committed}


@transaction.atomic
def plan_approve(*, actor, plan: StagePlan) -> StagePlan:
    """Four eyes and the envelope, safe under concurrency: one lock order
    (round → project → plan), so approvals in one round run one after another."""
    rnd = StageRound.objects.select_for_update().get(pk=plan.evaluation.round_id)
    Project.objects.select_for_update().filter(pk=plan.project_id).first()
    plan = _locked(plan)
    require(actor, "projects.approve_plan", plan)
    if plan.state != PlanState.ENDORSED:
        raise ValidationError(_("The plan must be endorsed by one staff member before another approves it."))
    if plan.endorsed_by_id == actor.pk:
        raise ValidationError(_("Four eyes: the person who endorsed a plan cannot approve it. "
                                "Ask another staff member."))
    require_running(plan.project)
    check_ten_year_rule(plan.project, adding_years=plan.years)
    problems = plan_problems(plan)
    if problems:
        raise ValidationError(list(dict.fromkeys(problems.values())))
    committed = round_committed_won(rnd)
    if committed + plan.national_total_won > rnd.envelope_won:
        raise ValidationError(_(
            "Approving would exceed the next stage's envelope: %(committed)s won committed + %(this)s won > "
            "%(envelope)s won (remaining %(remaining)s won).") % {
            "committed": f"{committed:,}", "this": f"{plan.national_total_won:,}",
            "envelope": f"{rnd.envelope_won:,}", "remaining": f"{rnd.envelope_won - committed:,}"})
    plan.state = PlanState.APPROVED
    plan.approved_by = actor
    plan.approved_at = timezone.now()
    plan.save(update_fields=["state", "approved_by", "approved_at"])
    _record(actor, plan)
    stage_add(project=plan.project, number=plan.stage_number, start_year=plan.start_year, years=plan.years,
              goals=plan.goals)
    _notify_regions(plan, _("The stage %(n)s plan of “%(title)s” was approved.") % {
        "n": plan.stage_number, "title": plan.project.proposal.title_ko})
    return plan


def _record(actor, plan: StagePlan) -> None:
    record(actor=actor, action="plan_state", obj=plan, summary=f"{plan.project.proposal.title_ko} · {plan.stage_number}",
           after={"state": plan.state, "years": plan.years, "national_total_won": plan.national_total_won,
                  "comment": plan.comment})


def _notify_staff(plan: StagePlan, message: str) -> None:
    from accounts.models import Role, User
    from accounts.services import notify

    notify(users=User.objects.filter(role=Role.MINISTRY, is_active=True), message=message,
           url=f"/projects/plans/{plan.pk}/")


def _notify_regions(plan: StagePlan, message: str) -> None:
    from accounts.services import notify
    from proposals.selectors import officials_of

    notify(users=officials_of(plan.project.proposal), message=message, url=f"/projects/plans/{plan.pk}/")
