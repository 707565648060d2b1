"""The ranking board shows the figures first (no form in any row) and each proposal's panel comment
on a page of its own; its pages are cached per data version, so any recorded change shows at once."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from evaluations import selectors
from evaluations.models import PanelResult
from evaluations.services.panels import PANEL_RESULT_MAX
from tests.login import log_in

from .conftest import make_expert, scored, sheet_in_db

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2027, 1, 2, tzinfo=datetime.UTC)


@pytest.fixture
def ranked(call, ministry, eligible_factory):
    """Two proposals scored 90 and 50 by one judge."""
    judge = make_expert("judge")
    made = []
    for score in (9, 5):
        p = eligible_factory(title_en=f"P{score}0", submitted_at=T0)
        sheet_in_db(p, judge, [score] * len(selectors.criteria_of(call)), by=ministry)
        made.append(p)
    return made


def test_the_ranking_board_has_no_form_in_its_rows_and_links_each_to_its_comment_page(client, call, ministry, ranked):
    log_in(client, ministry)
    response = client.get(reverse("evaluations:ranking", args=[call.pk]), {"page": 1})
    page = response.content.decode()
    table = page[page.index('id="ranking-table"'):page.index("</table>")]
    assert ("<form" in table, "<textarea" in table) == (False, False)
    assert f'href="{reverse("evaluations:panel_result", args=[ranked[0].pk])}?page=1"' in table


def test_a_score_submitted_after_the_board_was_cached_shows_at_once(client, call, ministry, ranked, eligible_factory):
    log_in(client, ministry)
    url = reverse("evaluations:ranking", args=[call.pk])
    before = [(row["rank"], row["proposal"].title_en) for row in client.get(url).context["board"]["rows"]]
    late = eligible_factory(title_en="P70", submitted_at=T0)
    scored(late, make_expert("late-judge"), [7] * len(selectors.criteria_of(call)), by=ministry)  # services: audited
    after = [(row["rank"], row["proposal"].title_en) for row in client.get(url).context["board"]["rows"]]
    assert (before, after) == ([(1, "P90"), (2, "P50")], [(1, "P90"), (2, "P70"), (3, "P50")])
    assert "P70" in client.get(url).content.decode()  # the rendered table too


def test_staff_write_the_panel_comment_on_its_page_and_return_to_the_board_s_page(client, call, ministry, ranked):
    log_in(client, ministry)
    url = reverse("evaluations:panel_result", args=[ranked[1].pk])
    page = client.get(url, {"page": "1", "normalised": "1"})
    assert page.status_code == 200 and "P50" in page.content.decode()

    response = client.post(f"{url}?page=1&normalised=1", {"consensus_comment": " 사업화 전략 보완 필요 ",
                                                          "decision_reason": "점수 하위"})
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluations:ranking", args=[call.pk]) + "?normalised=1&page=1"
    result = PanelResult.objects.get(proposal=ranked[1])
    assert (result.consensus_comment, result.decision_reason, result.updated_by) == ("사업화 전략 보완 필요", "점수 하위",
                                                                                      ministry)
    board = client.get(reverse("evaluations:ranking", args=[call.pk]))
    assert [row["comment"] for row in board.context["board"]["rows"]] == ["", "사업화 전략 보완 필요"]


def test_a_too_long_comment_is_refused_at_its_field_with_what_was_typed_kept(client, ministry, ranked):
    log_in(client, ministry)
    typed = "가" * (PANEL_RESULT_MAX + 1)
    response = client.post(reverse("evaluations:panel_result", args=[ranked[0].pk]),
                           {"consensus_comment": typed, "decision_reason": "사유"})
    assert response.status_code == 400
    assert response.context["form"].errors["consensus_comment"] == [f"At most {PANEL_RESULT_MAX} characters."]
    assert response.context["form"]["consensus_comment"].value() == typed
    assert not PanelResult.objects.filter(proposal=ranked[0]).exists()


def test_saving_the_panel_comment_is_recorded_in_the_trail_with_who_did_it(client, ministry, ranked):
    from django.contrib.contenttypes.models import ContentType

    log_in(client, ministry)
    client.post(reverse("evaluations:panel_result", args=[ranked[0].pk]), {"consensus_comment": "의견",
                                                                           "decision_reason": ""})
    result = PanelResult.objects.get(proposal=ranked[0])
    events = AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(PanelResult),
                                       object_id=str(result.pk))
    assert [e.actor for e in events] == [ministry]


@pytest.mark.parametrize("who", ["official", "expert"])
def test_only_staff_write_the_panel_comment(client, request, ranked, who):
    log_in(client, request.getfixturevalue(who))
    url = reverse("evaluations:panel_result", args=[ranked[0].pk])
    assert (client.get(url).status_code, client.post(url, {"consensus_comment": "x"}).status_code) == (403, 403)
    assert not PanelResult.objects.exists()


def test_the_pagination_shows_a_few_page_numbers_not_one_per_page(client, call, ministry, ranked, monkeypatch):
    from core.templatetags.portal import page_links

    board = selectors.board_page(call=call, page=1)
    assert page_links(board["page"]) == [1]
    from django.core.paginator import Paginator

    assert page_links(Paginator(range(10000), 25).get_page(200)) == [1, None, 197, 198, 199, 200, 201, 202, 203,
                                                                     None, 400]
