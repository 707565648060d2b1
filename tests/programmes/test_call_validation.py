"""A call's rules are checked where ministry staff type them (the form) and in the services."""

from html import unescape
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import escape

from programmes import services
from programmes.models import Call, CallStatus, Region, RubricCriterion
from tests.factories import CallFactory, ProgrammeFactory
from tests.login import log_in

pytestmark = pytest.mark.django_db

NEW_CALL = reverse("programmes:call_create")
RUBRIC = [
    ("기획의 적정성", "Soundness of the plan", 40),
    ("지역 혁신역량", "Regional innovation capacity", 35),
    ("파급효과", "Impact", 25),
]


def call_form_data(*, criteria=RUBRIC, **overrides) -> dict:
    """What the browser posts for a valid new call with `criteria` (name_ko, name_en, weight)."""
    regions = Region.objects.filter(code__in=["gwangju", "jeonnam"])
    data = {
        "programme": ProgrammeFactory().pk,
        "title": "2028년 지역혁신 메가프로젝트 신규과제 공모",
        "year": "2028",
        "description": "시범사업 3년, 과제당 국비 55억원",
        "allows_super_regional": "on",
        "allows_leap": "on",
        "eligible_regions": [str(r.pk) for r in regions],
        "strategic_industries": [],
        "envelope_won": "22000000000",
        "cap_won": "5500000000",
        "pilot_years": "3",
        "max_total_years": "10",
        "min_local_matching_pct": "20",
        "matching_basis": "national",
        "consulting_start": "2027-10-04",
        "consulting_end": "2027-12-31",
        "submission_deadline": "2028-01-28T18:00",
        "review_start": "2028-02-07",
        "review_end": "2028-03-03",
        "announcement_date": "2028-03-24",
        "criteria-TOTAL_FORMS": str(len(criteria)),
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for i, (name_ko, name_en, weight) in enumerate(criteria):
        data.update({
            f"criteria-{i}-name_ko": name_ko,
            f"criteria-{i}-name_en": name_en,
            f"criteria-{i}-description": "",
            f"criteria-{i}-weight": str(weight),
        })
    data.update(overrides)
    return data


class _FormValues(HTMLParser):
    """The value each text/number/date input and textarea of a page shows."""

    def __init__(self):
        super().__init__()
        self.values, self._textarea = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") not in ("checkbox", "radio", "submit", "hidden") and "name" in attrs:
            self.values[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            self.values[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def form_values(response) -> dict:
    parser = _FormValues()
    parser.feed(response.content.decode())
    return {name: unescape(value).strip() for name, value in parser.values.items()}


@pytest.fixture
def staff_client(client, ministry):
    """The ministry user, logged in, with English chosen in the language switcher."""
    log_in(client, ministry)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- The form ---------------------------------------------------------------------


def test_it_refuses_weights_that_do_not_sum_to_100_and_keeps_what_was_typed(staff_client):
    criteria = [("혁신성", "Innovation", 60), ("실현가능성", "Feasibility", 30)]
    response = staff_client.post(NEW_CALL, call_form_data(criteria=criteria, title="오타 없는 제목"))
    assert response.status_code == 200
    message = "The criteria weights must sum to 100 (now 90)."
    assert response.context["formset"].non_form_errors() == [message]
    assert escape(message) in response.content.decode()
    values = form_values(response)
    assert (values["title"], values["envelope_won"]) == ("오타 없는 제목", "22000000000")
    assert [(values[f"criteria-{i}-name_ko"], values[f"criteria-{i}-weight"]) for i in range(2)] == [
        ("혁신성", "60"), ("실현가능성", "30"),
    ]
    assert Call.objects.count() == 0


def test_it_refuses_a_call_without_any_criterion(staff_client):
    response = staff_client.post(NEW_CALL, call_form_data(criteria=[]))
    assert response.context["formset"].non_form_errors() == ["Add at least one evaluation criterion."]
    assert Call.objects.count() == 0


def test_it_refuses_cap_above_envelope_on_the_cap_field(staff_client):
    response = staff_client.post(NEW_CALL, call_form_data(envelope_won="5000000000", cap_won="5500000000"))
    assert response.status_code == 200
    message = "The per-project cap cannot exceed the call's envelope."
    assert response.context["form"].errors == {"cap_won": [message]}
    assert escape(message) in response.content.decode()
    assert form_values(response)["cap_won"] == "5500000000"
    assert Call.objects.count() == 0


@pytest.mark.parametrize(
    ("matching", "message"),
    [
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("100.5", "Ensure this value is less than or equal to 100."),
    ],
)
def test_it_refuses_local_matching_outside_0_to_100(staff_client, matching, message):
    response = staff_client.post(NEW_CALL, call_form_data(min_local_matching_pct=matching))
    assert response.context["form"].errors == {"min_local_matching_pct": [message]}
    assert Call.objects.count() == 0


@pytest.mark.parametrize("matching", ["0", "100"])
def test_it_accepts_local_matching_at_the_bounds(staff_client, matching):
    response = staff_client.post(NEW_CALL, call_form_data(min_local_matching_pct=matching))
    assert response.status_code == 302
    assert Call.objects.get().min_local_matching_pct == int(matching)


def test_it_refuses_a_pilot_longer_than_the_total_duration(staff_client):
    response = staff_client.post(NEW_CALL, call_form_data(pilot_years="5", max_total_years="4"))
    assert response.context["form"].errors == {
        "pilot_years": ["The pilot cannot be longer than the maximum total years."]
    }


def test_it_refuses_a_call_that_allows_no_cooperation_type(staff_client):
    data = call_form_data()
    del data["allows_super_regional"], data["allows_leap"]
    response = staff_client.post(NEW_CALL, data)
    assert response.context["form"].errors == {"allows_leap": ["Allow at least one cooperation type."]}


def test_it_refuses_a_call_with_no_eligible_region(staff_client):
    response = staff_client.post(NEW_CALL, call_form_data(eligible_regions=[]))
    assert list(response.context["form"].errors) == ["eligible_regions"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"consulting_start": "2027-10-04", "consulting_end": "2027-10-01"},
            "consulting_end", "This date must be on or after “consulting window opens”.",
        ),
        (
            {"submission_deadline": "2027-12-30T18:00"},
            "submission_deadline", "This date must be on or after “consulting window closes”.",
        ),
        (
            {"review_start": "2028-01-27"},
            "review_start", "This date must be on or after “submission deadline”.",
        ),
        (
            {"review_end": "2028-02-06"},
            "review_end", "This date must be on or after “review window opens”.",
        ),
        (
            {"announcement_date": "2028-03-02"},
            "announcement_date", "This date must be on or after “review window closes”.",
        ),
    ],
    ids=["consulting-end-before-start", "deadline-before-consulting-end", "review-before-deadline",
         "review-end-before-start", "announcement-before-review-end"],
)
def test_it_refuses_a_timeline_that_runs_backwards_on_the_late_field(staff_client, overrides, field, message):
    response = staff_client.post(NEW_CALL, call_form_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert escape(message) in response.content.decode()
    assert Call.objects.count() == 0


def test_it_accepts_a_timeline_where_consecutive_dates_fall_on_the_same_day(staff_client):
    data = call_form_data(consulting_end="2027-10-04", submission_deadline="2027-10-04T09:00",
                          review_start="2027-10-04", review_end="2027-10-04", announcement_date="2027-10-04")
    assert staff_client.post(NEW_CALL, data).status_code == 302


def test_a_deadline_just_after_midnight_counts_as_that_day_in_seoul(staff_client):
    """00:30 in Seoul is the previous day in UTC; the timeline compares Seoul dates."""
    data = call_form_data(consulting_end="2027-12-31", submission_deadline="2027-12-31T00:30")
    assert staff_client.post(NEW_CALL, data).status_code == 302


def test_a_valid_post_creates_the_call_with_its_rubric_author_and_history(staff_client, ministry):
    response = staff_client.post(NEW_CALL, call_form_data())
    call = Call.objects.get()
    assert (response.status_code, response["Location"]) == (302, reverse("programmes:call_detail", args=[call.pk]))
    assert (call.title, call.status, call.cap_won, call.envelope_won) == (
        "2028년 지역혁신 메가프로젝트 신규과제 공모", CallStatus.DRAFT, 5_500_000_000, 22_000_000_000,
    )
    assert (call.created_by, call.updated_by) == (ministry, ministry)
    assert sorted(call.eligible_regions.values_list("code", flat=True)) == ["gwangju", "jeonnam"]
    assert list(call.criteria.values_list("order", "name_ko", "weight")) == [
        (1, "기획의 적정성", 40), (2, "지역 혁신역량", 35), (3, "파급효과", 25),
    ]
    assert list(call.history.values_list("history_type", "history_user")) == [("+", ministry.pk)]


def test_the_new_call_form_starts_from_the_latest_call(staff_client, call):
    response = staff_client.get(NEW_CALL)
    values = form_values(response)
    assert values["year"] == str(call.year + 1)
    assert values["cap_won"] == str(call.cap_won)
    assert [values[f"criteria-{i}-weight"] for i in range(5)] == ["25", "25", "20", "15", "15"]


def test_saving_the_prefilled_rubric_unchanged_keeps_its_criteria(staff_client, call):
    template_rubric = [(c.name_ko, c.name_en, c.weight) for c in call.criteria.all()]
    response = staff_client.post(NEW_CALL, call_form_data(criteria=template_rubric))
    assert response.status_code == 302
    new_call = Call.objects.exclude(pk=call.pk).get()
    assert list(new_call.criteria.values_list("weight", flat=True)) == [25, 25, 20, 15, 15]


def test_each_prefilled_criterion_of_a_new_call_has_a_delete_box(staff_client, call):
    html = staff_client.get(NEW_CALL).content.decode()
    assert [f'name="criteria-{i}-DELETE"' in html for i in range(6)] == [True] * 5 + [False]


def test_a_prefilled_criterion_ticked_for_deletion_is_left_out(staff_client, call):
    rows = [(c.name_ko, c.name_en, w) for c, w in zip(call.criteria.all(), [30, 30, 20, 20, 15], strict=True)]
    response = staff_client.post(NEW_CALL, call_form_data(criteria=rows, **{"criteria-4-DELETE": "on"}))
    assert response.status_code == 302
    new_call = Call.objects.exclude(pk=call.pk).get()
    assert list(new_call.criteria.values_list("weight", flat=True)) == [30, 30, 20, 20]


def test_a_prefilled_criterion_emptied_by_hand_is_flagged_not_silently_dropped(staff_client, call):
    rows = [(c.name_ko, c.name_en, w) for c, w in zip(call.criteria.all(), [30, 30, 20, 20, 15], strict=True)]
    rows[4] = ("", "", "")
    response = staff_client.post(NEW_CALL, call_form_data(criteria=rows))
    assert response.status_code == 200
    assert [sorted(errors) for errors in response.context["formset"].errors] == [[], [], [], [], ["name_ko", "weight"]]
    assert Call.objects.count() == 1


def test_editing_a_call_updates_its_rubric_and_records_who_changed_it(client, call, ministry2):
    log_in(client, ministry2)
    criteria = list(call.criteria.all())
    data = call_form_data(
        title="수정된 공모", year=str(call.year),
        criteria=[(c.name_ko, c.name_en, w) for c, w in zip(criteria, [30, 30, 20, 20, 0], strict=True)],
        **{"criteria-INITIAL_FORMS": "5"},
    )
    for i, criterion in enumerate(criteria):
        data[f"criteria-{i}-id"] = str(criterion.pk)
        data[f"criteria-{i}-call"] = str(call.pk)
    data["criteria-4-DELETE"] = "on"
    data["criteria-4-weight"] = "15"
    response = client.post(reverse("programmes:call_edit", args=[call.pk]), data)
    assert response.status_code == 302
    call.refresh_from_db()
    assert (call.title, call.updated_by, call.created_by.username) == ("수정된 공모", ministry2, "ministry")
    kept = [(c.pk, w) for c, w in zip(criteria[:4], [30, 30, 20, 20], strict=True)]
    assert list(call.criteria.values_list("pk", "weight")) == kept
    assert RubricCriterion.objects.filter(pk=criteria[4].pk).exists() is False
    assert call.history.latest().history_user == ministry2


# --- The services -------------------------------------------------------------------


def test_call_save_by_an_official_is_refused(official):
    call = CallFactory.build(programme=ProgrammeFactory())
    with pytest.raises(PermissionDenied):
        services.call_save(actor=official, call=call, eligible_regions=[], strategic_industries=[],
                           criteria=[{"name_ko": "항목", "weight": 100}])
    assert Call.objects.count() == 0


def test_call_save_refuses_a_rubric_that_does_not_sum_to_100(ministry):
    call = CallFactory.build(programme=ProgrammeFactory())
    with pytest.raises(ValidationError) as caught:
        services.call_save(actor=ministry, call=call, eligible_regions=Region.objects.all(), strategic_industries=[],
                           criteria=[{"name_ko": "항목", "weight": 99}])
    assert caught.value.code == "rubric_total"
    assert Call.objects.count() == 0


def test_call_change_status_refuses_draft_to_announced(ministry):
    call = CallFactory(status=CallStatus.DRAFT)
    with pytest.raises(ValidationError):
        services.call_change_status(actor=ministry, call=call, status=CallStatus.ANNOUNCED)
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT


@pytest.mark.parametrize(
    ("current", "target"),
    [("draft", "closed"), ("open", "review"), ("closed", "announced"), ("review", "open"), ("announced", "draft")],
)
def test_call_change_status_refuses_every_move_outside_the_transition_table(ministry, current, target):
    call = CallFactory(status=current)
    with pytest.raises(ValidationError):
        services.call_change_status(actor=ministry, call=call, status=target)


def test_call_change_status_opens_a_draft_whose_rubric_sums_to_100(ministry):
    call = CallFactory(status=CallStatus.DRAFT)
    opened = services.call_change_status(actor=ministry, call=call, status=CallStatus.OPEN)
    assert (opened.status, opened.updated_by) == (CallStatus.OPEN, ministry)
    assert call.history.latest().history_user == ministry


def test_call_change_status_keeps_a_draft_closed_when_its_rubric_sums_to_90(ministry):
    call = CallFactory(status=CallStatus.DRAFT, criteria=[50, 40])
    with pytest.raises(ValidationError) as caught:
        services.call_change_status(actor=ministry, call=call, status=CallStatus.OPEN)
    assert caught.value.code == "rubric_total"
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT


def test_call_change_status_keeps_a_draft_closed_without_eligible_regions(ministry):
    call = CallFactory(status=CallStatus.DRAFT, eligible_regions=[])
    with pytest.raises(ValidationError):
        services.call_change_status(actor=ministry, call=call, status=CallStatus.OPEN)


def test_call_change_status_by_an_official_is_refused(official):
    call = CallFactory(status=CallStatus.OPEN)
    with pytest.raises(PermissionDenied):
        services.call_change_status(actor=official, call=call, status=CallStatus.CLOSED)


def test_validate_rubric_weights_accepts_exactly_100():
    assert services.validate_rubric_weights([25, 25, 20, 15, 15]) is None


@pytest.mark.parametrize(("weights", "code"), [([], "rubric_empty"), ([50, 49], "rubric_total"), ([60, 41], "rubric_total")])
def test_validate_rubric_weights_refuses_anything_else(weights, code):
    with pytest.raises(ValidationError) as caught:
        services.validate_rubric_weights(weights)
    assert caught.value.code == code
