
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import services


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
