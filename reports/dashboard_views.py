"""The landing dashboard of each role, and the CSV of one dashboard figure."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.charts import csv_rows
from core.permissions import require
from core.spreadsheet import csv_text
from programmes.selectors import calls_visible_to

from . import dashboards, figures
from .todo_list import PAGE_SIZE, cached_todos, rows_of


@login_required
def dashboard(request):
    """Each role lands on its own dashboard (staff and officials: filtered by call / year)."""
    chosen = dashboards.dashboard_for(user=request.user)
    if chosen is None:
        raise Http404
    template, selector = chosen
    return render(request, template, selector(user=request.user, params=request.GET))


@login_required
def todo_page(request):
    """Every to-do of the person, the most urgent first, a page at a time (the dashboard shows the
    first few)."""
    page = Paginator(cached_todos(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/todos.html", {"page": page, "todos": rows_of(page.object_list),
                                                  "todo_total": page.paginator.count, "full_list": True})


@login_required
def dashboard_figure_csv(request, slug: str):
    """The figures of one dashboard chart as CSV (UTF-8 with BOM, so Excel reads Korean)."""
    require(request.user, "reports.view_dashboard_figures")
    calls = list(calls_visible_to(user=request.user).order_by("-year", "-id"))
    chosen = dashboards.dashboard_filter(params=request.GET, calls=calls)
    scope = figures.scope_for(user=request.user, call_id=chosen["call"].pk if chosen["call"] else None,
                              year=chosen["year"])
    data = figures.figure_data(figures.Facts(scope, calls=calls), slug)
    if data is None:
        raise Http404
    text = csv_text(csv_rows(data))  # UTF-8 with BOM; a region's or project's name never runs as a formula
    filename = "-".join(str(part) for part in ("dashboard", slug, chosen["call"] and chosen["call"].pk or chosen["year"]
                                                 or "all", timezone.localdate().isoformat()))
    dashboards.dashboard_export_recorded(actor=request.user, slug=slug, scope=scope, rows=len(data.categories),
                                         request=request)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
