"""Log-in sessions: idle timeout, maximum length, "My sessions", the previous log-in.

Time is moved by moving the timestamps the session keeps (its `portal_session` stamp: when the
person logged in, when they were last seen) back, as if that much time had passed; the portal
reads the clock (time.time) against them.
"""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import rules
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import SessionEnd, UserSession
from accounts.selectors import browser_and_system
from accounts.sessions import STAMP
from accounts.tasks import purge_ended_sessions
from audit.models import AuditAction, AuditEvent
from tests.factories import PASSWORD
from tests.login import log_in

pytestmark = pytest.mark.django_db

CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/131.0.0.0 Safari/537.36")
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/18.1 Mobile/15E148 Safari/604.1")


def browser(user_agent=CHROME_WINDOWS, ip="198.51.100.7") -> Client:
    return Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)


def stamp_of(client) -> dict:
    return client.session[STAMP]


def move_back(client, *, seen_minutes: float = 0, login_minutes: float | None = None) -> None:
    """As if the person was last seen `seen_minutes` ago and logged in `login_minutes` ago."""
    session = client.session
    stamp = session[STAMP]
    now = time.time()
    stamp["seen"] = now - seen_minutes * 60
    stamp["at"] = now - (login_minutes if login_minutes is not None else seen_minutes) * 60
    session[STAMP] = stamp
    session.save()


def row_of(client) -> UserSession:
    return UserSession.objects.get(public_id=stamp_of(client)["id"])


def messages_on(response) -> list[str]:
    """The page's messages, the notice of the previous log-in first (shown once, above them)."""
    if not response.context:
        return []
    notice = response.context.get("login_notice")
    return ([notice] if notice else []) + [str(m) for m in response.context["messages"]]


def is_sent_to_log_in(response, next_url="/") -> bool:
    return response.status_code == 302 and response["Location"] == f"{reverse('login')}?next={next_url}"


# --- Log-in -----------------------------------------------------------------------------------------


def test_the_session_key_changes_at_log_in_and_the_row_knows_the_new_one(official):
    client = browser()
    before = client.session.session_key  # an anonymous session with its own key
    assert before
    log_in(client, official)
    after = client.session.session_key
    assert after != before
    row = row_of(client)
    assert (row.user, row.session_key, str(row.ip), row.ended_at) == (official, after, "198.51.100.7", None)
    assert not Session.objects.filter(session_key=before).exists()


def test_the_session_cookie_expires_with_the_maximum_length_of_a_log_in(settings, official):
    client = log_in(browser(), official)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == pytest.approx(12 * 3600, abs=5)
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_ABSOLUTE_LIFETIME_HOURS * 3600 == 12 * 3600


def test_a_new_key_in_a_request_is_followed_by_the_row(official):
    """The second factor cycles the session key after its code; changing the password does the same
    (update_session_auth_hash): the row follows the session, the person stays logged in."""
    client = log_in(browser(), official)
    public_id, old_key = stamp_of(client)["id"], client.session.session_key
    response = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": "a-new-long-pass-9",
                                                        "new_password2": "a-new-long-pass-9"})
    assert response.status_code == 302
    new_key = client.session.session_key
    assert new_key != old_key
    assert stamp_of(client)["id"] == public_id
    assert stamp_of(client)["key"] == new_key
    assert UserSession.objects.get(public_id=public_id).session_key == new_key
    assert client.get("/").status_code == 200


# --- Idle timeout and maximum length --------------------------------------------------------------------


@pytest.mark.parametrize("person", ["ministry", "admin_user"])
def test_staff_are_logged_out_after_31_idle_minutes(request, person):
    client = log_in(browser(), request.getfixturevalue(person))
    row = row_of(client)
    move_back(client, seen_minutes=31)
    response = client.get("/")
    assert is_sent_to_log_in(response)
    assert SESSION_KEY not in client.session
    row.refresh_from_db()
    assert row.ended_reason == SessionEnd.IDLE and row.ended_at is not None
    page = client.get(response["Location"])
    assert "장시간 사용하지 않아 로그아웃되었습니다. 다시 로그인해 주십시오." in messages_on(page)


def test_staff_stay_logged_in_at_29_idle_minutes(ministry):
    client = log_in(browser(), ministry)
    move_back(client, seen_minutes=29)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("person", ["official", "expert"])
def test_officials_and_experts_stay_at_31_minutes_and_leave_at_their_own_timeout(request, person):
    client = log_in(browser(), request.getfixturevalue(person))
    move_back(client, seen_minutes=31)
    assert client.get("/").status_code == 200
    move_back(client, seen_minutes=121)
    assert is_sent_to_log_in(client.get("/"))
    assert SESSION_KEY not in client.session


def test_the_idle_timeouts_are_settings(settings, official):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 45
    client = log_in(browser(), official)
    move_back(client, seen_minutes=44)
    assert client.get("/").status_code == 200
    move_back(client, seen_minutes=46)
    assert is_sent_to_log_in(client.get("/"))


def test_a_staff_timeout_longer_than_the_others_still_leaves_the_others_theirs(settings, official, ministry):
    settings.SESSION_IDLE_TIMEOUT_STAFF_MINUTES, settings.SESSION_IDLE_TIMEOUT_MINUTES = 60, 30
    staff, other = log_in(browser(), ministry), log_in(browser(), official)
    for client in (staff, other):
        move_back(client, seen_minutes=45)
    assert staff.get("/").status_code == 200
    assert is_sent_to_log_in(other.get("/"))


def test_a_log_in_ends_after_twelve_hours_even_when_active(official):
    client = log_in(browser(), official)
    move_back(client, seen_minutes=0.5, login_minutes=12 * 60 - 1)
    assert client.get("/").status_code == 200
    move_back(client, seen_minutes=0.5, login_minutes=12 * 60 + 1)
    response = client.get("/proposals/?page=2")
    assert is_sent_to_log_in(response, "/proposals/%3Fpage%3D2")
    assert row_of_last(official).ended_reason == SessionEnd.LIFETIME
    assert "로그인 후 최대 12시간이 지나 로그아웃되었습니다. 다시 로그인해 주십시오." in messages_on(
        client.get(response["Location"]))


def row_of_last(user) -> UserSession:
    return UserSession.objects.filter(user=user).latest("created_at")


def test_a_partial_htmx_request_sends_the_whole_page_to_log_in(ministry):
    client = log_in(browser(), ministry)
    move_back(client, seen_minutes=31)
    response = client.get("/notifications/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/notifications/"


def test_the_short_idle_timeout_is_the_rule_of_staff(official, partner_official, expert, ministry, admin_user):
    short = {u.username: rules.test_rule("accounts.short_idle_timeout", u)
             for u in (official, partner_official, expert, ministry, admin_user)}
    assert short == {official.username: False, partner_official.username: False, expert.username: False,
                     ministry.username: True, admin_user.username: True}


# --- Activity is noted once a minute, and costs no query ------------------------------------------------


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].split()[0] in ("UPDATE", "INSERT", "DELETE")]


def test_activity_is_written_at_most_once_a_minute(official):
    client = log_in(browser(), official)
    client.get("/")  # the first page shows the previous log-in, once (that is a write of the session)
    seen = stamp_of(client)["seen"]
    with CaptureQueriesContext(connection) as pages:
        for _ in range(3):
            assert client.get("/").status_code == 200
    assert writes(pages.captured_queries) == []
    assert stamp_of(client)["seen"] == seen
    move_back(client, seen_minutes=1.5)
    before = row_of(client).last_seen_at
    with CaptureQueriesContext(connection) as page:
        assert client.get("/").status_code == 200
    written = writes(page.captured_queries)
    assert len(written) == 2 and "django_session" in written[0] + written[1]
    assert stamp_of(client)["seen"] == pytest.approx(time.time(), abs=5)
    assert row_of(client).last_seen_at > before


def test_the_middleware_adds_no_query_to_a_page(settings, official):
    def queries_of_the_dashboard() -> int:
        client = log_in(browser(), official)
        client.get("/")
        with CaptureQueriesContext(connection) as page:
            assert client.get("/").status_code == 200
        return len(page.captured_queries)

    with_limits = queries_of_the_dashboard()
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "accounts.sessions.SessionLimitsMiddleware"]
    assert with_limits == queries_of_the_dashboard()


# --- My sessions ------------------------------------------------------------------------------------------


def test_my_sessions_lists_both_browsers_and_marks_this_one(official):
    here = log_in(browser(), official)
    there = log_in(browser(SAFARI_IPHONE, "203.0.113.9"), official)
    response = here.get(reverse("sessions"))
    assert response.status_code == 200
    shown = {s.public_id: (s.browser, s.system, str(s.ip), s.is_current) for s in response.context["sessions"]}
    assert shown == {stamp_of(here)["id"]: ("Chrome", "Windows", "198.51.100.7", True),
                     stamp_of(there)["id"]: ("Safari", "iPhone", "203.0.113.9", False)}
    html = response.content.decode()
    assert "이 세션" in html and html.count('name="confirm"') == 2  # one session to end, and "all the others"


def test_ending_the_other_session_logs_that_browser_out_at_its_next_request(official, django_capture_on_commit_callbacks):
    here = log_in(browser(), official)
    there = log_in(browser(SAFARI_IPHONE), official)
    other = row_of(there)
    with django_capture_on_commit_callbacks(execute=True):
        response = here.post(reverse("session_end", args=[other.public_id]), {"confirm": "yes"}, follow=True)
    assert "세션을 종료했습니다. 해당 브라우저는 로그아웃되었습니다." in messages_on(response)
    other.refresh_from_db()
    assert other.ended_reason == SessionEnd.ENDED
    assert not Session.objects.filter(session_key=other.session_key).exists()
    assert is_sent_to_log_in(there.get("/"))
    assert here.get("/").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.SESSION_END)
    assert (event.actor, event.object_id) == (official, str(other.pk))


def test_a_session_ended_is_refused_even_if_the_store_still_has_it(official):
    here = log_in(browser(), official)
    there = log_in(browser(SAFARI_IPHONE), official)
    services.remember_revoked([stamp_of(there)["id"]])  # e.g. its key changed before the row learnt it
    response = there.get("/")
    assert is_sent_to_log_in(response)
    assert "다른 세션에서 이 세션을 종료했습니다. 다시 로그인해 주십시오." in messages_on(there.get(response["Location"]))
    assert here.get("/").status_code == 200


def test_ending_all_other_sessions_keeps_only_this_one(official, ministry):
    here = log_in(browser(), official)
    others = [log_in(browser(SAFARI_IPHONE), official) for _ in range(2)]
    someone_else = log_in(browser(), ministry)
    ended_rows = sorted(str(row_of(c).pk) for c in others)
    response = here.post(reverse("sessions_end_others"), {"confirm": "yes"}, follow=True)
    assert "다른 세션 2개를 종료했습니다." in messages_on(response)
    assert [is_sent_to_log_in(c.get("/")) for c in others] == [True, True]
    assert here.get("/").status_code == 200 and someone_else.get("/").status_code == 200
    assert list(UserSession.objects.filter(user=official, ended_at__isnull=True)) == [row_of(here)]
    ended = AuditEvent.objects.filter(action=AuditAction.SESSION_END)
    assert sorted(e.object_id for e in ended) == ended_rows


def test_nothing_ends_without_the_confirmation(official):
    here = log_in(browser(), official)
    there = log_in(browser(SAFARI_IPHONE), official)
    response = here.post(reverse("session_end", args=[stamp_of(there)["id"]]), {}, follow=True)
    assert "확인란을 선택해야 세션을 종료할 수 있습니다." in messages_on(response)
    response = here.post(reverse("sessions_end_others"), {"confirm": "no"})
    assert response.status_code == 302
    assert there.get("/").status_code == 200
    assert row_of(there).ended_at is None


def test_nobody_ends_another_persons_session(official, outsider_official):
    victim = log_in(browser(), official)
    attacker = log_in(browser(), outsider_official)
    response = attacker.post(reverse("session_end", args=[stamp_of(victim)["id"]]), {"confirm": "yes"})
    assert response.status_code == 404
    assert victim.get("/").status_code == 200
    assert row_of(victim).ended_at is None


def test_this_session_is_ended_by_logging_out_not_from_the_list(official):
    client = log_in(browser(), official)
    response = client.post(reverse("session_end", args=[stamp_of(client)["id"]]), {"confirm": "yes"}, follow=True)
    assert "지금 사용 중인 세션입니다. 이 세션을 끝내려면 로그아웃하십시오." in messages_on(response)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("public_id", ["0" * 32, "../../admin", "x" * 500, "'; DROP TABLE x;--"])
def test_a_made_up_session_id_is_a_404(official, public_id):
    client = log_in(browser(), official)
    url = f"/accounts/profile/sessions/{public_id}/end/"
    assert client.post(url, {"confirm": "yes"}).status_code == 404


def test_logging_out_ends_the_row(official):
    client = log_in(browser(), official)
    row = row_of(client)
    client.post(reverse("logout"))
    row.refresh_from_db()
    assert row.ended_reason == SessionEnd.LOGOUT


def test_the_list_shows_only_sessions_that_may_still_be_used(official):
    client = log_in(browser(), official)
    now = timezone.now()
    UserSession.objects.create(user=official, public_id="a" * 32, created_at=now - timedelta(hours=3),
                               last_seen_at=now - timedelta(hours=3))  # idle longer than any timeout
    UserSession.objects.create(user=official, public_id="b" * 32, ended_at=now, ended_reason=SessionEnd.LOGOUT)
    listed = [s.public_id for s in client.get(reverse("sessions")).context["sessions"]]
    assert listed == [stamp_of(client)["id"]]


@pytest.mark.parametrize(("user_agent", "expected"), [
    (CHROME_WINDOWS, ("Chrome", "Windows")),
    (SAFARI_IPHONE, ("Safari", "iPhone")),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Whale/4.29.282.14 Safari/537.36", ("Whale", "Windows")),
    ("Mozilla/5.0 (Linux; Android 14; SM-S921N) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 "
     "Chrome/122.0.0.0 Mobile Safari/537.36", ("Samsung Internet", "Android")),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:132.0) Gecko/20100101 Firefox/132.0", ("Firefox", "macOS")),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36 Edg/131.0.0.0", ("Edge", "Windows")),
    ("curl/8.5.0", ("", "")),
    ("", ("", "")),
])
def test_the_browser_and_system_in_plain_words(user_agent, expected):
    assert browser_and_system(user_agent) == expected


def test_a_long_user_agent_is_trimmed(official):
    client = log_in(browser("Mozilla/5.0 " + "x" * 5000), official)
    assert len(row_of(client).user_agent) == 300


# --- The previous log-in ------------------------------------------------------------------------------------


def test_the_first_log_in_says_it_is_the_first(client, official):
    response = client.post(reverse("login"), {"username": official.username, "password": PASSWORD}, follow=True)
    assert "포털에 처음 로그인하셨습니다." in messages_on(response)


def test_the_second_log_in_shows_the_time_and_address_of_the_first(official):
    first = log_in(browser(ip="203.0.113.5"), official)
    row = row_of(first)
    UserSession.objects.filter(pk=row.pk).update(created_at=datetime(2026, 12, 1, 5, 3, tzinfo=UTC))  # 14:03 KST
    second = browser(ip="198.51.100.7")
    response = second.post(reverse("login"), {"username": official.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain == [(reverse("dashboard"), 302)]
    assert "지난 로그인: 2026-12-01 14:03 (KST), 203.0.113.5" in messages_on(response)
    profile = second.get(reverse("profile")).content.decode()
    assert "지난 로그인: 2026-12-01 14:03 (KST), 203.0.113.5" in profile
    assert second.get("/").context["messages"] is not None
    assert messages_on(second.get("/")) == []  # said once


def test_failed_log_ins_since_the_previous_one_are_counted(official):
    log_in(browser(), official)
    intruder = browser(ip="192.0.2.66")
    for _ in range(2):
        intruder.post(reverse("login"), {"username": official.username, "password": "guess"})
    response = browser().post(reverse("login"), {"username": official.username, "password": PASSWORD}, follow=True)
    text = " ".join(messages_on(response))
    assert re.search(r"지난 로그인: \S+ \S+ \(KST\), 198\.51\.100\.7 · ", text)
    assert "그 뒤 이 계정에 로그인 실패가 2회 있었습니다." in text


# --- Clearing up -------------------------------------------------------------------------------------------


def test_the_nightly_task_closes_timed_out_rows_and_deletes_old_ended_ones(official):
    now = timezone.now()

    def row(name, **fields):
        return UserSession.objects.create(user=official, public_id=name * 32, **fields)

    stale = row("a", created_at=now - timedelta(hours=4), last_seen_at=now - timedelta(hours=3))
    active = row("b")
    old = row("c", ended_at=now - timedelta(days=91), ended_reason=SessionEnd.LOGOUT)
    recent = row("d", ended_at=now - timedelta(days=89), ended_reason=SessionEnd.LOGOUT)
    Session.objects.create(session_key="x" * 40, session_data="", expire_date=now - timedelta(minutes=1))
    assert purge_ended_sessions() == {"closed": 1, "deleted": 1}
    stale.refresh_from_db()
    assert stale.ended_reason == SessionEnd.EXPIRED
    assert set(UserSession.objects.values_list("pk", flat=True)) == {stale.pk, active.pk, recent.pk}
    assert not UserSession.objects.filter(pk=old.pk).exists()
    assert not Session.objects.filter(session_key="x" * 40).exists()


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_proxy_header_that_is_no_address_counts_the_proxy_s_own(settings, official):
    """A log-in behind a proxy that passed on no address is not a server error (PostgreSQL refuses such text
    as an address, in django-axes' tables and in ours); the proxy's address is kept instead."""
    settings.TRUSTED_PROXY_COUNT = 1
    client = log_in(Client(HTTP_X_FORWARDED_FOR="<script>alert(1)</script>", REMOTE_ADDR="10.0.0.1"), official)
    assert str(row_of(client).ip) == "10.0.0.1"
    assert "<script>alert(1)" not in client.get(reverse("sessions")).content.decode()
