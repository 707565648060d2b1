"""What the audit trail watches in funding (called from FundingConfig.ready())."""

from audit.registry import watch

from .models import FundingDecision, FundingYear, LocalObligation, SelectionNote


def register() -> None:
    watch(FundingDecision, describe=lambda d: f"{d.proposal.title_ko} v{d.version}")
    watch(FundingYear)
    watch(LocalObligation)
    watch(SelectionNote, describe=lambda n: f"{n._meta.verbose_name}: {n.proposal.title_ko}")
