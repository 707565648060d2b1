"""Regions are reference data: the page header names an official's region without a query per page."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.models import Region
from programmes.selectors import region_by_id
from tests.login import log_in

pytestmark = pytest.mark.django_db


def test_the_header_names_the_officials_region_without_reading_the_regions_table(client, official):
    log_in(client, official)
    client.get(reverse("profile"))  # warm: the regions are read once
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("notifications")).content.decode()
    region_reads = [q for q in queries.captured_queries if 'FROM "programmes_region"' in q["sql"]]
    assert (f"· {official.region.name_ko}" in html, region_reads) == (True, [])


def test_a_region_added_after_the_cache_was_filled_is_found():
    cache.clear()
    region_by_id(Region.objects.get(code="seoul").pk)  # fills the cache
    added = Region.objects.create(code="test-region", name_ko="시험도", name_en="Test", order=99)
    assert region_by_id(added.pk).name_ko == "시험도"


def test_the_proposal_list_filters_come_from_the_cached_reference_data(client, official):
    from programmes.models import StrategicIndustry

    log_in(client, official)
    client.get(reverse("proposals:list"))  # warm
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("proposals:list")).content.decode()
    reference_reads = [q for q in queries.captured_queries
                       if 'FROM "programmes_region"' in q["sql"] or 'FROM "programmes_strategicindustry"' in q["sql"]]
    assert reference_reads == []
    assert "서울특별시" in html  # the region filter is still complete
    # A new industry (saved through the ORM, e.g. the admin) empties the cache: it shows at once.
    StrategicIndustry.objects.create(code="quantum", name_ko="양자기술", name_en="Quantum")
    assert "양자기술" in client.get(reverse("proposals:list")).content.decode()
