"""An expert's contact details: shown masked, read in full only with a purpose, every reading
on the access log of personal data (audit.personal_data). The expert reads their own freely."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AccessChannel, AuditAction, ContactItem
from audit.personal_data import mask_email, mask_phone, record_personal_data_access
from audit.services import record
from core.permissions import require


@dataclass(frozen=True)
class Contacts:
    email: str
    phone: str

    @property
    def items(self) -> list[str]:
        return [item for item, value in ((ContactItem.EMAIL, self.email), (ContactItem.PHONE, self.phone)) if value]

    def masked(self) -> "Contacts":
        return Contacts(email=mask_email(self.email), phone=mask_phone(self.phone))


def contacts_of(expert) -> Contacts:
    """The e-mail and phone to reach an expert: the profile's, else the account's."""
    profile = getattr(expert, "expert_profile", None)
    return Contacts(email=(profile.contact_email if profile else "") or expert.email,
                    phone=(profile.phone if profile else "") or expert.phone)


def expert_contacts_reveal(*, actor, expert, purpose: str, purpose_detail: str = "", ip: str | None = None) -> Contacts:
    """The expert's contact details in full, for `purpose` (audit.models.AccessPurpose); the reading
    is logged. Refused (PermissionDenied) to anyone who may not see the expert pool."""
    require(actor, "evaluations.reveal_expert_contacts", expert)
    contacts = contacts_of(expert)
    record_personal_data_access(
        actor=actor, subjects=[expert], items=contacts.items, purpose=purpose, purpose_detail=purpose_detail,
        channel=AccessChannel.PAGE, description=_("Expert profile: %(name)s") % {"name": expert}, ip=ip)
    return contacts


def experts_export_record(*, actor, experts, with_contacts: bool, purpose: str = "", purpose_detail: str = "",
                          filters: dict | None = None, ip: str | None = None) -> list:
    """Record an export of the expert pool (`experts`: the users in it) before it is written: on the
    audit trail, and with contact details also one entry of the access log with the row count.
    Returns the experts as a list (the rows that were counted)."""
    require(actor, "evaluations.view_expert_pool")
    if with_contacts:
        require(actor, "evaluations.reveal_expert_contacts")
    experts = list(experts)
    with transaction.atomic():
        if with_contacts:
            record_personal_data_access(
                actor=actor, subjects=experts, items=[ContactItem.EMAIL, ContactItem.PHONE], purpose=purpose,
                purpose_detail=purpose_detail, channel=AccessChannel.EXPORT, row_count=len(experts),
                description=_("Expert pool (CSV) with contact details"), ip=ip)
        record(actor=actor, action=AuditAction.EXPORT,
               summary=_("Expert pool (CSV) with contact details") if with_contacts else _("Expert pool (CSV)"),
               after={"rows": len(experts), "contacts": with_contacts,
                      "filters": {k: v for k, v in (filters or {}).items() if v}})
    return experts
