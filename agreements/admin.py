from django.contrib import admin

from audit.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Agreement,
    AgreementDocument,
    AgreementLine,
    AgreementParty,
    AgreementVersion,
    Amendment,
    AmendmentAttachment,
    AmendmentPolicy,
    CarryOver,
    Instalment,
    Payment,
    Settlement,
    SettlementDocument,
    SettlementItem,
    SettlementRepayment,
    SettlementSanction,
    SettlementStep,
)

# Agreements change only through their lifecycle (agreements.services: permissions, acceptance bound
# to the version, audit events); here they are looked at.


class VersionInline(ReadOnlyInline):
    model = AgreementVersion
    fields = ("number", "state", "start_year", "end_year", "issued_at", "in_force_at")


class LineInline(ReadOnlyInline):
    model = AgreementLine


class PartyInline(ReadOnlyInline):
    model = AgreementParty


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ("project", "decision", "created_by", "created_at")
    search_fields = ("project__proposal__title_ko",)
    list_select_related = ("project__proposal", "decision", "created_by")
    inlines = [VersionInline]


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "number", "state", "start_year", "end_year", "issued_at", "in_force_at")
    list_filter = ("state",)
    search_fields = ("agreement__project__proposal__title_ko",)
    list_select_related = ("agreement__project__proposal",)
    inlines = [LineInline, PartyInline]


@admin.register(AgreementDocument)
class AgreementDocumentAdmin(ReadOnlyAdmin):
    list_display = ("version", "status", "verification_code", "generated_at", "signed_by")
    list_filter = ("status",)
    list_select_related = ("version__agreement__project__proposal",)


@admin.register(AgreementLine)
class AgreementLineAdmin(ReadOnlyAdmin):
    list_display = ("version", "year", "source", "region", "category", "amount_won")
    list_filter = ("source", "category", "year")
    list_select_related = ("version__agreement__project__proposal", "region")


@admin.register(AgreementParty)
class AgreementPartyAdmin(ReadOnlyAdmin):
    list_display = ("version", "kind", "name", "accepted_by", "accepted_at")
    list_filter = ("kind",)
    list_select_related = ("version__agreement__project__proposal", "accepted_by")


class AmendmentAttachmentInline(ReadOnlyInline):
    model = AmendmentAttachment
    fields = ("original_name", "kind", "size", "uploaded_by", "uploaded_at")


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "kind", "state", "requested_by", "requested_at")
    list_filter = ("kind", "state")
    inlines = [AmendmentAttachmentInline]


@admin.register(AmendmentAttachment)
class AmendmentAttachmentAdmin(ReadOnlyAdmin):
    list_display = ("amendment", "original_name", "kind", "size", "uploaded_at")


@admin.register(AmendmentPolicy)
class AmendmentPolicyAdmin(ReadOnlyAdmin):
    list_display = ("call", "small_pct", "small_max_won")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("paid_on", "amount_won", "reference", "recorded_by", "recorded_at")


@admin.register(Instalment)
class InstalmentAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "year", "source", "region", "number", "due_date", "amount_won")
    list_filter = ("source", "year")
    list_select_related = ("agreement__project__proposal", "region")
    inlines = [PaymentInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("instalment", "paid_on", "amount_won", "reference", "recorded_by")
    list_select_related = ("instalment__agreement__project__proposal", "recorded_by")
    search_fields = ("reference",)


@admin.register(CarryOver)
class CarryOverAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "year", "amount_won", "state", "requested_by", "decided_by")
    list_filter = ("state",)
    list_select_related = ("agreement__project__proposal", "requested_by", "decided_by")


# --- Year-end settlement (agreements.services.settlement) ---


class SettlementItemInline(ReadOnlyInline):
    model = SettlementItem
    fields = ("source", "region", "category", "amount_won", "reason", "added_by")


class SettlementStepInline(ReadOnlyInline):
    model = SettlementStep
    fields = ("action", "label", "note", "actor", "at")


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "year", "state", "national_due_won", "local_due_won", "proposed_by", "confirmed_by")
    list_filter = ("state", "year")
    list_select_related = ("agreement__project__proposal", "proposed_by", "confirmed_by")
    inlines = [SettlementItemInline, SettlementStepInline]


@admin.register(SettlementItem)
class SettlementItemAdmin(ReadOnlyAdmin):
    list_display = ("settlement", "source", "region", "category", "amount_won", "added_by")
    list_select_related = ("settlement__agreement__project__proposal", "region", "added_by")


@admin.register(SettlementStep)
class SettlementStepAdmin(ReadOnlyAdmin):
    list_display = ("settlement", "action", "actor", "at")
    list_select_related = ("settlement__agreement__project__proposal", "actor")


@admin.register(SettlementRepayment)
class SettlementRepaymentAdmin(ReadOnlyAdmin):
    list_display = ("settlement", "source", "paid_on", "amount_won", "reference", "recorded_by")
    list_select_related = ("settlement__agreement__project__proposal", "recorded_by")


@admin.register(SettlementSanction)
class SettlementSanctionAdmin(ReadOnlyAdmin):
    list_display = ("settlement", "year", "amount_won", "recorded_by", "recorded_at")
    list_select_related = ("settlement__agreement__project__proposal", "recorded_by")


@admin.register(SettlementDocument)
class SettlementDocumentAdmin(ReadOnlyAdmin):
    list_display = ("settlement", "kind", "status", "verification_code", "generated_at")
    list_filter = ("kind", "status")
    list_select_related = ("settlement__agreement__project__proposal",)
