"""What each role's dashboard shows, and the record of a dashboard figure download.

The dashboards sit in the reports layer: they read every domain app below it."""

from collections import Counter
from urllib.parse import urlencode

from django.core.cache import caches
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Role, User
from audit.services import AuditAction, record
from core.params import parse_id
from evaluations.selectors import assignments_of
from programmes.models import CallStatus
from programmes.selectors import calls_visible_to, open_calls_for_region
from proposals.models import ProposalState
from proposals.planning_status import region_standings
from proposals.selectors import LIST_COLUMNS, list_rows, proposal_list

from . import figures
from .todo_list import todo_count, todo_rows


def dashboard_filter(*, params, calls: list) -> dict:
    """The call / year filter of a dashboard, checked against the calls the user may see."""
    by_id = {str(c.pk): c for c in calls}
    years = sorted({c.year for c in calls}, reverse=True)
    call = by_id.get((params.get("call") or "").strip())
    year = parse_id((params.get("year") or "").strip())
    year = year if year in years else None
    query = urlencode({k: v for k, v in (("call", call.pk if call else ""), ("year", year or "")) if v})
    return {"call": call, "year": year, "calls": calls, "years": years, "query": query}


def dashboard_figures(*, user, params, calls: list) -> dict:
    """Key figures, charts with their tables, and overdue reports for a staff or official dashboard."""
    chosen = dashboard_filter(params=params, calls=calls)
    scope = figures.scope_for(user=user, call_id=chosen["call"].pk if chosen["call"] else None, year=chosen["year"])
    return {
        "filter": chosen,
        **figures.cached_dashboard(scope, calls=calls, language=get_language()),
        "overdue_reports": figures.overdue_reports(user=user),
    }


def official_dashboard(*, user, params=None) -> dict:
    mine = official_rows(user=user)
    calls = mine["calls"]
    return {
        **dashboard_figures(user=user, params=params or {}, calls=calls),
        "proposals": mine["proposals"], "region": mine["region"], "open_calls": mine["open_calls"],
        "colleagues": mine["colleagues"],
        "planning": region_planning(user=user, calls=calls),
    }


def official_rows(*, user) -> dict:
    """The official's own lists — the calls they may see, their newest proposals as plain rows (the
    state as the region may know it, as the proposal list shows it), their region, its open calls and
    colleagues: read once per person, region, language and data version (audit.version: every recorded
    change, a call's status or a proposal's move included, moves it), then read from the process's
    cache for at most CACHE_SECONDS."""
    cache = caches["figures"]
    key = "official-rows:{}:{}:{}:{}".format(user.pk, user.region_id or "-", get_language() or "ko",
                                             figures.data_version())
    rows = cache.get(key)
    if rows is None:
        region = user.region
        rows = {
            "calls": list(calls_visible_to(user=user).order_by("-year", "-id")),
            "proposals": list_rows(proposal_list(user=user).values(*LIST_COLUMNS)[:10]),
            "region": region,
            "open_calls": list(open_calls_for_region(region=region)[:10]),
            "colleagues": list(User.objects.filter(region=region, role=Role.OFFICIAL, is_active=True)
                               .exclude(pk=user.pk).order_by("username")[:10]),
        }
        cache.set(key, rows, figures.CACHE_SECONDS)
    return rows


def region_planning(*, user, calls: list) -> list[dict]:
    """The official's region's row of "where every region stands" for each call whose planning period
    has not ended yet and which is open to the region. Worked out once per region, calls, day,
    language and data version (audit.version: every recorded change moves it), then read from the
    process's cache."""
    today = timezone.localdate()
    cache = caches["figures"]
    key = "planning:{}:{}:{}:{}:{}".format(user.region_id or "-", ",".join(str(c.pk) for c in calls), today.isoformat(),
                                           get_language() or "ko", figures.data_version())
    rows = cache.get(key)
    if rows is None:
        rows = []
        for call in calls:
            if not call.has_planning_period or call.planning_end < today:
                continue
            standing = region_standings(call, regions=[user.region])
            if standing:
                rows.append({"call": call, "s": standing[0], "phase": call.current_planning_phase()})
        cache.set(key, rows, figures.CACHE_SECONDS)
    return rows


def expert_dashboard(*, user, params=None) -> dict:
    profile = getattr(user, "expert_profile", None)
    return {
        "assignments": list(assignments_of(user=user)[:8]),
        "profile": profile,
        "industries": list(profile.industries.all()) if profile else [],
        "published_calls": list(calls_visible_to(user=user).exclude(status=CallStatus.ANNOUNCED)[:5]),
    }


def ministry_dashboard(*, user, params=None) -> dict:
    calls = list(calls_visible_to(user=user).order_by("-year", "-id"))
    by_status = Counter(c.status for c in calls)
    data = dashboard_figures(user=user, params=params or {}, calls=calls)
    by_state = data["state_counts"]  # already narrowed by the filter
    return {
        **data,
        "proposal_counts": [(label, by_state.get(value, 0), value) for value, label in ProposalState.choices],
        "calls": calls[:10],
        "status_counts": [(label, by_status.get(value, 0), value) for value, label in CallStatus.choices],
    }


def admin_dashboard(*, user, params=None) -> dict:
    by_role = dict(User.objects.filter(is_active=True).values_list("role").annotate(n=Count("id")).values_list("role", "n"))
    data = ministry_dashboard(user=user, params=params)
    data["role_counts"] = [(label, by_role.get(value, 0)) for value, label in Role.choices]
    return data


# Each role lands on its own dashboard: the first permission the user holds picks it
# (an administrator, a Django superuser included, sees the administrator's).
DASHBOARDS = [
    ("reports.view_admin_dashboard", "reports/dashboard_admin.html", admin_dashboard),
    ("reports.view_ministry_dashboard", "reports/dashboard_ministry.html", ministry_dashboard),
    ("reports.view_expert_dashboard", "reports/dashboard_expert.html", expert_dashboard),
    ("reports.view_official_dashboard", "reports/dashboard_official.html", official_dashboard),
]


def dashboard_for(*, user):
    """(template, selector) of the user's dashboard, or None when no dashboard is theirs."""
    chosen = next(((template, selector) for perm, template, selector in DASHBOARDS if user.has_perm(perm)), None)
    if chosen is None:
        return None
    template, selector = chosen
    # Every role's dashboard opens with its to-dos (core.todos, cached per data version).
    return template, lambda **kwargs: {**selector(**kwargs), "todos": todo_rows(kwargs["user"]),
                                       "todo_total": todo_count(kwargs["user"])}


def dashboard_export_recorded(*, actor, slug: str, scope, rows: int, request=None) -> None:
    """A dashboard CSV download goes into the audit trail."""
    filters = {"figure": slug, "call": scope.call_id, "year": scope.year, "region": scope.region_id, "rows": rows}
    record(actor=actor, action=AuditAction.EXPORT, summary=f"dashboard figures CSV: {slug}", after=filters,
           request=request)
