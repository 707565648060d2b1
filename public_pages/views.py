"""Pages without log-in: the public home, call notices, results, open data, the calendar feed,
the privacy policy and the terms of use. Each page's own part is cached per language and data
version (public_pages.cache); everything is read through public_pages.selectors."""

import json

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import ical
from core.params import parse_id
from programmes.models import Call, CallStatus
from programmes.selectors import public_calls

from . import opendata, selectors
from .cache import cached_part


def optional_url(name: str, *args) -> str:
    """The address of a public page that may not exist in this installation (the notices and the
    questions and answers are their own pages), or ""."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _part(template: str, context: dict, *, title: str) -> dict:
    return {"title": title, "body": mark_safe(render_to_string(template, context))}  # noqa: S308 (our template)


def _page(request, name: str, *parts, build) -> HttpResponse:
    return render(request, "public/page.html", cached_part(name, *parts, build=build))


@require_GET
def home(request):
    def build():
        calls = selectors.recent_calls(limit=20)
        return _part("public/_home.html", {
            "open_calls": [c for c in calls if c.status == CallStatus.OPEN],
            "other_calls": [c for c in calls if c.status != CallStatus.OPEN],
            "notices_url": optional_url("public:notices"),
        }, title=_("Calls and results"))

    return _page(request, "home", build=build)


@require_GET
def call_notice(request, pk: int):
    def build():
        call = selectors.public_call(pk)
        criteria = list(call.criteria.all())
        return _part("public/_call.html", {
            "call": call, "criteria": criteria, "rubric_total": sum(c.weight for c in criteria),
            "phases": selectors.phases(call), "questions_url": optional_url("public:call_questions", call.pk),
        }, title=call.title)

    return _page(request, "call", pk, build=build)


@require_GET
def call_results(request, pk: int):
    def build():
        call = selectors.announced_call(pk)
        awards = selectors.call_results(call)
        years = sorted({y for a in awards for y, _n, _l in a.years})
        return _part("public/_results.html", {
            "call": call, "awards": awards, "years": years,
            "national_total": sum(a.national_total for a in awards),
        }, title=_("Results: %(title)s") % {"title": call.title})

    return _page(request, "results", pk, build=build)


@require_GET
def open_data(request):
    def build():
        announced = list(public_calls().filter(status=CallStatus.ANNOUNCED).order_by("-year", "-id"))
        return _part("public/_open_data.html", {
            "project_fields": opendata.PROJECT_FIELDS, "year_fields": opendata.YEAR_FIELDS, "calls": announced,
        }, title=_("Open data"))

    return _page(request, "open_data", build=build)


def _call_filter(request) -> tuple[str, Call | None, bool]:
    """The ?call= of a download: (cache part, the announced call or None, whether it names no
    announced call — then the download is empty)."""
    raw = request.GET.get("call", "")
    if not raw:
        return "all", None, False
    pk = parse_id(raw)
    call = public_calls().filter(pk=pk, status=CallStatus.ANNOUNCED).first() if pk is not None else None
    return str(pk or "x"), call, call is None


def _awards(call, empty):
    return [] if empty else selectors.funded_projects(call=call)


@require_GET
def open_data_csv(request):
    key, call, empty = _call_filter(request)
    text = cached_part("open_data_csv", key, build=lambda: opendata.as_csv(_awards(call, empty)))
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    name = f"funded-projects-{call.year}-{call.pk}.csv" if call else "funded-projects.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def open_data_json(request):
    key, call, empty = _call_filter(request)
    dictionary = reverse("public:open_data")
    text = cached_part("open_data_json", key, build=lambda: json.dumps(
        opendata.as_json(_awards(call, empty), dictionary_url=dictionary), ensure_ascii=False, indent=1))
    return HttpResponse(text.encode("utf-8"), content_type="application/json; charset=utf-8")


PHASE_LABELS = {
    "consulting": lambda: _("Consulting window"),
    "deadline": lambda: _("Submission deadline"),
    "review": lambda: _("Review window"),
    "announcement": lambda: _("Announcement of results"),
}


@require_GET
def calendar(request):
    """Every published call's deadline and phases: nothing about any applicant, no presentation slot."""
    host = request.get_host().split(":")[0] or "portal"

    def build():
        events = []
        for call in public_calls().order_by("-year", "-id"):
            url = request.build_absolute_uri(reverse("public:call", args=[call.pk]))
            for phase in selectors.phases(call):
                events.append(ical.Event(
                    uid=f"call-{call.pk}-{phase.key}@{host}", start=phase.start, end=phase.end,
                    summary=f"{PHASE_LABELS[phase.key]()}: {call.title}", url=url,
                    description=_("Regional Innovation Mega Project")))
        return ical.calendar(events, name=_("Regional Innovation Mega Project: calls"),
                             stamp=timezone.now().replace(microsecond=0)).decode("utf-8")

    text = cached_part("calendar", host, build=build)
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="megaproject-calls.ics"'
    return response


@require_GET
def privacy(request):
    return render(request, "public/privacy.html", {
        "officer": settings.PRIVACY_OFFICER_CONTACT, "log_days": settings.PERSONAL_DATA_LOG_RETENTION_DAYS,
        "session_days": settings.SESSION_HISTORY_DAYS})


@require_GET
def terms(request):
    return render(request, "public/terms.html", {"officer": settings.PRIVACY_OFFICER_CONTACT})


@require_GET
def robots_txt(request):
    lines = ["User-agent: *", "Allow: /public/", "Allow: /sitemap.xml", "Disallow: /",
             f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
