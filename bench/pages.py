"""The main pages `make bench` measures, each with the role that opens it.

The same choice on any bench database (100 or 10,000 proposals), so query
counts at both sizes are comparable: the official of the first bulk
proposal's lead region, that proposal (funded, two regions, decisions), the
first bulk expert and their first scoresheet, ministry staff on the 2023 call and on
the read API (with a token: token_of). Needs Django set up (bench/seed.py's data).
"""

import os
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    username: str
    url: str
    # Requested with a personal access token of `username` (Authorization: Bearer), the read API's
    # real path, instead of a log-in session.
    api: bool = False
    # Requests/s it must reach, × the baseline's (None: bench/run.py's TARGET_RPS).
    target_rps: float | None = None


BASELINE = Page("baseline", "baseline: bare Django, 50-row table", "", "/")


def main_pages() -> list[Page]:
    from evaluations.models import Assignment, AssignmentKind
    from programmes.models import Call
    from projects.models import Project
    from proposals.models import Proposal

    from .seed import MARK

    first = Proposal.objects.filter(title_en__startswith=MARK).select_related("lead_region").order_by("pk").first()
    if first is None:
        raise SystemExit("no bench data: run bench/seed.py first")
    official = f"bench-official-{first.lead_region.code}"
    expert = "bench-expert-000"
    sheet = Assignment.objects.filter(expert__username=expert, kind=AssignmentKind.EVALUATION).order_by("pk").first()
    call = Call.objects.get(programme__code="mega", year=2023)
    pages = [
        Page("proposal_list", "official: proposal list", official, reverse("proposals:list")),
        Page("proposal_detail", "official: proposal detail", official, reverse("proposals:detail", args=[first.pk])),
        Page("assignments", "expert: my assignments", expert, reverse("evaluations:assignments")),
        Page("scoresheet", "expert: scoresheet", expert, reverse("evaluations:assignment", args=[sheet.pk])),
        Page("ranking", "ministry: ranking board", "ministry", reverse("evaluations:ranking", args=[call.pk])),
        Page("selection", "ministry: selection board", "ministry", reverse("funding:selection", args=[call.pk])),
        Page("dashboard", "ministry: dashboard", "ministry", reverse("dashboard")),
        # Anonymous (username ""): no log-in, no cookie.
        Page("public_call", "public: call notice", "", reverse("public:call", args=[call.pk]), target_rps=0.7),
        Page("public_results", "public: results", "", reverse("public:results", args=[call.pk]), target_rps=0.7),
        # The read API's proposal list, 50 a page, as ministry staff (who read every proposal).
        Page("api_proposals", "ministry: API proposal list (token)", "ministry", "/api/v1/proposals/?page_size=50",
             api=True),
        # --- outcomes --- the outcomes dashboard of every funded project (grouped queries, constant count).
        Page("outcome_dashboard", "ministry: outcomes dashboard", "ministry", reverse("projects:outcome_dashboard")),
    ]
    # --- perf / payments --- the first bulk proposal's funded project (bench/seed.py --projects: 2,000 at
    # 10,000): its page, and its money page (scheduled, paid, spent; constant queries).
    project = Project.objects.filter(proposal=first).first()
    if project is not None:
        pages.append(Page("project", "ministry: project page", "ministry", reverse("projects:detail", args=[project.pk])))
        pages.append(Page("project_money", "official: project money", official,
                          reverse("agreements:project_money", args=[project.pk])))
        # --- speed --- the project's outcomes page (its six records; constant queries).
        pages.append(Page("project_outcomes", "official: project outcomes", official,
                          reverse("projects:outcomes", args=[project.pk])))
    # BENCH_PAGES="ranking selection": only these (by key), e.g. while working on one page.
    only = os.environ.get("BENCH_PAGES", "").split()
    return [p for p in pages if p.key in only] if only else pages


def token_of(username: str) -> str:
    """A new personal access token of `username` (every scope, a day), made as the person makes one
    (api.services.create_token); its secret, which only this run knows."""
    import datetime

    from django.utils import timezone

    from accounts.models import User
    from api.scopes import Scope
    from api.services import create_token, needs_fresh_second_factor
    from bench.codes import second_factor_code

    user = User.objects.get(username=username)
    # Staff type a fresh code of their authenticator to create a token, as on the token page.
    code = second_factor_code(user) if needs_fresh_second_factor(user) else None
    _, secret = create_token(by=user, owner=user, name="bench", scopes=list(Scope.values),
                             expires_at=timezone.now() + datetime.timedelta(days=1), second_factor_code=code)
    return secret
