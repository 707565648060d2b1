"""The stage-evaluation report (Korean A4 PDF), a generated document (core.documents):
one report per stage evaluation (the one-to-one key makes the task idempotent),
built by a worker on the document task base, stored under a new name and switched
to only when complete."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.documents.models import DocumentStatus
from core.documents.seal import document_seal
from core.documents.services import build_document, document_for_download, request_document
from core.documents.verification import Verified
from core.permissions import require

from ..figures import funding_rows, kpi_rows
from ..models import StageEvaluation, StageReport


def _enqueue(report_id: int) -> None:
    from ..tasks import generate_stage_report

    generate_stage_report.delay(report_id=report_id)


@transaction.atomic
def stage_report_request(*, actor, evaluation: StageEvaluation) -> StageReport:
    """Ask for the evaluation's report (created once; asking again rebuilds it)."""
    require(actor, "projects.request_stage_report", evaluation)
    evaluation = StageEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not evaluation.is_decided:
        raise ValidationError(_("The report is built once the outcome is decided."))
    return request_document(StageReport, evaluation=evaluation, requested_by=actor, enqueue=_enqueue)


def report_context(evaluation: StageEvaluation) -> dict:
    from core.charts import ChartData, column_chart
    from evaluations.models import ScoresheetState

    from .spending import spending_grids
    from .stages import round_criteria, round_results

    evaluation = StageEvaluation.objects.select_related(
        "round__call", "project__proposal__lead_region", "project__proposal__industry", "stage", "decided_by",
    ).get(pk=evaluation.pk)
    project, stage, rnd = evaluation.project, evaluation.stage, evaluation.round
    proposal = project.proposal
    regions = [p.region for p in proposal.participations.select_related("region").order_by("region__order")]
    rows = funding_rows(project, years=stage.year_list)
    criteria = round_criteria(rnd)
    result = round_results(rnd).get(evaluation.pk)
    scored = [{"criterion": c,
               "mean_score": result.by_criterion_score.get(c.pk) if result else None,
               "points": result.by_criterion.get(c.pk) if result else None} for c in criteria]
    chart = column_chart(ChartData(
        title=_("Budget execution per year"),
        description=_("National and local funds, planned and reported spent, per year (won)."),
        category_heading=_("Year"),
        categories=[str(r.year) for r in rows],
        series=[_("Planned"), _("Spent")],
        values=[[r.planned_total, r.spent_total or 0] for r in rows],
        value_format=lambda v: f"{v / 100_000_000:,.1f}억",
    ), id_prefix=f"exec{evaluation.pk}")
    panel = evaluation.assignments.filter(conflict_declared=False)
    return {
        "evaluation": evaluation, "project": project, "proposal": proposal, "stage": stage, "round": rnd,
        "regions": regions, "rows": rows, "kpis": kpi_rows(project, stage=stage), "criteria": scored,
        "result": result, "chart": chart,
        "evaluators": panel.count(),
        "submitted": panel.filter(scoresheet__state=ScoresheetState.SUBMITTED).count(),
        "conditions": list(evaluation.conditions.all()),
        "spending": spending_grids(project, years=stage.year_list),
        "planned_total": sum(r.planned_total for r in rows),
        "spent_total": sum(r.spent_total or 0 for r in rows),
        "generated_on": timezone.localdate(),
        "reference": report_reference(evaluation),
    }


def report_reference(evaluation: StageEvaluation) -> str:
    return f"MEGA-{evaluation.round.call.year}-{evaluation.project.proposal_id:04d}-S{evaluation.stage.number}"


def report_html(evaluation: StageEvaluation, *, report: StageReport | None = None) -> str:
    """The report's HTML, in Korean; with `report`, its seal (verification code, QR code, signer)."""
    with translation.override("ko"):
        context = report_context(evaluation)
        if report is not None:
            context["seal"] = document_seal(report)
        return render_to_string("projects/stage_report_pdf.html", context)


def stage_report_build(*, report_id: int) -> StageReport:
    """Build and store the report (core.documents.services.build_document)."""
    return build_document(
        StageReport, report_id, html=lambda r: report_html(r.evaluation, report=r),
        name=lambda r, checksum: f"stage-reports/stage-{r.evaluation_id}-{checksum[:12]}.pdf")


def stage_report_progress(report: StageReport) -> dict:
    report.refresh_from_db()
    done = report.finished
    return {"total": 1, "done": int(report.status == DocumentStatus.DONE),
            "failed": int(report.status == DocumentStatus.FAILED), "finished": done, "percent": 100 if done else 0,
            "status": report.status, "status_label": report.get_status_display()}


def stage_report_for_download(*, user, report_id: int) -> StageReport:
    return document_for_download(StageReport.objects.select_related("evaluation__project__proposal"), report_id,
                                 user=user, perm="projects.download_stage_report")


def verify_stage_report(code: str) -> Verified | None:
    """The public verification of a ready report by its code (registered with
    core.documents.verification in ProjectsConfig.ready): what it is and the outcome it
    records, nothing of the scores or the panel."""
    report = (StageReport.objects.select_related("evaluation__round__call", "evaluation__project__proposal",
                                                 "evaluation__stage")
              .filter(verification_code=code, status=DocumentStatus.DONE).first())
    if report is None:
        return None
    evaluation = report.evaluation
    return Verified("projects/verify_stage_report.html", {
        "report": report, "evaluation": evaluation, "proposal": evaluation.project.proposal,
        "reference": report_reference(evaluation),
    })
