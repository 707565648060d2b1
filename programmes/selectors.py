"""Reads of calls shared by several pages."""

from django.db.models import Count, Q, QuerySet

from core.params import parse_id

from .models import Call, CallStatus, Guideline, GuidelineAcknowledgement, Institution


def published(qs: QuerySet[Call]) -> QuerySet[Call]:
    """The one rule of what is public of the calls: every call but a draft (open, closed, under
    review, announced)."""
    return qs.exclude(status=CallStatus.DRAFT)


def public_calls() -> QuerySet[Call]:
    """The calls anyone may read without logging in (the public notices, the calendar, the sitemap)."""
    return published(Call.objects.select_related("programme"))


def calls_visible_to(*, user) -> QuerySet[Call]:
    """Staff see every call; everyone else sees published calls only."""
    qs = Call.objects.select_related("programme").annotate(
        region_count=Count("eligible_regions", distinct=True)
    )
    if user.has_perm("programmes.view_draft_calls"):
        return qs
    return published(qs)


def call_list(*, user, search: str = "", status: str = "", year: str = "") -> QuerySet[Call]:
    qs = calls_visible_to(user=user)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(description__icontains=search))
    if status in CallStatus.values:
        qs = qs.filter(status=status)
    if (number := parse_id(year)) is not None:
        qs = qs.filter(year=number)
    return qs.order_by("-year", "-id")


def open_calls_for_region(*, region) -> QuerySet[Call]:
    return (
        Call.objects.select_related("programme")
        .filter(status=CallStatus.OPEN, eligible_regions=region)
        .order_by("submission_deadline")
    )


def call_detail(*, user, pk: int) -> Call:
    """A call the user may see, with what its page shows; 404 otherwise."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        calls_visible_to(user=user).prefetch_related("eligible_regions", "strategic_industries", "criteria", "zones__regions"),
        pk=pk,
    )


def call_template() -> Call:
    """An unsaved call pre-filled with the programme's usual rules (the newest call's)."""
    from .models import Programme

    call = Call(programme=Programme.objects.order_by("id").first())
    latest = Call.objects.order_by("-year", "-id").first()
    if latest is not None:
        for name in ("envelope_won", "cap_won", "pilot_years", "max_total_years", "min_local_matching_pct",
                     "matching_basis", "allows_super_regional", "allows_leap"):
            setattr(call, name, getattr(latest, name))
        call.year = latest.year + 1
        call.template_criteria = [
            {"name_ko": c.name_ko, "name_en": c.name_en, "description": c.description, "weight": c.weight,
             "max_score": c.max_score}
            for c in latest.criteria.all()
        ]
    return call


def regions_by_id() -> dict:
    """The 17 regions by id: reference data (loaded by migration), read once and kept 10 minutes,
    so the header of every page names the user's region without a query."""
    from django.core.cache import cache

    from .models import Region

    return cache.get_or_set("programmes:regions_by_id", lambda: {r.pk: r for r in Region.objects.all()}, 600)


def region_by_id(pk):
    if pk is None:
        return None
    region = regions_by_id().get(pk)
    if region is None:  # added since it was cached
        from django.core.cache import cache

        cache.delete("programmes:regions_by_id")
        region = regions_by_id().get(pk)
    return region


def regions_in_order() -> list:
    """The 17 regions in their official order, from the cached reference data."""
    return sorted(regions_by_id().values(), key=lambda r: (r.order, r.pk))


def industries_in_order() -> list:
    """Every strategic industry (a list page's filter), cached like the regions; a save or
    delete of an industry empties the cache (programmes.apps)."""
    from django.core.cache import cache

    from .models import StrategicIndustry

    return cache.get_or_set("programmes:industries", lambda: list(StrategicIndustry.objects.all()), 600)


def forget_reference_data(**kwargs) -> None:
    from django.core.cache import cache

    cache.delete_many(["programmes:regions_by_id", "programmes:industries"])



def institutions(*, search: str = ""):
    """The registry for its staff page: entries with their parent, by Korean name."""
    qs = Institution.objects.select_related("parent").order_by("name_ko")
    if search:
        qs = qs.filter(Q(name_ko__icontains=search) | Q(name_en__icontains=search) | Q(aliases__icontains=search))
    return qs


# --- Planning guidelines (issue 17) ------------------------------------------------------


def guidelines_of(*, call: Call, user) -> list:
    """The call's guidelines in phase order, each with its versions (newest first) and, for a regional
    official, `read_current`: whether they have read the current version."""
    guidelines = list(Guideline.objects.filter(call=call).prefetch_related("versions"))
    read = set()
    if getattr(user, "region_id", None):
        read = set(GuidelineAcknowledgement.objects.filter(
            user=user, version__guideline__call=call).values_list("version_id", flat=True))
    for g in guidelines:
        g.current = g.current_version()
        g.read_current = g.current is not None and g.current.pk in read
    guidelines.sort(key=lambda g: (g.phase_order(), g.pk))
    return guidelines


def guideline_for(*, user, pk) -> Guideline:
    """A guideline of a call the user may see, with its versions; 404 otherwise."""
    from django.http import Http404
    from django.shortcuts import get_object_or_404

    guideline = get_object_or_404(Guideline.objects.select_related("call").prefetch_related("versions"), pk=pk)
    if not user.has_perm("programmes.view_guideline", guideline):
        raise Http404
    guideline.current = guideline.current_version()
    return guideline


def guideline_readers(*, guideline) -> list[dict]:
    """Per eligible region of the call: who read the current version and when, and the newest
    version the region read at all (None: never)."""
    current = guideline.current
    acks = list(GuidelineAcknowledgement.objects.filter(version__guideline=guideline)
                .select_related("user", "version").order_by("acknowledged_at"))
    rows = []
    for region in guideline.call.eligible_regions.order_by("order", "pk"):
        mine = [a for a in acks if a.region_id == region.pk]
        rows.append({
            "region": region,
            "current": [a for a in mine if current and a.version_id == current.pk],
            "latest_read": max((a.version.number for a in mine), default=None),
        })
    return rows
