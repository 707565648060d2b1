"""A real OpenID Connect provider for the tests: server.mjs (npm oidc-provider) run by Node on a
free loopback port, and the steps of its sign-in page done as a browser does them."""

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent.parent
CLIENT_ID = "portal"
CLIENT_SECRET = "portal-secret-for-tests"
EMAIL_DOMAIN = "sso.example.go.kr"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Provider:
    def __init__(self, process, issuer):
        self.process = process
        self.issuer = issuer
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def authorization_requests(self) -> list[dict]:
        """The query of each authorization request the provider received (its own log)."""
        events = []
        for line in self.lines:
            if line.startswith("{"):
                event = json.loads(line)
                if event.get("event") == "authorization":
                    events.append(event["query"])
        return events

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def running_provider(redirect_uris, post_logout_uris=(), accounts=None):
    """Start server.mjs, wait until its discovery document answers, stop it afterwards."""
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "oidc-provider").is_dir():
        pytest.skip("the OpenID Connect tests need Node and the npm package oidc-provider (npm ci)")
    port = free_port()
    env = {**os.environ, "OIDC_TEST_PORT": str(port), "OIDC_TEST_CLIENT_ID": CLIENT_ID,
           "OIDC_TEST_CLIENT_SECRET": CLIENT_SECRET, "OIDC_TEST_EMAIL_DOMAIN": EMAIL_DOMAIN,
           "OIDC_TEST_REDIRECT_URIS": ",".join(redirect_uris),
           "OIDC_TEST_POST_LOGOUT_URIS": ",".join(post_logout_uris),
           "OIDC_TEST_ACCOUNTS": json.dumps(accounts or {})}
    process = subprocess.Popen([node, str(HERE / "server.mjs")], cwd=REPO, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    provider = Provider(process, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the OpenID Connect provider did not start")
            time.sleep(0.1)
        yield provider
    finally:
        provider.stop()


def use_provider(settings, issuer, **extra):
    """Switch the portal's single sign-on on against `issuer` (pytest-django's settings fixture)."""
    settings.OIDC_ENABLED = True
    settings.OIDC_OP_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_TIMEOUT = 5
    if "accounts.sso.PortalOIDCBackend" not in settings.AUTHENTICATION_BACKENDS:
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "accounts.sso.PortalOIDCBackend"]
    for name, value in extra.items():
        setattr(settings, name, value)


def sign_in_at_provider(browser: requests.Session, authorize_url: str, login: str) -> str:
    """What a person does at the provider: open the authorization URL, type `login` into its
    sign-in form, submit. Returns the URL the provider sends the browser back to (not followed)."""
    provider = urlsplit(authorize_url).netloc
    url, method, data = authorize_url, "GET", None
    for _ in range(12):
        response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            method, data = "GET", None
            if urlsplit(url).netloc != provider:
                return url
            continue
        form = re.search(r'<form[^>]*action="([^"]+)"[^>]*method="post"', response.text)
        assert form and 'name="login"' in response.text, f"no sign-in form at {url}: {response.status_code}"
        url, method = urljoin(url, unescape(form.group(1))), "POST"
        data = {"prompt": "login", "login": login, "password": "any"}
    raise AssertionError("the provider never sent the browser back")
