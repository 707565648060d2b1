from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import Role

DASHBOARDS = {
    Role.OFFICIAL: ("accounts/dashboard_official.html", selectors.official_dashboard),
    Role.EXPERT: ("accounts/dashboard_expert.html", selectors.expert_dashboard),
    Role.MINISTRY: ("accounts/dashboard_ministry.html", selectors.ministry_dashboard),
    Role.ADMIN: ("accounts/dashboard_admin.html", selectors.admin_dashboard),
}


@login_required
def dashboard(request):
    """Each role lands on its own dashboard."""
    role = Role.ADMIN if request.user.is_superuser else Role(request.user.role)
    template, selector = DASHBOARDS[role]
    return render(request, template, selector(user=request.user))


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
