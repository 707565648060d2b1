"""A project opens when its funding decision is approved; its stages never run past
the call's maximum total years (ten by default)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Project, ProjectStage, ProjectStatus


def total_years(project: Project, *, stages=None) -> int:
    stages = list(project.stages.all()) if stages is None else stages
    return sum(s.years for s in stages)


def max_years(project: Project) -> int:
    return project.proposal.call.max_total_years


def remaining_years(project: Project) -> int:
    return max_years(project) - total_years(project)


def check_ten_year_rule(project: Project, *, adding_years: int) -> None:
    """Refuse any plan that takes the project past the call's maximum total years."""
    used = total_years(project)
    limit = max_years(project)
    if adding_years < 1:
        raise ValidationError({"years": _("A stage lasts at least one year.")})
    if used + adding_years > limit:
        raise ValidationError({"years": _(
            "The project already has %(used)s years; %(adding)s more would make %(total)s, beyond the limit of "
            "%(limit)s years in total. At most %(left)s more year(s) can be planned.") % {
            "used": used, "adding": adding_years, "total": used + adding_years, "limit": limit,
            "left": max(0, limit - used)}})


@transaction.atomic
def open_on_approval(sender, *, decision, **kwargs) -> None:
    """Receiver of funding's `decision_approved`: the approval opens the project."""
    project_open(decision=decision)


def project_open(*, decision) -> Project:
    """Called when a funding decision is approved: the project and its pilot stage.
    Idempotent (a re-approved later version keeps the same project)."""
    proposal = decision.proposal
    project, created = Project.objects.get_or_create(proposal=proposal, defaults={"start_year": proposal.start_year})
    if created:
        pilot = proposal.stages.filter(order=1).first()
        ProjectStage.objects.create(project=project, number=1, start_year=proposal.start_year,
                                    years=proposal.call.pilot_years, goals=pilot.goals if pilot else "")
    return project


def require_running(project: Project) -> None:
    if project.status != ProjectStatus.ACTIVE:
        raise ValidationError(_("This project is “%(status)s”: no further reports, plans or funding.") % {
            "status": project.get_status_display()})
