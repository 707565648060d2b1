"""The agreement's one fact for the spending rules (projects.hooks.equipment_approved, filled by
agreements.selectors.equipment_approved): equipment above the call's threshold is accepted in a year
only when the version in force has an equipment line of that year with money on it."""

import pytest
from django.core.exceptions import ValidationError

from agreements.models import AgreementLine, FundSource
from projects import hooks
from projects.services import reports

pytestmark = pytest.mark.django_db

YEAR = 2023


def equipment(part, who, amount):
    return reports.report_part_save(actor=who, part=part, narrative="장비 구입", spending={
        ("national", "equipment"): amount, ("local", "personnel"): "20,000,000"})


def test_equipment_above_the_threshold_follows_the_agreement_in_force(project, issued, official, partner_official,
                                                                      ministry):
    from tests.agreements.conftest import accept_all

    report = reports.report_open(actor=official, project=project, year=YEAR)
    part = report.parts.get(region_id=partner_official.region_id)
    # Issued but not in force, with an equipment line: not approved yet.
    AgreementLine.objects.create(version=issued, year=YEAR, source=FundSource.NATIONAL,
                                 category="equipment", amount_won=50_000_000)
    assert not hooks.equipment_approved(project, YEAR)
    with pytest.raises(ValidationError) as refused:
        equipment(part, partner_official, "50,000,000")
    assert list(refused.value.message_dict) == ["national-equipment"]
    accept_all(issued, ministry=ministry, official=official, partner_official=partner_official)
    assert hooks.equipment_approved(project, YEAR)
    assert not hooks.equipment_approved(project, YEAR + 1)  # no equipment line of that year
    equipment(part, partner_official, "50,000,000")
    part.refresh_from_db()
    assert part.national_spent_won == 50_000_000
