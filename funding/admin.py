from django.contrib import admin

from .models import AwardLetter, FundingDecision, FundingYear, LetterBatch, LocalObligation, SelectionNote


class FundingYearInline(admin.TabularInline):
    model = FundingYear
    extra = 0


class LocalObligationInline(admin.TabularInline):
    model = LocalObligation
    extra = 0


@admin.register(FundingDecision)
class FundingDecisionAdmin(admin.ModelAdmin):
    """Read-only: decisions change only through the four-eyes pages."""

    list_display = ("proposal", "version", "state", "national_total_won", "prepared_by", "approved_by", "approved_at")
    list_filter = ("state", "proposal__call")
    search_fields = ("proposal__title_ko",)
    inlines = [FundingYearInline, LocalObligationInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AwardLetter)
class AwardLetterAdmin(admin.ModelAdmin):
    list_display = ("decision", "language", "status", "verification_code", "attempts", "generated_at")
    list_filter = ("status", "language")
    search_fields = ("verification_code", "decision__proposal__title_ko")
    readonly_fields = [f.name for f in AwardLetter._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(LetterBatch, list_display=("call", "total", "requested_by", "requested_at"))
admin.site.register(SelectionNote, list_display=("proposal", "decided_by", "decided_at"))
