from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.forms import perform

from . import profile_links, selectors, services, sso
from .forms import PasswordResetForm
from .models import UserSession
from .sessions import current_public_id, idle_timeout_seconds
from .throttling import password_reset_allowed


@login_required
def profile(request):
    from django_otp.plugins.otp_static.models import StaticToken

    from .twofactor import confirmed_totp_device, requires_second_factor

    device = confirmed_totp_device(request.user)
    return render(request, "accounts/profile.html", {
        "totp_device": device,
        "second_factor_required": requires_second_factor(request.user),
        "recovery_codes_left": StaticToken.objects.filter(device__user=request.user).count() if device else 0,
        "previous_login": selectors.previous_login(request.user, current_public_id(request)),
        "account_links": profile_links.links_for(request.user),
    })


@require_POST
@login_required
def daily_digest(request):
    """Turn the daily to-do digest on or off (the link in each digest leads here)."""
    enabled = request.POST.get("daily_digest") == "on"
    services.daily_digest_set(actor=request.user, enabled=enabled)
    messages.success(request, _("You will receive the daily to-do digest.") if enabled
                     else _("You will no longer receive the daily to-do digest."))
    return redirect(f"{reverse('profile')}#digest")


@login_required
def session_list(request):
    """My sessions: where I am logged in now, this one marked; end one or all the others."""
    current = current_public_id(request)
    rows = list(selectors.open_sessions_of(request.user)[:50])
    for row in rows:
        row.browser, row.system = selectors.browser_and_system(row.user_agent)
        row.is_current = row.public_id == current
    return render(request, "accounts/sessions.html", {
        "sessions": rows, "others": sum(not row.is_current for row in rows),
        "previous_login": selectors.previous_login(request.user, current),
        "idle_minutes": idle_timeout_seconds(request.user) // 60,
        "lifetime_hours": settings.SESSION_ABSOLUTE_LIFETIME_HOURS,
    })


def _confirmed(request) -> bool:
    if request.POST.get("confirm") == "yes":
        return True
    messages.error(request, _("Tick the confirmation box to end the session."))
    return False


@require_POST
@login_required
def session_end(request, public_id):
    row = get_object_or_404(UserSession, user=request.user, public_id=public_id, ended_at__isnull=True)
    if _confirmed(request):
        perform(request, lambda: services.session_end(actor=request.user, user_session=row,
                                                      current_public_id=current_public_id(request)),
                _("The session was ended: that browser is logged out."))
    return redirect("sessions")


@require_POST
@login_required
def sessions_end_others(request):
    if _confirmed(request):
        count = services.sessions_end_others(actor=request.user, current_public_id=current_public_id(request))
        messages.success(request, ngettext("%(count)s other session was ended.", "%(count)s other sessions were ended.",
                                           count) % {"count": count} if count else _("No other session was open."))
    return redirect("sessions")


@login_required
def notification_list(request):
    page = Paginator(request.user.notifications.all(), 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page})


@require_POST
@login_required
def notifications_read(request):
    services.notifications_mark_read(user=request.user)
    return redirect("notifications")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page with the portal's mails (accounts/mail/password_reset.*) and a throttle:
    over the hourly limit for the address or the client, nothing is sent and the visitor
    sees the same "sent" page as anyone else (accounts.throttling)."""

    form_class = PasswordResetForm
    subject_template_name = "accounts/mail/password_reset_subject.txt"
    email_template_name = "accounts/mail/password_reset.txt"
    html_email_template_name = "accounts/mail/password_reset.html"

    def form_valid(self, form):
        if password_reset_allowed(self.request, form.cleaned_data["email"]):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


class LogoutView(auth_views.LogoutView):
    """Django's log-out (POST only) ends the portal session; a session opened by single sign-on
    then goes on to the identity provider's end-session endpoint, which ends the provider's
    session too and comes back to the log-in page (accounts.sso.provider_logout_url)."""

    def post(self, request, *args, **kwargs):
        provider_logout = sso.provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_logout) if provider_logout else response
