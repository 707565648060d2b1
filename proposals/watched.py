"""What the audit trail watches in proposals (called from ProposalsConfig.ready())."""

from audit.registry import watch

from .models import BudgetLine, CandidateTheme, Participation, Proposal


def register() -> None:
    # A proposal's content is versioned by this app; state moves are explicit events too.
    # str() of a proposal follows the reader's language: the trail keeps the official title.
    watch(Proposal, exclude_fields=["revision", "section_revisions"], describe=lambda p: p.title_ko)
    watch(Participation, describe=lambda p: f"{p._meta.verbose_name}: {p.proposal.title_ko}")
    # Every change of a region's budget line (national, local, other per year), with before → after.
    watch(BudgetLine, describe=lambda b: f"{b.proposal.title_ko} · {b.region.name_ko} {b.year}")
    # Candidate themes of the planning period (issue 17): every field change, with before → after.
    watch(CandidateTheme, describe=lambda t: t.title_ko)
