"""Demo: the five real 2023 projects selected and funded (55억원 national over
2023–2025, local funds as planned, ≥ 20%), with their award letters; the other
2023 proposals not selected. Through the same services staff use (four eyes:
`ministry` prepares, `ministry2` approves). Idempotent."""

from accounts.models import User
from evaluations.models import ShortlistEntry
from programmes.models import Call
from proposals.demo import PROJECTS_2023
from proposals.models import Proposal, ProposalState

from . import services
from .models import DecisionState


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
    return funded
