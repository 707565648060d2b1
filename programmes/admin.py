from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from audit.admin import PortalInline, PortalModelAdmin, PortalPermissionsMixin, ReadOnlyAdmin

from . import models as models_
from .models import (
    Call,
    HistoricalCall,
    Institution,
    Programme,
    QualityRules,
    Region,
    RubricCriterion,
    StrategicIndustry,
)


@admin.register(Region)
class RegionAdmin(PortalModelAdmin):
    list_display = ("order", "code", "name_ko", "name_en")
    search_fields = ("code", "name_ko", "name_en")


@admin.register(StrategicIndustry)
class StrategicIndustryAdmin(PortalModelAdmin):
    list_display = ("code", "name_ko", "name_en", "active")
    list_filter = ("active",)
    search_fields = ("code", "name_ko", "name_en")


@admin.register(Programme)
class ProgrammeAdmin(PortalModelAdmin):
    list_display = ("code", "name_ko", "name_en")
    search_fields = ("code", "name_ko", "name_en")


class RubricCriterionInline(PortalInline):
    """The call's selection rubric."""

    model = RubricCriterion
    fk_name = "call"
    fields = ("order", "name_ko", "name_en", "weight", "max_score")


class StageRubricCriterionInline(PortalInline):
    """The call's rubrics for the evaluations at the end of its stages."""

    model = RubricCriterion
    fk_name = "stage_call"
    fields = ("stage_number", "order", "name_ko", "name_en", "weight", "max_score")
    verbose_name_plural = _("stage evaluation rubrics")


@admin.register(Call)
class CallAdmin(PortalPermissionsMixin, SimpleHistoryAdmin):
    """The status moves only through the call page (its rules and the audit event)."""

    list_display = ("title", "year", "status", "envelope_won", "cap_won", "submission_deadline")
    list_filter = ("status", "year", "programme")
    search_fields = ("title", "description")
    list_select_related = ("programme",)
    date_hierarchy = "submission_deadline"
    filter_horizontal = ("eligible_regions", "strategic_industries")
    readonly_fields = ("status", "created_by", "created_at", "updated_by", "updated_at")
    inlines = [RubricCriterionInline, StageRubricCriterionInline]


@admin.register(RubricCriterion)
class RubricCriterionAdmin(PortalModelAdmin):
    list_display = ("name_ko", "call", "stage_call", "stage_number", "order", "weight", "max_score")
    list_filter = ("call__year", "stage_number")
    search_fields = ("name_ko", "name_en", "call__title", "stage_call__title")
    list_select_related = ("call", "stage_call")
    raw_id_fields = ("call", "stage_call")


@admin.register(HistoricalCall)
class HistoricalCallAdmin(ReadOnlyAdmin):
    list_display = ("history_date", "title", "status", "history_type", "history_user")
    list_filter = ("history_type", "status")
    search_fields = ("title",)
    list_select_related = ("history_user",)
    date_hierarchy = "history_date"


@admin.register(Institution)
class InstitutionAdmin(PortalModelAdmin):
    # The approved indirect-cost rate (간접비 고시비율) is entered here, per institution.
    list_display = ("name_ko", "name_en", "kind", "parent", "indirect_rate_pct")
    list_filter = ("kind",)
    search_fields = ("name_ko", "name_en", "aliases")
    list_select_related = ("parent",)
    raw_id_fields = ("parent",)


@admin.register(QualityRules)
class QualityRulesAdmin(ReadOnlyAdmin):
    # Set on the call's quality page (evaluations.services.quality.quality_rules_save).
    list_display = ("call", "max_late_submissions", "max_reopens", "max_mean_abs_z", "min_comment_length",
                    "min_average_rating", "updated_by", "updated_at")
    list_select_related = ("call", "updated_by")


# Zones and planning guidelines are written on the call's pages (programmes.services: call_save's zones,
# guideline_publish / guideline_revise / guideline_acknowledge); the admin shows them.
@admin.register(models_.CallZone)
class CallZoneAdmin(ReadOnlyAdmin):
    list_display = ("call", "order", "name_ko", "name_en")
    search_fields = ("name_ko", "name_en", "call__title")
    list_select_related = ("call",)


@admin.register(models_.Guideline)
class GuidelineAdmin(ReadOnlyAdmin):
    list_display = ("call", "phase", "title_ko", "created_by", "created_at")
    list_filter = ("phase",)
    search_fields = ("title_ko", "title_en", "call__title")
    list_select_related = ("call", "created_by")


@admin.register(models_.GuidelineVersion)
class GuidelineVersionAdmin(ReadOnlyAdmin):
    list_display = ("guideline", "number", "original_name", "published_by", "published_at")
    search_fields = ("guideline__title_ko", "original_name")
    list_select_related = ("guideline", "published_by")


@admin.register(models_.GuidelineAcknowledgement)
class GuidelineAcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ("version", "region", "user", "acknowledged_at")
    search_fields = ("version__guideline__title_ko", "region__name_ko")
    list_select_related = ("version", "region", "user")
