from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Call, Programme, Region, RubricCriterion, StrategicIndustry


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("order", "code", "name_ko", "name_en")
    search_fields = ("code", "name_ko", "name_en")


@admin.register(StrategicIndustry)
class StrategicIndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ko", "name_en", "active")
    list_filter = ("active",)
    search_fields = ("code", "name_ko", "name_en")


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ko", "name_en")
    search_fields = ("code", "name_ko", "name_en")


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0


@admin.register(Call)
class CallAdmin(SimpleHistoryAdmin):
    list_display = ("title", "year", "status", "envelope_won", "cap_won", "submission_deadline")
    list_filter = ("status", "year", "programme")
    search_fields = ("title", "description")
    list_select_related = ("programme",)
    filter_horizontal = ("eligible_regions", "strategic_industries")
    readonly_fields = ("created_by", "created_at", "updated_by", "updated_at")
    inlines = [RubricCriterionInline]
