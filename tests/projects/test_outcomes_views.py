"""The outcomes page of a project: report an outcome of a chosen type (errors at the field, what
was typed kept), attach and download evidence, withdraw with a confirmation, staff review; a
foreign project's outcomes are a 404."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import OutcomeKind, OutcomeRecord, OutcomeState
from projects.services import outcomes
from tests.login import log_in

from .conftest import PDF, messages_of

pytestmark = pytest.mark.django_db

PAPER = {"kind": "paper", "title": "해양바이오 소재의 합성", "journal": "Marine Drugs", "issn": "1660-3397",
         "doi": "10.3390/md21010001", "occurred_on": "2024-03-02", "indexed": "yes"}


def page_url(project, **params) -> str:
    url = reverse("projects:outcomes", args=[project.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def add_url(project) -> str:
    return reverse("projects:outcome_add", args=[project.pk])


def paper(project, official, **data):
    return outcomes.outcome_add(actor=official, project=project, kind=OutcomeKind.PAPER, data={
        "title": "논문", "journal": "J", "occurred_on": datetime.date(2024, 1, 5), "indexed": False, **data})


def test_an_official_reports_a_paper_through_the_page(client, project, official):
    log_in(client, official)
    response = client.get(page_url(project, add="paper"))
    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"title", "journal", "issn", "doi", "occurred_on", "indexed"}
    response = client.post(add_url(project), PAPER)
    assert response.status_code == 302
    rec = OutcomeRecord.objects.get()
    assert (rec.title, rec.doi, rec.indexed, rec.year) == ("해양바이오 소재의 합성", "10.3390/md21010001", True, 2024)


def test_a_bad_doi_is_shown_at_the_field_with_what_was_typed(client, project, official):
    log_in(client, official)
    response = client.post(add_url(project), {**PAPER, "doi": "not-a-doi"})
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["doi"]
    assert form["doi"].value() == "not-a-doi" and form["title"].value() == PAPER["title"]
    assert OutcomeRecord.objects.count() == 0


def test_a_duplicate_doi_is_refused_at_the_field(client, project, official):
    paper(project, official, doi="10.3390/md21010001")
    log_in(client, official)
    response = client.post(add_url(project), {**PAPER, "doi": "https://doi.org/10.3390/MD21010001"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["doi"]
    assert OutcomeRecord.objects.count() == 1


def test_an_outsider_sees_no_outcomes_of_a_foreign_project(client, project, official, outsider_official):
    rec = paper(project, official)
    evidence = outcomes.evidence_add(actor=official, record_=rec,
                                     upload=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"))
    log_in(client, outsider_official)
    assert client.get(page_url(project)).status_code == 404
    assert client.post(add_url(project), PAPER).status_code == 404
    assert client.get(reverse("projects:outcome_evidence", args=[evidence.pk])).status_code == 404
    assert client.post(reverse("projects:outcome_withdraw", args=[rec.pk]), {"confirm": "yes"}).status_code == 404
    assert OutcomeRecord.objects.count() == 1


def test_evidence_upload_and_download(client, project, official):
    rec = paper(project, official)
    log_in(client, official)
    upload = SimpleUploadedFile("증빙.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("projects:outcome_evidence_add", args=[rec.pk]), {"file": upload})
    assert response.status_code == 302
    evidence = rec.evidence.get()
    response = client.get(reverse("projects:outcome_evidence", args=[evidence.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_withdraw_asks_for_a_confirmation(client, project, official):
    rec = paper(project, official)
    log_in(client, official)
    response = client.post(reverse("projects:outcome_withdraw", args=[rec.pk]), {}, follow=True)
    assert messages_of(response) == ["Tick the box to confirm the withdrawal."]
    assert OutcomeRecord.objects.count() == 1
    client.post(reverse("projects:outcome_withdraw", args=[rec.pk]), {"confirm": "yes"})
    assert OutcomeRecord.objects.count() == 0


def test_staff_review_on_the_page_and_officials_cannot(client, other_client, project, official, ministry):
    rec = paper(project, official)
    log_in(client, official)
    assert client.post(reverse("projects:outcome_review", args=[rec.pk]), {"action": "confirm"}).status_code == 403
    log_in(other_client, ministry)
    response = other_client.post(reverse("projects:outcome_review", args=[rec.pk]), {"action": "reject"},
                                 follow=True)
    assert messages_of(response) == ["Say why; the region sees your comments."]
    other_client.post(reverse("projects:outcome_review", args=[rec.pk]), {"action": "confirm"})
    rec.refresh_from_db()
    assert rec.state == OutcomeState.CONFIRMED


def test_filters_and_a_constant_number_of_queries(client, project, official, django_assert_num_queries):
    paper(project, official, doi="10.1000/a1")
    outcomes.outcome_add(actor=official, project=project, kind=OutcomeKind.JOBS,
                         data={"count": 4, "occurred_on": datetime.date(2025, 3, 1)})
    log_in(client, official)
    response = client.get(page_url(project, kind="jobs"))
    assert [r.kind for r in response.context["page"]] == ["jobs"]
    client.get(page_url(project))
    # session, user, project, its regions, stages (the records, their count and evidence: once per data version)
    with django_assert_num_queries(5):
        client.get(page_url(project))
    for i in range(5):
        paper(project, official, doi=f"10.1000/b{i}")
    client.get(page_url(project))  # warm: the header's to-dos and the records are read again after the writes
    with django_assert_num_queries(5):
        response = client.get(page_url(project))
    assert len(response.context["page"]) == 7  # the new records are there at once


# --- The outcomes dashboard ----------------------------------------------------------------------


def dashboard(client, **params):
    return client.get(reverse("projects:outcome_dashboard"), params)


def test_the_dashboard_adds_up_by_hand(client, project, official, partner_official, ministry):
    """Gwangju: papers p1 (indexed), p2; jobs 4. Jeonnam: paper p3 rejected; start-ups 2; investment 3억.
    Totals: 2 papers (1 indexed), 0 patents, 2 start-ups, 4 jobs, 3억."""
    paper(project, official, doi="10.1000/p1", indexed=True)
    paper(project, official, doi="10.1000/p2")
    outcomes.outcome_add(actor=official, project=project, kind=OutcomeKind.JOBS,
                         data={"count": 4, "occurred_on": datetime.date(2025, 3, 1)})
    rejected = paper(project, partner_official, doi="10.1000/p3")
    outcomes.outcome_transition(actor=ministry, record_=rejected, action="reject", comment="중복")
    outcomes.outcome_add(actor=partner_official, project=project, kind=OutcomeKind.STARTUP,
                         data={"title": "(주)바다", "count": 2, "occurred_on": datetime.date(2024, 6, 1)})
    outcomes.outcome_add(actor=partner_official, project=project, kind=OutcomeKind.INVESTMENT,
                         data={"partner": "VC", "amount_won": 300_000_000, "occurred_on": datetime.date(2025, 6, 1)})
    log_in(client, ministry)
    response = dashboard(client)
    totals = response.context["totals"]
    assert (totals["papers"], totals["indexed"], totals["patents"], totals["startups"], totals["jobs"],
            totals["investment"]) == (2, 1, 0, 2, 4, 300_000_000)
    by_region = {r["region__name_en"]: (r["papers"], r["startups"], r["jobs"]) for r in response.context["regions"]}
    assert by_region == {"Gwangju": (2, None, 4), "Jeonnam": (0, 2, None)}
    assert [(r["project_id"], r["papers"]) for r in response.context["page"]] == [(project.pk, 2)]
    response = dashboard(client, year="2025")
    assert (response.context["totals"]["papers"], response.context["totals"]["jobs"]) == (0, 4)


def test_an_official_sees_only_their_regions_projects(client, project, official, outsider_official):
    paper(project, official, doi="10.1000/p1")
    log_in(client, outsider_official)
    response = dashboard(client)
    assert response.context["totals"]["papers"] == 0
    assert list(response.context["page"]) == []


def test_the_dashboard_reads_a_constant_number_of_queries(client, make_project, project, official, ministry,
                                                          django_assert_num_queries):
    paper(project, official, doi="10.1000/p1")
    log_in(client, ministry)
    dashboard(client)
    with django_assert_num_queries(NUM := len(_queries(client))):
        dashboard(client)
    other = make_project(title_ko="두 번째 과제")
    paper(other, official, doi="10.1000/p9")
    dashboard(client)  # warm: the header's to-dos are computed again after the writes
    with django_assert_num_queries(NUM):
        response = dashboard(client)
    assert len(re.findall(r'href="/projects/\d+/outcomes/"', response.content.decode())) == 2  # both projects


def _queries(client) -> list:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        dashboard(client)
    return ctx.captured_queries
