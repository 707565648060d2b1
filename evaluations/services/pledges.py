"""The confidentiality pledge (보안서약): an expert signs it once per call, by typing their
name, before any proposal content of that call is shown to them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Role
from core import josa

from ..models import Assignment, ConfidentialityPledge


def pledge_signed(*, user, call_id: int) -> bool:
    return ConfidentialityPledge.objects.filter(expert=user, call_id=call_id).exists()


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def pledge_sign(*, actor, call, signed_name: str, agree: bool) -> ConfidentialityPledge:
    """Record the expert's pledge for the call. Only an expert with an assignment on the call
    signs; the name typed must be their name as the portal knows it."""
    if actor.role != Role.EXPERT or not Assignment.objects.filter(expert=actor, proposal__call=call).exists():
        raise PermissionDenied
    errors = {}
    if not agree:
        errors["agree"] = _("Tick the box to accept the pledge.")
    if not _same_name(signed_name or "", actor.display_name or actor.username):
        errors["signed_name"] = josa.format(_("Type your name exactly as “%(name)s” to sign."),
                                            name=actor.display_name or actor.username)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return ConfidentialityPledge.objects.create(expert=actor, call=call, signed_name=" ".join(signed_name.split()))
    except IntegrityError:
        raise ValidationError(_("You already signed the pledge for this call.")) from None
