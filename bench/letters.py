"""Award-letter benchmark (issue 5's performance targets), against PostgreSQL and Redis.

1. One letter built from the stored decision (letter_build: queries, template,
   WeasyPrint as PDF/A-3b, the PAdES signature, storage) vs WeasyPrint rendering the
   same HTML alone (a plain PDF); target ≤ 2.5×. Also shown: the PDF/A render alone.
   Without DOCUMENT_SIGNING_PKCS12 a benchmark certificate is made (bench/results/),
   so the letters are signed as in production.
2. A batch of 100 letters on two worker processes vs one; target ≤ 0.6×.

Run through `make bench` (it creates the bench database and sets the variables).
Prints a table and writes bench/results/letters.json.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "megaproject.settings")
if not os.environ.get("DOCUMENT_SIGNING_PKCS12"):  # the workers of the batch inherit it too
    from core.documents.certificates import make_pkcs12

    _p12 = ROOT / "bench" / "results" / "bench-signing.p12"
    if not _p12.exists():
        _p12.parent.mkdir(parents=True, exist_ok=True)
        _p12.write_bytes(make_pkcs12(name="Benchmark signing certificate", password="bench",
                                     organisation="Mega Project Portal benchmark"))
    os.environ.update(DOCUMENT_SIGNING_PKCS12=str(_p12), DOCUMENT_SIGNING_PASSWORD="bench")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.models import User  # noqa: E402
from core.documents.render import render_pdf  # noqa: E402
from funding import services  # noqa: E402
from funding.models import AwardLetter, DecisionState, FundingDecision, FundingYear, LetterStatus  # noqa: E402
from megaproject.celery_app import app as celery_app  # noqa: E402
from proposals.models import Participation, Proposal, ProposalState  # noqa: E402

BATCH = int(os.environ.get("BENCH_LETTERS", "100"))
RUNS = int(os.environ.get("BENCH_RUNS", "10"))


def prepare() -> list[int]:
    settings.ALLOW_DEMO_DATA = True
    # Once only: a second demo seed would act on bench/seed.py's bulk proposals too.
    if not AwardLetter.objects.filter(decision__proposal__call__year=2023).exists():
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", stdout=quiet)
    template = Proposal.objects.filter(state=ProposalState.FUNDED).order_by("pk").first()
    decision = template.funding_decisions.get(state=DecisionState.APPROVED)
    ministry = User.objects.get(username="ministry")
    existing = list(AwardLetter.objects.filter(decision__proposal__title_ko__startswith="[bench]"))
    if len(existing) >= BATCH:
        return [letter.pk for letter in existing[:BATCH]]
    ids = []
    with transaction.atomic():
        for i in range(BATCH - len(existing)):
            p = Proposal.objects.create(
                call=template.call, cooperation_type=template.cooperation_type, lead_region=template.lead_region,
                state=ProposalState.FUNDED, title_ko=f"[bench] 벤치마크 과제 {i:03d}", title_en=f"Bench {i}",
                industry=template.industry, created_by=template.created_by,
            )
            for part in template.participations.all():
                Participation.objects.create(proposal=p, region=part.region, is_lead=part.is_lead)
            d = FundingDecision.objects.create(proposal=p, version=1, state=DecisionState.APPROVED,
                                               national_total_won=decision.national_total_won,
                                               prepared_by=decision.prepared_by, approved_by=decision.approved_by,
                                               approved_at=decision.approved_at)
            FundingYear.objects.bulk_create([FundingYear(decision=d, year=y.year, national_won=y.national_won)
                                             for y in decision.years.all()])
            for o in decision.obligations.all():
                d.obligations.create(region=o.region, year=o.year, local_won=o.local_won)
            ids.append(AwardLetter.objects.create(decision=d, language="ko", requested_by=ministry).pk)
    return [letter.pk for letter in existing] + ids


def single_letter(letter_id: int) -> dict:
    letter = AwardLetter.objects.get(pk=letter_id)
    html = services.letter_html(letter)
    render_pdf(html, variant=None)  # warm fonts and imports
    render_pdf(html)
    services.letter_build(letter_id=letter_id)
    alone, pdf_a, full = [], [], []
    for _ in range(RUNS):
        t = time.perf_counter()
        render_pdf(html, variant=None)  # WeasyPrint alone: a plain PDF
        alone.append(time.perf_counter() - t)
        t = time.perf_counter()
        render_pdf(html)  # PDF/A-3b, unsigned
        pdf_a.append(time.perf_counter() - t)
        AwardLetter.objects.filter(pk=letter_id).update(attempts=0)
        t = time.perf_counter()
        services.letter_build(letter_id=letter_id)
        full.append(time.perf_counter() - t)
    a, p, f = statistics.median(alone), statistics.median(pdf_a), statistics.median(full)
    signed_by = AwardLetter.objects.get(pk=letter_id).signed_by
    if not signed_by:
        raise SystemExit("the letter was not signed: check DOCUMENT_SIGNING_PKCS12")
    return {"weasyprint_alone_s": a, "pdf_a_alone_s": p, "letter_build_s": f, "ratio": f / a, "target": 2.5,
            "signed_by": signed_by, "pdf_variant": "pdf/a-3b"}


def run_batch(ids: list[int], workers: int) -> float:
    AwardLetter.objects.filter(pk__in=ids).update(status=LetterStatus.PENDING, attempts=0)
    celery_app.control.purge()
    procs = [subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "megaproject", "worker", "--pool", "solo", "-l", "warning",
         "-n", f"bench{n}-{os.getpid()}@%h", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for n in range(workers)]
    try:
        deadline = time.monotonic() + 60
        while len(celery_app.control.inspect(timeout=1).ping() or {}) < workers:
            if time.monotonic() > deadline:
                raise SystemExit("workers did not start")
        from funding.tasks import generate_award_letter

        start = time.perf_counter()
        for letter_id in ids:
            generate_award_letter.delay(letter_id=letter_id)
        limit = time.monotonic() + 900
        while AwardLetter.objects.filter(pk__in=ids, status=LetterStatus.DONE).count() < len(ids):
            if time.monotonic() > limit:
                raise SystemExit("batch did not finish in 15 minutes")
            time.sleep(0.2)
        return time.perf_counter() - start
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


def main() -> None:
    if not (settings.IS_POSTGRES and settings.CELERY_BROKER_URL):
        raise SystemExit("bench/letters.py needs DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis)")
    ids = prepare()
    one = single_letter(ids[0])
    t1 = run_batch(ids, 1)
    t2 = run_batch(ids, 2)
    result = {
        "single_letter": one,
        "batch": {"letters": len(ids), "one_worker_s": t1, "two_workers_s": t2, "ratio": t2 / t1, "target": 0.6},
    }
    rows = [
        ("one letter: WeasyPrint alone, plain PDF (median)", f"{one['weasyprint_alone_s'] * 1000:.0f} ms", ""),
        ("one letter: WeasyPrint alone, PDF/A-3b (median)", f"{one['pdf_a_alone_s'] * 1000:.0f} ms", ""),
        ("one letter: built, PDF/A-3b and signed (median)", f"{one['letter_build_s'] * 1000:.0f} ms",
         f"{one['ratio']:.2f}× (target ≤ {one['target']:g}×) {'OK' if one['ratio'] <= one['target'] else 'MISS'}"),
        (f"batch of {len(ids)}: one worker", f"{t1:.1f} s", ""),
        (f"batch of {len(ids)}: two workers", f"{t2:.1f} s",
         f"{t2 / t1:.2f}× (target ≤ 0.6×) {'OK' if t2 / t1 <= 0.6 else 'MISS'}"),
    ]
    width = max(len(r[0]) for r in rows)
    print("\nAward letters")
    for name, value, ratio in rows:
        print(f"  {name.ljust(width)}  {value:>9}  {ratio}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "letters.json").write_text(json.dumps(result, indent=2))
    print(f"\nwritten: {out / 'letters.json'}")


if __name__ == "__main__":
    main()
