"""The confidentiality pledge (보안서약), signed by typing one's name.

Two scopes, one model (ConfidentialityPledge), one text table (PLEDGE_TEXT) and one check of what was typed:
- a call: an expert signs it once per call, before any proposal content of that call is shown to them;
- a feasibility review of a candidate theme: bound to that review (`theme_review`), signed before the theme's
  details, files or rating form are shown (the conflict declaration comes after it)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from audit.services import AuditAction, record
from core import josa

from ..models import Assignment, ConfidentialityPledge, ReviewState, ThemeReview

_BREACH = gettext_lazy("I accept that breaking this pledge may exclude me from the expert pool and carry legal "
                       "consequences.")

# scope → (the sentence before the list, the promises): what the pledge page shows and the expert signs.
PLEDGE_TEXT = {
    "call": (gettext_lazy("As an expert consulting on or evaluating proposals of this call, I pledge that:"), (
        gettext_lazy("I will not disclose, copy or keep the content of any proposal, score or discussion I see, nor "
                     "use it for any purpose other than this work."),
        gettext_lazy("I will not contact the regions, organisations or researchers of a proposal about it, and will "
                     "report any attempt to contact me."),
        gettext_lazy("I will declare any conflict of interest before reading a proposal, and withdraw if I have one."),
        _BREACH)),
    "theme_review": (gettext_lazy("As an expert reviewing the feasibility of this candidate theme, I pledge that:"), (
        gettext_lazy("I will not disclose, copy or keep the theme, its innovation-capacity analysis, its files or my "
                     "review, nor use them for any purpose other than this review."),
        gettext_lazy("I will not contact the regions, organisations or researchers of the theme about it, and will "
                     "report any attempt to contact me."),
        gettext_lazy("I will declare any conflict of interest before reading the theme, and withdraw if I have one."),
        _BREACH)),
}


def pledge_text(scope: str) -> dict:
    intro, items = PLEDGE_TEXT[scope]
    return {"intro": intro, "items": items}


def pledge_signed(*, user, call_id: int) -> bool:
    """The call's pledge (not a review's) is signed."""
    return ConfidentialityPledge.objects.filter(expert=user, call_id=call_id, theme_review__isnull=True).exists()


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _check_signature(actor, *, signed_name: str, agree: bool) -> str:
    """What the expert typed and ticked: refused with the reason at each field; the name as signed."""
    errors = {}
    if not agree:
        errors["agree"] = _("Tick the box to accept the pledge.")
    if not _same_name(signed_name or "", actor.display_name or actor.username):
        errors["signed_name"] = josa.format(_("Type your name exactly as “%(name)s” to sign."),
                                            name=actor.display_name or actor.username)
    if errors:
        raise ValidationError(errors)
    return " ".join(signed_name.split())


def pledge_sign(*, actor, call, signed_name: str, agree: bool) -> ConfidentialityPledge:
    """Record the expert's pledge for the call. Only an expert with an assignment on the call
    signs; the name typed must be their name as the portal knows it."""
    if actor.role != Role.EXPERT or not Assignment.objects.filter(expert=actor, proposal__call=call).exists():
        raise PermissionDenied
    name = _check_signature(actor, signed_name=signed_name, agree=agree)
    try:
        with transaction.atomic():
            return ConfidentialityPledge.objects.create(expert=actor, call=call, signed_name=name)
    except IntegrityError:
        raise ValidationError(_("You already signed the pledge for this call.")) from None


def review_pledge_sign(*, actor, review: ThemeReview, signed_name: str, agree: bool) -> ConfidentialityPledge:
    """Record the pledge bound to one feasibility review, signed by its own expert while the review is theirs
    (not unassigned); the time is the pledge's `signed_at`."""
    if actor.role != Role.EXPERT or review.expert_id != actor.pk:
        raise PermissionDenied
    name = _check_signature(actor, signed_name=signed_name, agree=agree)
    with transaction.atomic():
        review = ThemeReview.objects.select_for_update().select_related("theme__call").get(pk=review.pk)
        if review.state == ReviewState.UNASSIGNED:
            raise ValidationError(_("This review was unassigned; there is nothing to sign."))
        if ConfidentialityPledge.objects.filter(theme_review=review).exists():
            raise ValidationError(_("You already signed the pledge for this review."))
        pledge = ConfidentialityPledge.objects.create(expert=actor, call=review.theme.call, theme_review=review,
                                                      signed_name=name)
        record(actor=actor, action=AuditAction.FEASIBILITY, obj=review.theme,
               summary=_("Confidentiality pledge signed for the feasibility review of “%(title)s”.") % {
                   "title": review.theme.title_ko})
    return pledge
