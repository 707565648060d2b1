"""The annual report's page and its actions: one URL per action (save a region's part,
save the KPIs and narrative, submit, accept, return, attach a file), each posted to by
the page's own forms.

Built on the fixtures of tests/projects/conftest.py (a Gwangju + Jeonnam project
of the 2023 call, funded the real way). Writes go through the pages; the
assertions read the database or the page.
"""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import ReportState
from projects.services import reports
from tests.login import log_in

from .conftest import PDF, YEAR, complete_report, form_fields, messages_of, part_of, text_of

pytestmark = pytest.mark.django_db

ACTIONS = ("part", "save", "submit", "accept", "return", "attach")


def report_url(report) -> str:
    return reverse("projects:report", args=[report.project_id, report.year])


def action_url(report, action: str) -> str:
    return reverse(f"projects:report_{action}", args=[report.project_id, report.year])


def state_of(report) -> tuple:
    report.refresh_from_db()
    return (report.state, report.narrative, report.review_comment, report.revision,
            sorted(report.parts.values_list("region_id", "national_spent_won", "narrative", "revision")),
            sorted(report.kpi_results.values_list("pk", "achieved", "note")), report.attachments.count())


# --- Each region its own part ---------------------------------------------------------------------


def test_each_region_edits_only_its_own_part(client, report, partner_official, gwangju_id, jeonnam_id):
    log_in(client, partner_official)
    response = client.get(report_url(report))
    editable = [p.region_id for p in response.context["parts"] if p.can_edit]
    assert editable == [jeonnam_id]
    own = part_of(report, jeonnam_id)
    client.post(action_url(report, "part"), {"part": own.pk, "national-personnel": "800000000", "local-personnel": "200000000",
                                             "narrative": "전남 실적", "revision": own.revision})
    own.refresh_from_db()
    assert (own.national_spent_won, own.narrative) == (800_000_000, "전남 실적")
    lead_part = part_of(report, gwangju_id)
    response = client.post(action_url(report, "part"), {"part": lead_part.pk, "national-personnel": "1",
                                                        "local-personnel": "1", "narrative": "x", "revision": lead_part.revision})
    assert response.status_code == 403
    lead_part.refresh_from_db()
    assert lead_part.narrative == ""


def test_a_saved_part_goes_back_to_the_page_with_a_message(client, report, partner_official, jeonnam_id):
    own = part_of(report, jeonnam_id)
    log_in(client, partner_official)
    response = client.post(action_url(report, "part"), {"part": own.pk, "national-personnel": "1,000", "local-personnel": "200",
                                                        "narrative": "전남 실적", "revision": own.revision},
                           follow=True)
    assert response.redirect_chain == [(report_url(report), 302)]
    assert messages_of(response) == ["Your region's part was saved."]
    own.refresh_from_db()
    assert (own.national_spent_won, own.revision) == (1000, 2)


def test_a_stale_save_keeps_the_typed_text_and_shows_the_saved_one(client, report, partner_official, jeonnam_id):
    part = part_of(report, jeonnam_id)
    old_revision = part.revision
    reports.report_part_save(actor=partner_official, part=part, national_spent=1, local_spent=1,
                             narrative="먼저 저장된 글")
    log_in(client, partner_official)
    response = client.post(action_url(report, "part"), {"part": part.pk, "national-personnel": "5", "local-personnel": "5",
                                                        "narrative": "내가 쓰던 글", "revision": old_revision})
    assert response.status_code == 400
    assert "Someone else saved this part meanwhile" in " ".join(messages_of(response))
    assert text_of(response, f"saved-part-{part.pk}") == "먼저 저장된 글"
    assert "내가 쓰던 글</textarea>" in response.content.decode()
    part.refresh_from_db()
    assert part.narrative == "먼저 저장된 글"


def test_wrong_figures_in_a_part_are_shown_with_what_was_typed(client, report, partner_official, jeonnam_id):
    part = part_of(report, jeonnam_id)
    log_in(client, partner_official)
    response = client.post(action_url(report, "part"), {"part": part.pk, "national-personnel": "-1", "local-personnel": "많이",
                                                        "narrative": "쓰던 글", "revision": part.revision})
    assert response.status_code == 400
    assert messages_of(response) == ["Amounts cannot be negative. Type an amount in won, e.g. 1,000,000 or 1억 2천만."]
    fields = form_fields(response)
    assert (fields["national-personnel"]["value"], fields["local-personnel"]["value"]) == ("-1", "많이")
    assert "쓰던 글</textarea>" in response.content.decode()
    part.refresh_from_db()
    assert (part.national_spent_won, part.narrative) == (0, "")


# --- Attachments ------------------------------------------------------------------------------------


def test_a_refused_attachment_keeps_the_typed_text(client, report, partner_official, jeonnam_id):
    part = part_of(report, jeonnam_id)
    log_in(client, partner_official)
    bad = SimpleUploadedFile("evil.exe", b"MZ\x90\x00binary", content_type="application/octet-stream")
    response = client.post(action_url(report, "attach"), {"part": part.pk, "national-personnel": "7", "local-personnel": "3",
                                                           "narrative": "아직 저장하지 않은 글",
                                                           "revision": part.revision, "file": bad})
    assert response.status_code == 400
    assert "아직 저장하지 않은 글</textarea>" in response.content.decode()
    assert report.attachments.count() == 0


def test_an_accepted_attachment_keeps_the_unsaved_text_on_the_page(client, report, partner_official, jeonnam_id):
    part = part_of(report, jeonnam_id)
    log_in(client, partner_official)
    response = client.post(action_url(report, "attach"), {
        "part": part.pk, "national-personnel": "0", "local-personnel": "0", "narrative": "저장 전 글",
        "revision": part.revision, "file": SimpleUploadedFile("실적.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 200
    assert "저장 전 글</textarea>" in response.content.decode()
    assert report.attachments.count() == 1
    part.refresh_from_db()
    assert part.narrative == ""


def test_an_attachment_without_a_file_asks_for_one(client, report, partner_official):
    log_in(client, partner_official)
    response = client.post(action_url(report, "attach"), {"narrative": ""}, follow=True)
    assert response.redirect_chain == [(report_url(report), 302)]
    assert messages_of(response) == ["Choose a file to upload."]
    assert report.attachments.count() == 0


def test_an_accepted_attachment_is_downloaded_only_by_the_project_s_people(client, report, partner_official,
                                                                          outsider_official):
    log_in(client, partner_official)
    client.post(action_url(report, "attach"), {"file": SimpleUploadedFile("실적.pdf", PDF,
                                                                          content_type="application/pdf")})
    attachment = report.attachments.get()
    url = reverse("projects:attachment", args=[attachment.pk])
    assert client.get(url).status_code == 200
    log_in(client, outsider_official)
    assert client.get(url).status_code == 404


# --- The lead region's KPIs and narrative -------------------------------------------------------------


def test_the_lead_region_saves_the_kpis_and_the_narrative_from_the_page(client, report, official):
    first, second = report.kpi_results.order_by("kpi__order")
    log_in(client, official)
    response = client.post(action_url(report, "save"), {
        "narrative": "총괄 실적", "revision": report.revision, f"kpi-{first.pk}": "12.5",
        f"note-{first.pk}": "특허 12건", f"kpi-{second.pk}": "", f"note-{second.pk}": ""}, follow=True)
    assert response.redirect_chain == [(report_url(report), 302)]
    assert messages_of(response) == ["The report was saved."]
    assert list(report.kpi_results.order_by("kpi__order").values_list("achieved", "note")) == [
        (Decimal("12.50"), "특허 12건"), (None, "")]
    report.refresh_from_db()
    assert report.narrative == "총괄 실적"


def test_a_wrong_kpi_value_is_shown_with_what_was_typed(client, report, official):
    first = report.kpi_results.order_by("kpi__order").first()
    log_in(client, official)
    response = client.post(action_url(report, "save"), {"narrative": "쓰던 총괄", "revision": report.revision,
                                                        f"kpi-{first.pk}": "열둘", f"note-{first.pk}": "메모"})
    assert response.status_code == 400
    assert messages_of(response) == ["Enter a number."]
    fields = form_fields(response)
    assert (fields[f"kpi-{first.pk}"]["value"], fields[f"note-{first.pk}"]["value"]) == ("열둘", "메모")
    assert "쓰던 총괄</textarea>" in response.content.decode()
    first.refresh_from_db()
    assert (first.achieved, first.note) == (None, "")


def test_a_stale_report_save_keeps_the_typed_text_and_shows_the_saved_one(client, report, official):
    reports.report_save(actor=official, report=report, narrative="먼저 저장된 총괄", kpi_values={})
    log_in(client, official)
    response = client.post(action_url(report, "save"), {"narrative": "내가 쓰던 총괄", "revision": 1})
    assert response.status_code == 400
    assert "Someone else saved this report meanwhile" in " ".join(messages_of(response))
    assert text_of(response, "saved-narrative") == "먼저 저장된 총괄"
    assert "내가 쓰던 총괄</textarea>" in response.content.decode()


def test_the_partner_region_cannot_save_the_kpis(client, report, partner_official):
    before = state_of(report)
    log_in(client, partner_official)
    response = client.post(action_url(report, "save"), {"narrative": "전남이 쓴 총괄", "revision": report.revision})
    assert response.status_code == 403
    assert state_of(report) == before


# --- Submit, accept, return ---------------------------------------------------------------------------


def test_submitting_needs_the_confirmation_and_shows_the_checklist_first(client, report, official,
                                                                        partner_official):
    log_in(client, official)
    response = client.get(report_url(report))
    assert "Write the overall progress narrative." in text_of(response, "report-problems")
    complete_report(report, lead=official, partner=partner_official)
    response = client.post(action_url(report, "submit"), follow=True)
    assert messages_of(response) == ["Tick the confirmation box to submit the report."]
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    response = client.post(action_url(report, "submit"), {"confirm": "yes"}, follow=True)
    assert messages_of(response) == ["The report was submitted to the ministry."]
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_an_incomplete_report_is_not_submitted_and_the_page_says_why(client, report, official):
    log_in(client, official)
    response = client.post(action_url(report, "submit"), {"confirm": "yes"}, follow=True)
    assert response.redirect_chain == [(report_url(report), 302)]
    assert messages_of(response)[0].startswith("Write the overall progress narrative. Enter the achieved value")
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


def test_a_returned_report_shows_the_comments_and_keeps_the_text(client, submitted_report, ministry, official):
    log_in(client, ministry)
    response = client.post(action_url(submitted_report, "return"), {"comment": "예산 집행 근거를 보완하세요."},
                           follow=True)
    assert messages_of(response) == ["The report was returned with your comments."]
    log_in(client, official)
    response = client.get(report_url(submitted_report))
    assert "예산 집행 근거를 보완하세요." in text_of(response, "review-comment")
    assert "1차년도 목표를 달성함.</textarea>" in response.content.decode()


def test_returning_without_a_comment_is_refused_with_the_reason(client, submitted_report, ministry):
    log_in(client, ministry)
    response = client.post(action_url(submitted_report, "return"), {"comment": "  "}, follow=True)
    assert messages_of(response) == ["Say what must change; the regions see your comments."]
    submitted_report.refresh_from_db()
    assert submitted_report.state == ReportState.SUBMITTED


def test_staff_accept_a_submitted_report(client, submitted_report, ministry):
    log_in(client, ministry)
    response = client.post(action_url(submitted_report, "accept"), follow=True)
    assert messages_of(response) == ["The report was accepted."]
    submitted_report.refresh_from_db()
    assert submitted_report.state == ReportState.ACCEPTED


def test_a_region_cannot_review_its_own_report(client, submitted_report, official):
    log_in(client, official)
    response = client.post(action_url(submitted_report, "accept"))
    assert response.status_code == 403
    submitted_report.refresh_from_db()
    assert submitted_report.state == ReportState.SUBMITTED


def test_a_move_the_table_does_not_allow_is_refused_with_its_message(client, report, ministry, official,
                                                                    partner_official):
    """Accepting a draft, returning it, submitting a submitted report: refused, nothing changes."""
    log_in(client, ministry)
    before = state_of(report)
    for action in ("accept", "return"):
        response = client.post(action_url(report, action), {"comment": "의견"}, follow=True)
        assert messages_of(response) == ["Only a submitted report can be accepted or returned."]
    assert state_of(report) == before
    complete_report(report, lead=official, partner=partner_official)
    reports.report_submit(actor=official, report=report)
    log_in(client, official)
    before = state_of(report)
    response = client.post(action_url(report, "submit"), {"confirm": "yes"}, follow=True)
    assert messages_of(response) == ["This report is “Submitted” and cannot be changed."]
    assert state_of(report) == before


# --- The page itself and hostile input -------------------------------------------------------------------


def test_the_page_s_forms_post_to_their_own_urls(client, report, partner_official, official):
    log_in(client, official)
    body = client.get(report_url(report)).content.decode()
    for action in ("part", "save", "attach"):
        assert f'"{action_url(report, action)}"' in body
    assert 'name="op"' not in body
    complete_report(report, lead=official, partner=partner_official)
    assert f'"{action_url(report, "submit")}"' in client.get(report_url(report)).content.decode()


def test_the_review_buttons_post_to_accept_and_return(client, submitted_report, ministry):
    log_in(client, ministry)
    body = client.get(report_url(submitted_report)).content.decode()
    assert f'formaction="{action_url(submitted_report, "accept")}"' in body
    assert f'formaction="{action_url(submitted_report, "return")}"' in body


def test_the_page_takes_no_post_of_its_own(client, report, official):
    log_in(client, official)
    before = state_of(report)
    assert client.post(report_url(report), {"op": "report", "narrative": "x"}).status_code == 405
    assert state_of(report) == before


@pytest.mark.parametrize("part", ["abc", "", "-1", "1.5", "١", "99999999999999999999", "0x1F"])
def test_a_part_id_that_is_not_a_number_is_a_404(client, report, partner_official, part):
    log_in(client, partner_official)
    before = state_of(report)
    response = client.post(action_url(report, "part"), {"part": part, "national-personnel": "1", "local-personnel": "1",
                                                        "narrative": "x", "revision": "1"})
    assert response.status_code == 404
    assert state_of(report) == before


def test_a_missing_part_id_is_a_404(client, report, partner_official):
    log_in(client, partner_official)
    assert client.post(action_url(report, "part"), {"narrative": "x"}).status_code == 404


def test_a_part_of_another_report_is_a_404(client, report, make_project, partner_official, official, jeonnam_id):
    other = reports.report_open(actor=official, project=make_project(title_ko="다른 과제"), year=YEAR)
    foreign = part_of(other, jeonnam_id)
    log_in(client, partner_official)
    response = client.post(action_url(report, "part"), {"part": foreign.pk, "national-personnel": "1", "local-personnel": "1",
                                                        "narrative": "남의 보고서", "revision": foreign.revision})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.narrative == ""


@pytest.mark.parametrize("action", ACTIONS)
def test_a_report_the_user_may_not_see_is_a_404_for_every_action(client, report, outsider_official, action):
    log_in(client, outsider_official)
    before = state_of(report)
    response = client.post(action_url(report, action), {"part": "1", "confirm": "yes", "comment": "x"})
    assert response.status_code == 404
    assert state_of(report) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_takes_only_a_post(client, report, official, action):
    log_in(client, official)
    assert client.get(action_url(report, action)).status_code == 405
