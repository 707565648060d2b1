from django.contrib import admin

from .models import (
    KPI,
    Attachment,
    BudgetLine,
    LinkedProject,
    Organisation,
    Participation,
    Proposal,
    ProposalEvent,
    ProposalVersion,
    Stage,
)


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    readonly_fields = ("signed_off_by", "signed_off_at", "signed_revision")


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("title_ko", "call", "cooperation_type", "lead_region", "state", "revision", "updated_at")
    list_filter = ("state", "cooperation_type", "call", "lead_region", "industry")
    search_fields = ("title_ko", "title_en", "summary")
    list_select_related = ("call", "lead_region")
    readonly_fields = ("revision", "section_revisions", "submitted_at", "created_by", "created_at", "updated_at")
    inlines = [ParticipationInline, StageInline, BudgetLineInline]


@admin.register(ProposalVersion)
class ProposalVersionAdmin(admin.ModelAdmin):
    list_display = ("proposal", "number", "kind", "revision", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("proposal__title_ko",)
    readonly_fields = [f.name for f in ProposalVersion._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProposalEvent)
class ProposalEventAdmin(admin.ModelAdmin):
    list_display = ("at", "proposal", "actor", "action", "from_state", "to_state")
    list_filter = ("action", "to_state")
    search_fields = ("proposal__title_ko", "actor__username", "note")
    list_select_related = ("proposal", "actor")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


for model in (KPI, LinkedProject, Organisation, Attachment):
    admin.site.register(model, list_display=("__str__", "proposal"), search_fields=("proposal__title_ko",))
