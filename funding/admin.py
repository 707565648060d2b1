from django.contrib import admin

from audit.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    AwardLetter,
    FundingDecision,
    FundingYear,
    LetterBatch,
    LocalObligation,
    Scenario,
    ScenarioLine,
    SelectionNote,
)

# Selection and money change only through the selection board and the four-eyes
# pages (their rules and audit events); here they are looked at.


class FundingYearInline(ReadOnlyInline):
    model = FundingYear


class LocalObligationInline(ReadOnlyInline):
    model = LocalObligation


@admin.register(FundingDecision)
class FundingDecisionAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "version", "state", "national_total_won", "prepared_by", "approved_by", "approved_at")
    list_filter = ("state", "proposal__call")
    search_fields = ("proposal__title_ko",)
    list_select_related = ("proposal", "prepared_by", "approved_by")
    date_hierarchy = "prepared_at"
    inlines = [FundingYearInline, LocalObligationInline]


@admin.register(FundingYear)
class FundingYearAdmin(ReadOnlyAdmin):
    list_display = ("decision", "year", "national_won")
    list_filter = ("year",)
    search_fields = ("decision__proposal__title_ko",)
    list_select_related = ("decision__proposal",)


@admin.register(LocalObligation)
class LocalObligationAdmin(ReadOnlyAdmin):
    list_display = ("decision", "region", "year", "local_won")
    list_filter = ("year", "region")
    search_fields = ("decision__proposal__title_ko",)
    list_select_related = ("decision__proposal", "region")


@admin.register(SelectionNote)
class SelectionNoteAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "decided_by", "decided_at")
    search_fields = ("proposal__title_ko", "reason")
    list_select_related = ("proposal", "decided_by")
    date_hierarchy = "decided_at"


@admin.register(AwardLetter)
class AwardLetterAdmin(ReadOnlyAdmin):
    """Generated files: built by the worker, never edited by hand."""

    list_display = ("decision", "language", "status", "verification_code", "attempts", "generated_at")
    list_filter = ("status", "language")
    search_fields = ("verification_code", "decision__proposal__title_ko")
    list_select_related = ("decision__proposal",)
    date_hierarchy = "requested_at"


@admin.register(LetterBatch)
class LetterBatchAdmin(ReadOnlyAdmin):
    list_display = ("call", "total", "requested_by", "requested_at")
    list_select_related = ("call", "requested_by")
    search_fields = ("call__title",)
    date_hierarchy = "requested_at"


class ScenarioLineInline(ReadOnlyInline):
    model = ScenarioLine


@admin.register(Scenario)
class ScenarioAdmin(ReadOnlyAdmin):
    """Cut-line scenarios: built on their own pages (funding.services.scenarios), looked at here."""

    list_display = ("name", "call", "created_by", "updated_at", "decided_at")
    list_filter = ("call",)
    search_fields = ("name", "notes")
    list_select_related = ("call", "created_by")
    date_hierarchy = "created_at"
    inlines = [ScenarioLineInline]


@admin.register(ScenarioLine)
class ScenarioLineAdmin(ReadOnlyAdmin):
    list_display = ("scenario", "proposal", "choice", "amount_won")
    list_filter = ("choice",)
    search_fields = ("scenario__name", "proposal__title_ko")
    list_select_related = ("scenario", "proposal")
