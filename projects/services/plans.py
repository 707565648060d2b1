"""The follow-up support plan: after a "continue" outcome the regions draft the
next stage (goals, years, national and local money per region and year); one
ministry staff member endorses it and another approves it (the four-eyes rule
lives in `projects.approve_plan`), within the round's envelope for the next stage
(the round's row is locked, so two approvals can never overspend it) and never
past the ten-year limit.

The table of moves beside one transition function, as proposals.services.lifecycle:
the move is allowed from the current state → the actor has its permission → the
move's guards → the write (update_fields) → the audit record → what follows
(notifications, e-mailed after commit; the approved plan's stage). Nothing else
sets a plan's state.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import AuditAction, record
from core.money_input import parse_won
from core.moves import Move, check_move, move_of
from core.permissions import require
from programmes.money import TOTAL_KEY, YEARS, Cell, MatchingRule, cell_key, check_envelope, committed_won

from ..models import PlanState, PlanYear, Project, StagePlan, StageRound
from .lifecycle import check_ten_year_rule, require_running, stage_add

P = PlanState
EDITABLE = (PlanState.DRAFT, PlanState.RETURNED)


def _locked(plan: StagePlan) -> StagePlan:
    return StagePlan.objects.select_for_update().select_related(
        "project__proposal__call", "evaluation__round", "evaluation__stage").get(pk=plan.pk)


def _check_editable(plan: StagePlan) -> None:
    if plan.state not in EDITABLE:
        raise ValidationError(_("This plan is “%(state)s” and cannot be changed.") % {
            "state": plan.get_state_display()})


def plan_problems(plan: StagePlan, lines=None) -> dict:
    """The rules over a plan's money, keyed as programmes.money places them: a region's
    cell (region id, year, "national"), a year's row, the total. Local matching is
    checked year by year over the stage's years."""
    call = plan.project.proposal.call
    lines = list(plan.lines.all()) if lines is None else lines
    problems = {}
    years = plan.year_list
    for line in lines:
        if line.year not in years and (line.national_won or line.local_won):
            problems[cell_key(line.region_id, line.year, "national")] = _("This year is outside the stage.")
    cells = [Cell(x.region_id, x.year, x.national_won, x.local_won) for x in lines if x.year in years]
    problems.update(MatchingRule.of(call).problems(cells, levels=(YEARS,)))
    if sum(x.national_won for x in lines) == 0:
        problems[TOTAL_KEY] = _("Plan some national funding for the stage.")
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
                number = parse_won(None if value is None else str(value)) or 0
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
    plan.save(update_fields=["years", "goals", "national_total_won", "revision"])
    return plan


def round_committed_won(rnd: StageRound) -> int:
    return committed_won(_approved_in(rnd))


def round_envelope_status(rnd: StageRound) -> dict:
    committed = round_committed_won(rnd)
    return {"envelope": rnd.envelope_won, "committed": committed, "remaining": rnd.envelope_won - committed}


def _approved_in(rnd: StageRound):
    return StagePlan.objects.filter(evaluation__round=rnd, state=P.APPROVED)


# --- The moves --------------------------------------------------------------------------------


def _guard_running(plan: StagePlan, comment: str) -> None:
    require_running(plan.project)


def _guard_complete(plan: StagePlan, comment: str) -> None:
    problems = plan_problems(plan)
    if not plan.goals.strip():
        problems[("goals",)] = _("Write the goals of the stage.")
    if problems:
        raise ValidationError(list(dict.fromkeys(problems.values())))


def _guard_comment(plan: StagePlan, comment: str) -> None:
    if not comment.strip():
        raise ValidationError({"comment": _("Say what must change; the regions see your comments.")})


def _guard_ten_years(plan: StagePlan, comment: str) -> None:
    check_ten_year_rule(plan.project, adding_years=plan.years)


def _guard_money(plan: StagePlan, comment: str) -> None:
    problems = plan_problems(plan)
    if problems:
        raise ValidationError(list(dict.fromkeys(problems.values())))


def _guard_envelope(plan: StagePlan, comment: str) -> None:
    rnd = plan.evaluation.round
    check_envelope(holder=rnd, approved=_approved_in(rnd), amount=plan.national_total_won,
                   name=_("the next stage's envelope"))


def _stamp(who: str) -> Callable:
    """Who made the move and when, in `<who>_by` / `<who>_at`."""
    def write(plan: StagePlan, actor, comment: str) -> list[str]:
        setattr(plan, f"{who}_by", actor)
        setattr(plan, f"{who}_at", timezone.now())
        return [f"{who}_by", f"{who}_at"]

    return write


def _write_return(plan: StagePlan, actor, comment: str) -> list[str]:
    plan.comment = comment.strip()
    plan.endorsed_by = None
    plan.endorsed_at = None
    return ["comment", "endorsed_by", "endorsed_at"]


def _tell_staff_submitted(plan: StagePlan) -> None:
    _notify_staff(plan, _("The stage %(n)s plan of “%(title)s” was submitted.") % {
        "n": plan.stage_number, "title": plan.project.proposal.title_ko})


def _tell_regions_returned(plan: StagePlan) -> None:
    _notify_regions(plan, _("The stage %(n)s plan of “%(title)s” was returned with comments.") % {
        "n": plan.stage_number, "title": plan.project.proposal.title_ko})


def _open_the_stage(plan: StagePlan) -> None:
    stage_add(project=plan.project, number=plan.stage_number, start_year=plan.start_year, years=plan.years,
              goals=plan.goals)
    _notify_regions(plan, _("The stage %(n)s plan of “%(title)s” was approved.") % {
        "n": plan.stage_number, "title": plan.project.proposal.title_ko})


@dataclass(frozen=True)
class PlanMove(Move):
    guards: tuple = dataclasses.field(default=())  # guard(plan, comment): raises ValidationError
    write: Callable | None = None  # write(plan, actor, comment) → the fields it set besides the state
    locks_envelope: bool = False  # approvals lock the round (its envelope), then the project, then the plan
    then: tuple = dataclasses.field(default=())  # then(plan), inside the transaction


PLAN_MOVES = {
    "submit": PlanMove(gettext_lazy("Submit the plan"), frozenset(EDITABLE), P.SUBMITTED, "projects.submit_plan",
                   gettext_lazy("This plan is “%(state)s” and cannot be changed."),
                   guards=(_guard_running, _guard_complete), write=_stamp("submitted"),
                   then=(_tell_staff_submitted,)),
    "endorse": PlanMove(gettext_lazy("Endorse"), frozenset({P.SUBMITTED}), P.ENDORSED, "projects.endorse_plan",
                    gettext_lazy("Only a submitted plan can be endorsed."), write=_stamp("endorsed")),
    "return": PlanMove(gettext_lazy("Return with comments"), frozenset({P.SUBMITTED, P.ENDORSED}), P.RETURNED,
                   "projects.endorse_plan", gettext_lazy("Only a submitted plan can be returned."),
                   guards=(_guard_comment,), write=_write_return, then=(_tell_regions_returned,)),
    "approve": PlanMove(gettext_lazy("Approve"), frozenset({P.ENDORSED}), P.APPROVED, "projects.approve_plan",
                    gettext_lazy("The plan must be endorsed by one staff member before another approves it."),
                    guards=(_guard_running, _guard_ten_years, _guard_money, _guard_envelope),
                    write=_stamp("approved"), locks_envelope=True, then=(_open_the_stage,)),
}


@transaction.atomic
def plan_transition(*, actor, plan: StagePlan, action: str, comment: str = "") -> StagePlan:
    move = move_of(PLAN_MOVES, action)
    if move.locks_envelope:
        StageRound.objects.select_for_update().get(pk=StagePlan.objects.values_list(
            "evaluation__round_id", flat=True).get(pk=plan.pk))
        Project.objects.select_for_update().filter(pk=plan.project_id).first()
    plan = _locked(plan)
    check_move(move, actor=actor, obj=plan)
    for guard in move.guards:
        guard(plan, comment)
    plan.state = move.target
    update = ["state", *(move.write(plan, actor, comment) if move.write else [])]
    plan.save(update_fields=update)
    record(actor=actor, action=AuditAction.PLAN_STATE, obj=plan,
           summary=f"{plan.project.proposal.title_ko} · {plan.stage_number}",
           after={"state": plan.state, "years": plan.years, "national_total_won": plan.national_total_won,
                  "comment": plan.comment})
    for step in move.then:
        step(plan)
    return plan


# Named entry points, one per move (what views, tests and the demo call).
def plan_submit(*, actor, plan: StagePlan) -> StagePlan:
    return plan_transition(actor=actor, plan=plan, action="submit")


def plan_endorse(*, actor, plan: StagePlan) -> StagePlan:
    return plan_transition(actor=actor, plan=plan, action="endorse")


def plan_return(*, actor, plan: StagePlan, comment: str) -> StagePlan:
    return plan_transition(actor=actor, plan=plan, action="return", comment=comment)


def plan_approve(*, actor, plan: StagePlan) -> StagePlan:
    """Another staff member than the endorser approves, within the round's envelope."""
    return plan_transition(actor=actor, plan=plan, action="approve")


def _notify_staff(plan: StagePlan, message: str) -> None:
    from accounts.models import Role, User
    from accounts.services import notify

    notify(users=User.objects.filter(role=Role.MINISTRY, is_active=True), message=message,
           url=f"/projects/plans/{plan.pk}/")


def _notify_regions(plan: StagePlan, message: str) -> None:
    from accounts.services import notify
    from proposals.selectors import officials_of

    notify(users=officials_of(plan.project.proposal), message=message, url=f"/projects/plans/{plan.pk}/")
