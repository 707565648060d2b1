from django.contrib import admin

from .models import (
    Assignment,
    CommentAnswer,
    ConsultingComment,
    ConsultingRound,
    ExpertProfile,
    PanelResult,
    Score,
    Scoresheet,
    ScoresheetEvent,
)


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "affiliation", "home_region", "available")
    list_filter = ("home_region", "available", "industries")
    search_fields = ("user__username", "user__display_name", "affiliation", "keywords")
    list_select_related = ("user", "home_region")
    filter_horizontal = ("industries",)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("proposal", "expert", "kind", "declared_at", "conflict_declared", "assigned_by", "assigned_at")
    list_filter = ("kind", "conflict_declared", "proposal__call")
    search_fields = ("proposal__title_ko", "expert__username", "expert__display_name")
    list_select_related = ("proposal", "expert", "assigned_by")


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    readonly_fields = ("criterion", "value", "comment")
    can_delete = False


@admin.register(Scoresheet)
class ScoresheetAdmin(admin.ModelAdmin):
    """Read-only: scores change only through the expert's page or a recorded reopening."""

    list_display = ("assignment", "state", "submitted_at", "updated_at")
    list_filter = ("state",)
    search_fields = ("assignment__proposal__title_ko", "assignment__expert__username")
    inlines = [ScoreInline]
    readonly_fields = ("assignment", "state", "overall_comment", "submitted_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoresheetEvent)
class ScoresheetEventAdmin(admin.ModelAdmin):
    list_display = ("at", "scoresheet", "actor", "action", "reason")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ConsultingRound)
class ConsultingRoundAdmin(admin.ModelAdmin):
    list_display = ("proposal", "number", "version", "opened_at", "closed_at")


@admin.register(ConsultingComment)
class ConsultingCommentAdmin(admin.ModelAdmin):
    list_display = ("round", "section", "assignment", "created_at")
    list_filter = ("section",)
    search_fields = ("text",)


admin.site.register(CommentAnswer, list_display=("comment", "author", "created_at"))
admin.site.register(PanelResult, list_display=("proposal", "updated_by", "updated_at"))
