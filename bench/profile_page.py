"""Profile main pages in-process, without servers or wrk: CPU and wall milliseconds per request,
SQL queries, and optionally cProfile's top functions. For work on one page between `make bench` runs.

    DATABASE_URL=postgres://…/megaproject_bench DEBUG=false SECRET_KEY=… ALLOWED_HOSTS=127.0.0.1 \\
      SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false \\
      .venv/bin/python bench/profile_page.py proposal_detail dashboard -n 200 [--profile 30]

Pages by key (bench/pages.py) plus `dashboard_official` and `dashboard_expert` (the dashboard of
the bench official and the first bench expert), `proposal_detail_staff` (the measured proposal as
ministry staff) and `baseline` (the bare Django page of bench/baseline_urls.py, run
through the same middleware with that URL configuration). The database must hold bench/seed.py's
data. Each person logs in through the real log-in form (bench/queries.py). The figures are this
process's CPU (time.process_time) and wall time per request, in rounds where the pages take turns
(the best round counts: the machine's other load only ever adds); the database server's CPU is
not in the CPU figure but is in the wall figure. Estimated ratio to the baseline: baseline CPU ÷
page CPU (both served by the same CPU-bound workers).
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "megaproject.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import clear_url_caches, reverse  # noqa: E402

from bench.pages import Page, main_pages  # noqa: E402
from bench.queries import client_for  # noqa: E402


def extra_pages() -> list[Page]:
    from bench.seed import MARK
    from proposals.models import Proposal

    first = Proposal.objects.filter(title_en__startswith=MARK).select_related("lead_region").order_by("pk").first()
    pages = [Page("dashboard_official", "official: dashboard", f"bench-official-{first.lead_region.code}",
                  reverse("dashboard")),
             Page("dashboard_expert", "expert: dashboard", "bench-expert-000", reverse("dashboard")),
             Page("proposal_detail_staff", "ministry: proposal detail", "ministry",
                  reverse("proposals:detail", args=[first.pk]))]
    return pages


def prepare(client: Client, url: str) -> dict:
    """Warm the page (imports, translations, caches) and count its queries."""
    for _ in range(3):
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    sql = [q["sql"] for q in ctx.captured_queries]  # read now: the next request empties the log
    return {"queries": len(sql), "bytes": len(response.content), "sql": sql, "cpu": [], "wall": []}


def timed(client: Client, url: str, n: int, out: dict) -> None:
    """One round of n requests: CPU and wall milliseconds per request."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        client.get(url)
    out["cpu"].append((time.process_time() - cpu) * 1000 / n)
    out["wall"].append((time.perf_counter() - wall) * 1000 / n)


def profiled(client: Client, url: str, n: int, top: int) -> str:
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    for _ in range(n):
        client.get(url)
    prof.disable()
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(top)
    return text.getvalue()


class Baseline:
    """The bare page of bench/baseline_urls.py, requested through the portal's middleware with that
    URL configuration and its template directory."""

    def __enter__(self):
        from django.conf import settings

        templates = [{**settings.TEMPLATES[0],
                      "DIRS": [*settings.TEMPLATES[0].get("DIRS", []), str(ROOT / "bench" / "templates")]}]
        self.override = override_settings(ROOT_URLCONF="bench.baseline_urls", TEMPLATES=templates)
        self.override.enable()
        clear_url_caches()
        return Client(SERVER_NAME="127.0.0.1")

    def __exit__(self, *exc):
        self.override.disable()
        clear_url_caches()


def run_page(key: str, pages: dict, clients: dict, action, *args):
    if key == "baseline":
        with Baseline() as client:
            return action(client, "/", *args)
    return action(client_for(pages[key], clients), pages[key].url, *args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="page keys (default: the baseline, every main page and the extras)")
    parser.add_argument("-n", type=int, default=100, help="requests per page and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, the pages taking turns (the best round counts)")
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's N top functions per page")
    parser.add_argument("--sql", action="store_true", help="print each page's SQL")
    args = parser.parse_args()
    pages = {p.key: p for p in [*main_pages(), *extra_pages()]}
    keys = args.pages or ["baseline", *pages]
    clients = {}
    results = {key: run_page(key, pages, clients, prepare) for key in keys}
    for _ in range(args.rounds):
        for key in keys:
            run_page(key, pages, clients, timed, args.n, results[key])
    for key in keys:
        if args.profile:
            print(f"--- {key}\n" + run_page(key, pages, clients, profiled, args.n, args.profile))
        if args.sql:
            print(f"--- {key}: {results[key]['queries']} queries\n" + "\n".join(f"    {q[:400]}" for q in results[key]["sql"]))
    base = min(results["baseline"]["cpu"]) if "baseline" in results else None
    print(f"{'page':24} {'cpu ms':>8} {'median':>8} {'wall ms':>8} {'queries':>8} {'KB':>6} {'est. ×base':>10}")
    for key, r in results.items():
        best = min(r["cpu"])
        ratio = f"{base / best:10.2f}" if base else f"{'':>10}"
        print(f"{key:24} {best:8.2f} {statistics.median(r['cpu']):8.2f} {min(r['wall']):8.2f} {r['queries']:8d} "
              f"{r['bytes'] // 1024:6d} {ratio}")


if __name__ == "__main__":
    main()
