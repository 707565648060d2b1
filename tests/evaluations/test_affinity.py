"""The affinity of experts to proposals: text similarity (character n-gram TF-IDF), the
industry bonus and the applicant's suggested fields, with its reasons in words; computed for
a whole call, cached under its inputs, and warmed by a task."""

import numpy as np
import pytest
from django.core.cache import caches
from django.utils import translation

from evaluations.models import SuggestedField
from evaluations.services import affinity as affinity_module
from evaluations.services.affinity import (
    INDUSTRY_BONUS,
    SUGGESTED_BONUS,
    ExpertText,
    ProposalText,
    affinity_from_texts,
    call_affinity,
)
from evaluations.tasks import call_affinity_warm
from tests.evaluations.conftest import make_expert
from tests.factories import industry

pytestmark = pytest.mark.django_db

BATTERY = ProposalText(title="폐배터리 이차전지 재활용 실증", summary="사용 후 이차전지를 재활용하는 공정을 실증한다.")
BIO = ProposalText(title="바이오 의약품 임상 플랫폼", summary="바이오 의약품 후보물질의 임상 시험을 지원한다.")


@pytest.fixture(autouse=True)
def empty_cache():
    caches["default"].clear()
    yield
    caches["default"].clear()


def test_korean_keywords_bring_the_expert_closer_to_the_matching_proposal():
    recycling = ExpertText(keywords=("이차전지", "재활용"))
    a = affinity_from_texts([1], [recycling], [10, 11], [BATTERY, BIO])
    assert a.matrix.shape == (1, 2)
    assert a.score(1, 10) > 0.2 > a.score(1, 11) >= 0
    assert a.reasons(1, 10) == ["keywords: 이차전지, 재활용"]


def test_the_industry_match_and_a_suggested_field_add_their_bonus_to_the_text_similarity():
    battery_field = (7, "이차전지", "Secondary batteries")
    expert = ExpertText(keywords=("소재",), industries=(battery_field,))
    plain = ProposalText(title="연구 과제")
    with_industry = ProposalText(title="연구 과제", industry=battery_field)
    suggested = ProposalText(title="연구 과제", suggested_industries=(battery_field,))
    a = affinity_from_texts([1], [expert], [1, 2, 3], [plain, with_industry, suggested])
    text_only = a.score(1, 1)
    assert a.score(1, 2) == pytest.approx(a.similarity[0, 1] + INDUSTRY_BONUS, abs=1e-6)
    assert a.score(1, 3) == pytest.approx(text_only + SUGGESTED_BONUS, abs=1e-6)
    with translation.override("en"):
        assert a.reasons(1, 2)[0] == "industry: Secondary batteries"
        assert a.reasons(1, 3) == ["suggested by the applicant: Secondary batteries"]
    with translation.override("ko"):
        assert a.reasons(1, 3)[0].endswith("이차전지")


def test_a_free_text_suggestion_matches_an_experts_keyword():
    expert = ExpertText(keywords=("전고체 전지",))
    a = affinity_from_texts([1], [expert], [1], [ProposalText(title="과제", suggested_texts=("전고체전지",))])
    with translation.override("en"):
        assert a.reasons(1, 1) == ["suggested by the applicant: 전고체전지"]
    assert a.score(1, 1) >= SUGGESTED_BONUS


def test_no_text_gives_a_zero_matrix_not_an_error():
    a = affinity_from_texts([1, 2], [ExpertText(), ExpertText()], [3], [ProposalText()])
    assert a.matrix.tolist() == [[0.0], [0.0]]
    assert (a.reasons(1, 3), a.score(9, 3)) == ([], 0.0)


def test_call_affinity_covers_the_pool_and_the_eligible_proposals_in_id_order(call, eligible_factory):
    proposals = [eligible_factory(summary="뉴로모픽 반도체 기반 인공지능") for _n in range(2)]
    ai = make_expert("ai", industries=["artificial-intelligence"], keywords="뉴로모픽, 반도체")
    battery = make_expert("battery")
    make_expert("away", available=False)  # not in the pool today
    a = call_affinity(call)
    assert (a.expert_ids, a.proposal_ids) == ([ai.pk, battery.pk], [p.pk for p in proposals])
    assert isinstance(a.matrix, np.ndarray) and a.matrix.shape == (2, 2) and (a.matrix >= 0).all()
    assert a.score(ai.pk, proposals[0].pk) > a.score(battery.pk, proposals[0].pk) + INDUSTRY_BONUS
    with translation.override("en"):
        assert a.reasons(ai.pk, proposals[0].pk) == ["keywords: 뉴로모픽, 반도체", "industry: Artificial intelligence"]
    subset = call_affinity(call, experts=[battery], proposals=[proposals[1].pk])
    assert (subset.expert_ids, subset.proposal_ids) == ([battery.pk], [proposals[1].pk])
    assert subset.matrix.shape == (1, 1)  # (the IDF weights are fitted on the texts asked for)


def test_the_applicants_suggested_field_raises_the_affinity(call, eligible_factory, ministry):
    proposal = eligible_factory()
    battery = make_expert("battery")
    before = call_affinity(call).score(battery.pk, proposal.pk)
    SuggestedField.objects.create(proposal=proposal, industry=industry("secondary-batteries"), added_by=ministry)
    assert call_affinity(call).score(battery.pk, proposal.pk) == pytest.approx(before + SUGGESTED_BONUS, abs=1e-6)


def test_the_same_inputs_come_from_the_cache_and_a_changed_profile_is_computed_again(
        call, eligible_factory, monkeypatch):
    proposal = eligible_factory()
    expert = make_expert("battery")
    first = call_affinity(call)

    def no_computing(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(affinity_module, "affinity_from_texts", no_computing)
    assert call_affinity(call).matrix.tolist() == first.matrix.tolist()
    expert.expert_profile.keywords = "뉴로모픽"
    expert.expert_profile.save()
    with pytest.raises(AssertionError, match="computed again"):
        call_affinity(call)
    assert proposal.pk in first.proposal_ids


def test_the_task_computes_the_whole_call_and_leaves_it_cached(call, eligible_factory, monkeypatch):
    eligible_factory()
    eligible_factory()
    for n in range(3):
        make_expert(f"e{n}")
    assert call_affinity_warm.apply(kwargs={"call_id": call.pk}).get() == 6  # the task body, here (any broker)
    monkeypatch.setattr(affinity_module, "affinity_from_texts", lambda *a, **k: 1 / 0)
    assert call_affinity(call).matrix.shape == (3, 2)  # from the cache the task filled
