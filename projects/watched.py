"""What the audit trail watches in projects (called from ProjectsConfig.ready())."""

from audit.registry import watch

from .models import (
    AnnualReport,
    Condition,
    GoodFaithReview,
    KPIResult,
    OutcomeEvidence,
    OutcomeRecord,
    PlanYear,
    Project,
    ProjectStage,
    ReportPart,
    Sanction,
    SpendingLine,
    StageEvaluation,
    StagePlan,
    StageRound,
)


def register() -> None:
    for model in (Project, ProjectStage, AnnualReport, ReportPart, SpendingLine, KPIResult, StageRound, StageEvaluation, Condition,
                  StagePlan, PlanYear, GoodFaithReview, Sanction, OutcomeRecord, OutcomeEvidence):
        watch(model)
