"""Affinity of experts to a call's proposals (minimal stand-in, issue 16).

A score per expert × proposal: 1 when one of the expert's fields of expertise is the
proposal's strategic industry, plus 0.5 per keyword of the expert's profile found in the
proposal's title, summary or goals. The fuller affinity (character n-gram TF-IDF, suggested
fields, reasons) replaces this module with the same interface: `call_affinity(call)` →
`.matrix` (rows: `.expert_ids`, columns: `.proposal_ids`, ascending ids) and `.score()`."""

import re
from dataclasses import dataclass, field

import numpy as np

INDUSTRY_BONUS = 1.0
KEYWORD_BONUS = 0.5


def split_keywords(text: str) -> list[str]:
    return [k.strip().lower() for k in re.split(r"[,;·/\n]", text or "") if k.strip()]


@dataclass
class Affinity:
    """Affinity of `expert_ids` (rows) to `proposal_ids` (columns); `matrix` ≥ 0."""

    expert_ids: list
    proposal_ids: list
    matrix: np.ndarray
    _row: dict = field(default_factory=dict, repr=False)
    _col: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._row = {e: i for i, e in enumerate(self.expert_ids)}
        self._col = {p: j for j, p in enumerate(self.proposal_ids)}

    def score(self, expert_id: int, proposal_id: int) -> float:
        i, j = self._row.get(expert_id), self._col.get(proposal_id)
        return 0.0 if i is None or j is None else float(self.matrix[i, j])


def _ids(objs) -> list[int] | None:
    return None if objs is None else sorted({getattr(o, "pk", o) for o in objs})


def call_affinity(call, *, experts=None, proposals=None) -> Affinity:
    """The affinity of experts to the call's proposals (defaults: every available expert of the
    pool; the call's eligible proposals). `experts`/`proposals`: Users/Proposals or ids."""
    from accounts.models import Role, User
    from proposals.models import Proposal, ProposalState

    expert_ids, proposal_ids = _ids(experts), _ids(proposals)
    users = User.objects.filter(role=Role.EXPERT, expert_profile__isnull=False)
    users = (users.filter(is_active=True, expert_profile__available=True) if expert_ids is None
             else users.filter(pk__in=expert_ids))
    users = list(users.order_by("pk").select_related("expert_profile").prefetch_related("expert_profile__industries"))
    props = Proposal.objects.filter(call=call)
    props = props.filter(state=ProposalState.ELIGIBLE) if proposal_ids is None else props.filter(pk__in=proposal_ids)
    props = list(props.order_by("pk"))
    matrix = np.zeros((len(users), len(props)), dtype=np.float32)
    texts = [" ".join(filter(None, [p.title_ko, p.title_en, p.summary, p.goals])).lower() for p in props]
    for i, user in enumerate(users):
        industries = {ind.pk for ind in user.expert_profile.industries.all()}
        keywords = split_keywords(user.expert_profile.keywords)
        for j, p in enumerate(props):
            score = INDUSTRY_BONUS if p.industry_id in industries else 0.0
            score += KEYWORD_BONUS * sum(1 for k in keywords if k in texts[j])
            matrix[i, j] = score
    return Affinity(expert_ids=[u.pk for u in users], proposal_ids=[p.pk for p in props], matrix=matrix)
