"""`make bench`: page load beside a bare Django baseline, query counts, letters and exports.

1. Creates (if missing) and migrates two PostgreSQL databases: the large one
   (BENCH_DB, default megaproject_bench) and a small one (same name + _small),
   and seeds them with bench/seed.py (10,000 and 100 proposals).
2. Counts SQL queries per main page on both (bench/queries.py).
3. Starts the portal (port 8201), the baseline (8202, bench.baseline_settings) and the
   portal without request logging and metrics (8203, bench.plain_settings) under
   gunicorn, 2 sync workers each, DEBUG off; logs each role in through the log-in form; runs
   wrk on every page (and on the baseline before and after). Each page is measured in
   four alternate halves, as deployed / plain / as deployed / plain: the page's figures
   are the deployed halves, and their requests/s beside the plain halves' is what
   logging and metrics cost it.
4. Stops the servers, runs bench/letters.py, bench/exports.py and bench/assignment.py (the
   expert assignment on generated calls, no database) if present.
5. Prints one table with every figure and its ratio, writes bench/results/bench.json.

Variables: BENCH_DB, BENCH_PROPOSALS (10000), BENCH_SMALL (100), BENCH_SECONDS (10 per page),
BENCH_CONNECTIONS (8), BENCH_RESET=1 (drop and reseed both databases), BENCH_SKIP="letters exports assignment",
BENCH_PAGES="ranking selection" (only these pages, by key: bench/pages.py).
"""

import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = str(ROOT / ".venv" / "bin" / "python")
PORTAL_PORT, BASELINE_PORT, PLAIN_PORT = 8201, 8202, 8203

TARGET_RPS = 0.5  # × baseline requests/s, at least (a page may ask more: bench/pages.py Page.target_rps)
TARGET_P99 = 3.0  # × baseline p99, at most
TARGET_QUERIES = 12  # per page, at most, and the same at both sizes
TARGET_OBSERVABILITY = 0.05  # requests/s a page may lose to its access line, request id and metrics, at most

BIG_URL = os.environ.get("BENCH_DB", "postgres://megaproject@127.0.0.1:5432/megaproject_bench")
SMALL_URL = BIG_URL.rstrip("/") + "_small"
N_BIG = int(os.environ.get("BENCH_PROPOSALS", "10000"))
N_SMALL = int(os.environ.get("BENCH_SMALL", "100"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WARM_UP = 2  # seconds of load before each measured run, not counted
SKIP = os.environ.get("BENCH_SKIP", "").split()

# Production mode (DEBUG off) over plain HTTP on 127.0.0.1.
ENV = {
    **os.environ,
    "DEBUG": "false",
    "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or "bench-" + secrets.token_hex(32),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    # wrk sends thousands of requests a minute with one token: the per-token limit would answer 429.
    "API_RATE_LIMIT_PER_MINUTE": "1000000000",
    "STATIC_ROOT": str(RESULTS / "static"),
    "MEDIA_ROOT": str(RESULTS / "media"),
    # Production settings refuse a localhost or plain-http base address and a mail back end that is not SMTP.
    "PORTAL_BASE_URL": "https://portal.megaproject.test",
    # Parses as an SMTP server; nothing listens there: the few mails the demo seed queues fail at once.
    "EMAIL_URL": "smtp://127.0.0.1:1",
    # The seeding and side scripts log errors only; the measured servers log every request (start_server).
    "LOG_LEVEL": "ERROR",
    "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/2",
    "DATABASE_URL": BIG_URL,
    "DJANGO_SETTINGS_MODULE": "megaproject.settings",
}


def step(text: str) -> None:
    print(f"==> {text}", flush=True)


def run(cmd: list[str], db: str = BIG_URL, **env) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env={**ENV, "DATABASE_URL": db, **env}, check=True, text=True,
                          stdout=subprocess.PIPE)


# --- Databases ---------------------------------------------------------------------


def ensure_database(url: str, reset: bool) -> None:
    """Create the database if missing (as the postgres superuser, like .ci/run), owner = the URL's user."""
    import psycopg2

    u = urlparse(url)
    name, owner = u.path.lstrip("/"), u.username or "megaproject"
    conn = psycopg2.connect(host=u.hostname or "127.0.0.1", port=u.port or 5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [owner])
        if not cur.fetchone():
            cur.execute(f'CREATE ROLE "{owner}" LOGIN CREATEDB')
        if reset:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    conn.close()


def prepare_databases() -> None:
    reset = os.environ.get("BENCH_RESET") == "1"
    for url, n in ((SMALL_URL, N_SMALL), (BIG_URL, N_BIG)):
        ensure_database(url, reset)
        step(f"migrate and seed {urlparse(url).path.lstrip('/')} ({n} proposals)")
        run([PY, "manage.py", "migrate", "--no-input", "-v0"], db=url)
        # Tasks of the demo seed run in-process; the bench's own workers come later.
        seeded = run([PY, "bench/seed.py", "--proposals", str(n)], db=url, CELERY_BROKER_URL="")
        print("    " + seeded.stdout.strip().splitlines()[-1], flush=True)
    run([PY, "manage.py", "collectstatic", "--no-input", "-v0"])


def count_queries() -> dict:
    step("count SQL queries per page at both sizes")
    return {str(n): json.loads(run([PY, "bench/queries.py"], db=url).stdout)
            for url, n in ((SMALL_URL, N_SMALL), (BIG_URL, N_BIG))}


# --- Servers and load ----------------------------------------------------------------


def start_server(port: int, settings: str, log_level: str = "INFO") -> subprocess.Popen:
    """Measured as deployed: a JSON access line per request (to bench/results/server-<port>.log) and metrics."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(RESULTS / f"server-{port}.log", "ab") as log:
        return subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "megaproject.wsgi:application", "--workers", "2", "--worker-class",
             "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120",
             "--no-control-socket"],
            cwd=ROOT, env={**ENV, "DJANGO_SETTINGS_MODULE": settings, "LOG_LEVEL": log_level, "LOG_FORMAT": "json"},
            start_new_session=True, stdout=log, stderr=log)


def server_cpu_s(proc: subprocess.Popen) -> float:
    """CPU seconds (user + system) used so far by a gunicorn server's workers (the master's children)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # a process that ended meanwhile
        if int(fields[1]) == proc.pid:  # fields: state, ppid, …, utime (12th), stime (13th)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def measured(server: subprocess.Popen, url: str, header: str, seconds: int) -> dict:
    """wrk's figures and the server's CPU milliseconds per answered request (what other processes on the
    machine do barely changes it, unlike requests/s)."""
    before = server_cpu_s(server)
    result = wrk(url, header, seconds=seconds)
    result["cpu_ms"] = (server_cpu_s(server) - before) * 1000 / max(1, result["requests"])
    return result


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, header: str = "") -> tuple[int, int]:
    """(status, body length) of a GET sending `header` ("Name: value", e.g. the session cookie or a token)."""
    opener = urllib.request.build_opener(NoRedirect)
    name, _, value = header.partition(": ")
    # Only http://127.0.0.1 URLs built above.
    request = urllib.request.Request(url, headers={name: value} if header else {})  # noqa: S310
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, 0


def wait_ready(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server for {url} exited with {proc.returncode}")
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer in 60 s")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, header: str = "", seconds: int = SECONDS) -> dict:
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    if header:
        cmd += ["-H", header]
    out = subprocess.run([*cmd, url], check=True, text=True, stdout=subprocess.PIPE).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99_ms": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["errors"] = int(bad.group(1)) if bad else 0
    return result


def bench_passwords(usernames: set[str]) -> dict[str, str]:
    """A fresh random password for each measured account (the bench seed leaves them unusable)."""
    from accounts.models import User

    passwords = {}
    for user in User.objects.filter(username__in=usernames):
        passwords[user.username] = secrets.token_urlsafe(18)
        user.set_password(passwords[user.username])
        user.save(update_fields=["password"])
    missing = usernames - passwords.keys()
    if missing:
        raise SystemExit(f"bench accounts missing: {sorted(missing)}")
    return passwords


def _post(opener, url: str, form: bytes) -> tuple[int, str]:
    """POST a form without following the redirect: (status, Location)."""
    try:
        opener.open(urllib.request.Request(url, data=form, headers={"Referer": url}), timeout=60)  # noqa: S310
        return 200, ""  # the form again: refused
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")


def second_factor_code(username: str) -> str:
    from accounts.models import User
    from bench.codes import second_factor_code as code_of

    return code_of(User.objects.get(username=username))


def log_in(port: int, username: str, password: str) -> str:
    """Log in through the portal's own log-in form (CSRF token, password check, throttling, the
    second step for staff, the session it creates) and return that session as a Cookie header."""
    from django.conf import settings

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    url = f"http://127.0.0.1:{port}/accounts/login/"
    with opener.open(url, timeout=60) as response:  # noqa: S310 (http://127.0.0.1 only)
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password}).encode()
    status, location = _post(opener, url, form)
    if status == 302 and location.startswith("/accounts/login/verify/"):
        # Staff type the code of their authenticator (the demo's key, enrolled by seed_demo), as a phone shows it.
        verify = f"http://127.0.0.1:{port}{location}"
        with opener.open(verify, timeout=60) as response:  # noqa: S310 (http://127.0.0.1 only)
            page = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urlencode({"csrfmiddlewaretoken": token, "code": second_factor_code(username)}).encode()
        status, location = _post(opener, verify, form)
    session = next((c.value for c in jar if c.name == settings.SESSION_COOKIE_NAME), None)
    if status != 302 or not session:
        raise SystemExit(f"log-in of {username} through {url} failed (HTTP {status})")
    return f"{settings.SESSION_COOKIE_NAME}={session}"


def _merged(runs: list[dict]) -> dict:
    """Runs of equal length as one: requests/s and latencies averaged (percentiles approximately), counts added."""
    return {"rps": sum(r["rps"] for r in runs) / len(runs),
            "p50_ms": sum(r["p50_ms"] for r in runs) / len(runs),
            "p99_ms": sum(r["p99_ms"] for r in runs) / len(runs),
            "requests": sum(r["requests"] for r in runs), "errors": sum(r["errors"] for r in runs),
            "cpu_ms": sum(r["cpu_ms"] * r["requests"] for r in runs) / max(1, sum(r["requests"] for r in runs))}


def measure() -> dict:
    os.environ.update(ENV)  # the same settings as the servers (the session hash needs SECRET_KEY)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from bench.pages import BASELINE, main_pages, token_of

    pages = main_pages()
    passwords = bench_passwords({p.username for p in pages if p.username and not p.api})  # "" is anonymous
    portal = start_server(PORTAL_PORT, "megaproject.settings")
    baseline = start_server(BASELINE_PORT, "bench.baseline_settings")
    plain = start_server(PLAIN_PORT, "bench.plain_settings", log_level="WARNING")
    try:
        wait_ready(f"http://127.0.0.1:{PORTAL_PORT}/accounts/login/", portal)
        wait_ready(f"http://127.0.0.1:{BASELINE_PORT}/", baseline)
        wait_ready(f"http://127.0.0.1:{PLAIN_PORT}/accounts/login/", plain)
        # One session per role, made by the real log-in; both portal servers share the session table.
        # An API page sends a token of its person instead, made as the person makes one.
        headers = {(name, False): f"Cookie: {log_in(PORTAL_PORT, name, password)}" for name, password in passwords.items()}
        headers |= {(p.username, True): f"Authorization: Bearer {token_of(p.username)}" for p in pages if p.api}
        headers[("", False)] = ""  # the public pages: no log-in, no cookie
        base_url = f"http://127.0.0.1:{BASELINE_PORT}{BASELINE.url}"
        status, size = fetch(base_url)
        if status != 200:
            raise SystemExit(f"baseline answered HTTP {status}")
        out = {"baseline": {"label": BASELINE.label, "url": BASELINE.url, "bytes": size, "runs": []}, "pages": {}}
        step(f"wrk -t2 -c{CONNECTIONS} -d{SECONDS}s: baseline")
        wrk(base_url, seconds=WARM_UP)
        out["baseline"]["runs"].append(wrk(base_url))
        for page in pages:
            url = f"http://127.0.0.1:{PORTAL_PORT}{page.url}"
            header = headers[(page.username, page.api)]
            status, size = fetch(url, header)
            if status != 200:
                raise SystemExit(f"{page.url} as {page.username}: HTTP {status} (expected 200)")
            step(f"wrk: {page.label} ({page.url} as {page.username}, {size // 1024} KB)")
            plain_url = f"http://127.0.0.1:{PLAIN_PORT}{page.url}"
            wrk(url, header, seconds=WARM_UP)  # both workers warm (imports, caches), not counted
            wrk(plain_url, header, seconds=WARM_UP)
            halves = {"deployed": [], "plain": []}
            for _ in range(2):
                halves["deployed"].append(measured(portal, url, header, max(1, SECONDS // 2)))
                halves["plain"].append(measured(plain, plain_url, header, max(1, SECONDS // 2)))
            out["pages"][page.key] = {"label": page.label, "url": page.url, "user": page.username, "bytes": size,
                                      "target_rps": page.target_rps or TARGET_RPS,
                                      **_merged(halves["deployed"]), "plain": _merged(halves["plain"])}
        step("wrk: baseline again")
        out["baseline"]["runs"].append(wrk(base_url))
    finally:
        stop_server(portal)
        stop_server(baseline)
        stop_server(plain)
    runs = out["baseline"]["runs"]
    for key in ("rps", "p50_ms", "p99_ms"):
        out["baseline"][key] = sum(r[key] for r in runs) / len(runs)
    return out


# --- Letters and exports ----------------------------------------------------------------------


def side_benchmark(script: str, result_file: str) -> dict | None:
    path = ROOT / "bench" / script
    name = script.removesuffix(".py")
    if name in SKIP or not path.exists():
        return None
    step(f"bench/{script}")
    (RESULTS / result_file).unlink(missing_ok=True)
    proc = subprocess.run([PY, str(path)], cwd=ROOT, env=ENV, text=True)
    if proc.returncode != 0:
        return {"error": f"bench/{script} exited with {proc.returncode}"}
    try:
        return json.loads((RESULTS / result_file).read_text())
    except (OSError, ValueError) as exc:
        return {"error": f"no readable {result_file}: {exc}"}


# --- Table ------------------------------------------------------------------------------------


def verdicts(result: dict) -> None:
    base = result["load"]["baseline"]
    small, big = result["queries"][str(N_SMALL)], result["queries"][str(N_BIG)]
    for key, page in result["load"]["pages"].items():
        page["rps_ratio"] = page["rps"] / base["rps"]
        page["p99_ratio"] = page["p99_ms"] / base["p99_ms"]
        page["queries_small"], page["queries_big"] = small.get(key), big.get(key)
        plain_cpu = page["plain"]["cpu_ms"]
        page["observability_cost"] = page["cpu_ms"] / plain_cpu - 1 if plain_cpu else None
        checks = {
            "rps": page["rps_ratio"] >= page.get("target_rps", TARGET_RPS),
            "p99": page["p99_ratio"] <= TARGET_P99,
            "queries": page["queries_small"] == page["queries_big"] and (page["queries_big"] or 0) <= TARGET_QUERIES,
            "errors": page["errors"] == 0 and page["plain"]["errors"] == 0,
            "logging": page["observability_cost"] is not None and page["observability_cost"] <= TARGET_OBSERVABILITY,
        }
        page["checks"] = checks
        page["verdict"] = "PASS" if all(checks.values()) else "MISS " + ",".join(k for k, ok in checks.items() if not ok)


def _flat(prefix: str, value) -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in _flat(f"{prefix}.{k}" if prefix else k, v)]
    return [(prefix, value)]


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1%}"


def table(result: dict) -> str:
    base = result["load"]["baseline"]
    own = "; ".join(f"{p['label']} ≥ {p['target_rps']}×" for p in result["load"]["pages"].values()
                    if p.get("target_rps", TARGET_RPS) != TARGET_RPS)
    lines = [f"Page load: wrk -t2 -c{CONNECTIONS} -d{SECONDS}s on 127.0.0.1, gunicorn 2 sync workers, DEBUG off; "
             f"queries at {N_SMALL} / {N_BIG} proposals",
             f"targets: req/s ≥ {TARGET_RPS}× baseline{f' ({own})' if own else ''}, p99 ≤ {TARGET_P99:g}× baseline, "
             f"queries equal at both sizes and ≤ {TARGET_QUERIES}; logging and metrics cost ≤ {TARGET_OBSERVABILITY:.0%}",
             "cpu ms: the server's CPU per request as deployed; log cost: that CPU beside the same page's without "
             "the access line, request id and metrics (alternate halves)", ""]
    head = (f"{'page':36} {'req/s':>8} {'×base':>6} {'p50 ms':>8} {'p99 ms':>8} {'×base':>6} {'queries':>9} "
            f"{'cpu ms':>7} {'log cost':>9}  verdict")
    lines += [head, "-" * len(head)]
    lines.append(f"{base['label']:36} {base['rps']:8.1f} {1:6.2f} {base['p50_ms']:8.1f} {base['p99_ms']:8.1f} "
                 f"{1:6.2f} {'':>9} {'':>7} {'':>9}  (mean of {len(base['runs'])} runs)")
    for page in result["load"]["pages"].values():
        q = f"{page['queries_small']}/{page['queries_big']}"
        lines.append(f"{page['label']:36} {page['rps']:8.1f} {page['rps_ratio']:6.2f} {page['p50_ms']:8.1f} "
                     f"{page['p99_ms']:8.1f} {page['p99_ratio']:6.2f} {q:>9} {page['cpu_ms']:7.2f} "
                     f"{_percent(page['observability_cost']):>9}  "
                     f"{page['verdict']}")
    letters = result.get("letters")
    if letters and "error" not in letters:
        one, batch = letters["single_letter"], letters["batch"]
        lines += ["", "Award letters (bench/letters.py)",
                  f"  one letter built (PDF/A-3b, signed) / WeasyPrint alone: {one['letter_build_s'] * 1000:.0f} ms / "
                  f"{one['weasyprint_alone_s'] * 1000:.0f} ms = {one['ratio']:.2f}× (target ≤ {one['target']:g}×) "
                  f"{'PASS' if one['ratio'] <= one['target'] else 'MISS'}",
                  f"  batch of {batch['letters']}: two workers / one: {batch['two_workers_s']:.1f} s / "
                  f"{batch['one_worker_s']:.1f} s = {batch['ratio']:.2f}× (target ≤ {batch['target']:g}×) "
                  f"{'PASS' if batch['ratio'] <= batch['target'] else 'MISS'}"]
    elif letters:
        lines += ["", f"Award letters: {letters['error']}"]
    exports = result.get("exports")
    if exports and {"median_s", "target_s", "peak_traced_mb", "target_mb"} <= exports.keys():
        lines += ["", "Exports (bench/exports.py)",
                  f"  CSV of {exports.get('rows', 0):,} proposals, median: {exports['median_s']:.2f} s "
                  f"(target ≤ {exports['target_s']:g} s) {'PASS' if exports['median_s'] <= exports['target_s'] else 'MISS'}",
                  f"  peak memory increase: {exports['peak_traced_mb']:.1f} MB (target ≤ {exports['target_mb']:g} MB) "
                  f"{'PASS' if exports['peak_traced_mb'] <= exports['target_mb'] else 'MISS'}"]
    elif exports:
        lines += ["", "Exports (bench/exports.py)"]
        lines += [f"  {k}: {v:.3g}" if isinstance(v, float) else f"  {k}: {v}" for k, v in _flat("", exports)]
    assignment = result.get("assignment")
    if assignment and "sizes" in assignment:
        sys.path.insert(0, str(ROOT))
        from bench.assignment import table as assignment_table

        lines += ["", assignment_table(assignment["sizes"])]
    elif assignment:
        lines += ["", f"Expert assignment: {assignment['error']}"]
    lines += ["", f"whole run: {result['elapsed_s'] / 60:.1f} min"]
    return "\n".join(lines)


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: scripts/setup.sh --bench installs it")
    started = time.monotonic()
    RESULTS.mkdir(parents=True, exist_ok=True)
    prepare_databases()
    result = {"proposals": {"small": N_SMALL, "big": N_BIG}, "seconds_per_page": SECONDS,
              "connections": CONNECTIONS, "targets": {"rps_ratio_min": TARGET_RPS, "p99_ratio_max": TARGET_P99,
                                                      "queries_max": TARGET_QUERIES,
                                                      "observability_cost_max": TARGET_OBSERVABILITY}}
    result["queries"] = count_queries()
    result["load"] = measure()
    verdicts(result)
    result["letters"] = side_benchmark("letters.py", "letters.json")
    result["exports"] = side_benchmark("exports.py", "exports.json")
    result["assignment"] = side_benchmark("assignment.py", "assignment.json")
    result["elapsed_s"] = time.monotonic() - started
    text = table(result)
    (RESULTS / "bench.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print("\n" + text + f"\n\nwritten: {RESULTS / 'bench.json'}")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks: servers are stopped
    main()
