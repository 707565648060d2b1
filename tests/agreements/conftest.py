"""Grant-agreement fixtures: the funded-project fixtures of tests/projects/conftest.py (a Gwangju
(lead) + Jeonnam project of the 2023 call, funded by `ministry` and `ministry2`), and the agreement
prepared and issued by staff.

Parties of the standard agreement: the ministry (staff accept), Gwangju and Jeonnam (their
officials), the lead research institution (Gwangju's official, declaring its head signed).
"""

import pytest

from agreements.models import AgreementParty, AgreementVersion, PartyKind
from agreements.services import lifecycle
from tests.projects.conftest import (  # noqa: F401  (fixtures shared with the projects tests)
    _english,
    _media_root,
    call,
    client,
    complete_proposal,
    make_project,
    make_proposal,
    other_client,
    project,
    proposal,
    text_of,
)


@pytest.fixture
def draft(project, ministry) -> AgreementVersion:  # noqa: F811
    return lifecycle.agreement_prepare(actor=ministry, project=project)


@pytest.fixture
def issued(draft, ministry, django_capture_on_commit_callbacks) -> AgreementVersion:
    with django_capture_on_commit_callbacks(execute=False):  # the PDF is built by the tests that ask
        return lifecycle.agreement_transition(actor=ministry, version=draft, action="issue")


def party(version, kind, region=None) -> AgreementParty:
    qs = version.parties.filter(kind=kind)
    return qs.get(region=region) if region is not None else qs.get()


def accept_all(version, *, ministry, official, partner_official) -> AgreementVersion:
    """Every party accepts `version` (the institution by the lead region's official)."""
    n = version.number
    lifecycle.agreement_accept(actor=ministry, party=party(version, PartyKind.MINISTRY), version_number=n)
    lifecycle.agreement_accept(actor=official, party=party(version, PartyKind.REGION, official.region),
                               version_number=n)
    lifecycle.agreement_accept(actor=partner_official, party=party(version, PartyKind.REGION,
                                                                   partner_official.region), version_number=n)
    lifecycle.agreement_accept(actor=official, party=party(version, PartyKind.INSTITUTION), version_number=n,
                               institution_signed=True)
    version.refresh_from_db()
    return version


@pytest.fixture
def in_force(issued, ministry, official, partner_official) -> AgreementVersion:
    """Version 1, accepted by every party: in force (what an amendment changes)."""
    return accept_all(issued, ministry=ministry, official=official, partner_official=partner_official)
