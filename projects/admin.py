"""Funded projects in the Django admin: read-only. Every change goes through the
portal's pages and services (permissions, four eyes, the ten-year rule)."""

from django.contrib import admin

from .models import (
    AnnualReport,
    Condition,
    GoodFaithReview,
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
    StageReport,
    StageRound,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StageInline(ReadOnlyInline):
    model = ProjectStage


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "status", "start_year", "wind_down_on", "opened_at")
    list_filter = ("status", "proposal__call")
    search_fields = ("proposal__title_ko", "proposal__title_en")
    inlines = [StageInline]


class PartInline(ReadOnlyInline):
    model = ReportPart


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnlyAdmin):
    list_display = ("project", "year", "state", "due_on", "submitted_at", "reviewed_by")
    list_filter = ("state", "year")
    search_fields = ("project__proposal__title_ko",)
    inlines = [PartInline]


@admin.register(StageRound)
class StageRoundAdmin(ReadOnlyAdmin):
    list_display = ("title", "call", "stage_number", "year", "state", "envelope_won")
    list_filter = ("state", "call")
    search_fields = ("title",)


class ConditionInline(ReadOnlyInline):
    model = Condition


@admin.register(StageEvaluation)
class StageEvaluationAdmin(ReadOnlyAdmin):
    list_display = ("project", "round", "outcome", "decided_by", "decided_at")
    list_filter = ("outcome", "round")
    search_fields = ("project__proposal__title_ko",)
    inlines = [ConditionInline]


class PlanYearInline(ReadOnlyInline):
    model = PlanYear


@admin.register(StagePlan)
class StagePlanAdmin(ReadOnlyAdmin):
    list_display = ("project", "stage_number", "start_year", "years", "state", "national_total_won", "approved_by")
    list_filter = ("state",)
    search_fields = ("project__proposal__title_ko",)
    inlines = [PlanYearInline]


@admin.register(StageReport)
class StageReportAdmin(ReadOnlyAdmin):
    list_display = ("evaluation", "status", "attempts", "size", "generated_at")
    list_filter = ("status",)


@admin.register(GoodFaithReview)
class GoodFaithReviewAdmin(ReadOnlyAdmin):
    list_display = ("evaluation", "state", "good_faith", "opened_by", "decided_by", "decided_at")
    list_filter = ("state", "good_faith")
    search_fields = ("evaluation__project__proposal__title_ko",)


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ("project", "kind", "measure", "recorded_by", "recorded_at")
    list_filter = ("kind",)
    search_fields = ("project__proposal__title_ko", "measure")


class OutcomeEvidenceInline(ReadOnlyInline):
    model = OutcomeEvidence
    fields = ("original_name", "size", "uploaded_by", "uploaded_at")


@admin.register(OutcomeRecord)
class OutcomeRecordAdmin(ReadOnlyAdmin):
    list_display = ("project", "kind", "year", "region", "title", "state", "entered_by")
    list_filter = ("kind", "state", "year")
    search_fields = ("project__proposal__title_ko", "title", "doi", "application_number")
    list_select_related = ("project__proposal", "region", "entered_by")
    inlines = [OutcomeEvidenceInline]


@admin.register(SpendingLine)
class SpendingLineAdmin(ReadOnlyAdmin):
    # Written on the annual report page (projects.services.reports.report_part_save, the CSV import).
    list_display = ("part", "source", "category", "amount_won")
    list_filter = ("source", "category", "part__report__year")
    search_fields = ("part__report__project__proposal__title_ko",)
    list_select_related = ("part__report", "part__region")
