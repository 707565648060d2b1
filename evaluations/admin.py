from django.contrib import admin

from audit.admin import PortalModelAdmin, ReadOnlyAdmin, ReadOnlyInline
from programmes.institutions import institution_match

from . import models as models_
from .models import (
    Assignment,
    CommentAnswer,
    CommentRating,
    ConfidentialityPledge,
    ConsultingComment,
    ConsultingRound,
    ExpertExclusion,
    ExpertProfile,
    Objection,
    ObjectionAttachment,
    PanelResult,
    Score,
    Scoresheet,
    ScoresheetEvent,
    SuggestedField,
    UnsuitableReviewer,
)


@admin.register(ExpertProfile)
class ExpertProfileAdmin(PortalModelAdmin):
    list_display = ("user", "affiliation", "sector", "home_region", "available")
    list_filter = ("home_region", "sector", "available", "industries")
    search_fields = ("user__username", "user__display_name", "affiliation", "keywords")
    list_select_related = ("user", "home_region")
    filter_horizontal = ("industries",)
    raw_id_fields = ("user", "institution")

    def save_model(self, request, obj, form, change):
        # A changed affiliation is matched to the institutions registry again (unless picked by hand).
        if "institution" not in form.changed_data and ("affiliation" in form.changed_data or not obj.institution_id):
            obj.institution = institution_match(obj.affiliation)
        super().save_model(request, obj, form, change)


@admin.register(ConfidentialityPledge)
class ConfidentialityPledgeAdmin(ReadOnlyAdmin):
    """A pledge is signed by the expert on their page, never written here."""

    list_display = ("expert", "call", "signed_name", "signed_at")
    list_filter = ("call",)
    search_fields = ("expert__username", "expert__display_name", "signed_name")
    list_select_related = ("expert", "call")


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    """Panels change only through the panel pages: conflicts of interest are checked there."""

    list_display = ("proposal", "expert", "kind", "is_chair", "declared_at", "conflict_declared", "assigned_by",
                    "assigned_at")
    list_filter = ("kind", "conflict_declared", "proposal__call")
    search_fields = ("proposal__title_ko", "expert__username", "expert__display_name")
    list_select_related = ("proposal", "expert", "assigned_by")
    date_hierarchy = "assigned_at"


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ("criterion", "value", "comment")


@admin.register(Scoresheet)
class ScoresheetAdmin(ReadOnlyAdmin):
    """Scores change only through the expert's page or a recorded reopening."""

    list_display = ("assignment", "state", "submitted_at", "updated_at")
    list_filter = ("state",)
    search_fields = ("assignment__proposal__title_ko", "assignment__expert__username")
    list_select_related = ("assignment__expert",)
    inlines = [ScoreInline]


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ("scoresheet", "criterion", "value")
    search_fields = ("scoresheet__assignment__proposal__title_ko", "scoresheet__assignment__expert__username")
    list_select_related = ("scoresheet", "criterion")


@admin.register(ScoresheetEvent)
class ScoresheetEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "scoresheet", "actor", "action", "reason")
    list_filter = ("action",)
    search_fields = ("reason", "actor__username")
    list_select_related = ("scoresheet", "actor")
    date_hierarchy = "at"


@admin.register(ConsultingRound)
class ConsultingRoundAdmin(PortalModelAdmin):
    list_display = ("proposal", "number", "version", "opened_at", "closed_at")
    search_fields = ("proposal__title_ko",)
    list_select_related = ("proposal", "version")
    raw_id_fields = ("proposal", "version")
    date_hierarchy = "opened_at"


@admin.register(ConsultingComment)
class ConsultingCommentAdmin(PortalModelAdmin):
    list_display = ("round", "section", "assignment", "created_at")
    list_filter = ("section",)
    search_fields = ("text", "round__proposal__title_ko")
    list_select_related = ("round", "assignment__expert")
    raw_id_fields = ("round", "assignment")
    date_hierarchy = "created_at"


@admin.register(CommentAnswer)
class CommentAnswerAdmin(PortalModelAdmin):
    list_display = ("comment", "author", "created_at")
    search_fields = ("text", "author__username")
    list_select_related = ("comment", "author")
    raw_id_fields = ("comment", "author")
    date_hierarchy = "created_at"


@admin.register(PanelResult)
class PanelResultAdmin(PortalModelAdmin):
    list_display = ("proposal", "updated_by", "updated_at")
    search_fields = ("proposal__title_ko", "consensus_comment", "decision_reason")
    list_select_related = ("proposal", "updated_by")
    raw_id_fields = ("proposal", "updated_by")


@admin.register(CommentRating)
class CommentRatingAdmin(ReadOnlyAdmin):
    list_display = ("rated_at", "scoresheet", "rater", "value")
    search_fields = ("rater__username", "scoresheet__assignment__expert__username")
    list_select_related = ("scoresheet", "rater")


@admin.register(ExpertExclusion)
class ExpertExclusionAdmin(ReadOnlyAdmin):
    # Made through the quality page (evaluations.services.quality.expert_exclude), recorded there.
    list_display = ("excluded_at", "expert", "call", "excluded_by", "reason")
    search_fields = ("expert__username", "expert__display_name", "reason")
    list_select_related = ("expert", "call", "excluded_by")


class ObjectionAttachmentInline(ReadOnlyInline):
    model = ObjectionAttachment
    fields = ("original_name", "kind", "size", "uploaded_by", "uploaded_at")


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    """Objections change only through their pages: the period, the answer and its reasons are checked there."""

    list_display = ("proposal", "state", "remedy", "lodged_by", "lodged_at", "answered_by", "answered_at")
    list_filter = ("state", "remedy", "proposal__call")
    search_fields = ("proposal__title_ko", "grounds", "answer")
    list_select_related = ("proposal", "lodged_by", "answered_by")
    date_hierarchy = "lodged_at"
    inlines = [ObjectionAttachmentInline]


@admin.register(ObjectionAttachment)
class ObjectionAttachmentAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "objection", "kind", "size", "uploaded_by", "uploaded_at")
    search_fields = ("original_name", "objection__proposal__title_ko")
    list_select_related = ("objection__proposal", "uploaded_by")


@admin.register(UnsuitableReviewer)
class UnsuitableReviewerAdmin(ReadOnlyAdmin):
    """The region's list changes only on its page, an override only on the panel page (both recorded)."""

    list_display = ("proposal", "__str__", "institution", "named_by", "named_at", "overridden_by")
    search_fields = ("proposal__title_ko", "name", "institution", "expert__display_name")
    list_select_related = ("proposal", "expert", "named_by", "overridden_by")


@admin.register(SuggestedField)
class SuggestedFieldAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "__str__", "added_by", "added_at")
    search_fields = ("proposal__title_ko", "text")
    list_select_related = ("proposal", "industry", "added_by")


# Zone panels and the presentation round are written on the call's pages (services.zones, services.rounds).
@admin.register(models_.ZonePanelMember)
class ZonePanelMemberAdmin(ReadOnlyAdmin):
    list_display = ("call", "zone", "expert", "is_chair", "added_by", "added_at")
    search_fields = ("zone__name_ko", "expert__username")
    list_select_related = ("call", "zone", "expert", "added_by")


@admin.register(models_.ShortlistEntry)
class ShortlistEntryAdmin(ReadOnlyAdmin):
    list_display = ("call", "written_rank", "proposal", "written_score", "taken_by", "taken_at")
    search_fields = ("proposal__title_ko",)
    list_select_related = ("call", "proposal", "taken_by")


@admin.register(models_.PresentationSlot)
class PresentationSlotAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "starts_at", "ends_at", "place", "attendance", "set_by")
    search_fields = ("proposal__title_ko", "place")
    list_select_related = ("proposal", "set_by")


# Expert groups and feasibility reviews are written on their pages (services.feasibility).
@admin.register(models_.ExpertGroup)
class ExpertGroupAdmin(ReadOnlyAdmin):
    list_display = ("call", "name_ko", "name_en", "created_by", "created_at")
    search_fields = ("name_ko", "name_en")
    list_select_related = ("call", "created_by")


@admin.register(models_.ExpertGroupMember)
class ExpertGroupMemberAdmin(ReadOnlyAdmin):
    list_display = ("group", "expert", "is_chair", "added_by", "added_at")
    search_fields = ("group__name_ko", "expert__username", "expert__display_name")
    list_select_related = ("group", "expert", "added_by")


@admin.register(models_.ThemeReview)
class ThemeReviewAdmin(ReadOnlyAdmin):
    list_display = ("theme", "expert", "group", "state", "recommendation", "conflict_declared", "submitted_at")
    list_filter = ("state", "recommendation")
    search_fields = ("theme__title_ko", "expert__username", "expert__display_name")
    list_select_related = ("theme", "expert", "group")
