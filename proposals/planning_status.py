"""Where every region stands in a call's planning period (issue 17): one row per eligible region —
guidelines read, candidate themes and those dropped, the themes on which experts gave feasibility advice,
opinions recorded, the final theme selected and signed off by every partner (and whether it followed the
advice), the draft opened from it and the proposal's state.

A constant number of queries whatever the number of regions: one per kind of row, aggregated by
region. The staff page, its CSV, the official's dashboard row, the to-dos and the reminders read it.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.models import Call, GuidelineAcknowledgement, GuidelineVersion, PlanningPhase, Region

from . import advice
from .models import AdviceFollowed, CandidateTheme, OpinionGathering, Proposal, ThemeRegion, ThemeStatus


@dataclass
class RegionStanding:
    region: Region
    guidelines: int = 0  # guidelines with a published version
    guidelines_read: int = 0  # of those, the ones whose current version an official of the region read
    themes: int = 0  # candidate themes the region takes part in (dropped included)
    dropped: int = 0
    opinions: int = 0
    last_opinion_on: object = None
    final_theme: CandidateTheme | None = None
    selected_at: object = None
    is_lead: bool = False  # the region leads its final theme (it selects and opens the draft)
    signed_off: bool = False  # this region signed off the final theme
    all_signed: bool = False  # every region of the final theme signed it off
    waiting_for: list = field(default_factory=list)  # regions that have not signed off yet
    proposal: Proposal | None = None
    advised: int = 0  # candidate themes of the region on which the experts gave feasibility advice
    followed_advice: str = ""  # the final theme's selection: followed the advice (AdviceFollowed) or ""

    @property
    def followed_advice_label(self) -> str:
        return AdviceFollowed(self.followed_advice).label if self.followed_advice else ""

    @property
    def all_guidelines_read(self) -> bool:
        return self.guidelines_read >= self.guidelines

    def open_work(self, phase: str) -> bool:
        """Does the region still have something to do in `phase`? (the reminders ask)"""
        if phase == PlanningPhase.DISCOVERY:
            return not self.all_guidelines_read or self.themes - self.dropped == 0
        if phase == PlanningPhase.SELECTION:
            return self.final_theme is None or not self.signed_off
        if phase == PlanningPhase.PLANNING:
            return self.final_theme is not None and self.is_lead and self.proposal is None
        return False


def region_standings(call: Call, *, regions=None) -> list[RegionStanding]:
    """Per eligible region of `call` (or of `regions` among them), in the regions' order."""
    eligible = call.eligible_regions.order_by("order", "pk")
    if regions is not None:
        eligible = eligible.filter(pk__in=[r.pk for r in regions])
    rows = {r.pk: RegionStanding(region=r) for r in eligible}
    if not rows or not call.has_planning_period:
        return list(rows.values())
    ids = list(rows)

    # Guidelines: the current (newest) version of each; which regions read it.
    versions = list(GuidelineVersion.objects.filter(guideline__call=call).values("guideline_id", "pk", "number"))
    current = {}
    for v in versions:
        if v["number"] > current.get(v["guideline_id"], (0, None))[0]:
            current[v["guideline_id"]] = (v["number"], v["pk"])
    current_ids = [pk for _number, pk in current.values()]
    read = (GuidelineAcknowledgement.objects.filter(version_id__in=current_ids, region_id__in=ids)
            .values("region_id").annotate(n=Count("version_id", distinct=True)))
    for row in rows.values():
        row.guidelines = len(current_ids)
    for r in read:
        rows[r["region_id"]].guidelines_read = r["n"]

    # Candidate themes per region, those dropped, and those on which the experts gave feasibility advice
    # (proposals.advice: the app that gives it says on which themes).
    taking_part = list(ThemeRegion.objects.filter(theme__call=call, region_id__in=ids)
                       .values_list("region_id", "theme_id", "theme__status"))
    advised = advice.advised_themes({theme_id for _region, theme_id, _status in taking_part})
    for region_id, theme_id, status in taking_part:
        row = rows[region_id]
        row.themes += 1
        row.dropped += status == ThemeStatus.DROPPED
        row.advised += theme_id in advised

    # Opinions gathered.
    opinions = (OpinionGathering.objects.filter(call=call, region_id__in=ids).values("region_id")
                .annotate(n=Count("pk"), last=Max("held_on")))
    for o in opinions:
        rows[o["region_id"]].opinions, rows[o["region_id"]].last_opinion_on = o["n"], o["last"]

    # The final themes: every region taking part in a selected theme, with its sign-off.
    selected = list(ThemeRegion.objects.filter(theme__call=call, theme__status=ThemeStatus.SELECTED)
                    .select_related("theme__selection", "theme__lead_region", "region").order_by("theme_id", "pk"))
    by_theme: dict[int, list[ThemeRegion]] = {}
    for tr in selected:
        by_theme.setdefault(tr.theme_id, []).append(tr)
    proposals = {p.origin_theme_id: p for p in Proposal.objects.filter(origin_theme_id__in=list(by_theme))}
    for tr in selected:
        row = rows.get(tr.region_id)
        if row is None:
            continue
        theme = tr.theme
        partners = by_theme[tr.theme_id]
        row.final_theme = theme
        row.selected_at = getattr(getattr(theme, "selection", None), "selected_at", None)
        row.is_lead = tr.is_lead
        row.signed_off = tr.signed_off_at is not None
        row.waiting_for = [p.region for p in partners if p.signed_off_at is None]
        row.all_signed = not row.waiting_for
        row.proposal = proposals.get(theme.pk)
        row.followed_advice = getattr(getattr(theme, "selection", None), "followed_advice", "")
    return list(rows.values())


def standing_csv_rows(call: Call, standings: list[RegionStanding]):
    """The status table as spreadsheet rows (header first), for core.spreadsheet."""
    yield [_("Region"), _("Guidelines read"), _("Guidelines"), _("Candidate themes"), _("Themes dropped"),
           _("Opinions recorded"), _("Last opinion gathered on"), _("Final theme"), _("Selected on"),
           _("Signed off by every partner"), _("Waiting for"), _("Draft proposal"), _("Proposal state"),
           _("Themes with advice"), _("Advice followed")]
    for s in standings:
        yield [
            s.region.name, s.guidelines_read, s.guidelines, s.themes, s.dropped, s.opinions,
            s.last_opinion_on.isoformat() if s.last_opinion_on else "",
            s.final_theme.title if s.final_theme else "",
            _local_day(s.selected_at), (_("yes") if s.all_signed else _("no")) if s.final_theme else "",
            ", ".join(r.name for r in s.waiting_for),
            s.proposal.title if s.proposal else "",
            s.proposal.get_state_display() if s.proposal else "",
            s.advised, s.followed_advice_label,
        ]


def _local_day(value) -> str:
    return timezone.localdate(value).isoformat() if value else ""
