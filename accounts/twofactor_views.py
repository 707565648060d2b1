"""The pages of the second factor: the log-in's second step, enrolment, the recovery codes
shown once, new recovery codes and removal. The rules are in accounts.twofactor, the writes
in accounts.services; these views carry HTTP."""

from urllib.parse import urlencode

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import services, twofactor
from .forms import LoginForm, SecondFactorCodeForm
from .services import SecondFactorRefused
from .throttling import login_failures_reset

NEW_CODES_SESSION_KEY = "second_factor_new_codes"


def _next_url(request) -> str:
    """Where the person was going (a `next` of this site only), else the dashboard."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _refusal_message(reason: str) -> str:
    if reason == SecondFactorRefused.WAIT:
        return _("Too many wrong codes in a row. Wait a few seconds and type the code your app shows now.")
    return _("This code is not correct or has been used already. Type the code your app shows now, "
             "or one of your recovery codes.")


def _verified(request, device) -> None:
    """The session passed the second factor: mark it, and give it a new key."""
    django_otp.login(request, device)
    request.session.cycle_key()
    request.session[twofactor.SESSION_KEY] = twofactor.VERIFY


class LoginView(auth_views.LoginView):
    """The password form; a person with a second step to take goes to it, `next` kept."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        step = self.request.session.get(twofactor.SESSION_KEY)
        if step == twofactor.VERIFY:
            return _with_next("login_verify", url)
        if step == twofactor.ENROL:
            return _with_next("twofactor_enrol", url)
        return url


@never_cache
@sensitive_post_parameters("code")
def login_verify(request):
    """The log-in's second step: a code of the authenticator or a recovery code. A refused code
    counts as a failed log-in (django-axes): after LOGIN_FAILURE_LIMIT the pair is locked out."""
    if not request.user.is_authenticated:
        return redirect(_with_next("login", _next_url(request)))
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not twofactor.has_second_factor(user):
        step = request.session[twofactor.SESSION_KEY] = twofactor.second_step_for(user)
        if step == twofactor.ENROL:
            return redirect(_with_next("twofactor_enrol", _next_url(request)))
        return redirect(_next_url(request))
    credentials = {"username": user.get_username()}
    recovery = request.POST.get("kind") == "recovery"
    form = SecondFactorCodeForm(request.POST or None, recovery=recovery)
    if request.method == "POST":
        if AxesProxyHandler.is_locked(request, credentials):
            logout(request)
            request.axes_locked_out = True
            request.axes_credentials = credentials
            return render(request, "accounts/login_verify.html", {"form": form}, status=429)
        if form.is_valid():
            try:
                device = services.second_factor_check(user=user, code=form.cleaned_data["code"])
            except SecondFactorRefused as refusal:
                form.add_error("code", _refusal_message(refusal.reason))
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
                if getattr(request, "axes_locked_out", False):
                    logout(request)
            else:
                _verified(request, device)
                login_failures_reset(request, user.get_username())
                if device.__class__.__name__ == "StaticDevice":
                    left = device.token_set.count()
                    messages.warning(request, _("You used a recovery code; %(left)s are left. Make new ones on "
                                                "your account page when few are left.") % {"left": left})
                return redirect(_next_url(request))
    return render(request, "accounts/login_verify.html", {
        "form": form, "recovery": recovery, "next": _next_url(request),
        # The other kind of code, folded below the main form (own ids, no autofocus).
        "recovery_form": None if recovery else SecondFactorCodeForm(recovery=True, auto_id="recovery_%s", focus=False),
        "app_form": SecondFactorCodeForm(auto_id="app_%s", focus=False) if recovery else None,
    }, status=400 if form.errors else 200)


@never_cache
@login_required
@sensitive_post_parameters("code")
def enrol(request):
    """Enrol an authenticator: its secret as text and as a QR code; its first code confirms it."""
    user = request.user
    if twofactor.has_second_factor(user):
        if not user.is_verified():
            return redirect(_with_next("login_verify", _next_url(request)))
        messages.info(request, _("You have an authenticator already."))
        return redirect("profile")
    device = services.second_factor_enrolment(user=user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.second_factor_confirm(user=user, device=device, code=form.cleaned_data["code"])
        except SecondFactorRefused as refusal:
            form.add_error("code", _refusal_message(refusal.reason))
        else:
            device.refresh_from_db()
            _verified(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            return redirect(_with_next("twofactor_codes", _next_url(request)))
    uri = twofactor.otpauth_uri(device)
    return render(request, "accounts/twofactor_enrol.html", {
        "form": form, "secret": twofactor.base32_secret(device), "qr_svg": twofactor.qr_svg(uri),
        "required": twofactor.requires_second_factor(user), "next": _next_url(request),
        "issuer": twofactor.ISSUER,
    }, status=400 if form.errors else 200)


@never_cache
@login_required
def recovery_codes(request):
    """The recovery codes just issued, shown this once (then gone from the session)."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    response = render(request, "accounts/twofactor_codes.html", {
        "codes": [twofactor.format_recovery_code(c) for c in codes or []], "next": _next_url(request),
    })
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@sensitive_post_parameters("code")
def recovery_codes_renew(request):
    """New recovery codes on a current code of the authenticator (the old ones stop working)."""
    if not twofactor.has_second_factor(request.user):
        return redirect("profile")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.recovery_codes_renew(user=request.user, code=form.cleaned_data["code"])
        except SecondFactorRefused as refusal:
            form.add_error("code", _refusal_message(refusal.reason))
        else:
            request.session[NEW_CODES_SESSION_KEY] = codes
            return redirect(_with_next("twofactor_codes", reverse("profile")))
    return render(request, "accounts/twofactor_confirm.html", {
        "form": form, "title": _("New recovery codes"),
        "lead": _("Your ten new recovery codes replace the old ones, which stop working. Type a code of your "
                  "authenticator app to confirm."),
        "button": _("Make new recovery codes"), "danger": False,
    }, status=400 if form.errors else 200)


@never_cache
@login_required
@sensitive_post_parameters("code")
def remove(request):
    """Remove the second factor (only where it is optional), on a current code."""
    if not twofactor.has_second_factor(request.user):
        return redirect("profile")
    if not request.user.has_perm("accounts.remove_second_factor"):
        messages.error(request, _("Your role requires a second factor: it cannot be removed."))
        return redirect("profile")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.second_factor_remove(user=request.user, code=form.cleaned_data["code"])
        except SecondFactorRefused as refusal:
            form.add_error("code", _refusal_message(refusal.reason))
        else:
            request.session[twofactor.SESSION_KEY] = twofactor.NONE
            messages.success(request, _("The second factor is removed. You log in with your password alone."))
            return redirect("profile")
    return render(request, "accounts/twofactor_confirm.html", {
        "form": form, "title": _("Remove the second factor"),
        "lead": _("You will log in with your password alone, and your recovery codes stop working. Type a code "
                  "of your authenticator app to confirm."),
        "button": _("Remove the second factor"), "danger": True,
    }, status=400 if form.errors else 200)
