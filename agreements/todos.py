"""The agreements' to-dos (core.todos), from the same permissions as the moves they lead to: a party's
place on an issued version waiting for the person's acceptance (officials for their region and, in the
lead region, for the lead research institution; staff for the ministry), and drafts for staff to issue.
Only agreements of projects the user sees (a project sealed until its call's announcement is none)."""

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_official, is_staff_member
from core.todos import NORMAL, URGENT, Todo

from .models import AgreementParty, AgreementState, AgreementVersion, FundSource, Settlement, SettlementState
from .selectors import agreements_visible_to, overdue_instalments


def agreement_todos(user):
    if not (is_official(user) or is_staff_member(user)):
        return []
    visible = agreements_visible_to(user=user)
    out = []
    waiting = (AgreementParty.objects.filter(version__agreement__in=visible, version__state=AgreementState.ISSUED,
                                             accepted_at__isnull=True)
               .select_related("version__agreement__project__proposal", "region").order_by("version_id", "order"))
    for party in waiting:
        if user.has_perm("agreements.accept_agreement", party):
            version = party.version
            out.append(Todo(kind="agreements.accept",
                            title=format_lazy(_("Accept version {n} of the agreement for {party}"),
                                              n=version.number, party=party.name),
                            url=reverse("agreements:version", args=[version.pk]) + f"#party-{party.pk}",
                            label=version.agreement.project.proposal.title, priority=URGENT))
    if user.has_perm("agreements.issue_agreement"):
        for version in (AgreementVersion.objects.filter(agreement__in=visible, state=AgreementState.DRAFT)
                        .select_related("agreement__project__proposal").order_by("pk")):
            out.append(Todo(kind="agreements.issue", title=_("Issue the prepared agreement"),
                            url=reverse("agreements:version", args=[version.pk]),
                            label=version.agreement.project.proposal.title, priority=NORMAL))
    # Overdue instalments the person pays: staff the national funds, an official their region's local funds.
    overdue = overdue_instalments(user=user)
    if is_staff_member(user):
        overdue = overdue.filter(source=FundSource.NATIONAL)
    for inst in overdue[:50]:
        out.append(Todo(kind="agreements.overdue_payment",
                        title=format_lazy(_("Overdue payment: {year} instalment {n} ({due})"), year=inst.year,
                                          n=inst.number, due=inst.due_date.isoformat()),
                        url=reverse("agreements:project_money", args=[inst.agreement.project_id])
                        + f"#instalment-{inst.pk}",
                        label=inst.agreement.project.proposal.title, priority=URGENT))
    # Settlements: the lead region answers a proposed one; a second staff member confirms an accepted one.
    waiting = (Settlement.objects.filter(agreement__in=visible,
                                         state__in=(SettlementState.PROPOSED, SettlementState.ACCEPTED))
               .select_related("agreement__project__proposal").order_by("pk"))
    for settlement in waiting:
        url = reverse("agreements:settlement", args=[settlement.agreement_id, settlement.year])
        label = settlement.agreement.project.proposal.title
        if settlement.state == SettlementState.PROPOSED and user.has_perm("agreements.answer_settlement", settlement):
            out.append(Todo(kind="agreements.answer_settlement",
                            title=format_lazy(_("Answer the settlement of {year}"), year=settlement.year),
                            url=url, label=label, priority=URGENT))
        elif (settlement.state == SettlementState.ACCEPTED
              and user.has_perm("agreements.confirm_settlement", settlement)):
            out.append(Todo(kind="agreements.confirm_settlement",
                            title=format_lazy(_("Confirm the settlement of {year}"), year=settlement.year),
                            url=url, label=label, priority=NORMAL))
    return out
