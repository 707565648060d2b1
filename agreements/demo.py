"""Demo: the five 2023 projects' agreements, back-filled — prepared from the approved funding decision by
`ministry`, issued (its PDF built by the worker) and accepted by every party (the ministry by
`ministry2`, each region by its official, the lead research institution by the lead region's official),
so each is in force. Through the same services the users call. Idempotent."""

from accounts.models import User
from projects.models import Project

from .models import Agreement, AgreementState, AgreementVersion, PartyKind
from .services import lifecycle


def seed() -> int:
    ministry = User.objects.get(username="ministry")
    ministry2 = User.objects.get(username="ministry2")
    done = 0
    for project in Project.objects.filter(proposal__call__programme__code="mega", proposal__call__year=2023
                                          ).select_related("proposal").order_by("pk"):
        agreement = Agreement.objects.filter(project=project).first()
        version = (lifecycle.agreement_prepare(actor=ministry, project=project) if agreement is None
                   else agreement.versions.order_by("number").first())
        if version.state == AgreementState.DRAFT:
            version = lifecycle.agreement_transition(actor=ministry, version=version, action="issue")
        for party in version.parties.filter(accepted_at__isnull=True).select_related("region"):
            who = (ministry2 if party.kind == PartyKind.MINISTRY
                   else User.objects.get(username=f"official-{party.region.code}"))
            lifecycle.agreement_accept(actor=who, party=party, version_number=version.number,
                                       institution_signed=party.kind == PartyKind.INSTITUTION)
        done += AgreementVersion.objects.filter(pk=version.pk, state=AgreementState.IN_FORCE).exists()
    return done
