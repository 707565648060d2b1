"""The evaluator quality record: each rule flags above its maximum (below its minimum) and not at
the threshold itself; staff exclude a flagged expert with a reason, and neither the automatic plan
nor a hand assignment seats them again; the lead region rates the anonymised comments after the
announcement, staff at any time.

The call's review window closes on 2027-03-05 (Asia/Seoul). Two experts score two proposals in
opposite ways (10s and 0s), so each sits exactly one call standard deviation from their panels'
consensus: mean |z| = 1.00.
"""

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.models import CommentRating, ExpertExclusion, ScoresheetEvent
from evaluations.services import panel_auto_plan
from evaluations.services.aggregation import Criterion, Sheet, aggregate, consensus_distances
from evaluations.services.quality import comment_rate, expert_exclude, quality_record, quality_rules_save
from programmes.models import CallStatus, QualityRules
from proposals.models import Participation
from tests.clock import at
from tests.evaluations.conftest import COMMENT, assign, make_expert, sheet_in_db
from tests.factories import region
from tests.login import log_in

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
LAST_MINUTE = at(2027, 3, 5, 23, 59, 59)  # as written: tests/clock.py
NEXT_DAY = at(2027, 3, 6, 0, 0, 0)


@pytest.fixture
def two_panels(eligible_factory, ministry):
    """Experts A and B on proposals P and Q: A gives P all 10s and Q all 0s, B the reverse."""
    p, q = eligible_factory(title_ko="과제 P", title_en="Proposal P"), eligible_factory(title_ko="과제 Q",
                                                                                        title_en="Proposal Q")
    Participation.objects.create(proposal=p, region=region("jeonnam"))  # Jeonnam is P's partner
    a, b = make_expert("judge-a", display_name="심사위원 A"), make_expert("judge-b", display_name="심사위원 B")
    sheets = {
        ("a", "p"): sheet_in_db(p, a, [10] * 5, submitted_at=LAST_MINUTE, by=ministry),
        ("a", "q"): sheet_in_db(q, a, [0] * 5, submitted_at=NEXT_DAY, by=ministry),
        ("b", "p"): sheet_in_db(p, b, [0] * 5, submitted_at=LAST_MINUTE, by=ministry),
        ("b", "q"): sheet_in_db(q, b, [10] * 5, submitted_at=LAST_MINUTE, by=ministry),
    }
    return {"a": a, "b": b, "p": p, "q": q, "sheets": sheets, "call": p.call}


def record_of(call, expert):
    return next(r for r in quality_record(call=call) if r.expert.pk == expert.pk)


def rules(call, **values) -> QualityRules:
    """Lenient everywhere but the rule under test."""
    defaults = {"max_late_submissions": 50, "max_reopens": 50, "max_mean_abs_z": Decimal("5.00"),
                "min_comment_length": 0, "min_average_rating": Decimal("1.00")}
    return QualityRules.objects.update_or_create(call=call, defaults={**defaults, **values})[0]


def flagged(call, expert) -> list[str]:
    return [f.rule for f in record_of(call, expert).flags]


# --- The figures ---------------------------------------------------------------------------------


def test_the_distance_is_the_normalised_z_from_the_panels_mean():
    """Expert 1 gives P 100 and Q 0, expert 2 the reverse: each one's own z-scores are +1 and -1,
    mapped onto the call's mean ± σ; each panel's normalised mean is the call's mean, so each
    evaluator is exactly one σ from their panel. Expert 3 alone on R has no panel to differ from."""
    crit = [Criterion(id=1, weight=100, max_score=10)]
    sheets = [Sheet(1, 10, {1: 10}), Sheet(1, 20, {1: 0}), Sheet(2, 10, {1: 0}), Sheet(2, 20, {1: 10}),
              Sheet(3, 30, {1: 5})]
    results = aggregate(sheets, crit)
    assert consensus_distances(results) == {
        (1, 10): pytest.approx(1), (2, 10): pytest.approx(-1), (1, 20): pytest.approx(-1), (2, 20): pytest.approx(1)}


def test_a_lenient_evaluator_who_ranks_as_the_panel_does_is_not_far_from_it():
    crit = [Criterion(id=1, weight=100, max_score=10)]
    sheets = [Sheet(1, 10, {1: 10}), Sheet(1, 20, {1: 8}), Sheet(2, 10, {1: 6}), Sheet(2, 20, {1: 4})]
    assert consensus_distances(aggregate(sheets, crit)) == {
        (1, 10): pytest.approx(0), (1, 20): pytest.approx(0), (2, 10): pytest.approx(0), (2, 20): pytest.approx(0)}


def test_the_record_reads_each_experts_figures(two_panels):
    a = record_of(two_panels["call"], two_panels["a"])
    assert (a.sheets, [t for t, _at in a.late], a.reopens, a.mean_abs_z, a.comment_length, a.average_rating) == (
        2, ["Proposal Q"], 0, 1.0, float(len(COMMENT)), None)


# --- Each rule at its threshold ------------------------------------------------------------------


def test_late_scoresheets_flag_above_the_allowance_and_a_last_minute_one_is_on_time(two_panels):
    call, a, b = two_panels["call"], two_panels["a"], two_panels["b"]
    rules(call, max_late_submissions=0)
    assert (flagged(call, a), flagged(call, b)) == (["late"], [])  # B submitted at 23:59:59 on the last day
    rules(call, max_late_submissions=1)
    assert flagged(call, a) == []


def test_reopens_flag_above_the_allowance(two_panels, ministry):
    call, a = two_panels["call"], two_panels["a"]
    for _i in range(2):
        ScoresheetEvent.objects.create(scoresheet=two_panels["sheets"][("a", "p")].scoresheet, actor=ministry,
                                       action="reopened", reason="보완")
    rules(call, max_reopens=2)
    assert flagged(call, a) == []
    rules(call, max_reopens=1)
    assert flagged(call, a) == ["reopens"]


def test_distance_from_the_panels_flags_above_the_limit(two_panels):
    call, a = two_panels["call"], two_panels["a"]
    rules(call, max_mean_abs_z=Decimal("1.00"))
    assert flagged(call, a) == []
    rules(call, max_mean_abs_z=Decimal("0.99"))
    assert flagged(call, a) == ["distance"]


def test_short_comments_flag_below_the_minimum(two_panels):
    call, a = two_panels["call"], two_panels["a"]
    rules(call, min_comment_length=len(COMMENT))
    assert flagged(call, a) == []
    rules(call, min_comment_length=len(COMMENT) + 1)
    assert flagged(call, a) == ["comments"]


def test_unhelpful_comments_flag_below_the_minimum_rating(two_panels, ministry, ministry2):
    call, a = two_panels["call"], two_panels["a"]
    CommentRating.objects.create(scoresheet=two_panels["sheets"][("a", "p")].scoresheet, rater=ministry, value=2)
    CommentRating.objects.create(scoresheet=two_panels["sheets"][("a", "q")].scoresheet, rater=ministry2, value=3)
    rules(call, min_average_rating=Decimal("2.50"))
    assert flagged(call, a) == []
    rules(call, min_average_rating=Decimal("2.51"))
    assert flagged(call, a) == ["rating"]
    assert "rated 2.5 on average by 2 ratings" in record_of(call, a).flags[0].evidence


def test_the_default_rules_flag_the_late_expert_with_the_evidence(two_panels):
    flags = record_of(two_panels["call"], two_panels["a"]).flags
    assert [(f.rule, f.evidence) for f in flags] == [("late", f"1 late (allowed 0): Proposal Q ({NEXT_DAY:%Y-%m-%d %H:%M})")]


@pytest.mark.parametrize(("field", "value"), [("max_mean_abs_z", "0.05"), ("max_mean_abs_z", "9"),
                                              ("min_average_rating", "0.5"), ("min_average_rating", "5.5"),
                                              ("max_reopens", "51"), ("min_comment_length", "-1")])
def test_a_threshold_out_of_range_is_refused_at_its_field_and_what_was_typed_stays(
    client, ministry, call, field, value
):
    log_in(client, ministry)
    posted = {"max_late_submissions": "0", "max_reopens": "1", "max_mean_abs_z": "1.5", "min_comment_length": "30",
              "min_average_rating": "2.5", field: value}
    response = client.post(reverse("evaluations:quality_rules", args=[call.pk]), posted)
    form = response.context["rules_form"]
    assert (response.status_code, list(form.errors), form[field].value()) == (400, [field], value)
    assert not QualityRules.objects.filter(call=call).exists()


def test_the_service_refuses_a_threshold_out_of_range(call, ministry):
    with pytest.raises(ValidationError) as refused:
        quality_rules_save(actor=ministry, call=call, max_mean_abs_z=Decimal("7"))
    assert list(refused.value.message_dict) == ["max_mean_abs_z"]


def test_staff_set_the_thresholds_on_the_page(client, ministry, call):
    log_in(client, ministry)
    response = client.post(reverse("evaluations:quality_rules", args=[call.pk]), {
        "max_late_submissions": "2", "max_reopens": "3", "max_mean_abs_z": "1.2", "min_comment_length": "40",
        "min_average_rating": "3"})
    saved = QualityRules.objects.get(call=call)
    assert (response.status_code, saved.max_late_submissions, saved.max_mean_abs_z, saved.updated_by) == (
        302, 2, Decimal("1.20"), ministry)


# --- The page ---------------------------------------------------------------------------------


def test_the_page_lists_the_flagged_expert_first_with_the_evidence(client, ministry, two_panels):
    log_in(client, ministry)
    response = client.get(reverse("evaluations:quality", args=[two_panels["call"].pk]))
    rows = [r for r, _form in response.context["rows"]]
    assert ([r.expert.username for r in rows], response.context["flagged"]) == (["judge-a", "judge-b"], 1)
    assert f"Proposal Q ({NEXT_DAY:%Y-%m-%d %H:%M})" in response.content.decode()


def test_officials_and_experts_cannot_open_the_page(client, official, two_panels):
    log_in(client, official)
    assert client.get(reverse("evaluations:quality", args=[two_panels["call"].pk])).status_code == 403


@pytest.mark.parametrize("experts", [1, 6])
def test_the_page_makes_as_many_queries_for_six_experts_as_for_one(
    client, ministry, eligible_factory, experts, django_assert_max_num_queries
):
    p, q = eligible_factory(title_ko="과제 P"), eligible_factory(title_ko="과제 Q")
    for n in range(experts):
        judge = make_expert(f"judge-{n}")
        for target in (p, q):
            sheet = sheet_in_db(target, judge, [n % 10] * 5, submitted_at=NEXT_DAY, by=ministry).scoresheet
            ScoresheetEvent.objects.create(scoresheet=sheet, actor=ministry, action="reopened", reason="보완")
            CommentRating.objects.create(scoresheet=sheet, rater=ministry, value=1 + n % 5)
    log_in(client, ministry)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("evaluations:quality", args=[p.call.pk]))
    assert len(response.context["rows"]) == experts


# --- Exclusion from later panels -------------------------------------------------------------------


def test_an_exclusion_needs_a_reason(two_panels, ministry):
    with pytest.raises(ValidationError) as refused:
        expert_exclude(actor=ministry, expert=two_panels["a"], call=two_panels["call"], reason="  ")
    assert (refused.value.message_dict, ExpertExclusion.objects.count()) == (
        {"reason": ["Give the reason for the exclusion; it is recorded."]}, 0)


def test_the_page_refuses_an_exclusion_without_a_reason_at_its_field(client, ministry, two_panels):
    log_in(client, ministry)
    response = client.post(reverse("evaluations:quality_exclude", args=[two_panels["call"].pk]),
                           {"expert": two_panels["a"].pk, "reason": ""})
    forms = {r.expert.pk: f for r, f in response.context["rows"]}
    assert (response.status_code, forms[two_panels["a"].pk].errors) == (
        400, {"reason": ["Give the reason for the exclusion; it is recorded."]})
    assert not ExpertExclusion.objects.exists()


def test_an_exclusion_is_recorded_with_who_and_why(client, ministry, two_panels):
    from audit.models import AuditEvent

    log_in(client, ministry)
    client.post(reverse("evaluations:quality_exclude", args=[two_panels["call"].pk]),
                {"expert": two_panels["a"].pk, "reason": "심사 기한 미준수와 합의와의 큰 편차"})
    exclusion = ExpertExclusion.objects.get()
    event = AuditEvent.objects.get(action="expert_exclude")
    assert (exclusion.expert, exclusion.excluded_by, exclusion.reason, event.actor, event.summary) == (
        two_panels["a"], ministry, "심사 기한 미준수와 합의와의 큰 편차", ministry, "심사 기한 미준수와 합의와의 큰 편차")
    assert record_of(two_panels["call"], two_panels["a"]).exclusion == exclusion


def test_an_excluded_expert_cannot_be_assigned_by_hand(two_panels, ministry, eligible_factory):
    expert_exclude(actor=ministry, expert=two_panels["a"], call=two_panels["call"], reason="기한 미준수")
    later = eligible_factory(title_ko="다음 과제")
    with pytest.raises(ValidationError) as refused:
        assign(later, two_panels["a"], by=ministry)
    assert refused.value.messages == [f"{two_panels['a']} was excluded from later panels: 기한 미준수"]
    assert assign(later, two_panels["b"], by=ministry).expert == two_panels["b"]


def test_the_automatic_plan_leaves_an_excluded_expert_out(two_panels, ministry, eligible_factory, call):
    call.panel_size = 1
    call.save()
    expert_exclude(actor=ministry, expert=two_panels["a"], call=two_panels["call"], reason="기한 미준수")
    later = eligible_factory(title_ko="다음 과제")
    plan = panel_auto_plan(call=call)
    row = next(r for r in plan.rows if r.proposal.pk == later.pk)
    assert [e.pk for e, _m in row.experts] == [two_panels["b"].pk]
    assert all(e.pk != two_panels["a"].pk for r in plan.rows for e, _m in r.experts)


def test_the_panel_page_no_longer_offers_an_excluded_expert(client, two_panels, ministry, eligible_factory):
    expert_exclude(actor=ministry, expert=two_panels["a"], call=two_panels["call"], reason="기한 미준수")
    log_in(client, ministry)
    response = client.get(reverse("evaluations:panel", args=[eligible_factory(title_ko="다음 과제").pk]))
    assert [u.pk for u in response.context["candidates"]] == [two_panels["b"].pk]


# --- Ratings of the comments -----------------------------------------------------------------------


def announce(call):
    call.status = CallStatus.ANNOUNCED
    call.save()


def rate_url(proposal):
    return reverse("evaluations:feedback_rate", args=[proposal.pk])


def test_before_the_announcement_the_lead_region_cannot_rate(client, two_panels, official):
    sheet = two_panels["sheets"][("a", "p")].scoresheet
    log_in(client, official)
    assert client.post(rate_url(two_panels["p"]), {"scoresheet": sheet.pk, "value": "4"}).status_code == 403
    assert not CommentRating.objects.exists()


def test_after_the_announcement_the_lead_region_rates_and_can_change_its_rating(client, two_panels, official):
    announce(two_panels["call"])
    sheet = two_panels["sheets"][("a", "p")].scoresheet
    log_in(client, official)
    client.post(rate_url(two_panels["p"]), {"scoresheet": sheet.pk, "value": "4"})
    client.post(rate_url(two_panels["p"]), {"scoresheet": sheet.pk, "value": "2"})
    assert list(CommentRating.objects.values_list("scoresheet", "rater", "value")) == [(sheet.pk, official.pk, 2)]
    page = client.get(reverse("evaluations:feedback", args=[two_panels["p"].pk]))
    assert sorted(c["rating"] or 0 for c in page.context["comments"]) == [0, 2]


def test_a_partner_region_and_another_region_cannot_rate(client, two_panels, partner_official, outsider_official):
    announce(two_panels["call"])
    sheet = two_panels["sheets"][("a", "p")].scoresheet
    log_in(client, partner_official)
    partner = client.post(rate_url(two_panels["p"]), {"scoresheet": sheet.pk, "value": "4"}).status_code
    log_in(client, outsider_official)
    outsider = client.post(rate_url(two_panels["p"]), {"scoresheet": sheet.pk, "value": "4"}).status_code
    assert (partner, outsider, CommentRating.objects.count()) == (403, 404, 0)


def test_a_rating_outside_one_to_five_is_refused(two_panels, official):
    announce(two_panels["call"])
    for value in ("0", "6", "x", ""):
        with pytest.raises(ValidationError) as refused:
            comment_rate(actor=official, scoresheet=two_panels["sheets"][("a", "p")].scoresheet, value=value)
        assert refused.value.message_dict == {"value": ["Rate from 1 (not useful) to 5 (very useful)."]}
    assert not CommentRating.objects.exists()


def test_a_sheet_of_another_proposal_cannot_be_rated_through_this_one(client, two_panels, official):
    announce(two_panels["call"])
    log_in(client, official)
    other = two_panels["sheets"][("a", "q")].scoresheet
    # Q is Gwangju's too, but the URL is P's: the sheet is looked up among P's only.
    assert client.post(rate_url(two_panels["p"]), {"scoresheet": other.pk, "value": "4"}).status_code == 404


def test_staff_rate_at_any_time(two_panels, ministry):
    rating = comment_rate(actor=ministry, scoresheet=two_panels["sheets"][("b", "q")].scoresheet, value="5")
    assert (rating.rater, rating.value) == (ministry, 5)


def test_the_feedback_page_shows_the_comments_anonymised_without_scores(client, two_panels, official):
    two_panels["call"].reveal_panel_names = False
    announce(two_panels["call"])
    log_in(client, official)
    response = client.get(reverse("evaluations:feedback", args=[two_panels["p"].pk]))
    body = response.content.decode()
    assert [c["number"] for c in response.context["comments"]] == [1, 2]
    assert (COMMENT in body, "Evaluator 1" in body, "심사위원 A" in body, "10.00 / 10" in body) == (
        True, True, False, False)
