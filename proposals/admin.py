from django.contrib import admin

from audit.admin import PortalInline, PortalModelAdmin, ReadOnlyAdmin

from . import models as models_
from .models import (
    KPI,
    Attachment,
    BudgetLine,
    LinkedProject,
    Organisation,
    Participation,
    Proposal,
    ProposalDocument,
    ProposalEvent,
    ProposalVersion,
    Stage,
)


class ParticipationInline(PortalInline):
    model = Participation
    readonly_fields = ("signed_off_by", "signed_off_at", "signed_revision")


class StageInline(PortalInline):
    model = Stage


class BudgetLineInline(PortalInline):
    model = BudgetLine


@admin.register(Proposal)
class ProposalAdmin(PortalModelAdmin):
    """The state moves only through the lifecycle (its guards and the audit event)."""

    list_display = ("title_ko", "call", "cooperation_type", "lead_region", "industry", "state", "revision", "updated_at")
    list_filter = ("state", "cooperation_type", "call", "lead_region", "industry")
    search_fields = ("title_ko", "title_en", "summary")
    list_select_related = ("call", "lead_region", "industry")
    date_hierarchy = "created_at"
    raw_id_fields = ("created_by",)
    readonly_fields = ("state", "state_reason", "revision", "section_revisions", "submitted_at", "created_by",
                       "created_at", "updated_at")
    inlines = [ParticipationInline, StageInline, BudgetLineInline]


@admin.register(Participation)
class ParticipationAdmin(PortalModelAdmin):
    list_display = ("proposal", "region", "is_lead", "signed_off_by", "signed_off_at", "signed_revision")
    list_filter = ("is_lead", "region")
    search_fields = ("proposal__title_ko",)
    list_select_related = ("proposal", "region", "signed_off_by")
    raw_id_fields = ("proposal", "signed_off_by")
    readonly_fields = ("signed_off_by", "signed_off_at", "signed_revision")


@admin.register(BudgetLine)
class BudgetLineAdmin(PortalModelAdmin):
    list_display = ("proposal", "region", "year", "national_won", "local_won", "other_won")
    list_filter = ("year", "region")
    search_fields = ("proposal__title_ko",)
    list_select_related = ("proposal", "region")
    raw_id_fields = ("proposal",)


@admin.register(Stage)
class StageAdmin(PortalModelAdmin):
    list_display = ("proposal", "order", "kind", "years")
    list_filter = ("kind",)
    search_fields = ("proposal__title_ko", "goals")
    list_select_related = ("proposal",)
    raw_id_fields = ("proposal",)


@admin.register(KPI)
class KPIAdmin(PortalModelAdmin):
    list_display = ("name", "proposal", "unit", "baseline")
    search_fields = ("name", "proposal__title_ko")
    list_select_related = ("proposal",)
    raw_id_fields = ("proposal",)


@admin.register(LinkedProject)
class LinkedProjectAdmin(PortalModelAdmin):
    list_display = ("name", "ministry", "proposal")
    search_fields = ("name", "ministry", "proposal__title_ko")
    list_select_related = ("proposal",)
    raw_id_fields = ("proposal",)


@admin.register(Organisation)
class OrganisationAdmin(PortalModelAdmin):
    list_display = ("name", "kind", "role", "region", "proposal")
    list_filter = ("kind", "region")
    search_fields = ("name", "proposal__title_ko")
    list_select_related = ("proposal", "region")
    raw_id_fields = ("proposal",)


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    """Uploaded through the proposal page only (content checks); looked at here."""

    list_display = ("original_name", "proposal", "kind", "extension", "size", "uploaded_by", "uploaded_at")
    list_filter = ("kind", "extension")
    search_fields = ("original_name", "description", "proposal__title_ko")
    list_select_related = ("proposal", "uploaded_by")
    date_hierarchy = "uploaded_at"


@admin.register(ProposalVersion)
class ProposalVersionAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "number", "kind", "revision", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("proposal__title_ko",)
    list_select_related = ("proposal", "created_by")
    date_hierarchy = "created_at"


@admin.register(ProposalEvent)
class ProposalEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "proposal", "actor", "action", "from_state", "to_state")
    list_filter = ("action", "to_state")
    search_fields = ("proposal__title_ko", "actor__username", "note")
    list_select_related = ("proposal", "actor")
    date_hierarchy = "at"


@admin.register(ProposalDocument)
class ProposalDocumentAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "revision", "status", "attempts", "size", "generated_at")
    list_filter = ("status",)
    search_fields = ("proposal__title_ko",)


# Planning themes are written on the region's pages (proposals.services.themes); the admin shows them.
@admin.register(models_.CandidateTheme)
class CandidateThemeAdmin(ReadOnlyAdmin):
    list_display = ("title_ko", "call", "lead_region", "status", "industry")
    list_filter = ("status",)
    search_fields = ("title_ko", "title_en", "lead_region__name_ko")
    list_select_related = ("call", "lead_region", "industry")


@admin.register(models_.ThemeRegion)
class ThemeRegionAdmin(ReadOnlyAdmin):
    list_display = ("theme", "region", "is_lead", "signed_off_by", "signed_off_at")
    search_fields = ("theme__title_ko", "region__name_ko")
    list_select_related = ("theme", "region", "signed_off_by")


@admin.register(models_.ThemeAttachment)
class ThemeAttachmentAdmin(ReadOnlyAdmin):
    list_display = ("theme", "original_name", "kind", "uploaded_by", "uploaded_at")
    search_fields = ("theme__title_ko", "original_name")
    list_select_related = ("theme", "uploaded_by")


@admin.register(models_.OpinionGathering)
class OpinionGatheringAdmin(ReadOnlyAdmin):
    list_display = ("call", "region", "kind", "held_on", "recorded_by")
    list_filter = ("kind",)
    search_fields = ("region__name_ko", "summary")
    list_select_related = ("call", "region", "recorded_by")


@admin.register(models_.ThemeSelection)
class ThemeSelectionAdmin(ReadOnlyAdmin):
    list_display = ("theme", "selected_by", "selected_at")
    search_fields = ("theme__title_ko", "reason")
    list_select_related = ("theme", "selected_by")


@admin.register(models_.PlanningReminder)
class PlanningReminderAdmin(ReadOnlyAdmin):
    list_display = ("call", "region", "phase", "days_before", "sent_at")
    search_fields = ("region__name_ko",)
    list_select_related = ("call", "region")


@admin.register(models_.PatentAnalysis)
class PatentAnalysisAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "risk", "written_by", "written_at", "answered_at")
    list_filter = ("risk",)
    search_fields = ("proposal__title_ko", "landscape")
    list_select_related = ("proposal", "written_by")


@admin.register(models_.KeyPatent)
class KeyPatentAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "holder", "country", "legal_status", "analysis")
    search_fields = ("number", "title", "holder")
    list_select_related = ("analysis",)
