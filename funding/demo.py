"""Demo: the five real 2023 projects selected and funded (55억원 national over
2023–2025, local funds as planned, ≥ 20%), with their award letters; the other
2023 proposals not selected. Through the same services staff use (four eyes:
`ministry` prepares, `ministry2` approves). Two cut-line scenarios of the 2023 call,
built from its ranking whatever its proposals (`seed_scenarios`). Idempotent."""

from accounts.models import User
from evaluations.models import ShortlistEntry
from programmes.models import Call
from proposals.demo import PROJECTS_2023
from proposals.models import Proposal, ProposalState

from . import selectors, services
from .models import DecisionState, Scenario, ScenarioChoice


def seed() -> int:
    call = Call.objects.get(programme__code="mega", year=2023)
    ministry = User.objects.get(username="ministry")
    ministry2 = User.objects.get(username="ministry2")
    selected = {p["title_ko"] for p in PROJECTS_2023}
    funded = 0
    for proposal in Proposal.objects.filter(call=call).order_by("pk"):
        if proposal.state == ProposalState.ELIGIBLE:
            if proposal.title_ko in selected:
                services.selection_decide(actor=ministry, proposal=proposal, action="select",
                                          reason="권역별 심층평가 결과 유형별 상위 과제")
            else:  # two rounds (evaluations.demo.seed_rounds): presented and ranked lower, or not shortlisted
                presented = ShortlistEntry.objects.filter(proposal=proposal).exists()
                services.selection_decide(actor=ministry, proposal=proposal, action="not_select",
                                          reason="권역별 발표평가 결과 최종 점수 선정 기준 미달" if presented
                                          else "권역별 서면평가 결과 발표평가 대상 미포함")
            proposal.refresh_from_db()
        if proposal.state != ProposalState.SELECTED:
            continue
        decision = proposal.funding_decisions.filter(state=DecisionState.PREPARED).first()
        if decision is None:
            lines = list(proposal.budget_lines.filter(year__in=proposal.pilot_years()))
            years = {y: sum(b.national_won for b in lines if b.year == y) for y in proposal.pilot_years()}
            obligations = {(b.region_id, b.year): b.local_won for b in lines}
            decision = services.funding_prepare(
                actor=ministry, proposal=proposal, years=years, obligations=obligations,
                conditions="연차평가 결과에 따라 차년도 지원 규모를 조정할 수 있음.\n지방비는 국비와 별도로 매년 확보·집행하여야 함.",
            )
        decision = services.funding_approve(actor=ministry2, decision=decision)
        # The demo's letters carry the call's announcement date, as the real ones did.
        decision.letters.update(issued_on=call.announcement_date)
        funded += 1
    # A letter whose build never ran (e.g. the broker was down during an earlier seed) is asked for again.
    from .models import AwardLetter, LetterStatus

    for letter in AwardLetter.objects.filter(decision__proposal__call=call).exclude(status=LetterStatus.DONE):
        services.letter_request(actor=ministry2, decision=letter.decision, language=letter.language)
    seed_scenarios(call, ministry)
    return funded


TOP = "예산 내 상위 5개"
ALTERNATIVE = "대안: 상위 6개, 국비 10% 감액"


def seed_scenarios(call: Call, ministry: User) -> None:
    """The call's two scenarios, from its ranking (funding.selectors.call_ranking): the best five
    within the envelope, and an alternative that takes the sixth too with every request cut by
    10 %. Written once: a scenario already there is left as staff may have changed it."""
    ranking = selectors.call_ranking(call)
    if not ranking:
        return
    if not Scenario.objects.filter(call=call, name=TOP).exists():
        services.scenario_create(actor=ministry, call=call, name=TOP, top=min(5, len(ranking)), ranking=ranking,
                                 notes="순위표 상위 과제부터 총 예산 한도 안에서 선정한 기준안.")
    if not Scenario.objects.filter(call=call, name=ALTERNATIVE).exists():
        scenario = services.scenario_create(actor=ministry, call=call, name=ALTERNATIVE, top=0, ranking=ranking)
        lines = {r["proposal_id"]: (ScenarioChoice.SELECT, r["requested"] * 9 // 10) for r in ranking[:6]}
        lines.update({r["proposal_id"]: (ScenarioChoice.RESERVE, None) for r in ranking[6:8]})
        services.scenario_save(actor=ministry, scenario=scenario, name=ALTERNATIVE, ranking=ranking, lines=lines,
                               notes="한 과제를 더 지원하고 모든 과제의 국비를 10% 줄이는 안. 예비 2개.")
