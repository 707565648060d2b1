"""A real SMTP server for the mail tests, and a clean throttle for every test.

`smtp` starts aiosmtpd on 127.0.0.1 and a free port and points Django's SMTP backend
at it: what the portal sends travels over a real SMTP conversation, and the test
reads what arrived (`smtp.messages`, parsed by the email package). `smtp_down` points
the backend at a port where nothing listens.
"""

import email
import email.policy
import socket
import time
from dataclasses import dataclass, field
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache

PORTAL = "https://portal.megaproject.test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Arrived:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def raw_subject(self) -> str:
        """The Subject header as it travelled (encoded words, unfolded)."""
        return " ".join(email.message_from_bytes(self.raw, policy=email.policy.compat32)["Subject"].split())

    @property
    def subject(self) -> str:
        """The Subject as a mail program shows it (RFC 2047 decoded)."""
        return str(make_header(decode_header(self.raw_subject)))

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


@dataclass
class Inbox:
    """What arrived. With `refuse` > 0 the server answers that many recipients "451 try
    again later" first (a busy server); `tried_at` keeps the time of every recipient offered."""

    messages: list[Arrived] = field(default_factory=list)
    refuse: int = 0
    tried_at: list[float] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.tried_at.append(time.monotonic())
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(Arrived(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def _point_django_at(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.PORTAL_BASE_URL = PORTAL


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    _point_django_at(settings, controller.port)
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_down(settings):
    """The configured SMTP server is not there: every connection is refused."""
    port = free_port()
    _point_django_at(settings, port)
    return port


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The password-reset counters live in the default cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def busy_smtp_for_worker(monkeypatch):
    """For a test with `celery_worker` (asked for after this): a server that refuses the first
    two attempts, and the worker's environment pointing at it with waits of 1 s, then 2 s."""
    inbox = Inbox(refuse=2)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{controller.port}")
    monkeypatch.setenv("MAIL_RETRY_BACKOFF_SECONDS", "1")
    monkeypatch.setenv("MAIL_MAX_RETRIES", "3")
    monkeypatch.setenv("PORTAL_BASE_URL", PORTAL)
    yield inbox
    controller.stop()
