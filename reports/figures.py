"""The programme's figures, as drawn on the dashboards (and downloadable as CSV).

One :class:`Scope` says whose figures and which slice: staff see the whole
programme; a regional official sees only the proposals their region takes
part in, and of the money only their own region's share. A filter narrows to
one call and/or one call year.

Money, from **approved** funding decisions only:

- *committed* is the national total of approved decisions, as
  ``funding.selectors.envelope_status`` counts it; *remaining* = envelope − committed;
- a consortium's national funding is split between its regions in the
  proportions of the national funding each region requested in the pilot years
  of its budget plan (evenly when the plan asks for none), year by year, with
  the largest-remainder rule so the regions' shares add up to the won;
- local funds of a region are that region's own obligations in the decisions.

The funnel counts proposals by the furthest state they reached: every
proposal, submitted or later, eligible or later, selected or funded, funded.
A proposal withdrawn is counted only in the first step.

Each figure is one :class:`reports.charts.ChartData`; the queries behind all of
them are a fixed handful of aggregates (``Facts``), whatever the number of rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.rules import is_official
from audit.version import data_version, forget_data_version  # noqa: F401 (the one version, re-exported)
from core.charts import ChartData, column_chart, funnel_chart, grouped_bar_chart, table_context
from core.templatetags.portal import eok
from programmes.models import CallStatus, CooperationType, localized
from proposals.disclosure import UNDER_REVIEW, region_results_q, shown_state_expression
from proposals.models import ProposalState

S = ProposalState
# A region counts its proposals by the state it may know: "under review" (eligible or later,
# result sealed) until the call's results are announced (proposals.disclosure).
SUBMITTED_OR_LATER = (S.SUBMITTED, S.ELIGIBLE, S.INELIGIBLE, S.SELECTED, S.RESERVE, S.NOT_SELECTED, S.FUNDED,
                      UNDER_REVIEW)
ELIGIBLE_OR_LATER = (S.ELIGIBLE, S.SELECTED, S.RESERVE, S.NOT_SELECTED, S.FUNDED, UNDER_REVIEW)
SELECTED_OR_FUNDED = (S.SELECTED, S.FUNDED)
FUNNEL = (
    (gettext_lazy("All proposals"), None),
    (gettext_lazy("Submitted"), SUBMITTED_OR_LATER),
    (gettext_lazy("Eligible"), ELIGIBLE_OR_LATER),
    (gettext_lazy("Selected"), SELECTED_OR_FUNDED),
    (gettext_lazy("Funded"), (S.FUNDED,)),
)
NARROW = 340  # viewBox width of the phone-sized charts
EVALUATED_CALL_STATUSES = (CallStatus.CLOSED, CallStatus.REVIEW, CallStatus.ANNOUNCED)


@dataclass(frozen=True)
class Scope:
    region_id: int | None = None  # an official's region; None = the whole programme
    call_id: int | None = None
    year: int | None = None

    @property
    def is_regional(self) -> bool:
        return self.region_id is not None

    def proposals(self, path: str = "") -> Q:
        """The proposals in scope, as a filter on a model reaching the proposal through `path`."""
        from proposals.models import Participation

        q = Q()
        if self.call_id:
            q &= Q(**{f"{path}call_id": self.call_id})
        if self.year:
            q &= Q(**{f"{path}call__year": self.year})
        if self.region_id:
            # A subquery, not a join: one row per proposal whatever the number of regions.
            q &= Q(**{f"{path}id__in": Participation.objects.filter(region_id=self.region_id).values("proposal_id")})
        return q

    def results(self, path: str = "") -> Q:
        """The proposals in scope whose results (money) the reader may know: a region only those
        of calls whose results are announced (proposals.disclosure)."""
        return self.proposals(path) & (region_results_q(path) if self.is_regional else Q())


def scope_for(*, user, call_id: int | None = None, year: int | None = None) -> Scope:
    return Scope(region_id=user.region_id if is_official(user) else None, call_id=call_id, year=year)


def apportion(total: int, weights: dict) -> dict:
    """Split an integer total in proportion to weights, largest remainder first (the parts add up to total)."""
    if not weights:
        return {}
    keys = sorted(weights)
    weight_sum = sum(max(weights[k], 0) for k in keys)
    if weight_sum <= 0:
        weights, weight_sum = dict.fromkeys(keys, 1), len(keys)
    exact = {k: total * max(weights[k], 0) / weight_sum for k in keys}
    parts = {k: int(exact[k]) for k in keys}
    left = total - sum(parts.values())
    for k in sorted(keys, key=lambda k: (-(exact[k] - parts[k]), k))[:left]:
        parts[k] += 1
    return parts


class Facts:
    """The aggregates behind every figure, each fetched once and only when asked."""

    def __init__(self, scope: Scope, *, calls: list | None = None):
        self.scope = scope
        self._calls = calls  # the calls the page lists anyway (saves a query); None = fetch

    @cached_property
    def state_counts(self) -> dict:
        from proposals.models import Proposal

        # A region's proposals by the state it may know (no user here: the region's view when regional).
        shown = F("state") if not self.scope.is_regional else shown_state_expression(user=None)
        rows = (Proposal.objects.filter(self.scope.proposals()).annotate(shown=shown).values_list("shown")
                .annotate(n=Count("id")).order_by())
        return dict(rows)

    @cached_property
    def committed(self) -> dict:
        from funding.models import DecisionState, FundingDecision

        return FundingDecision.objects.filter(self.scope.results("proposal__")).aggregate(
            committed=Sum("national_total_won", filter=Q(state=DecisionState.APPROVED), default=0),
            prepared=Sum("national_total_won", filter=Q(state=DecisionState.PREPARED), default=0),
        )

    @cached_property
    def national_years(self) -> list[dict]:
        """One row per approved decision and year, with what the charts group by (one query)."""
        from funding.models import DecisionState, FundingYear

        return list(
            FundingYear.objects.filter(Q(decision__state=DecisionState.APPROVED) & self.scope.results("decision__proposal__"))
            .values(
                "year",
                "national_won",
                proposal=F("decision__proposal_id"),
                title_ko=F("decision__proposal__title_ko"),
                title_en=F("decision__proposal__title_en"),
                ctype=F("decision__proposal__cooperation_type"),
                industry_ko=F("decision__proposal__industry__name_ko"),
                industry_en=F("decision__proposal__industry__name_en"),
            )
            .order_by("decision__proposal_id", "year")
        )

    @cached_property
    def obligations(self) -> list[dict]:
        """Every region's local obligations in the approved decisions of the proposals in scope (one query)."""
        from funding.models import DecisionState, LocalObligation

        qs = LocalObligation.objects.filter(Q(decision__state=DecisionState.APPROVED) & self.scope.results("decision__proposal__"))
        return list(
            qs.values(
                "year",
                "local_won",
                "region_id",
                proposal=F("decision__proposal_id"),
                ctype=F("decision__proposal__cooperation_type"),
                industry_ko=F("decision__proposal__industry__name_ko"),
                industry_en=F("decision__proposal__industry__name_en"),
                region_ko=F("region__name_ko"),
                region_en=F("region__name_en"),
                region_order=F("region__order"),
            ).order_by("decision__proposal_id", "year", "region__order")
        )

    @property
    def own_obligations(self) -> list[dict]:
        """The obligations the scope counts: every region's, or only the official's region's."""
        if self.scope.region_id is None:
            return self.obligations
        return [o for o in self.obligations if o["region_id"] == self.scope.region_id]

    @cached_property
    def plan_rows(self) -> list[dict]:
        """National funding each region asked for in the pilot years, per approved proposal (one query)."""
        from funding.models import DecisionState
        from proposals.models import BudgetLine

        return list(
            BudgetLine.objects.filter(
                Q(proposal__funding_decisions__state=DecisionState.APPROVED) & self.scope.results("proposal__"),
                year__gte=F("proposal__call__year"),
                year__lt=F("proposal__call__year") + F("proposal__call__pilot_years"),
            )
            .values("proposal_id", "region_id", "region__name_ko", "region__name_en", "region__order")
            .annotate(requested=Sum("national_won"))
            .order_by()
        )

    @cached_property
    def region_names(self) -> dict:
        """{region id: (order, Korean name, English name)} of every region in the money figures."""
        names = {r["region_id"]: (r["region__order"], r["region__name_ko"], r["region__name_en"]) for r in self.plan_rows}
        for o in self.obligations:
            names.setdefault(o["region_id"], (o["region_order"], o["region_ko"], o["region_en"]))
        return names

    @cached_property
    def national_shares(self) -> list[tuple[dict, int, int]]:
        """(national year row, region, won): each region's share of every approved year, split by the plan.

        A proposal whose plan asks for no national funding is split evenly between
        the regions with local obligations (every participating region has some).
        """
        weights: dict = defaultdict(dict)
        for r in self.plan_rows:
            weights[r["proposal_id"]][r["region_id"]] = r["requested"] or 0
        regions_of = defaultdict(set)
        for o in self.obligations:
            regions_of[o["proposal"]].add(o["region_id"])
        out = []
        for row in self.national_years:
            w = weights.get(row["proposal"]) or dict.fromkeys(regions_of[row["proposal"]], 1)
            for region_id, won in apportion(row["national_won"], w).items():
                if self.scope.region_id is None or region_id == self.scope.region_id:
                    out.append((row, region_id, won))
        return out

    @cached_property
    def calls(self) -> list:
        """The calls in scope, latest first."""
        from programmes.models import Call

        calls = self._calls if self._calls is not None else list(Call.objects.order_by("-year", "-id"))
        return [c for c in calls if (not self.scope.call_id or c.pk == self.scope.call_id)
                and (not self.scope.year or c.year == self.scope.year)]

    @cached_property
    def progress_call(self):
        """The call whose evaluation progress is shown: the one chosen, else the latest evaluated one."""
        for call in self.calls:
            if self.scope.call_id or call.status in EVALUATED_CALL_STATUSES:
                return call
        return None

    @cached_property
    def progress(self) -> list[dict]:
        """Scoresheets assigned and submitted per lead region of the progress call (one
        aggregate query: the dashboard stays the same size however many proposals
        there are; the call's progress page lists every proposal)."""
        from evaluations.models import Assignment, AssignmentKind, ScoresheetState

        if self.progress_call is None:
            return []
        return list(
            Assignment.objects.filter(kind=AssignmentKind.EVALUATION, proposal__call=self.progress_call,
                                      conflict_declared=False)
            .values(order=F("proposal__lead_region__order"), region_ko=F("proposal__lead_region__name_ko"),
                    region_en=F("proposal__lead_region__name_en"))
            .annotate(assigned=Count("id"),
                      submitted=Count("id", filter=Q(scoresheet__state=ScoresheetState.SUBMITTED)),
                      proposals=Count("proposal_id", distinct=True))
            .order_by("order")
        )


# --- Key figures -----------------------------------------------------------------


def key_figures(facts: Facts) -> list[dict]:
    """The cards at the top of a dashboard: (label, value, money?)."""
    states = facts.state_counts
    proposals = sum(states.values())
    selected = sum(states.get(s, 0) for s in SELECTED_OR_FUNDED)
    submitted = sum(states.get(s, 0) for s in SUBMITTED_OR_LATER)
    if facts.scope.is_regional:
        national = sum(won for _row, _region, won in facts.national_shares)
        local = sum(o["local_won"] for o in facts.own_obligations)
        return [
            {"key": "proposals", "label": _("Proposals of your region"), "value": proposals,
             "note": _("%(n)s submitted") % {"n": submitted}},
            {"key": "selected", "label": _("Selected or funded"), "value": selected},
            {"key": "national", "label": _("National funding to your region"), "value": national, "money": True},
            {"key": "local", "label": _("Local funds committed"), "value": local, "money": True},
        ]
    envelope = sum(c.envelope_won for c in facts.calls if c.status != CallStatus.DRAFT)
    committed = facts.committed["committed"]
    return [
        {"key": "envelope", "label": _("Total envelope"), "value": envelope, "money": True,
         "note": _("calls published")},
        {"key": "committed", "label": _("Committed"), "value": committed, "money": True,
         "note": _("%(amount)s awaiting approval") % {"amount": eok(facts.committed["prepared"])}
         if facts.committed["prepared"] else ""},
        {"key": "remaining", "label": _("Remaining"), "value": envelope - committed, "money": True},
        {"key": "proposals", "label": _("Proposals"), "value": proposals, "note": _("%(n)s submitted") % {"n": submitted}},
        {"key": "selected", "label": _("Selected or funded"), "value": selected},
    ]


# --- Figures -------------------------------------------------------------------------


def _money_series() -> list[str]:
    return [_("National funding"), _("Local funds")]


def proposal_funnel(facts: Facts) -> ChartData:
    states = facts.state_counts
    total = sum(states.values())
    values = [[total if wanted is None else sum(states.get(s, 0) for s in wanted)] for _label, wanted in FUNNEL]
    return ChartData(
        title=_("Proposals by state"),
        description=_("Proposals that reached each step, from all proposals to funded projects."),
        category_heading=_("Step"),
        categories=[str(label) for label, _wanted in FUNNEL] if total else [],
        series=[_("Proposals")],
        values=values if total else [],
    )


def funding_by_region(facts: Facts) -> ChartData:
    national, local = Counter(), Counter()
    for _row, region_id, won in facts.national_shares:
        national[region_id] += won
    for o in facts.own_obligations:
        local[o["region_id"]] += o["local_won"]
    regions = sorted(set(national) | set(local), key=lambda r: facts.region_names[r][0])
    return ChartData(
        title=_("Funding by region"),
        description=_("National funding and local funds of approved funding decisions, per region."),
        category_heading=_("Region"),
        categories=[localized(*facts.region_names[r][1:]) for r in regions],
        series=_money_series(),
        values=[[national[r], local[r]] for r in regions],
        value_format=eok,
    )


def funding_by_project(facts: Facts) -> ChartData:
    """A region's share of each of its funded projects (the official's view of 'by region')."""
    national, local, titles = Counter(), Counter(), {}
    for row, _region, won in facts.national_shares:
        national[row["proposal"]] += won
        titles[row["proposal"]] = localized(row["title_ko"], row["title_en"])
    for o in facts.own_obligations:
        local[o["proposal"]] += o["local_won"]
    projects = sorted(titles)
    return ChartData(
        title=_("Your region's funding per project"),
        description=_("Your region's share of the national funding and its own local funds, per funded project."),
        category_heading=_("Project"),
        categories=[titles[p] for p in projects],
        series=_money_series(),
        values=[[national[p], local[p]] for p in projects],
        value_format=eok,
    )


def _by_key(facts: Facts, key) -> tuple[list, Counter, Counter]:
    national, local = Counter(), Counter()
    for row in facts.national_years:
        national[key(row)] += row["national_won"]
    for o in facts.own_obligations:
        local[key(o)] += o["local_won"]
    keys = sorted(set(national) | set(local), key=lambda k: (-national[k], str(k)))
    return keys, national, local


def funding_by_industry(facts: Facts) -> ChartData:
    def industry(row):
        return localized(row["industry_ko"], row["industry_en"]) if row["industry_ko"] else _("Not specified")

    keys, national, local = _by_key(facts, industry)
    return ChartData(
        title=_("Funding by strategic industry"),
        description=_("National funding and local funds of approved funding decisions, per strategic industry."),
        category_heading=_("Strategic industry"),
        categories=keys,
        series=_money_series(),
        values=[[national[k], local[k]] for k in keys],
        value_format=eok,
    )


def funding_by_cooperation_type(facts: Facts) -> ChartData:
    keys, national, local = _by_key(facts, lambda row: row["ctype"])
    labels = dict(CooperationType.choices)
    return ChartData(
        title=_("Funding by cooperation type"),
        description=_("National funding and local funds of approved funding decisions, per cooperation type."),
        category_heading=_("Cooperation type"),
        categories=[str(labels.get(k, k)) for k in keys],
        series=_money_series(),
        values=[[national[k], local[k]] for k in keys],
        value_format=eok,
    )


def funding_by_year(facts: Facts) -> ChartData:
    national, local = Counter(), Counter()
    if facts.scope.is_regional:
        for row, _region, won in facts.national_shares:
            national[row["year"]] += won
    else:
        for row in facts.national_years:
            national[row["year"]] += row["national_won"]
    for o in facts.own_obligations:
        local[o["year"]] += o["local_won"]
    years = sorted(set(national) | set(local))
    return ChartData(
        title=_("Funding by year"),
        description=_("National funding and local funds of approved funding decisions, per year."),
        category_heading=_("Year"),
        categories=[str(y) for y in years],
        series=_money_series(),
        values=[[national[y], local[y]] for y in years],
        value_format=eok,
    )


def evaluation_progress(facts: Facts) -> ChartData:
    """Per lead region: scoresheets submitted and still outstanding (together: the evaluators assigned)."""
    rows = facts.progress
    call = facts.progress_call

    def label(r) -> str:
        share = round(r["submitted"] / r["assigned"] * 100) if r["assigned"] else 0
        return f"{r['submitted']} / {r['assigned']} ({share}%)"

    return ChartData(
        title=_("Evaluation progress"),
        description=(_("Scoresheets submitted of the evaluators assigned, per lead region, %(call)s.") % {
            "call": call.title}) if call else "",
        category_heading=_("Lead region"),
        categories=[localized(r["region_ko"], r["region_en"]) for r in rows],
        series=[_("Submitted"), _("Not yet submitted")],
        values=[[r["submitted"], max(r["assigned"] - r["submitted"], 0)] for r in rows],
        labels=[label(r) for r in rows],
    )


# slug: (builder, drawing, table totals?, staff only?)
FIGURES = {
    "proposals": (proposal_funnel, funnel_chart, False, False),
    "regions": (funding_by_region, grouped_bar_chart, True, True),
    "projects": (funding_by_project, grouped_bar_chart, True, False),
    "industries": (funding_by_industry, lambda d, **kw: grouped_bar_chart(d, stacked=True, **kw), True, True),
    "types": (funding_by_cooperation_type, lambda d, **kw: grouped_bar_chart(d, stacked=True, **kw), True, True),
    "years": (funding_by_year, column_chart, True, False),
    "evaluation": (evaluation_progress, lambda d, **kw: grouped_bar_chart(d, stacked=True, **kw), True, True),
}
STAFF_FIGURES = ("proposals", "regions", "industries", "types", "years", "evaluation")
REGION_FIGURES = ("proposals", "projects", "years")
EMPTY_TEXT = {
    "proposals": gettext_lazy("No proposal in this selection yet."),
    "evaluation": gettext_lazy("No evaluation in this selection yet."),
}


def figure_slugs(scope: Scope) -> tuple[str, ...]:
    return REGION_FIGURES if scope.is_regional else STAFF_FIGURES


def figure_data(facts: Facts, slug: str) -> ChartData | None:
    """The figures of one chart, or None when this scope has no such chart."""
    if slug not in figure_slugs(facts.scope):
        return None
    return FIGURES[slug][0](facts)


def figure_panels(facts: Facts) -> list[dict]:
    """Every chart of the scope, drawn, with its equivalent table."""
    panels = []
    for slug in figure_slugs(facts.scope):
        builder, draw, totals, _staff = FIGURES[slug]
        data = builder(facts)
        empty = EMPTY_TEXT.get(slug) or _("No approved funding decision in this selection yet.")
        panels.append({
            "slug": slug,
            "title": data.title,
            "description": data.description,
            "chart": draw(data, id_prefix=f"fig-{slug}", empty_text=str(empty)),
            # The same chart drawn narrower, shown instead on phones so its text stays readable.
            "chart_narrow": draw(data, width=NARROW, id_prefix=f"fig-{slug}-narrow", empty_text=str(empty)),
            "table": table_context(data, totals=totals and not data.is_empty),
            "is_empty": data.is_empty,
        })
    return panels


def overdue_reports(*, user):
    """Overdue annual reports from the projects app, or None when that app offers none (yet): rows
    as the dashboards show them, worked out once per person, day, language and data version
    (audit.version: every report, project and decision change moves it), then read from the cache."""
    if not apps.is_installed("projects"):
        return None
    try:
        from projects.selectors import overdue_reports as projects_overdue
    except ImportError:
        return None
    from django.core.cache import caches
    from django.utils import timezone
    from django.utils.translation import get_language

    cache = caches["figures"]
    key = "overdue:{}:{}:{}:{}:{}:{}".format(user.pk, user.role, user.region_id or "-", timezone.localdate().isoformat(),
                                             get_language() or "ko", data_version())
    rows = cache.get(key)
    if rows is None:
        rows = [{"get_absolute_url": r.get_absolute_url(), "project": {"title": r.project.title}, "year": r.year,
                 "due_on": r.due_on, "get_state_display": r.get_state_display(), "pk": r.pk}
                for r in projects_overdue(user)]
        cache.set(key, rows, CACHE_SECONDS)
    return rows


# --- Caching ---------------------------------------------------------------------------------

CACHE_SECONDS = 300


# The data version (audit.version: every recorded change moves it) keys the cached figures.


def cached_dashboard(scope: Scope, *, calls: list, language: str) -> dict:
    """The dashboard's figures for one scope, built once per change of the data:
    the charts aggregate every approved decision, the page should not (a cache
    entry per scope and language, keyed by the data version, kept five minutes)."""
    from django.core.cache import caches

    cache = caches["figures"]
    key = "dashboard:{}:{}:{}:{}:{}:{}".format(
        language, scope.region_id or "-", scope.call_id or "-", scope.year or "-", data_version(),
        ",".join(str(c.pk) for c in calls))

    def build() -> dict:
        facts = Facts(scope, calls=calls)
        small = {"progress_call": facts.progress_call if not scope.is_regional else None,
                 "state_counts": facts.state_counts}
        large = {"key_figures": key_figures(facts), "panels": figure_panels(facts)}
        cache.set_many({key: small, f"{key}:panels": large}, CACHE_SECONDS)
        return {**small, **large}

    data = cache.get(key)
    if data is None:
        data = build()
        charts = {"key_figures": data["key_figures"], "panels": data["panels"]}
    else:
        # The key figures and the charts (a chart of every project of a region is large) are read back
        # only when the page renders them: the rendered figures are usually cached under figures_key.
        loaded = {}

        def charts_part(name):
            if not loaded:
                loaded.update(cache.get(f"{key}:panels") or build())
            return loaded[name]

        charts = {"key_figures": Deferred(lambda: charts_part("key_figures")),
                  "panels": Deferred(lambda: charts_part("panels"))}
    # `figures_key`: the rendered figures may be cached under it too (it names everything they show:
    # the scope, the filter, the language and the data version).
    return {"progress_call": data["progress_call"], "state_counts": data["state_counts"], **charts,
            "figures_key": key}


class Deferred(Sequence):
    """A list read only when something looks into it (a template that finds its part cached does not)."""

    def __init__(self, load):
        self._load, self._value = load, None

    def _list(self) -> list:
        if self._value is None:
            self._value = list(self._load())
        return self._value

    def __getitem__(self, index):
        return self._list()[index]

    def __len__(self) -> int:
        return len(self._list())

    def __eq__(self, other) -> bool:
        return self._list() == (other._list() if isinstance(other, Deferred) else other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"Deferred({self._list()!r})"

