"""The demo's phase 3: Busan's draft on the 2027 call grew from its final theme and carries an answered patent
analysis; each of the five 2023 projects shows the theme it grew from. Seeding again adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from proposals.models import CandidateTheme, KeyPatent, PatentAnalysis, Proposal, ThemeSelection
from tests.login import log_in
from tests.programmes.test_demo_data import demo  # noqa: F401  (the demo, seeded once per test process)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_the_demo_has_busan_s_answered_patent_analysis_and_the_2023_origins(settings, client):
    settings.ALLOW_DEMO_DATA = True
    busan = Proposal.objects.get(call__year=2027, title_ko="부산 해양 모빌리티 실증 플랫폼 구축")
    assert busan.origin_theme.title_ko == "친환경 선박 자율운항 실증"
    analysis = PatentAnalysis.objects.get(proposal=busan)
    assert (analysis.risk, analysis.is_answered, analysis.answered_by.region.code) == ("medium", True, "busan")
    assert analysis.patents.count() == 3
    funded_2023 = Proposal.objects.filter(call__year=2023, origin_theme__isnull=False)
    assert sorted(p.lead_region.code for p in funded_2023) == ["chungnam", "gwangju", "gyeongbuk", "gyeongnam",
                                                                "jeonbuk"]
    counts = (CandidateTheme.objects.count(), ThemeSelection.objects.count(), PatentAnalysis.objects.count(),
              KeyPatent.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (CandidateTheme.objects.count(), ThemeSelection.objects.count(), PatentAnalysis.objects.count(),
            KeyPatent.objects.count()) == counts
    log_in(client, User.objects.get(username="ministry"))
    page = client.get(reverse("proposals:detail", args=[funded_2023.get(lead_region__code="jeonbuk").pk]))
    assert 'id="proposal-origin"' in page.content.decode()
    assert "전북 농생명 클러스터" in page.content.decode()
