import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.charts import csv_rows
from core.permissions import require
from programmes.selectors import calls_visible_to

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
    """Each role lands on its own dashboard (staff and officials: filtered by call / year)."""
    role = Role.ADMIN if request.user.is_superuser else Role(request.user.role)
    template, selector = DASHBOARDS[role]
    return render(request, template, selector(user=request.user, params=request.GET))


@login_required
def dashboard_figure_csv(request, slug: str):
    """The figures of one dashboard chart as CSV (UTF-8 with BOM, so Excel reads Korean)."""
    from reports import figures

    require(request.user, "accounts.view_dashboard_figures")
    calls = list(calls_visible_to(user=request.user).order_by("-year", "-id"))
    chosen = selectors.dashboard_filter(params=request.GET, calls=calls)
    scope = figures.scope_for(user=request.user, call_id=chosen["call"].pk if chosen["call"] else None,
                              year=chosen["year"])
    data = figures.figure_data(figures.Facts(scope, calls=calls), slug)
    if data is None:
        raise Http404
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerows(csv_rows(data))
    filename = "-".join(str(part) for part in ("dashboard", slug, chosen["call"] and chosen["call"].pk or chosen["year"]
                                                 or "all", timezone.localdate().isoformat()))
    services.dashboard_export_recorded(actor=request.user, slug=slug, scope=scope, rows=len(data.categories),
                                       request=request)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


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
