"""Demo experts: eight hand-written profiles and a generated pool (EXPERT_POOL) large enough for
the 2023 call's zone panels, each with fields and keywords so the affinity means something."""

import datetime

from accounts.demo import _user
from accounts.models import Role
from programmes.models import Region, StrategicIndustry

EXPERTS = [
    ("expert1", "김민준 교수", "한국과학기술원", "daejeon", ["artificial-intelligence", "semiconductors"], "뉴로모픽, 지능형 센서"),
    ("expert2", "이서연 박사", "한국전자통신연구원", "daejeon", ["artificial-intelligence", "robotics"], "영상 인식, 엣지 AI"),
    ("expert3", "박지훈 교수", "서울대학교", "seoul", ["secondary-batteries", "hydrogen-energy"], "폐배터리 재사용, 소재 재활용"),
    ("expert4", "최수아 박사", "한국항공우주연구원", "daejeon", ["aerospace", "advanced-mobility"], "분산전기추진, UAM"),
    ("expert5", "정도윤 교수", "부경대학교", "busan", ["marine-bio", "advanced-bio"], "해양 소재, 바이오 플랫폼"),
    ("expert6", "강하은 박사", "한국생명공학연구원", "daejeon", ["advanced-bio", "agri-food-tech"], "동물용 의약품, 기능성 사료"),
    ("expert7", "윤재원 교수", "경북대학교", "daegu", ["secondary-batteries", "smart-manufacturing"], "전극 공정, 배터리 진단"),
    ("expert8", "임지우 박사", "한국에너지기술연구원", "daejeon", ["hydrogen-energy", "advanced-mobility"], "연료전지 하이브리드"),
]

# Where each demo expert works (the panel's mix: universities are academia, institutes research).
SECTORS = {"expert1": "academia", "expert2": "research", "expert3": "academia", "expert4": "research",
           "expert5": "academia", "expert6": "research", "expert7": "academia", "expert8": "research"}


# The generated pool (expert9 … expert42): where they work (affiliation, home region, sector), drawn
# in turn from the institutions registry so the panel mix and the one-per-institution rule bite.
POOL_INSTITUTIONS = [
    ("서울대학교", "seoul", "academia"), ("한국전자통신연구원", "daejeon", "research"),
    ("포항공과대학교", "gyeongbuk", "academia"), ("한국생명공학연구원", "daejeon", "research"),
    ("에코프로비엠", "chungbuk", "industry"), ("광주과학기술원", "gwangju", "academia"),
    ("한국해양과학기술원", "busan", "research"), ("울산과학기술원", "ulsan", "academia"),
    ("한국항공우주산업", "gyeongnam", "industry"), ("전남대학교", "gwangju", "academia"),
    ("한국에너지기술연구원", "daejeon", "research"), ("충남대학교", "daejeon", "academia"),
    ("한국광기술원", "gwangju", "research"), ("계명대학교", "daegu", "academia"),
    ("현대모비스", "seoul", "industry"), ("안전성평가연구소", "daejeon", "research"),
    ("창원대학교", "gyeongnam", "academia"),
]
# Keywords per strategic industry: an expert's keywords are two of their first field's and one of the second's.
FIELD_KEYWORDS = {
    "secondary-batteries": ["양극재", "전고체 전지", "폐배터리 재활용", "리튬 소재"],
    "advanced-mobility": ["자율주행", "수소 파워트레인", "도심항공교통", "분산전기추진"],
    "artificial-intelligence": ["딥러닝", "초거대 언어모델", "영상 인식", "뉴로모픽"],
    "marine-bio": ["해양 미생물", "미세조류", "해양 소재", "해양바이오 플랫폼"],
    "advanced-bio": ["백신", "세포치료제", "동물용 의약품", "바이오 공정"],
    "hydrogen-energy": ["수전해", "그린수소", "연료전지", "부생수소"],
    "smart-manufacturing": ["디지털 트윈", "스마트공장", "제조 AI", "정밀가공"],
    "digital-health": ["의료 빅데이터", "디지털 치료제", "원격의료", "의료기기"],
    "semiconductors": ["전력반도체", "차세대 소자", "반도체 공정", "패키징"],
    "robotics": ["협동로봇", "의료 로봇", "물류 자동화", "로봇 제어"],
    "aerospace": ["초소형 위성", "항공기 구조", "추진기관", "선박 추진"],
    "agri-food-tech": ["스마트팜", "기능성 사료", "작물 육종", "식품 소재"],
}
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN_NAMES = ["서준", "하윤", "도현", "지민", "예준", "수빈", "시우", "지유", "주원", "채원", "건우", "민서",
               "현우", "서윤", "우진", "다은", "선우"]
TITLES = {"academia": "교수", "research": "박사", "industry": "수석연구원"}
POOL_SIZE = 34


def expert_pool() -> list[tuple]:
    """The generated experts, as EXPERTS rows plus their sector (deterministic)."""
    fields = list(FIELD_KEYWORDS)
    rows = []
    for i in range(POOL_SIZE):
        affiliation, region, sector = POOL_INSTITUTIONS[i % len(POOL_INSTITUTIONS)]
        first, second = fields[i % len(fields)], fields[(i * 5 + 3) % len(fields)]
        if second == first:
            second = fields[(i + 1) % len(fields)]
        name = f"{SURNAMES[i % len(SURNAMES)]}{GIVEN_NAMES[(i * 7) % len(GIVEN_NAMES)]} {TITLES[sector]}"
        keywords = ", ".join([*FIELD_KEYWORDS[first][i % 2::2], FIELD_KEYWORDS[second][i % 4]])
        rows.append((f"expert{9 + i}", name, affiliation, region, [first, second], keywords, sector))
    return rows


def seed() -> dict:
    from programmes.institutions import institution_match, registry

    from .models import ExpertProfile

    reg = registry()
    users = {}
    regions = {r.code: r for r in Region.objects.all()}
    industries = {i.code: i for i in StrategicIndustry.objects.all()}
    pool = expert_pool()
    sectors = {**SECTORS, **{row[0]: row[6] for row in pool}}
    for username, name, affiliation, region, fields, keywords in [*EXPERTS, *(row[:6] for row in pool)]:
        user = _user(
            username, role=Role.EXPERT, display_name=name, email=f"{username}@megaproject.local",
            region=None, is_staff=False, is_superuser=False,
        )
        profile, _ = ExpertProfile.objects.update_or_create(
            user=user,
            defaults={
                "affiliation": affiliation, "institution": institution_match(affiliation, reg=reg),
                "home_region": regions[region], "keywords": keywords,
                "contact_email": user.email, "available": True, "sector": sectors.get(username, ""),
            },
        )
        profile.industries.set([industries[c] for c in fields])
        users[username] = user
    return users


# --- Consulting, panels and scores on the 2023 call -----------------------------------

# The consulting group (컨설팅단) of the 2023 call: two Daejeon experts and a Seoul one, who together
# coached every proposal (each one all proposals outside their home region). Coached or from its
# region, each is barred from every 2023 proposal, so the zone plan never seats them: the group
# and the panels are disjoint by the plan's own hard constraints.
CONSULTING_GROUP = ["expert1", "expert2", "expert9"]

CONSULTING_COMMENTS = [
    ("overview", "지역 문제 정의가 포괄적입니다. 지역 산업 생태계의 구체적 병목을 수치로 제시하십시오."),
    ("roadmap", "2단계 실증 목표와 1단계 원천기술 성과 사이의 연결 고리를 명확히 하십시오."),
    ("budget", "지방비 대응 비율은 충족하나 연차별 집행 계획의 근거를 보완하십시오."),
    ("links", "타 부처 연계사업과의 성과 공유 방식을 구체적으로 기술하십시오."),
]


def _score_profile(base: float, expert_index: int, criterion_index: int) -> str:
    """Deterministic demo scores (0–10) around the proposal's base."""
    wobble = ((expert_index * 7 + criterion_index * 3) % 9 - 4) / 10  # −0.4 … +0.4
    return f"{min(10.0, base + wobble):.1f}"


def _base(title: str, selected: bool, round: int = 1) -> float:
    """Where a proposal's scores centre: the five selected projects high in both rounds (8.6, then
    8.8 at the presentation); the illustrative ones spread over 6.2–7.6 by their place in the
    spec list, a little lower at the presentation."""
    from proposals.demo import OTHER_2023

    if selected:
        return 8.6 if round == 1 else 8.8
    index = next((i for i, spec in enumerate(OTHER_2023) if spec["title_ko"] == title), 0)
    return 6.2 + ((index * 7) % 15) / 10 - (0.2 if round == 2 else 0)


def seed_panels() -> int:
    """Idempotent: skips a proposal that already has an evaluation panel."""
    from django.utils import timezone

    from accounts.models import User
    from programmes.models import Call
    from proposals.demo import PROJECTS_2023
    from proposals.models import Proposal, ProposalState, VersionKind

    from .models import (
        Assignment,
        AssignmentKind,
        CommentAnswer,
        ConfidentialityPledge,
        ConsultingComment,
        ConsultingRound,
        PanelResult,
    )
    from .services import assignment_declare, panel_auto_confirm, panel_auto_plan, scoresheet_save
    from .services.zones import zone_plan, zone_plan_confirm

    call = Call.objects.get(programme__code="mega", year=2023)
    ministry = User.objects.get(username="ministry")
    selected_titles = {p["title_ko"] for p in PROJECTS_2023}
    proposals = list(Proposal.objects.filter(call=call, state=ProposalState.ELIGIBLE).order_by("pk"))

    # Consulting history (the rounds happened before submission; written as records). The consulting
    # group is CONSULTING_GROUP; the coaching bar (services.conflicts) keeps it off every panel below.
    experts = list(User.objects.filter(username__in=CONSULTING_GROUP).order_by("username"))
    for proposal in proposals:
        version = proposal.versions.filter(kind=VersionKind.CONSULTING).order_by("number").first()
        if version is None or ConsultingRound.objects.filter(proposal=proposal).exists():
            continue
        rnd = ConsultingRound.objects.create(proposal=proposal, version=version, number=1,
                                             closed_at=timezone.now())
        region_ids = set(proposal.participations.values_list("region_id", flat=True))
        consultants = [e for e in experts if e.expert_profile.home_region_id not in region_ids]
        lead = User.objects.filter(username=f"official-{proposal.lead_region.code}").first()
        for i, expert in enumerate(consultants):
            a = Assignment.objects.create(kind=AssignmentKind.CONSULTING, expert=expert, proposal=proposal,
                                          assigned_by=ministry, declared_at=timezone.now())
            for section, text in (CONSULTING_COMMENTS * 2)[(i * 2) % 4:(i * 2) % 4 + 2]:
                c = ConsultingComment.objects.create(round=rnd, assignment=a, section=section, text=text)
                if lead:
                    CommentAnswer.objects.create(comment=c, author=lead,
                                                 text="의견을 반영하여 해당 부분을 보완하였습니다.")

    # The regions' reviewer lists, written before the panels were formed (records).
    _seed_reviewer_lists(call, proposals)

    # The written round's panels: one panel of five per zone, placed by the optimal plan staff use
    # (a coach of a proposal, or a member with any other conflict on it, sits that one out), or
    # per-proposal panels by the automatic plan on a call without zones.
    if not Assignment.objects.filter(kind=AssignmentKind.EVALUATION, proposal__call=call).exists():
        if call.zones.exists():
            plan = zone_plan(call=call)
            zone_plan_confirm(actor=ministry, call=call, signature=plan.signature)
        else:
            plan = panel_auto_plan(call=call)
            panel_auto_confirm(actor=ministry, call=call, signature=plan.signature)
    _name_missing_chairs(call)
    # Every expert of the call signed its confidentiality pledge before reading anything.
    for expert in User.objects.filter(assignments__proposal__call=call).distinct():
        ConfidentialityPledge.objects.get_or_create(expert=expert, call=call, theme_review=None,
                                                    defaults={"signed_name": expert.display_name})

    criteria = list(call.criteria.all())
    # The panels scored within the call's review window (Korea time), whatever today's date is.
    in_review = timezone.make_aware(datetime.datetime.combine(call.review_start, datetime.time(10, 0)))
    count = 0
    for index, a in enumerate(Assignment.objects.filter(kind=AssignmentKind.EVALUATION, proposal__call=call,
                                                        round=1).select_related("expert", "proposal").order_by("pk")):
        if a.declared_at is None:
            assignment_declare(actor=a.expert, assignment=a, conflict=False)
            a.refresh_from_db()
        sheet = getattr(a, "scoresheet", None)
        if sheet is not None and sheet.is_locked:
            continue
        selected = a.proposal.title_ko in selected_titles
        base = _base(a.proposal.title_ko, selected)
        values = {
            c.pk: (_score_profile(base, index, ci),
                   f"{c.name_ko} 측면에서 계획의 타당성과 실행 가능성을 검토하였으며 전반적으로 "
                   f"{'우수' if selected else '보통'} 수준으로 판단됩니다.")
            for ci, c in enumerate(criteria)
        }
        # Confidences vary (mostly medium or high) so the confidence-weighted mean differs visibly.
        scoresheet_save(actor=a.expert, assignment=a, values=values, submit=True, now=in_review,
                        confidence=(2, 3, 1, 3, 2)[index % 5],
                        overall_comment="지역 주도 중장기 기획의 완성도를 중심으로 평가하였습니다.")
        count += 1
    for proposal in proposals:
        selected = proposal.title_ko in selected_titles
        PanelResult.objects.get_or_create(proposal=proposal, defaults={
            "updated_by": ministry,
            "consensus_comment": ("지역 전략산업과의 연계성과 단계별 로드맵이 우수하며 지자체 의지가 뚜렷함."
                                  if selected else "기획의 방향은 타당하나 실증 계획과 재원 조달의 구체성이 부족함."),
            "decision_reason": "권역별 심층평가 결과 상위 과제로 선정" if selected else "권역별 심층평가 결과 미선정",
        })
    seed_open_call_consultants()
    return count


# The consultants of Busan's 2027 draft (advanced mobility; neither works in Busan).
OPEN_CALL_CONSULTANTS = ["expert4", "expert8"]


def seed_open_call_consultants() -> int:
    """Idempotent: every draft in consulting on the open 2027 call has its consultants, assigned by
    ministry staff through the same service (conflict rules included); returns how many were added."""
    from accounts.models import User
    from programmes.models import Call
    from proposals.models import Proposal, ProposalState

    from .models import Assignment, AssignmentKind
    from .services import panel_assign

    ministry = User.objects.get(username="ministry")
    experts = list(User.objects.filter(username__in=OPEN_CALL_CONSULTANTS).order_by("username"))
    added = 0
    for call in Call.objects.filter(programme__code="mega", year=2027):
        for proposal in Proposal.objects.filter(call=call, state=ProposalState.CONSULTING).order_by("pk"):
            have = set(Assignment.objects.filter(proposal=proposal, kind=AssignmentKind.CONSULTING)
                       .values_list("expert_id", flat=True))
            for expert in experts:
                if expert.pk not in have:
                    panel_assign(actor=ministry, proposal=proposal, expert=expert, kind=AssignmentKind.CONSULTING)
                    added += 1
    return added


# --- The evaluator quality record of the 2023 call ------------------------------------------

QUALITY_EXCLUSION_REASON = ("2023년 평가에서 평가표 2건을 심사 기한 이후 제출하였고, 재작성 요청이 반복되었으며 "
                            "점수가 평가위원회 합의와 크게 어긋남. 이후 평가위원회에서 제외함.")


def seed_quality() -> int:
    """The 2023 call's record: every scoresheet submitted within the review window but one
    expert's, who submitted two late, was reopened twice and scored against the panels'
    consensus (selected proposals low, the others high); the lead regions and staff rated
    the comments; staff excluded that expert from later panels with a reason. Idempotent:
    nothing is done once the exclusion exists. The sheets' times and that expert's scores are
    written directly, as the story's history (the proposals are decided: no service would
    take new scores now)."""
    import datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from accounts.models import User
    from programmes.models import Call, QualityRules
    from proposals.demo import PROJECTS_2023

    from .models import (
        AssignmentKind,
        CommentRating,
        ExpertExclusion,
        Score,
        Scoresheet,
        ScoresheetEvent,
        ScoresheetState,
    )
    from .services.quality import expert_exclude

    call = Call.objects.filter(programme__code="mega", year=2023).first()
    if call is None or ExpertExclusion.objects.filter(call=call).exists():
        return 0
    ministry = User.objects.get(username="ministry")
    sheets = list(Scoresheet.objects.filter(assignment__kind=AssignmentKind.EVALUATION, assignment__proposal__call=call,
                                            assignment__round=1, state=ScoresheetState.SUBMITTED)
                  .select_related("assignment__expert", "assignment__proposal__lead_region").order_by("pk"))
    if not sheets:
        return 0
    QualityRules.objects.get_or_create(call=call, defaults={"updated_by": ministry})
    seoul = ZoneInfo("Asia/Seoul")
    on_time = datetime.datetime(2023, 3, 20, 10, 0, tzinfo=seoul)
    # The outlier: the expert with the most sheets of the call (ties: the first username).
    counts: dict = {}
    for s in sheets:
        counts.setdefault(s.assignment.expert, []).append(s)
    outlier = max(counts, key=lambda u: (len(counts[u]), [-ord(c) for c in u.username]))
    selected = {p["title_ko"] for p in PROJECTS_2023}
    for i, s in enumerate(sheets):
        s.submitted_at = on_time + datetime.timedelta(minutes=17 * i)
    mine = counts[outlier]
    for i, s in enumerate(mine):
        low = s.assignment.proposal.title_ko in selected
        Score.objects.filter(scoresheet=s).update(value="3.0" if low else "9.8")
        if i < 2:  # two of theirs came in after the window closed, each after a reopening
            s.submitted_at = datetime.datetime(2023, 4, 3 + i, 9, 30, tzinfo=seoul)
            ScoresheetEvent.objects.create(scoresheet=s, actor=ministry, action="reopened",
                                           reason="근거 서술이 점수와 맞지 않아 재작성을 요청함.")
    for s in mine:  # its scores changed: a new `updated_at` tells the results cache (selectors.call_results)
        s.updated_at = timezone.now()
    Scoresheet.objects.bulk_update(sheets, ["submitted_at", "updated_at"])
    # Ratings: each lead region rates its proposal's comments; staff rate the outlier's.
    for s in sheets:
        lead = User.objects.filter(username=f"official-{s.assignment.proposal.lead_region.code}").first()
        if lead is not None:
            CommentRating.objects.update_or_create(scoresheet=s, rater=lead,
                                                   defaults={"value": 2 if s in mine else 4})
    for s in mine:
        CommentRating.objects.update_or_create(scoresheet=s, rater=ministry, defaults={"value": 1})
    expert_exclude(actor=ministry, expert=outlier, call=call, reason=QUALITY_EXCLUSION_REASON)
    return len(mine)


# --- The presentation round of the 2023 call --------------------------------------------------

PRESENTATION_PLACE = "한국연구재단 대전청사 대회의실"
# Two days of presentations, five a day, an hour each (Korea time).
PRESENTATION_DAYS = ["2023-04-05", "2023-04-06"]
PRESENTATION_HOURS = [10, 11, 13, 14, 15]


def seed_rounds() -> int:
    """The 2023 call's second round, after the written one was scored (and the quality record
    written): staff take the shortlist from the written ranking; each shortlisted proposal's
    presentation panel is its zone panel's members who scored it in writing (the expert excluded
    for quality aside); staff set the slots and record attendance; the panels score in the
    presentation dates. All through the services staff and experts use. Idempotent; returns the
    presentation scoresheets submitted by this run."""
    import datetime
    from zoneinfo import ZoneInfo

    from accounts.models import User
    from programmes.models import Call
    from proposals.demo import PROJECTS_2023

    from .models import (
        Assignment,
        AssignmentKind,
        Attendance,
        EvaluationRound,
        PresentationSlot,
        ShortlistEntry,
        ZonePanelMember,
    )
    from .services import assignment_declare, panel_assign, scoresheet_save
    from .services.quality import excluded_experts
    from .services.rounds import shortlist_take, slot_attendance, slot_set

    call = Call.objects.filter(programme__code="mega", year=2023).first()
    if call is None or not call.has_two_rounds:
        return 0
    ministry = User.objects.get(username="ministry")
    if not ShortlistEntry.objects.filter(call=call).exists():
        shortlist_take(actor=ministry, call=call)
    shortlist = list(ShortlistEntry.objects.filter(call=call).select_related("proposal").order_by("written_rank"))
    excluded = set(excluded_experts().values_list("expert_id", flat=True))
    zone_of = call.zone_by_region()
    members: dict = {}
    for m in ZonePanelMember.objects.filter(call=call).select_related("expert").order_by("expert_id"):
        members.setdefault(m.zone_id, []).append(m.expert)
    seoul = ZoneInfo("Asia/Seoul")
    for place, entry in enumerate(shortlist):
        proposal = entry.proposal
        written = set(Assignment.objects.filter(proposal=proposal, kind=AssignmentKind.EVALUATION, round=1,
                                                conflict_declared=False).values_list("expert_id", flat=True))
        seated = set(Assignment.objects.filter(proposal=proposal, kind=AssignmentKind.EVALUATION,
                                               round=EvaluationRound.PRESENTATION).values_list("expert_id", flat=True))
        zone = zone_of.get(proposal.lead_region_id)
        for expert in members.get(zone.pk if zone else None, []):
            if expert.pk in written and expert.pk not in excluded and expert.pk not in seated:
                panel_assign(actor=ministry, proposal=proposal, expert=expert, round=EvaluationRound.PRESENTATION)
        if not PresentationSlot.objects.filter(proposal=proposal).exists():
            day = datetime.date.fromisoformat(PRESENTATION_DAYS[place // len(PRESENTATION_HOURS)])
            starts = datetime.datetime.combine(day, datetime.time(PRESENTATION_HOURS[place % len(PRESENTATION_HOURS)]),
                                               tzinfo=seoul)
            slot_set(actor=ministry, proposal=proposal, starts_at=starts, ends_at=starts + datetime.timedelta(minutes=50),
                     place=PRESENTATION_PLACE)
    for slot in PresentationSlot.objects.filter(proposal__call=call, attendance=""):
        slot_attendance(actor=ministry, slot=slot, attendance=Attendance.ATTENDED)

    selected_titles = {p["title_ko"] for p in PROJECTS_2023}
    criteria = list(call.criteria.all())
    slots = {s.proposal_id: s for s in PresentationSlot.objects.filter(proposal__call=call)}
    count = 0
    for index, a in enumerate(Assignment.objects.filter(
            kind=AssignmentKind.EVALUATION, proposal__call=call, round=EvaluationRound.PRESENTATION)
            .select_related("expert", "proposal").order_by("pk")):
        if a.declared_at is None:
            a = assignment_declare(actor=a.expert, assignment=a, conflict=False)
        sheet = getattr(a, "scoresheet", None)
        if sheet is not None and sheet.is_locked:
            continue
        selected = a.proposal.title_ko in selected_titles
        base = _base(a.proposal.title_ko, selected, round=2)
        values = {c.pk: (_score_profile(base, index + 3, ci),
                         f"발표와 질의응답에서 {c.name_ko}에 대한 설명이 "
                         f"{'구체적이고 설득력 있었습니다' if selected else '제안서 수준에 머물렀습니다'}.")
                  for ci, c in enumerate(criteria)}
        scoresheet_save(actor=a.expert, assignment=a, values=values, submit=True,
                        now=slots[a.proposal_id].ends_at, confidence=(3, 2, 3, 2, 1)[index % 5],
                        overall_comment="발표평가에서 실행 계획과 지자체 추진 의지를 중심으로 평가하였습니다.")
        count += 1
    return count


# --- Objections on the 2023 call ---------------------------------------------------------------

OBJECTIONS_2023 = {
    # lead region → (grounds, what staff answer)
    "ulsan": ("평가위원 의견 중 '실증 계획의 구체성 부족'은 제안서 4장의 실증 일정표(2023~2025)를 반영하지 않은 "
              "판단으로 보입니다. 해당 항목의 재검토를 요청합니다.",
              "제출된 실증 일정표를 포함하여 평가위원 5인이 검토하였으며, 평가 절차와 점수 산정에 하자가 "
              "확인되지 않아 기각합니다."),
    "busan": ("평가위원 1인의 총점이 다른 위원들과 20점 이상 차이가 나며, 해당 위원의 항목별 의견이 제안서 "
              "내용과 맞지 않습니다. 새 평가위원회에 의한 재평가를 요청합니다.",
              "평가위원 간 편차와 의견의 부정확성이 확인되어 이의신청을 인용하고, 원 평가위원을 제외한 새 "
              "평가위원회가 재평가합니다."),
}


def seed_objections() -> int:
    """Idempotent: on the announced 2023 call, Ulsan's objection dismissed with reasons and Busan's
    upheld, with a new conflict-free panel formed (one member has scored). Lodged through the same
    services as the regions, within the period counted from the call's announcement date; staff's
    answers carry today's date and the re-evaluation's window runs from today."""
    import datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from accounts.models import User
    from programmes.models import Call
    from proposals.models import Proposal, ProposalState

    from .models import AssignmentKind, ConfidentialityPledge, Objection, ObjectionRemedy
    from .services import (
        assignment_declare,
        objection_dismiss,
        objection_lodge,
        objection_start_review,
        objection_uphold,
        objection_window,
        panel_assign,
        scoresheet_save,
    )
    from .services.objections import reevaluation_candidates

    call = Call.objects.get(programme__code="mega", year=2023)
    window = objection_window(call)
    if window is None:
        return 0
    ministry = User.objects.get(username="ministry")
    lodged_at = datetime.datetime.combine(window.announced_on + datetime.timedelta(days=5), datetime.time(10),
                                          tzinfo=ZoneInfo("Asia/Seoul"))
    count = 0
    for code, (grounds, answer) in OBJECTIONS_2023.items():
        proposal = Proposal.objects.filter(call=call, lead_region__code=code,
                                           state=ProposalState.NOT_SELECTED).first()
        lead = User.objects.filter(username=f"official-{code}").first()
        if proposal is None or lead is None or Objection.objects.filter(proposal=proposal).exists():
            continue
        objection = objection_lodge(actor=lead, proposal=proposal, grounds=grounds, now=lodged_at)
        objection = objection_start_review(actor=ministry, objection=objection)
        count += 1
        if code == "ulsan":
            objection_dismiss(actor=ministry, objection=objection, reasons=answer)
            continue
        objection_uphold(actor=ministry, objection=objection, answer=answer, remedy=ObjectionRemedy.RE_EVALUATION,
                         reevaluation_deadline=timezone.localdate() + datetime.timedelta(days=21))
        panel = [panel_assign(actor=ministry, proposal=proposal, expert=expert, kind=AssignmentKind.REEVALUATION)
                 for expert in reevaluation_candidates(proposal)[:3]]
        for a in panel:  # the new panel signs the call's pledge before reading anything, as every panel did
            ConfidentialityPledge.objects.get_or_create(expert=a.expert, call=call, theme_review=None,
                                                        defaults={"signed_name": a.expert.display_name})
        if panel:
            first = assignment_declare(actor=panel[0].expert, assignment=panel[0], conflict=False)
            values = {c.pk: ("7.5", f"{c.name_ko} 측면에서 원 평가의 지적을 다시 검토하였으며 계획의 타당성은 "
                                    "보통 이상으로 판단됩니다.") for c in call.criteria.all()}
            scoresheet_save(actor=first.expert, assignment=first, values=values, submit=True, confidence=2,
                            overall_comment="이의신청 사유를 검토하여 독립적으로 재평가하였습니다.")
    return count


# --- The applicants' reviewer lists and the panels' composition on the 2023 call -------------

# The 2023 call's composition rules: a researcher and an academic on every panel, one member per
# institution, a chair named.
PANEL_RULES_2023 = {"panel_min_academia": 1, "panel_min_research": 1, "panel_max_per_institution": 1,
                    "panel_chair_required": True}
UNSUITABLE_2023 = ("겹눈 모사", "expert3", "제안 과제와 같은 주제의 경쟁 과제를 연구책임자로 수행 중입니다.")
SUGGESTED_2023 = ("해양바이오", "marine-bio", "해양 소재 물성 분석")


def _seed_reviewer_lists(call, proposals) -> None:
    from accounts.models import User

    from .models import Assignment, AssignmentKind, SuggestedField, UnsuitableReviewer

    changed = [name for name, value in PANEL_RULES_2023.items() if getattr(call, name) != value]
    if changed:
        for name in changed:
            setattr(call, name, PANEL_RULES_2023[name])
        call.save(update_fields=changed)

    def proposal_titled(part):
        return next((p for p in proposals if part in p.title_ko), None)

    title, username, reason = UNSUITABLE_2023
    proposal, expert = proposal_titled(title), User.objects.filter(username=username).first()
    lead = proposal and User.objects.filter(username=f"official-{proposal.lead_region.code}").first()
    if proposal and expert and lead and not Assignment.objects.filter(
            proposal=proposal, expert=expert, kind=AssignmentKind.EVALUATION).exists():
        UnsuitableReviewer.objects.get_or_create(proposal=proposal, expert=expert,
                                                 defaults={"reason": reason, "named_by": lead})
    title, code, text = SUGGESTED_2023
    proposal = proposal_titled(title)
    lead = proposal and User.objects.filter(username=f"official-{proposal.lead_region.code}").first()
    if proposal and lead and not proposal.suggested_fields.exists():
        SuggestedField.objects.create(proposal=proposal, industry=StrategicIndustry.objects.filter(code=code).first(),
                                      added_by=lead)
        SuggestedField.objects.create(proposal=proposal, text=text, added_by=lead)


def _name_missing_chairs(call) -> None:
    """Panels formed before chairs were named: the first active member chairs."""
    from .models import Assignment, AssignmentKind

    panels = Assignment.objects.filter(kind=AssignmentKind.EVALUATION, proposal__call=call, conflict_declared=False)
    chaired = set(panels.filter(is_chair=True).values_list("proposal_id", flat=True))
    for a in panels.exclude(proposal_id__in=chaired).order_by("proposal_id", "pk"):
        if a.proposal_id not in chaired:
            Assignment.objects.filter(pk=a.pk).update(is_chair=True)
            chaired.add(a.proposal_id)


# The 2027 call's feasibility advice (issue 17): the government's expert group and its reviews of candidate
# themes — (theme title, expert, recommendation, reasons). Gwangju + Jeonnam's first theme is left for the
# browser journey to review.
FEASIBILITY_GROUP_2027 = ("반도체·수소 전략기술 전문가 그룹", "Semiconductor and hydrogen strategy experts",
                          ["expert1", "expert8", "expert3"])  # the first chairs
REVIEWS_2027 = [
    ("차세대 수소 연료전지 부품", "expert8", "recommend", "연료전지 스택 부품의 원천기술 확보 경로가 분명하고 지역 집적도가 높다."),
    ("차세대 수소 연료전지 부품", "expert3", "with_changes",
     "실증 부지와 수요기업 확보 계획을 구체화하면 추천한다."),
    ("친환경 선박 자율운항 실증", "expert1", "recommend", "항만 물류와 연계한 실증 경로가 현실적이다."),
]


def seed_feasibility(call, *, at) -> int:
    """Idempotent: the group, its members and chair, and each review assigned, declared and submitted only
    when missing — at `at` (inside the selection phase, whatever today is). Returns the reviews submitted."""
    from accounts.models import User
    from proposals.models import CandidateTheme, ThemeStatus

    from .models import ExpertGroup, ReviewState, ThemeReview
    from .services import feasibility
    from .services.pledges import review_pledge_sign

    ministry = User.objects.get(username="ministry")
    name_ko, name_en, usernames = FEASIBILITY_GROUP_2027
    group = ExpertGroup.objects.filter(call=call, name_ko=name_ko).first() or feasibility.group_save(
        actor=ministry, call=call, name_ko=name_ko, name_en=name_en)
    for username in usernames:
        expert = User.objects.get(username=username)
        member = group.members.filter(expert=expert).first() or feasibility.group_member_add(
            actor=ministry, group=group, expert=expert)
        if username == usernames[0] and not member.is_chair:
            feasibility.group_set_chair(actor=ministry, member=member)
    done = 0
    for title, username, recommendation, reasons in REVIEWS_2027:
        theme = CandidateTheme.objects.filter(call=call, title_ko=title).first()
        expert = User.objects.get(username=username)
        review = ThemeReview.objects.filter(theme=theme, expert=expert).first() if theme else None
        if theme is None or (review is None and theme.status != ThemeStatus.CANDIDATE):
            continue
        review = review or feasibility.review_assign(actor=ministry, theme=theme, expert=expert, group=group, now=at)
        if not review.is_pledged:  # the pledge bound to the review comes before anything of the theme
            review_pledge_sign(actor=expert, review=review, signed_name=expert.display_name, agree=True)
            review.refresh_from_db()
        if review.declared_at is None:
            review = feasibility.review_declare(actor=expert, review=review, conflict=False)
        if review.state == ReviewState.DRAFT:
            feasibility.review_transition(actor=expert, review=review, action="submit", now=at, data={
                "feasibility_grade": 4, "originality_grade": 4 if recommendation == "recommend" else 3,
                "regional_fit_grade": 5, "application_grade": 3 if recommendation != "recommend" else 4,
                "feasibility_comment": "원천기술 성숙도 적정", "application_comment": "실증 일정 구체화 필요",
                "recommendation": recommendation, "reasons": reasons})
            done += 1
    return done
