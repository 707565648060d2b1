"""What a region may know of its proposal now: results are sealed until the call's results
are announced. The one place that decides it; every page, list, filter, figure, export,
notification and letter asks here.

- Staff (ministry, administrators) see everything, always.
- Anyone else (a participating region's official) is told the eligibility result at once:
  screened out ("Eligibility failed", with the reason) or not.
- From scoring on (eligibility passed, selected, reserve, not selected, funded), until the
  call's results are announced, they see "Under review" and nothing else: no scores, no
  ranking, no selection state or reason, no reserve list, no funding decision.
- The one exception before the announcement: a participating region may see its own
  proposal's presentation invitation (a two-round call's shortlisted proposal: when and where it
  presents), never its written score, its place on the shortlist or who else was invited —
  `presentation_invitation_shown`.
- After the announcement they see everything at once; of the funding decisions only the
  approved ones (a prepared, unapproved decision is never a region's to see).

The higher layers (evaluations, funding, reports, projects) pass their rows through the
helpers below: `disclosure_for` for one proposal, `with_shown_state` / `shown_state_filter`
for lists, `results_q` for querysets of results (money, decisions, projects).
"""

from dataclasses import dataclass

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils.translation import pgettext_lazy

from accounts.rules import is_staff_member
from core.choices import label_of
from programmes.models import CallStatus

from .models import ProposalState

S = ProposalState

UNDER_REVIEW = "under_review"
UNDER_REVIEW_LABEL = pgettext_lazy("proposal state", "Under review")
# The states that carry (or will carry) a result of the evaluation: sealed until the announcement.
SEALED_STATES = frozenset({S.ELIGIBLE, S.SELECTED, S.RESERVE, S.NOT_SELECTED, S.FUNDED})


@dataclass(frozen=True)
class Disclosure:
    state: str  # the state shown: the real one, or UNDER_REVIEW while sealed
    label: str
    reason: str  # the state's reason as shown ("" while sealed)
    sealed: bool  # a result exists or is being reached, and is hidden from this user
    results: bool  # scores, ranking, selection and its reason, funding decisions may be shown


def sees_everything(user) -> bool:
    """Staff see every result as it is made."""
    cached = getattr(user, "_sees_every_result", None)
    if cached is None:
        cached = bool(user is not None and getattr(user, "is_authenticated", False) and is_staff_member(user))
        if user is not None:
            user._sees_every_result = cached
    return cached


def is_sealed(proposal) -> bool:
    """For a region: the proposal's state is a result not announced yet."""
    return proposal.state in SEALED_STATES and not proposal.call.results_announced


def shown_state(*, user, proposal) -> tuple[str, str]:
    """(code, label) of the state the user sees — what a badge shows (reads no text field)."""
    if sees_everything(user) or not is_sealed(proposal):
        return proposal.state, label_of(S, proposal.state)
    return UNDER_REVIEW, str(UNDER_REVIEW_LABEL)


def state_label(code: str) -> str:
    """The label of a shown state code (a real state, or "under_review")."""
    return str(UNDER_REVIEW_LABEL) if code == UNDER_REVIEW else label_of(S, code)


def disclosure_for(*, user, proposal) -> Disclosure:
    if sees_everything(user) or not is_sealed(proposal):
        return Disclosure(state=proposal.state, label=str(proposal.get_state_display()),
                          reason=proposal.state_reason, sealed=False,
                          results=sees_everything(user) or proposal.call.results_announced)
    return Disclosure(state=UNDER_REVIEW, label=str(UNDER_REVIEW_LABEL), reason="", sealed=True, results=False)


def region_disclosure(proposal) -> Disclosure:
    """What a participating region sees of `proposal` now (for notifications)."""
    return disclosure_for(user=None, proposal=proposal)


def state_choices(*, user) -> list[tuple[str, str]]:
    """The states a user may filter the proposal list (and exports) by."""
    if sees_everything(user):
        return list(S.choices)
    return [*S.choices, (UNDER_REVIEW, UNDER_REVIEW_LABEL)]


def state_labels() -> dict:
    """Every shown state's label, the sealed one included (for exports)."""
    return {**dict(S.choices), UNDER_REVIEW: UNDER_REVIEW_LABEL}


def _announced(path: str = "") -> Q:
    return Q(**{f"{path}call__status": CallStatus.ANNOUNCED})


def shown_state_expression(*, user, path: str = ""):
    """The state the user sees, as a database expression (filter, sort and count on it)."""
    if sees_everything(user):
        return F(f"{path}state")
    return Case(When(Q(**{f"{path}state__in": list(SEALED_STATES)}) & ~_announced(path), then=Value(UNDER_REVIEW)),
                default=F(f"{path}state"), output_field=CharField())


def with_shown_state(qs: QuerySet, *, user) -> QuerySet:
    """Proposals annotated with `shown_state`."""
    return qs.annotate(shown_state=shown_state_expression(user=user))


def shown_state_filter(qs: QuerySet, *, user, state: str) -> QuerySet:
    """Proposals whose *shown* state is `state` (an official filtering by "selected" sees only
    announced selections; an unknown value filters nothing)."""
    if state not in dict(state_choices(user=user)):
        return qs
    if sees_everything(user):
        return qs.filter(state=state)
    if state == UNDER_REVIEW:
        return qs.filter(state__in=SEALED_STATES).exclude(_announced())
    if state in SEALED_STATES:
        return qs.filter(_announced(), state=state)
    return qs.filter(state=state)


def results_q(*, user, path: str = "") -> Q:
    """Of proposals reached through `path`: those whose results the user may know (money,
    funding decisions, funded projects, scores)."""
    return Q() if sees_everything(user) else _announced(path)


def region_results_q(path: str = "") -> Q:
    """results_q for a region, when the reader holds only the region (dashboard figures)."""
    return _announced(path)


def visible_events(*, user, proposal, events: list) -> list:
    """The proposal's history as the user may read it: while sealed, a region reads that the
    eligibility check was passed, not the moves after it (who selected, with which reason)."""
    if not disclosure_for(user=user, proposal=proposal).sealed:
        return events
    return [e for e in events if e.to_state not in SEALED_STATES - {S.ELIGIBLE}]


# What of a presentation invitation (evaluations.PresentationSlot) a reader may see before the
# announcement: its time, place and link; never the written score or place behind it.
INVITATION_FIELDS = ("starts_at", "ends_at", "place", "online_link")


def presentation_invitation_shown(*, user, proposal) -> tuple[str, ...]:
    """The invitation's fields `user` may read: all of them for staff and for a participating
    region (who reach the proposal through its visibility selector), before and after the
    announcement alike — it is the one disclosure of the evaluation allowed before the results.
    Anything else of the results still asks disclosure_for (sealed until the announcement)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ()
    return INVITATION_FIELDS
