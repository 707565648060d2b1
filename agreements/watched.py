"""What the audit trail watches in agreements (called from AgreementsConfig.ready())."""

from audit.registry import watch

from .models import (
    Agreement,
    AgreementLine,
    AgreementParty,
    AgreementVersion,
    Amendment,
    CarryOver,
    Instalment,
    Payment,
    Settlement,
    SettlementItem,
    SettlementRepayment,
    SettlementSanction,
)


def register() -> None:
    for model in (Agreement, AgreementVersion, AgreementLine, AgreementParty, Amendment, Instalment, Payment,
                  CarryOver, Settlement, SettlementItem, SettlementRepayment, SettlementSanction):
        watch(model)
