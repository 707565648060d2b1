"""People administration pages (/accounts/people/) and the public invitation page.

Views ask permission names only (accounts.rules); a person outside what the visitor administers
is a 404 (accounts.selectors.people_visible_to). Writes go through accounts.people.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from core.forms import apply_errors, perform

from . import people
from .models import Role
from .people_forms import (
    AcceptInvitationForm,
    AccessForm,
    ConfirmDeactivateForm,
    ConsentOnlyForm,
    InviteForm,
    PeopleFilterForm,
    ResetSecondFactorForm,
    RoleForm,
)
from .selectors import people_visible_to
from .throttling import client_ip

PAGE_SIZE = 30


def _posted(request):
    """The posted data of a POST (even empty: an unticked confirmation is an error to show), else None."""
    return request.POST if request.method == "POST" else None


def _person(request, pk):
    """The person, if the visitor administers them; a 404 otherwise (no hint they exist)."""
    return get_object_or_404(people_visible_to(request.user), pk=pk)


@login_required
@permission_required("accounts.manage_people", raise_exception=True)
def people_list(request):
    form = PeopleFilterForm(request.GET or None)
    found = people_visible_to(request.user).order_by("display_name", "username")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"]
            found = found.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(email__icontains=q)
                                 | Q(first_name__icontains=q) | Q(last_name__icontains=q))
        if data["role"]:
            found = found.filter(role=data["role"])
        if data["region"]:
            found = found.filter(region=data["region"])
        status = data["status"]
        if status == "active":
            found = found.filter(is_active=True)
        elif status == "inactive":
            found = found.filter(is_active=False, pending_invitation=False)
        elif status == "invited":
            found = found.filter(pending_invitation=True)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/people/list.html", {"form": form, "page": page})


@login_required
@permission_required("accounts.manage_people", raise_exception=True)
def person_detail(request, pk):
    person = _person(request, pk)
    return render(request, "accounts/people/person.html", {
        "person": person,
        "second_factor": people.second_factor_enrolled(person),
        "invitations": person.invitations.select_related("created_by")[:10],
        "consents": person.consents.all()[:5],
        # Never accepted an invitation (and no password of their own): a link can be sent again.
        "awaiting": (not person.is_active and not person.has_usable_password()
                     and not person.invitations.filter(accepted_at__isnull=False).exists()),
    })


@login_required
@permission_required("accounts.manage_people", raise_exception=True)
def person_invite(request):
    regional = not request.user.has_perm("accounts.change_role")
    form = InviteForm(_posted(request), regional=regional)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        role = Role.OFFICIAL if regional else data["role"]
        region = request.user.region if regional else data.get("region")
        try:
            invitation = people.invitation_create(
                actor=request.user, email=data["email"], display_name=data["display_name"], role=role,
                region=region, access_until=data["access_until"], language=data["language"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The invitation was sent to %(email)s.") % {"email": invitation.user.email})
            return redirect("person", pk=invitation.user_id)
    return render(request, "accounts/people/invite.html", {"form": form, "regional": regional,
                                                          "valid_days": settings.INVITATION_VALID_DAYS})


@login_required
@permission_required("accounts.manage_people", raise_exception=True)
def person_role(request, pk):
    person = _person(request, pk)
    if not request.user.has_perm("accounts.change_role", person):
        raise PermissionDenied
    form = RoleForm(_posted(request), initial={"role": person.role, "region": person.region,
                                                   "is_region_admin": person.is_region_admin})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            people.person_change_role(actor=request.user, user=person, role=data["role"], region=data["region"],
                                      is_region_admin=data["is_region_admin"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The role and region were saved."))
            return redirect("person", pk=person.pk)
    return render(request, "accounts/people/role.html", {"person": person, "form": form})


@login_required
@permission_required("accounts.manage_people", raise_exception=True)
def person_access(request, pk):
    person = _person(request, pk)
    if not request.user.has_perm("accounts.manage_person", person):
        raise PermissionDenied
    form = AccessForm(_posted(request), initial={"access_until": person.access_until})
    if request.method == "POST" and form.is_valid():
        try:
            people.person_set_access_until(actor=request.user, user=person,
                                           access_until=form.cleaned_data["access_until"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The access end date was saved."))
            return redirect("person", pk=person.pk)
    return render(request, "accounts/people/access.html", {"person": person, "form": form})


@login_required
@permission_required("accounts.manage_people", raise_exception=True)
def person_deactivate(request, pk):
    person = _person(request, pk)
    if not request.user.has_perm("accounts.manage_person", person):
        raise PermissionDenied
    form = ConfirmDeactivateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            people.person_deactivate(actor=request.user, user=person)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The account was deactivated."))
            return redirect("person", pk=person.pk)
    return render(request, "accounts/people/deactivate.html", {"person": person, "form": form})


@login_required
@permission_required("accounts.manage_people", raise_exception=True)
def person_reset_second_factor(request, pk):
    person = _person(request, pk)
    if not request.user.has_perm("accounts.manage_person", person):
        raise PermissionDenied
    form = ResetSecondFactorForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            removed = people.reset_second_factor(actor=request.user, user=person, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The second factor was reset (%(count)s devices removed); the person was "
                                        "told.") % {"count": removed})
            return redirect("person", pk=person.pk)
    return render(request, "accounts/people/reset_second_factor.html", {"person": person, "form": form})


def _post_action(request, pk, write, done):
    person = _person(request, pk)
    if not request.user.has_perm("accounts.manage_person", person):
        raise PermissionDenied
    perform(request, lambda: write(actor=request.user, user=person), done)
    return redirect("person", pk=person.pk)


@require_POST
@login_required
@permission_required("accounts.manage_people", raise_exception=True)
def person_reactivate(request, pk):
    return _post_action(request, pk, people.person_reactivate, _("The account was reactivated."))


@require_POST
@login_required
@permission_required("accounts.manage_people", raise_exception=True)
def person_invitation_resend(request, pk):
    return _post_action(request, pk, people.invitation_resend,
                        _("A new invitation was sent; the earlier link no longer works."))


@require_POST
@login_required
@permission_required("accounts.manage_people", raise_exception=True)
def person_invitation_revoke(request, pk):
    return _post_action(request, pk, people.invitation_revoke, _("The invitation was revoked."))


# --- The invited person's page (public: the link is the credential) ---------------------------------------


def _sso_url() -> str | None:
    if not getattr(settings, "OIDC_ENABLED", False):
        return None
    try:
        return reverse("oidc_authentication_init")
    except NoReverseMatch:
        return None


def _not_valid(request):
    """One page for every link that does not work (unknown, tampered, expired, revoked, used): it says
    nothing about whether an account exists."""
    return render(request, "accounts/people/invitation_invalid.html", status=410)


@never_cache
def invitation_accept(request, token):
    invitation = people.invitation_for_token(token)
    if invitation is None:
        return _not_valid(request)
    user = invitation.user
    sso_url = _sso_url()
    choosing_sso = request.method == "POST" and request.POST.get("with") == "sso" and sso_url
    form = AcceptInvitationForm(request.POST if request.method == "POST" and not choosing_sso else None, user=user)
    sso_form = ConsentOnlyForm(request.POST if choosing_sso else None, prefix="sso")
    if choosing_sso and sso_form.is_valid():
        try:
            people.invitation_accept_sso(token=token, consent=True, ip=client_ip(request))
        except PermissionDenied:
            return _not_valid(request)
        return redirect(sso_url)
    if request.method == "POST" and not choosing_sso and form.is_valid():
        try:
            user = people.invitation_accept(token=token, password=form.cleaned_data["password2"],
                                            consent=form.cleaned_data["consent"], ip=client_ip(request))
        except PermissionDenied:
            return _not_valid(request)
        login(request, user, backend="accounts.backends.PortalModelBackend")
        messages.success(request, _("Welcome. Your account is active."))
        return redirect(settings.LOGIN_REDIRECT_URL)
    from .people import CONSENT_VERSION

    return render(request, "accounts/people/invitation_accept.html", {
        "invited": user, "form": form, "sso_form": sso_form, "sso_url": sso_url, "consent_version": CONSENT_VERSION,
        "expires_at": invitation.expires_at,
    })
