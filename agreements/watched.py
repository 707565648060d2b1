"""What the audit trail watches in agreements (called from AgreementsConfig.ready())."""

from audit.registry import watch

from .models import Agreement, AgreementLine, AgreementParty, AgreementVersion


def register() -> None:
    for model in (Agreement, AgreementVersion, AgreementLine, AgreementParty):
        watch(model)
