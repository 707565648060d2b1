"""Who may reach what in the reports app, generated from the URL configuration.

The world: the Gwangju + Jeonnam project, approved and scored, its call's result
report built, a ministry export job (evaluators named) and a Gwangju official's
job, both built. Every URL of reports.urls (each export for every dataset and
format) is requested with GET and POST by a Busan official, an expert and an
anonymous visitor. The expert and the visitor get nothing; the Busan official
may use the exports, but never sees the project, another person's job or the
report, and nothing of anyone else's changes. A control shows staff and the
job's owner do get them, so the refusals are not vacuous.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from evaluations.models import Assignment, AssignmentKind, Score, Scoresheet, ScoresheetState
from reports import datasets, services
from reports import urls as reports_urls
from reports.models import CallReport, ExportJob
from tests.factories import ExpertFactory
from tests.login import log_in

from .conftest import body_of

pytestmark = pytest.mark.django_db

SECRET = "겹눈 모사 뉴로모픽"
EXPERT_NAME = "비밀 평가위원"


@pytest.fixture
def world(approved, ministry, official, django_capture_on_commit_callbacks, settings):
    proposal = approved.proposal
    expert = ExpertFactory(username="named-evaluator", display_name=EXPERT_NAME)
    a = Assignment.objects.create(kind=AssignmentKind.EVALUATION, expert=expert, proposal=proposal,
                                  assigned_by=ministry, declared_at=datetime.datetime.now(datetime.UTC))
    sheet = Scoresheet.objects.create(assignment=a, state=ScoresheetState.SUBMITTED)
    for c in proposal.call.criteria.all():
        Score.objects.create(scoresheet=sheet, criterion=c, value=7)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.call_report_request(actor=ministry, call=proposal.call)
        staff_job = services.export_request(actor=ministry, key="evaluations", fmt="xlsx",
                                            filters={"anonymised": "0"})
        own_job = services.export_request(actor=official, key="proposals", fmt="csv", filters={})
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        services.call_report_build(report_id=report.pk)
        services.export_build(job_id=staff_job.pk)
        services.export_build(job_id=own_job.pk)
    return {"call": proposal.call_id, "staff_job": staff_job.pk, "own_job": own_job.pk}


def urls(world) -> list[tuple[str, str]]:
    out = []
    for p in reports_urls.urlpatterns:
        if p.name == "exports":
            out.append((p.name, reverse("reports:exports")))
        elif p.name == "export":
            out += [(p.name, reverse("reports:export", args=[key, fmt]) + "?anonymised=0")
                    for key in datasets.REGISTRY for fmt in ("csv", "xlsx")]
        elif p.name.startswith("job"):
            out += [(p.name, reverse(f"reports:{p.name}", args=[world[k]])) for k in ("staff_job", "own_job")]
        else:
            out.append((p.name, reverse(f"reports:{p.name}", args=[world["call"]])))
    return out


def test_the_matrix_covers_every_url_of_the_reports_app(world):
    names = {p.name for p in reports_urls.urlpatterns}
    assert {name for name, _url in urls(world)} == names


def state(excluding=None) -> list:
    return [
        list(ExportJob.objects.exclude(requested_by=excluding).order_by("pk").values_list("pk", "status", "file")),
        list(CallReport.objects.order_by("pk").values_list("pk", "status", "checksum", "attempts")),
    ]


@pytest.mark.parametrize("who", ["expert", "anonymous"])
def test_experts_and_visitors_get_no_report_page_and_no_export(request, world, who):
    client = Client()
    if who != "anonymous":
        log_in(client, request.getfixturevalue(who))
    before = state()
    for name, url in urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if who == "anonymous":
                assert response.status_code == 302 and response["Location"].startswith(reverse("login")), (name, method)
            else:
                assert response.status_code in (403, 404, 405), (name, method, response.status_code)
    assert state() == before


def test_an_official_of_another_region_sees_only_their_own_exports(world, outsider_official):
    client = Client()
    log_in(client, outsider_official)
    before = state(excluding=outsider_official)
    for name, url in urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code in (403, 404, 405):
                continue
            if response.status_code == 302:  # a background export of their own
                job = ExportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
                assert job.requested_by == outsider_official, (name, method)
                continue
            assert response.status_code == 200, (name, method, response.status_code)
            assert name in ("exports", "export"), (name, method)
            body = body_of(response)
            if url.split("?")[0].endswith(".xlsx"):
                import io

                from openpyxl import load_workbook

                ws = load_workbook(io.BytesIO(body)).worksheets[0]
                body = "\n".join(str(c.value) for row in ws.iter_rows() for c in row).encode()
            text = body.decode("utf-8-sig")
            assert SECRET not in text and EXPERT_NAME not in text, (name, method)
    assert state(excluding=outsider_official) == before


def test_staff_and_the_job_s_owner_do_get_them(world, ministry, official):
    staff = Client()
    log_in(staff, ministry)
    assert staff.get(reverse("reports:call_report_download", args=[world["call"]])).status_code == 200
    named = body_of(staff.get(reverse("reports:job_download", args=[world["staff_job"]])))
    assert named[:2] == b"PK"
    owner = Client()
    log_in(owner, official)
    own = body_of(owner.get(reverse("reports:job_download", args=[world["own_job"]]))).decode("utf-8-sig")
    assert SECRET in own
    assert owner.get(reverse("reports:job_download", args=[world["staff_job"]])).status_code == 404
    assert owner.get(reverse("reports:call_report", args=[world["call"]])).status_code == 403
