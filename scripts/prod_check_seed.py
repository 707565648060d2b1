"""The small world `make prod-check` drives, written straight to the production database.

seed_demo refuses to run with DEBUG off (its accounts share one password), so the
check seeds only what its journey needs, with the test suite's factories and the
real services: two regional officials, two ministry staff, an open call, a complete
Gwangju + Jeonnam proposal in the selected state, and its funding decision prepared
by one ministry member and approved by the other. The approval queues the award
letter for the Celery worker (the check downloads it later).

Run by scripts/prod_check.py with the production environment; the officials' and
the ministry's password comes from PROD_CHECK_PASSWORD. Prints one JSON line.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "megaproject.settings")
    import django

    django.setup()

    from funding import services
    from funding.models import AwardLetter
    from programmes.models import CallStatus
    from programmes.services import call_change_status
    from tests.factories import CallFactory, MinistryFactory, OfficialFactory, region
    from tests.funding.conftest import plan, select
    from tests.proposals.conftest import ProposalFactory, fill

    password = os.environ["PROD_CHECK_PASSWORD"]
    email_domain = os.environ.get("PROD_CHECK_EMAIL_DOMAIN", "portal.megaproject.test")

    def person(factory, username, **fields):
        user = factory(username=username, email=f"{username}@{email_domain}", **fields)
        user.set_password(password)
        user.save()
        return user

    official = person(OfficialFactory, "official-gwangju", region=region("gwangju"), display_name="광주 김주무관")
    person(OfficialFactory, "official-jeonnam", region=region("jeonnam"), display_name="전남 이주무관")
    preparer = person(MinistryFactory, "ministry", display_name="과기정통부 김주무관")
    approver = person(MinistryFactory, "ministry2", display_name="과기정통부 이사무관")

    call = CallFactory(created_by=preparer, updated_by=preparer)
    proposal = ProposalFactory(call=call, created_by=official, partners=["jeonnam"],
                               title_ko="운영 점검 제안서", title_en="Production check proposal")
    proposal = select(fill(proposal))
    years, obligations = plan(proposal)
    decision = services.funding_prepare(actor=preparer, proposal=proposal, years=years, obligations=obligations)
    decision = services.funding_approve(actor=approver, decision=decision)  # queues the letters (on commit)
    # The results announced, as staff do (closed → review → announced): the region may now read its
    # decision and letter (before, they are sealed: proposals.disclosure).
    for status in (CallStatus.CLOSED, CallStatus.REVIEW, CallStatus.ANNOUNCED):
        call = call_change_status(actor=preparer, call=call, status=status)
    letter = AwardLetter.objects.get(decision=decision, language="ko")
    print(json.dumps({
        "official": {"username": official.username, "email": official.email},
        "proposal": {"id": proposal.pk, "title": proposal.title_ko},
        "letter": {"id": letter.pk},
    }))


if __name__ == "__main__":
    main()
