"""CSV export benchmark (issue 7's performance target): 10,000 proposals in at most
3 s, raising peak memory by at most 50 MB.

    DATABASE_URL=postgres://megaproject@127.0.0.1:5432/megaproject_bench .venv/bin/python bench/exports.py

Seeds proposals with bulk_create (each with its region and a pilot budget) until
the database holds at least --rows of them (nothing when bench/seed.py already
did), then exports every proposal as a ministry user through the real view
(`reports.views.export_download`: permission, filters, the streaming response),
consuming the response as a client would. Time: the median of --runs runs.
Memory: the peak traced by tracemalloc during one more run (Python allocations
above what was held before it), and the process's peak RSS growth.
Prints both against the targets and writes bench/results/exports.json.
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "megaproject.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from programmes.models import Call, Programme, Region, StrategicIndustry  # noqa: E402
from proposals.models import BudgetLine, Participation, Proposal, ProposalState  # noqa: E402
from reports import views  # noqa: E402

TARGET_S = 3.0
TARGET_MB = 50.0
PREFIX = "[bench-export]"


def bench_user() -> User:
    user, _created = User.objects.get_or_create(
        username="bench-exports", defaults={"role": Role.MINISTRY, "display_name": "벤치마크 (내보내기)"})
    return user


def bench_call(user) -> Call:
    call = Call.objects.filter(title=f"{PREFIX} 2030년 내보내기 벤치마크").first()
    if call:
        return call
    programme, _created = Programme.objects.get_or_create(
        code="mega", defaults={"name_ko": "지역혁신 메가프로젝트", "name_en": "Regional Innovation Mega Project"})
    now = timezone.now()
    call = Call.objects.create(
        programme=programme, title=f"{PREFIX} 2030년 내보내기 벤치마크", year=2030, status="closed",
        envelope_won=100_000_000_000, cap_won=5_500_000_000, consulting_start=now.date(), consulting_end=now.date(),
        submission_deadline=now, review_start=now.date(), review_end=now.date(), announcement_date=now.date(),
        created_by=user)
    call.eligible_regions.set(Region.objects.all())
    return call


def seed(rows: int, user) -> int:
    """Proposals up to `rows` in all (bulk_create: a few seconds for 10,000)."""
    missing = rows - Proposal.objects.count()
    if missing <= 0:
        return 0
    call = bench_call(user)
    regions = list(Region.objects.all())
    industries = list(StrategicIndustry.objects.all()) or [None]
    states = [ProposalState.SUBMITTED, ProposalState.ELIGIBLE, ProposalState.NOT_SELECTED, ProposalState.DRAFT]
    with transaction.atomic():
        made = Proposal.objects.bulk_create([
            Proposal(call=call, cooperation_type="leap", lead_region=regions[i % len(regions)],
                     state=states[i % len(states)], title_ko=f"{PREFIX} 지역혁신 벤치마크 과제 {i:05d}",
                     title_en=f"Bench export proposal {i:05d}", industry=industries[i % len(industries)],
                     summary="벤치마크용 제안서", created_by=user, submitted_at=timezone.now())
            for i in range(missing)], batch_size=2000)
        Participation.objects.bulk_create(
            [Participation(proposal=p, region_id=p.lead_region_id, is_lead=True) for p in made], batch_size=5000)
        BudgetLine.objects.bulk_create(
            [BudgetLine(proposal=p, region_id=p.lead_region_id, year=call.year + y, national_won=1_800_000_000,
                        local_won=400_000_000) for p in made for y in range(3)], batch_size=5000)
    return missing


def export_once(user) -> tuple[float, int, int]:
    """One CSV export through the view; (seconds, bytes, rows)."""
    request = RequestFactory().get(reverse("reports:export", args=["proposals", "csv"]))
    request.user = user
    start = time.perf_counter()
    response = views.export_download(request, dataset="proposals", fmt="csv")
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    return time.perf_counter() - start, size, lines - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="proposals to have in the database (10,000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the median is reported (3)")
    args = parser.parse_args()
    if not settings.IS_POSTGRES:
        print("note: DATABASE_URL is not PostgreSQL; figures are for", settings.DATABASES["default"]["ENGINE"])
    # The benchmark measures the streamed path; above EXPORT_SYNC_MAX_ROWS the same
    # generator runs in a worker instead of the request.
    settings.EXPORT_SYNC_MAX_ROWS = max(settings.EXPORT_SYNC_MAX_ROWS, 10 * args.rows)
    translation.activate("ko")
    user = bench_user()
    t = time.perf_counter()
    seeded = seed(args.rows, user)
    if seeded:
        print(f"seeded {seeded:,} proposals in {time.perf_counter() - t:.1f} s")

    export_once(user)  # warm: imports, connection, query plans
    times, size, rows = [], 0, 0
    for _ in range(args.runs):
        seconds, size, rows = export_once(user)
        times.append(seconds)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    base, _peak = tracemalloc.get_traced_memory()
    export_once(user)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_growth_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before

    median = statistics.median(times)
    peak_mb = (peak - base) / 1024 / 1024
    result = {
        "rows": rows, "csv_bytes": size, "runs_s": times, "median_s": median, "target_s": TARGET_S,
        "peak_traced_mb": peak_mb, "peak_rss_growth_mb": rss_growth_kb / 1024, "target_mb": TARGET_MB,
        "time_ok": median <= TARGET_S, "memory_ok": peak_mb <= TARGET_MB,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }
    print(f"\nCSV export of {rows:,} proposals ({size / 1024 / 1024:.1f} MB, streamed through the view)")
    print(f"  time (median of {len(times)}): {median:.2f} s   target ≤ {TARGET_S:g} s   "
          f"{'OK' if result['time_ok'] else 'MISS'}")
    print(f"  peak memory increase: {peak_mb:.1f} MB traced, {rss_growth_kb / 1024:.1f} MB RSS   "
          f"target ≤ {TARGET_MB:g} MB   {'OK' if result['memory_ok'] else 'MISS'}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "exports.json").write_text(json.dumps(result, indent=2))
    print(f"\nwritten: {out / 'exports.json'}")


if __name__ == "__main__":
    main()
