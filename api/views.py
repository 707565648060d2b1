"""The pages of personal access tokens and service accounts (the API itself is api/api.py).
The rules are in api.scopes and api.services; these views carry HTTP. A new token's secret is
rendered straight into the answer to the form's POST, marked no-store: never put in the session,
never shown again."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.services import SecondFactorRefused
from accounts.throttling import login_failures_reset

from . import services
from .forms import ServiceAccountForm, TokenForm
from .models import ApiToken
from .scopes import Scope, scopes_for


def about(request):
    """What the API is and how to get a token (linked from every page's footer; no log-in)."""
    return render(request, "api/about.html", {"scopes": Scope.choices, "rate_limit": settings.API_RATE_LIMIT_PER_MINUTE})


def _tokens_of(owner):
    return ApiToken.objects.filter(owner=owner).select_related("revoked_by", "created_by")


@login_required
def token_list(request):
    """My API tokens: every token, usable or not, newest first."""
    return render(request, "api/token_list.html", {"tokens": _tokens_of(request.user), "may_hold": bool(scopes_for(request.user))})


def _create(request, *, owner, template: str, context: dict):
    """The create form for a token of `owner`; on success the secret, once, in this response."""
    form = TokenForm(request.POST or None, owner=owner, by=request.user)
    credentials = {"username": request.user.get_username()}
    status = 200
    if request.method == "POST" and form.needs_code and AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        return render(request, "api/token_locked.html", status=429)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.create_token(
                by=request.user,
                owner=owner,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
                second_factor_code=form.cleaned_data.get("code"),
            )
        except SecondFactorRefused as refusal:
            # Counted with the failed log-ins (django-axes), as the log-in's second step counts them.
            form.add_error(
                "code",
                _("Too many wrong codes in a row. Wait a few seconds and type the code your app shows now.")
                if refusal.reason == SecondFactorRefused.WAIT
                else _("This code is not correct or has been used already. Type the code your app shows now."),
            )
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                logout(request)
                return render(request, "api/token_locked.html", status=429)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if form.needs_code:
                login_failures_reset(request, request.user.get_username())
            response = render(request, "api/token_created.html", {"token": token, "secret": secret, "owner": owner, **context}, status=201)
            response["Cache-Control"] = "no-store"
            return response
        status = 400
    elif form.errors:
        status = 400
    return render(request, template, {"form": form, "owner": owner, **context}, status=status)


@never_cache
@login_required
@sensitive_post_parameters("code")
def token_create(request):
    if not scopes_for(request.user):
        raise Http404
    return _create(request, owner=request.user, template="api/token_form.html", context={"back": "api_tokens:list"})


def _token_for_revoking(request, pk):
    """A token the person may revoke: their own, or (an administrator) a service account's."""
    token = get_object_or_404(ApiToken.objects.select_related("owner"), pk=pk)
    if token.owner_id == request.user.pk:
        return token
    if token.owner.is_service_account and request.user.has_perm("accounts.manage_users"):
        return token
    raise Http404


@login_required
def token_revoke(request, pk):
    """Revoke a token after a confirmation page."""
    token = _token_for_revoking(request, pk)
    own = token.owner_id == request.user.pk
    if request.method == "POST":
        services.revoke_token(by=request.user, token=token)
        messages.success(request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name})
        return redirect("api_tokens:list") if own else redirect("api_tokens:service_account", pk=token.owner_id)
    return render(request, "api/token_revoke.html", {"token": token, "own": own})


# --- Service accounts (administrators) ----------------------------------------------


def _service_accounts():
    return (
        get_user_model()
        .objects.filter(is_service_account=True)
        .select_related("region")
        .annotate(usable_tokens=Count("api_tokens", filter=Q(api_tokens__revoked_at__isnull=True)))
        .order_by("username", "id")
    )


@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def service_account_list(request):
    return render(request, "api/service_account_list.html", {"accounts": _service_accounts()})


@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def service_account_create(request):
    form = ServiceAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.service_account_create(
                by=request.user,
                username=data["username"],
                display_name=data["display_name"],
                email=data["email"],
                role=data["role"],
                region=data["region"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The service account is created. Create a token for it now."))
            return redirect("api_tokens:service_account", pk=account.pk)
    return render(request, "api/service_account_form.html", {"form": form}, status=400 if form.errors else 200)


def _service_account(pk):
    return get_object_or_404(get_user_model().objects.filter(is_service_account=True).select_related("region"), pk=pk)


@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def service_account_detail(request, pk):
    account = _service_account(pk)
    return render(request, "api/service_account.html", {"account": account, "tokens": _tokens_of(account)})


@never_cache
@login_required
@permission_required("accounts.manage_users", raise_exception=True)
@sensitive_post_parameters("code")
def service_account_token_create(request, pk):
    account = _service_account(pk)
    if not scopes_for(account):
        raise Http404
    return _create(request, owner=account, template="api/token_form.html", context={"account": account})
