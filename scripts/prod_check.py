"""`make prod-check`: the production topology on one machine, driven through https.

Everything runs on 127.0.0.1 as plain processes (no Docker engine needed), the same
pieces as docker-compose.yml:

    nginx (Debian's, deploy/nginx/portal.conf.template, TLS with a self-signed
    certificate for portal.megaproject.test, static files from STATIC_ROOT)
      -> two gunicorn processes (an upstream with both)
    a Celery worker (--max-tasks-per-child) and beat
    PostgreSQL: a database of its own (megaproject_prod, dropped and created again)
    Redis: a database number of its own (5, emptied first)
    an SMTP sink (aiosmtpd, in this process): the mail the portal sends arrives here

with DEBUG off and production settings. Then one journey through https: migrate and
collectstatic (gunicorn starts only after it), `createsuperuser --noinput`, a small
seeded world (scripts/prod_check_seed.py), plain http redirected, the administrator
and an official log in through the real log-in page (CSRF), static files from the
manifest with far-future caching (served by nginx, not gunicorn), the official's
proposal page, the award letter built by the worker and downloaded (and the /verify
address printed on it), a password-reset mail whose https link opens the form,
nginx's request id in gunicorn's JSON access line, /metrics refused without its token
and served with it, /healthz/ready 200; then the worker is stopped: liveness stays
200, readiness says 503. Everything started here is stopped by PID at the end,
whatever happened.

Variables: PROD_CHECK_DATABASE_URL (default: DATABASE_URL's server, database
megaproject_prod), PROD_CHECK_BROKER_URL (default: CELERY_BROKER_URL's server,
database 5), PROD_CHECK_KEEP=1 keeps the work folder (logs, configuration).
Exit status 0 when every step passed. Prints its own duration.
"""

import base64
import http.client
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import string
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing
from email import message_from_bytes, policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PY = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "portal.megaproject.test"
TEMPLATE = ROOT / "deploy" / "nginx" / "portal.conf.template"
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024  # the settings' default; the check does not change it
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")  # a name from ManifestStaticFilesStorage


class CheckFailed(Exception):
    """A step of the journey did not hold."""


BEGAN = time.monotonic()


def step(text: str) -> None:
    print(f"==> [{time.monotonic() - BEGAN:5.1f} s] {text}", flush=True)


def ok(text: str) -> None:
    print(f"    ok: {text}", flush=True)


def expect(condition, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, seconds: float, what: str, interval: float = 0.3):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise CheckFailed(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(interval)


# --- Where things run -----------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def database_url() -> str:
    if os.environ.get("PROD_CHECK_DATABASE_URL"):
        return os.environ["PROD_CHECK_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL", "")
    if urllib.parse.urlsplit(base).scheme not in {"postgres", "postgresql", "pgsql", "psql"}:
        base = "postgres://megaproject@127.0.0.1:5432/megaproject"
    return _with_database(base, "megaproject_prod")


def broker_url() -> str:
    if os.environ.get("PROD_CHECK_BROKER_URL"):
        return os.environ["PROD_CHECK_BROKER_URL"]
    base = os.environ.get("CELERY_BROKER_URL", "")
    if urllib.parse.urlsplit(base).scheme not in {"redis", "rediss"}:
        base = "redis://127.0.0.1:6379/0"
    return _with_database(base, "5")


def recreate_database(url: str) -> None:
    """Drop and create the check's own database on the running server (the role needs CREATEDB)."""
    import psycopg2
    from psycopg2 import sql

    u = urllib.parse.urlsplit(url)
    name = u.path.lstrip("/")
    conn = psycopg2.connect(host=u.hostname or "127.0.0.1", port=u.port or 5432, user=u.username or "megaproject",
                            password=urllib.parse.unquote(u.password) if u.password else None, dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def empty_redis_database(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for HOST (also its own CA for the client of this check)."""
    cert, key = folder / "portal.crt", folder / "portal.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", str(key), "-out", str(cert),
         "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    key.chmod(0o600)
    return cert, key


def render_template(values: dict[str, str]) -> str:
    text = string.Template(TEMPLATE.read_text()).safe_substitute(values)
    left = sorted(set(re.findall(r"\$\{([A-Z_]+)\}", text)))
    if left:
        raise CheckFailed(f"{TEMPLATE.name}: no value for {', '.join(left)}")
    return text


# --- The SMTP sink --------------------------------------------------------------------------


class Mailbox:
    """What arrived at the aiosmtpd server, as parsed messages."""

    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        with self._lock:
            return [m for rcpts, m in self.messages if address in rcpts]


# --- An https client pinned to 127.0.0.1 (curl --resolve) -------------------------------------


class _PinnedConnection(http.client.HTTPSConnection):
    """Connects to 127.0.0.1 whatever the URL's host, and still checks the certificate for that host."""

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPS(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_PinnedConnection, req, context=self._context)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, url: str, status: int, headers, body: bytes):
        self.url, self.status, self.headers, self.body = url, status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class Browser:
    """One visitor: its own cookies, the portal's certificate as its only CA, redirects seen one by one."""

    def __init__(self, base_url: str, ca_file: Path):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        context = ssl.create_default_context(cafile=str(ca_file))
        self.opener = urllib.request.build_opener(
            _PinnedHTTPS(context=context), urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def request(self, path: str, data: dict | None = None, headers: dict | None = None, follow: bool = False) -> Response:
        url = path if path.startswith("https://") else self.base_url + path
        for _ in range(10):
            body = urllib.parse.urlencode(data).encode() if data is not None else None
            expect(url.startswith(f"https://{HOST}:"), f"{url} is not on the portal")  # nothing else is opened
            request = urllib.request.Request(url, data=body, headers={"Accept-Language": "ko", **(headers or {})})  # noqa: S310
            try:
                with self.opener.open(request, timeout=60) as raw:
                    response = Response(url, raw.status, raw.headers, raw.read())
            except urllib.error.HTTPError as exc:
                response = Response(url, exc.code, exc.headers, exc.read())
            if not (follow and response.status in (301, 302, 303, 307, 308)):
                return response
            url, data = urllib.parse.urljoin(url, response.headers["Location"]), None
        raise CheckFailed(f"too many redirects from {path}")

    def get(self, path: str, **kwargs) -> Response:
        return self.request(path, **kwargs)

    def post_form(self, path: str, fields: dict) -> Response:
        """GET the page for its CSRF token, POST the form back as a browser would (Origin, Referer)."""
        page = self.get(path)
        expect(page.status == 200, f"GET {path}: {page.status}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        expect(token, f"{path}: no CSRF token in the form")
        origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(self.base_url))
        return self.request(path, data={"csrfmiddlewaretoken": token.group(1), **fields},
                            headers={"Origin": origin, "Referer": page.url})

    def log_in(self, username: str, password: str, totp_key: str | None = None) -> str | None:
        """The password form, then the second step it asks for: the first log-in of an administrator
        enrols an authenticator (the key read from the page, as a person types it into an app);
        a later one types the code of `totp_key`. Returns the key of the authenticator, if any."""
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        from accounts.totp_codes import current_code  # plain Python: no Django set-up here

        response = self.post_form("/accounts/login/", {"username": username, "password": password})
        expect(response.status == 302, f"log-in of {username}: {response.status}, not a redirect (wrong password?)")
        location = response.headers["Location"]
        if location.startswith("/accounts/second-factor/enrol/"):
            page = self.get(location)
            shown = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page.text)
            expect(shown and "<svg" in page.text, f"{location}: no key or QR code to enrol an authenticator")
            secret = shown.group(1).replace(" ", "")
            totp_key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
            enrolled = self.post_form(location, {"code": current_code(totp_key)})
            expect(enrolled.status == 302, f"enrolment of {username}'s authenticator: {enrolled.status}")
            codes = self.get(enrolled.headers["Location"])
            expect(codes.status == 200 and codes.text.count("<code>") == 10, "the ten recovery codes are not shown")
        elif location.startswith("/accounts/login/verify/"):
            expect(totp_key, f"log-in of {username}: a code is asked and no authenticator key is known")
            verified = self.post_form(location, {"code": current_code(totp_key)})
            expect(verified.status == 302, f"second step of {username}: {verified.status}")
        expect(any(c.name == "sessionid" and c.secure for c in self.cookies), f"log-in of {username}: no secure session")
        return totp_key


# --- The processes ------------------------------------------------------------------------------


class Processes:
    """Every process this check starts, each in its own process group, stopped by PID."""

    def __init__(self, folder: Path):
        self.folder, self.running = folder, {}

    def start(self, name: str, cmd: list[str], env: dict) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115  (the child's; closed when it is stopped)
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.running[name] = (process, log)
        return process

    def alive(self, name: str) -> bool:
        return name in self.running and self.running[name][0].poll() is None

    def check_alive(self) -> None:
        for name, (process, _log) in self.running.items():
            expect(process.poll() is None, f"{name} exited with {process.returncode}:\n{self.tail(name)}")

    def stop(self, name: str, timeout: float = 20) -> None:
        process, log = self.running.pop(name)
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)  # the group of the child started above, by its PID
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass
        log.close()

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            self.stop(name)

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.folder / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


class Command:
    """A one-off command (migrate, collectstatic, the seed) running beside others; output to a file."""

    def __init__(self, folder: Path, name: str, args: list[str], env: dict):
        self.name, self.output = name, folder / f"{name}.out"
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 300) -> str:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise CheckFailed(f"{self.name} did not finish in {timeout:.0f} s") from None
        text = self.output.read_text(errors="replace")
        expect(self.process.returncode == 0, f"{self.name} exited with {self.process.returncode}:\n{text[-4000:]}")
        return text


# --- The check -------------------------------------------------------------------------------------


class ProdCheck:
    def __init__(self, work: Path):
        self.work = work
        self.https_port, self.http_port, self.smtp_port = free_port(), free_port(), free_port()
        self.gunicorn_ports = [free_port(), free_port()]
        self.base_url = f"https://{HOST}:{self.https_port}"
        self.database_url, self.broker_url = database_url(), broker_url()
        self.static_root, self.media_root = work / "static", work / "media"
        self.password = secrets.token_urlsafe(18)
        self.metrics_token = secrets.token_hex(24)
        self.processes = Processes(work)
        self.mailbox = Mailbox()
        self.smtp = None
        self.env = {
            # Only what a server's unit file would set: nothing inherited from a developer's shell.
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            "DJANGO_SETTINGS_MODULE": "megaproject.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "CSRF_TRUSTED_ORIGINS": self.base_url,
            "PORTAL_BASE_URL": self.base_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "DEFAULT_FROM_EMAIL": f"Mega Project Portal <noreply@{HOST}>",
            "TRUSTED_PROXY_COUNT": "1",
            "USE_X_FORWARDED_PROTO": "true",
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_RESULT_BACKEND": self.broker_url,
            # One cache for the four web processes (the password-reset counts); its keys are prefixed.
            "CACHE_URL": self.broker_url,
            "STATIC_ROOT": str(self.static_root),
            "MEDIA_ROOT": str(self.media_root),
            "LOG_LEVEL": "INFO",
            # Metrics: only with the token (loopback is not an allowed network here, so the refusal is seen
            # through nginx too); one folder for every process of this machine, so web and worker add up.
            "METRICS_TOKEN": self.metrics_token,
            "METRICS_ALLOWED_NETWORKS": "192.0.2.0/24",
            "PROMETHEUS_MULTIPROC_DIR": str(work / "prometheus"),
        }

    # -- set-up -------------------------------------------------------------------------------

    def prepare(self) -> None:
        step(f"database {urllib.parse.urlsplit(self.database_url).path.lstrip('/')} created afresh, "
             f"Redis {self.broker_url} emptied, a certificate for {HOST}")
        recreate_database(self.database_url)
        empty_redis_database(self.broker_url)
        self.cert, self.key = make_certificate(self.work)
        self.media_root.mkdir()
        (self.work / "prometheus").mkdir()

        step(f"SMTP sink (aiosmtpd) on 127.0.0.1:{self.smtp_port}")
        from aiosmtpd.controller import Controller

        self.smtp = Controller(self.mailbox, hostname="127.0.0.1", port=self.smtp_port)
        self.smtp.start()

    def install(self) -> None:
        """migrate and collectstatic side by side, the worker, beat and nginx starting meanwhile (none of
        them reads the database or the static files at start); gunicorn only once collectstatic is done:
        a web process reads the manifest when it boots, and one started before it would answer 500."""
        step("migrate and collectstatic (manifest storage); worker, beat and nginx start meanwhile")
        collectstatic = Command(self.work, "collectstatic", [PY, "manage.py", "collectstatic", "--no-input", "-v0"],
                                self.env)
        migrate = Command(self.work, "migrate", [PY, "manage.py", "migrate", "--no-input", "-v0"], self.env)
        self.start_backend()
        collectstatic.wait()
        expect((self.static_root / "staticfiles.json").exists(), "collectstatic wrote no manifest (staticfiles.json)")
        self.start_web()
        migrate.wait()

    def nginx_config(self) -> Path:
        folder = self.work / "nginx"
        folder.mkdir()
        temp_dirs = [folder / n for n in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")]
        for path in temp_dirs:
            path.mkdir()
        user_line = ""
        if os.geteuid() == 0:  # nginx's workers drop to nobody: they must read the static files and buffer bodies
            import grp
            import pwd

            nobody = pwd.getpwnam("nobody")
            for path in temp_dirs:
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
            user_line = f"user nobody {grp.getgrgid(nobody.pw_gid).gr_name};"
        (folder / "portal.conf").write_text(render_template({
            "NGINX_SERVER_NAME": HOST,
            "NGINX_HTTPS_LISTEN": f"127.0.0.1:{self.https_port}",
            "NGINX_HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
            "NGINX_TLS_CERTIFICATE": str(self.cert),
            "NGINX_TLS_CERTIFICATE_KEY": str(self.key),
            "NGINX_UPSTREAM_SERVERS": " ".join(f"server 127.0.0.1:{p};" for p in self.gunicorn_ports),
            "NGINX_RESOLVER": "127.0.0.1",
            "NGINX_STATIC_ROOT": str(self.static_root),
            # A little above the largest attachment: the form's other fields travel with the file.
            "NGINX_CLIENT_MAX_BODY_SIZE": f"{ATTACHMENT_MAX_BYTES // (1024 * 1024) + 1}m",
            "PORTAL_BASE_URL": self.base_url,
        }))
        conf = folder / "nginx.conf"
        conf.write_text(f"""{user_line}
worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    log_format portal '$remote_addr "$request" $status $body_bytes_sent $request_time $upstream_addr $request_id';
    access_log {folder}/access.log portal;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/portal.conf;
}}
""")
        return conf

    def start_backend(self) -> None:
        step("start nginx (TLS, upstream: two gunicorn), a Celery worker and beat")
        self.work.chmod(0o755)  # nginx's workers read the static files below it
        conf = self.nginx_config()
        tested = subprocess.run([NGINX, "-t", "-q", "-p", str(conf.parent), "-c", str(conf)], capture_output=True,
                                text=True)
        expect(tested.returncode == 0, f"nginx -t refused the configuration:\n{tested.stderr}")
        self.processes.start("worker", [
            str(VENV_BIN / "celery"), "-A", "megaproject", "worker", "-l", "info", "--concurrency", "1",
            "--max-tasks-per-child", "50", "-n", "prod-check-worker@%h", "--without-mingle", "--without-gossip"],
            self.env)
        self.processes.start("beat", [
            str(VENV_BIN / "celery"), "-A", "megaproject", "beat", "-l", "info",
            "--schedule", str(self.work / "celerybeat-schedule"), "--pidfile", str(self.work / "beat.pid")], self.env)
        self.processes.start("nginx", [NGINX, "-p", str(conf.parent), "-c", str(conf), "-g", "daemon off;"], self.env)

    def start_web(self) -> None:
        step("start two gunicorn processes (2 workers each)")
        for n, port in enumerate(self.gunicorn_ports, start=1):
            self.processes.start(f"gunicorn-{n}", [
                str(VENV_BIN / "gunicorn"), "megaproject.wsgi:application", "--bind", f"127.0.0.1:{port}",
                "--workers", "2", "--timeout", "60", "--access-logfile", str(self.work / f"gunicorn-{n}-access.log"),
                "--forwarded-allow-ips", "127.0.0.1",
                # Without it, every gunicorn of the machine shares ~/.gunicorn/gunicorn.ctl.
                "--no-control-socket"], self.env)

    def first_administrator_and_world(self) -> tuple[tuple[str, str], dict]:
        """createsuperuser --noinput (DJANGO_SUPERUSER_*) and the seed (scripts/prod_check_seed.py), side by side."""
        step("the first administrator (createsuperuser --noinput) and the seed: officials, ministry, an open call, "
             "a selected proposal, its approved decision")
        username, password = "portal-admin", secrets.token_urlsafe(18)
        superuser = Command(self.work, "createsuperuser", [PY, "manage.py", "createsuperuser", "--noinput"], {
            **self.env, "DJANGO_SUPERUSER_USERNAME": username, "DJANGO_SUPERUSER_PASSWORD": password,
            "DJANGO_SUPERUSER_EMAIL": f"admin@{HOST}"})
        seed = Command(self.work, "seed", [PY, str(ROOT / "scripts" / "prod_check_seed.py")],
                       {**self.env, "PROD_CHECK_PASSWORD": self.password})
        superuser.wait()
        ok(f"administrator {username} created")
        world = _world_from(seed.wait())
        ok(f"proposal {world['proposal']['id']}, letter {world['letter']['id']} queued for the worker")
        return (username, password), world

    # -- the journey ----------------------------------------------------------------------------

    def wait_for_servers(self, anonymous: Browser) -> None:
        def answers():
            self.processes.check_alive()
            try:
                return anonymous.get("/healthz/live").status == 200
            except OSError:
                return False

        wait_until(answers, 90, "nginx and gunicorn to answer over https")

    def journey(self, admin: tuple[str, str], world: dict) -> None:
        anonymous = Browser(self.base_url, self.cert)
        self.wait_for_servers(anonymous)
        live, ready = "/healthz/live", "/healthz/ready"

        step("TLS, plain http, DEBUG off")
        plain = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        plain.request("GET", "/accounts/login/?next=/", headers={"Host": HOST})
        redirect = plain.getresponse()
        expect((redirect.status, redirect.getheader("Location")) == (301, f"{self.base_url}/accounts/login/?next=/"),
               f"plain http: {redirect.status} {redirect.getheader('Location')}")
        plain.close()
        ok(f"http://{HOST} redirects to {self.base_url}")
        missing = anonymous.get("/no-such-page/")
        expect(missing.status == 404, f"/no-such-page/: {missing.status}")
        expect("Technical" not in missing.text and "DEBUG = True" not in missing.text, "a debug page is shown")
        ok("certificate verified for the host name; an unknown page is a plain 404")

        step("readiness with a worker")
        wait_until(lambda: anonymous.get(ready).status == 200, 90, f"{ready} to answer 200 (database, broker, worker)")
        ok(f"{ready} 200")

        step("log-in page, static files from the manifest with far-future caching")
        page = anonymous.get("/accounts/login/")
        expect(page.status == 200, f"log-in page: {page.status}")
        hsts = page.headers.get("Strict-Transport-Security", "")
        expect("max-age=" in hsts, f"no HSTS header on the log-in page: {hsts!r}")
        manifest = json.loads((self.static_root / "staticfiles.json").read_text())["paths"]
        linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        expect(linked, "the log-in page links no static file")
        for url in linked:
            name = url.removeprefix("/static/")
            expect(HASHED.search(name) and name in manifest.values(), f"{url} is not a name from the manifest")
            asset = anonymous.get(url, headers={"Accept-Encoding": "identity"})
            expect(asset.status == 200, f"{url}: {asset.status}")
            expect(asset.body == (self.static_root / name).read_bytes(), f"{url}: not the file in STATIC_ROOT")
            cache = asset.headers.get("Cache-Control", "")
            expect("max-age=31536000" in cache and "immutable" in cache, f"{url}: Cache-Control {cache!r}")
        original = next(iter(manifest))
        unhashed = anonymous.get(f"/static/{original}")
        expect(unhashed.status == 200 and "max-age=300" in unhashed.headers.get("Cache-Control", ""),
               f"/static/{original}: {unhashed.status} {unhashed.headers.get('Cache-Control')!r}")
        served_by_django = [line for n in (1, 2) for line in self._access_log(n) if "/static/" in line]
        expect(not served_by_django, f"gunicorn served static files: {served_by_django[:2]}")
        ok(f"{len(linked)} hashed files, Cache-Control: public, max-age=31536000, immutable (served by nginx)")

        step("the first administrator logs in to the portal and the admin")
        staff = Browser(self.base_url, self.cert)
        staff.log_in(*admin)
        expect(staff.get("/", follow=True).status == 200, "the administrator's landing page")
        admin_index = staff.get("/admin/")
        expect(admin_index.status == 200, f"/admin/ for the first administrator: {admin_index.status}")
        ok("log-in with CSRF over https, an authenticator enrolled at the first log-in, /admin/ 200")

        step("an official: the proposal page and the award letter built by the worker")
        official = Browser(self.base_url, self.cert)
        official.log_in(world["official"]["username"], self.password)
        proposal = official.get(f"/proposals/{world['proposal']['id']}/")
        expect(proposal.status == 200, f"the official's proposal page: {proposal.status}")
        expect(world["proposal"]["title"] in proposal.text, "the proposal page does not show its title")
        ok(f"/proposals/{world['proposal']['id']}/ 200")
        download = f"/funding/letters/{world['letter']['id']}/download/"

        def letter_ready():
            self.processes.check_alive()
            response = official.get(download)
            return response if response.status == 200 else None

        letter = wait_until(letter_ready, 120, f"the worker to build letter {world['letter']['id']}", interval=1)
        expect(letter.body.startswith(b"%PDF"), "the letter download is not a PDF")
        expect(letter.headers.get("Content-Type") == "application/pdf", f"letter: {letter.headers.get('Content-Type')}")
        ok(f"{download} 200, a PDF of {len(letter.body):,} bytes")
        self._verify_link(letter.body, anonymous)

        step("password reset: the mail reaches the SMTP sink, its https link works")
        address = world["official"]["email"]
        sent = anonymous.post_form("/accounts/password/reset/", {"email": address})
        expect(sent.status == 302, f"password reset form: {sent.status}")

        def reset_mail():
            for message in self.mailbox.to(address):
                text = message.get_body(("plain",)).get_content()
                link = re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", text)
                if link:
                    return message, link.group(0)
            return None

        message, link = wait_until(reset_mail, 60, f"a password-reset mail to {address}")
        expect(link.startswith(self.base_url + "/"), f"the reset link is not on PORTAL_BASE_URL: {link}")
        form = anonymous.get(link, follow=True)
        expect(form.status == 200, f"the reset link: {form.status}")
        expect('name="new_password1"' in form.text, "the reset link does not open the new-password form")
        ok(f"mail {message['Subject']!r} to {address}; {link.split('/reset/')[0]}/reset/… 200 with the form")

        self.logs_and_metrics(official, world)

        step("health: the worker stops")
        expect(anonymous.get(ready).status == 200, f"{ready} before the worker stops")
        self.processes.stop("worker")

        def worker_missing():
            return anonymous.get(ready).status == 503

        wait_until(worker_missing, 30, f"{ready} to report the missing worker (503)")
        body = anonymous.get(ready)
        workers = body.json().get("workers") if body.headers.get("Content-Type", "").startswith("application/json") else None
        if isinstance(workers, dict):
            expect(workers.get("ok") is False, f"{ready} says the workers are fine: {workers}")
        liveness = anonymous.get(live)
        expect(liveness.status == 200, f"{live} without a worker: {liveness.status}")
        ok(f"{live} {liveness.status}, {ready} 503 without a worker")

        step("the topology itself")
        for n in (1, 2):
            expect(self._access_log(n), f"gunicorn {n} served no request: the upstream does not balance")
        expect(self.processes.alive("beat"), "beat exited")
        expect("beat: Starting" in self.processes.tail("beat", 200), "beat did not start")
        ok("both gunicorn processes served requests; beat runs")

    def logs_and_metrics(self, official: Browser, world: dict) -> None:
        step("request ids from nginx to the JSON logs; metrics only with the token")
        page = official.get(f"/proposals/{world['proposal']['id']}/")
        request_id = page.headers.get("X-Request-ID", "")
        expect(re.fullmatch(r"[0-9a-f]{32}", request_id), f"X-Request-ID is not nginx's $request_id: {request_id!r}")
        # nginx writes its access line once the response has gone out: a moment after the client has it.
        wait_until(lambda: request_id in (self.work / "nginx" / "access.log").read_text(errors="replace"), 10,
                   f"request id {request_id} in nginx's access log")

        def logged() -> dict | None:
            for name in ("gunicorn-1", "gunicorn-2"):
                for record in _json_lines(self.work / f"{name}.log"):
                    if record.get("request_id") == request_id and record.get("status") == 200:
                        return record
            return None

        record = wait_until(logged, 10, f"a JSON access line with request_id {request_id}")
        expect(isinstance(record.get("user_id"), int) and "official" not in json.dumps(record),
               f"the access line names the user or lacks the user id: {record}")
        tasks = [r for r in _json_lines(self.work / "worker.log") if r.get("task_id")]
        expect(tasks, "no JSON log line of the worker carries a task id")
        ok(f"X-Request-ID {request_id[:8]}… in nginx's log and in gunicorn's JSON access line; worker lines carry task ids")

        refused = official.get("/metrics")
        expect(refused.status == 404, f"/metrics without the token: {refused.status}")
        scraped = official.get("/metrics", headers={"Authorization": f"Bearer {self.metrics_token}"})
        expect(scraped.status == 200, f"/metrics with the token: {scraped.status}")
        for family in ("portal_http_requests_total", "portal_documents_total", "portal_celery_queue_length"):
            expect(family in scraped.text, f"/metrics has no {family}")
        ok("/metrics 404 without the token, 200 with it: requests, documents (from the worker), queue length")

    def _access_log(self, n: int) -> list[str]:
        path = self.work / f"gunicorn-{n}-access.log"
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def _verify_link(self, pdf: bytes, anonymous: Browser) -> None:
        """The verification address printed on the letter is on PORTAL_BASE_URL and answers."""
        try:
            import io

            from pypdf import PdfReader
        except ImportError:
            return
        text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
        found = re.search(re.escape(self.base_url) + r"/verify/([A-Za-z0-9-]+)", text)
        expect(found, f"the letter does not print a verification address on {self.base_url}")
        page = anonymous.get(f"/verify/{found.group(1)}")
        expect(page.status == 200, f"/verify/{found.group(1)}: {page.status}")
        ok(f"the letter's verification address {self.base_url}/verify/… answers 200")

    # -- tear-down --------------------------------------------------------------------------------

    def stop(self) -> None:
        self.processes.stop_all()
        if self.smtp is not None:
            self.smtp.stop()

    def logs(self) -> str:
        parts = [f"--- {name} ---\n{self.processes.tail(name)}"
                 for name in ("nginx", "gunicorn-1", "gunicorn-2", "worker", "beat")]
        error_log = self.work / "nginx" / "error.log"
        if error_log.exists():
            parts.append(f"--- nginx error.log ---\n{error_log.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)


def _json_lines(path: Path) -> list[dict]:
    records = []
    if path.exists():
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except ValueError:
                    continue
    return records


def _world_from(output: str) -> dict:
    """The seed's JSON line (log lines of the run may stand around it)."""
    for line in reversed(output.splitlines()):
        try:
            world = json.loads(line)
        except ValueError:
            continue
        if isinstance(world, dict) and {"official", "proposal", "letter"} <= set(world):
            return world
    raise CheckFailed(f"the seed printed no world:\n{output[-3000:]}")


def main() -> int:
    began = BEGAN
    work = Path(tempfile.mkdtemp(prefix="prod-check-"))
    check = ProdCheck(work)
    passed = False
    try:
        check.prepare()
        check.install()
        admin, world = check.first_administrator_and_world()
        check.journey(admin, world)
        passed = True
    except CheckFailed as exc:
        print(f"!! {exc}", flush=True)
    except Exception:  # a broken step (a refused connection, a tool missing) is a failure too, with its trace
        traceback.print_exc()
    finally:
        # Logs are read while the processes still run; then everything started here stops.
        logs = "" if passed else check.logs()
        check.stop()
        if logs:
            print(logs, flush=True)
        if passed and os.environ.get("PROD_CHECK_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work folder kept: {work}", flush=True)
    elapsed = time.monotonic() - began
    verdict = "passed" if passed else "FAILED"
    print(f"prod-check {verdict} in {elapsed:.1f} s", flush=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
