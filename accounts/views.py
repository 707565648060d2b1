from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import services, sso
from .forms import PasswordResetForm
from .throttling import password_reset_allowed


@login_required
def profile(request):
    return render(request, "accounts/profile.html")


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
