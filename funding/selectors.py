"""Funding's reads: the selection board's rows, a proposal's decisions and their money grids,
a call's letters and their batches, the envelope figures. The pages read through here;
every write is in funding.services."""

from django.db.models import Q, QuerySet, Sum

from evaluations.selectors import board_page, ranking_board, ranking_order
from programmes.grids import MoneyGrid, amounts
from programmes.models import Call
from proposals.disclosure import disclosure_for, results_q, sees_everything
from proposals.models import BudgetLine, Proposal
from proposals.selectors import participations_of, proposals_visible_to

from .models import AwardLetter, DecisionState, FundingDecision, LetterBatch, LetterStatus, SelectionNote

D = DecisionState


# --- The envelope -----------------------------------------------------------------------------


def envelope_status(call: Call) -> dict:
    """The call's envelope, what approved decisions commit and prepared ones would, in one query."""
    totals = FundingDecision.objects.filter(proposal__call=call).aggregate(
        committed=Sum("national_total_won", filter=Q(state=D.APPROVED)),
        prepared=Sum("national_total_won", filter=Q(state=D.PREPARED)))
    committed, prepared = totals["committed"] or 0, totals["prepared"] or 0
    return {"envelope": call.envelope_won, "committed": committed, "remaining": call.envelope_won - committed,
            "prepared": prepared}


# --- The selection board -------------------------------------------------------------------------


def selection_board(*, call: Call, cooperation_type: str = "", page=None) -> dict:
    """The call's ranking board (evaluations.selectors) with each shown proposal's current
    decision and selection note (two queries whatever the page's length)."""
    board = ranking_board(call=call, cooperation_type=cooperation_type, page=page)
    shown = [row["proposal"].pk for row in board["rows"]]
    decisions = {d.proposal_id: d for d in FundingDecision.objects.filter(
        proposal_id__in=shown).exclude(state=D.WITHDRAWN).order_by("version")}
    notes = {n.proposal_id: n for n in SelectionNote.objects.filter(proposal_id__in=shown)}
    for row in board["rows"]:
        row["decision"] = decisions.get(row["proposal"].pk)
        row["note"] = notes.get(row["proposal"].pk)
    return board


def selection_page(*, call: Call, cooperation_type: str = "", page=1) -> dict:
    """One page of the selection board as plain values, cached per data version with the ranking
    board's page (evaluations.selectors.board_page), in the call's final order (a two-round call:
    by the final score): each row's decision state, selection reason and running total added
    (three queries when built, none when read from the cache)."""
    return board_page(call=call, cooperation_type=cooperation_type, page=page, extra=("selection", _add_decisions),
                      final=True)


def requested_national(call: Call) -> dict[int, int]:
    """{proposal id: national funding requested over the pilot years} of the call's proposals, from
    their budget plans (the boards' "national request (pilot)"; one query)."""
    return dict(BudgetLine.objects.filter(proposal__call=call, year__lt=call.year + call.pilot_years)
                .order_by().values("proposal").annotate(total=Sum("national_won")).values_list("proposal", "total"))


def call_ranking(call: Call) -> list[dict]:
    """The call's scored proposals down its final ranking (evaluations.selectors.ranking_order,
    final: a two-round call by the final score, the proposals not shortlisted below): each with
    its place, its national request over the pilot years and the running total of the requests
    from the top down to it, and whether that total is over the call's envelope. The first row
    over it is where the cut line is drawn (`cut`)."""
    ordered = [r for r in ranking_order(call=call, final=True) if r.evaluators]
    requested = requested_national(call)
    rows, cumulative, cut_drawn = [], 0, False
    for place, result in enumerate(ordered, start=1):
        amount = requested.get(result.proposal_id) or 0
        cumulative += amount
        over = cumulative > call.envelope_won
        rows.append({"proposal_id": result.proposal_id, "rank": place, "requested": amount,
                     "cumulative": cumulative, "over": over, "cut": over and not cut_drawn})
        cut_drawn = cut_drawn or over
    return rows


def selection_note(proposal: Proposal) -> SelectionNote | None:
    return SelectionNote.objects.filter(proposal=proposal).select_related("decided_by").first()


def _add_decisions(rows: list[dict], call: Call) -> None:
    shown = [row["proposal"].pk for row in rows]
    decisions = dict(FundingDecision.objects.filter(proposal_id__in=shown).exclude(state=D.WITHDRAWN)
                     .order_by("version").values_list("proposal_id", "state"))
    notes = dict(SelectionNote.objects.filter(proposal_id__in=shown).values_list("proposal_id", "reason"))
    running = {r["proposal_id"]: r for r in call_ranking(call)}
    for row in rows:
        state = decisions.get(row["proposal"].pk)
        row["decision"] = str(D(state).label) if state else ""
        row["note"] = notes.get(row["proposal"].pk, "")
        place = running.get(row["proposal"].pk)
        row["cumulative"] = place["cumulative"] if place else None
        row["over"] = bool(place and place["over"])
        row["cut"] = bool(place and place["cut"])


# --- A proposal's decisions -------------------------------------------------------------------------


def decisions_of(proposal: Proposal) -> list[FundingDecision]:
    """Every version of the proposal's decision, newest first, with its money and letters."""
    return list(proposal.funding_decisions.select_related("prepared_by", "approved_by")
                .prefetch_related("years", "obligations", "letters"))


def decisions_visible_to(*, user, proposal: Proposal) -> list[FundingDecision]:
    """The decisions `user` may see: staff every version; a region only the approved one, and
    only once the call's results are announced (proposals.disclosure) — a prepared decision,
    or one withdrawn before approval, never."""
    decisions = decisions_of(proposal)
    if sees_everything(user):
        return decisions
    if not disclosure_for(user=user, proposal=proposal).results:
        return []
    return [d for d in decisions if d.state == D.APPROVED]


def visible_decisions(*, user) -> QuerySet[FundingDecision]:
    """`decisions_visible_to` over every proposal `user` may see, as one queryset (the read API's
    list): staff every version; a region only the approved decisions of its own proposals, and
    only once the call's results are announced (proposals.disclosure.results_q)."""
    qs = FundingDecision.objects.filter(proposal__in=proposals_visible_to(user=user).values("pk"))
    if sees_everything(user):
        return qs
    return qs.filter(results_q(user=user, path="proposal__"), state=D.APPROVED)


def current_decision(decisions: list[FundingDecision]) -> FundingDecision | None:
    """The version that counts: the newest not withdrawn."""
    return next((d for d in decisions if d.state != D.WITHDRAWN), None)


def _saved(decision: FundingDecision | None) -> dict:
    """A decision's money as a grid keys it: the year's national funding, each region's local funds."""
    if decision is None:
        return {}
    return amounts(decision.years.all(), "national", region=False) | amounts(decision.obligations.all(), "local")


def decision_grid(proposal: Proposal, decision: FundingDecision | None, *, participations=None, typed=None,
                  problems=None) -> list[dict]:
    """The decision form: a row per pilot year with the year's national funding (`own`) and each
    region's local funds (`cells`) — what was typed, else the current decision's, else the budget
    plan's — and the call's rule's problems at their cells (programmes.grids)."""
    participations = participations_of(proposal) if participations is None else participations
    plan = list(proposal.budget_lines.all())
    grid = MoneyGrid(regions=[p.region for p in participations], years=proposal.pilot_years(), fields=("local",),
                     saved=_saved(decision), defaults=amounts(plan, "national", region=False) | amounts(plan, "local"),
                     typed=typed, problems=problems or {})
    return grid.by_year(own=("national",))


def decision_rows(decision: FundingDecision, participations) -> list[dict]:
    """The decision as stored: a row per funded year, its national funding (`own`) and each
    region's local funds (`cells`)."""
    grid = MoneyGrid(regions=[p.region for p in participations], years=[fy.year for fy in decision.years.all()],
                     fields=("local",), saved=_saved(decision))
    return grid.by_year(own=("national",))


# --- Award letters and their batches ------------------------------------------------------------------


def letter(pk: int) -> AwardLetter | None:
    """A letter with its decision and proposal (whose visibility the page checks), or None."""
    return AwardLetter.objects.select_related("decision__proposal").filter(pk=pk).first()


def letters_of(call: Call) -> QuerySet[AwardLetter]:
    """Every letter of the call's decisions, proposal by proposal."""
    return (AwardLetter.objects.filter(decision__proposal__call=call)
            .select_related("decision__proposal__lead_region").order_by("decision__proposal_id", "language"))


def approved_count(call: Call) -> int:
    return FundingDecision.objects.filter(proposal__call=call, state=D.APPROVED).count()


def batch_of(*, call: Call, pk: int | None) -> LetterBatch | None:
    """One of the call's letter batches, or None."""
    return LetterBatch.objects.filter(pk=pk, call=call).first() if pk is not None else None


def batch_progress(batch: LetterBatch) -> dict:
    """How far a batch of letters got: done, failed, finished, per cent."""
    counts = dict.fromkeys(LetterStatus.values, 0)
    for status in batch.letters.values_list("status", flat=True):
        counts[status] += 1
    finished = counts[LetterStatus.DONE] + counts[LetterStatus.FAILED]
    return {"total": batch.total, "done": counts[LetterStatus.DONE], "failed": counts[LetterStatus.FAILED],
            "finished": finished >= batch.total, "percent": int(100 * finished / batch.total) if batch.total else 100}


# --- What the public reads ------------------------------------------------------------------------


def announced_awards(*, call: Call | None = None) -> QuerySet[FundingDecision]:
    """The approved decisions anyone may read (the public results and open data): those a region
    sees once the call's results are announced (proposals.disclosure) — approved only, never a
    prepared or withdrawn one — with the project's regions, industry and yearly money."""
    qs = (FundingDecision.objects.filter(results_q(user=None, path="proposal__"), state=D.APPROVED)
          .select_related("proposal__call", "proposal__lead_region", "proposal__industry")
          .prefetch_related("years", "obligations", "proposal__participations__region")
          .order_by("proposal__call__year", "proposal__call_id", "proposal_id"))
    return qs if call is None else qs.filter(proposal__call=call)
