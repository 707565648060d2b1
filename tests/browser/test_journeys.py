"""Browser journeys through the portal, one per demo role, with axe-core checks.

Each journey logs in through the form, checks the role's dashboard, opens the
2023 call and its rubric, switches language both ways and logs out. Every page
visited is checked with axe-core (serious/critical violations fail the test)
and photographed into tests/artifacts/ (git-ignored).
"""

import re
import warnings
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = HERE.parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")

if not CHROMIUM.exists():
    pytest.skip(f"browser journeys need Chromium at {CHROMIUM}", allow_module_level=True)
if not AXE.exists():
    pytest.skip(f"browser journeys need axe-core at {AXE} (run npm ci)", allow_module_level=True)

# live_server answers from another thread, so the data must really be committed.
# (No serialized_rollback: it would make the session-wide test database set-up
# serialize every table for all tests; the `portal` fixture reloads the
# reference data instead.)
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo1234"
ROLES = [
    ("admin", "admin"),
    ("ministry", "ministry"),
    ("expert1", "expert"),
    ("official-gwangju", "official"),
]
BLOCKING_IMPACTS = {"serious", "critical"}


# --- helpers -------------------------------------------------------------------


def check_accessibility(page: Page, name: str) -> None:
    """Screenshot the page, run axe-core on it and fail on serious or critical violations."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations = results["violations"]
    for v in violations:
        if v["impact"] not in BLOCKING_IMPACTS:
            print(f"[axe {name}] {v['impact']}: {v['id']} — {v['help']} ({len(v['nodes'])} node(s))")
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe-core found {len(blocking)} serious/critical violation(s) on {name!r} ({page.url}):"]
        for v in blocking:
            lines.append(f"- {v['id']} [{v['impact']}]: {v['help']} ({v['helpUrl']})")
            for node in v["nodes"][:10]:
                summary = " ".join((node.get("failureSummary") or "").split())
                lines.append(f"    target={node['target']} html={node['html'][:160]!r}")
                if summary:
                    lines.append(f"      {summary[:300]}")
            if len(v["nodes"]) > 10:
                lines.append(f"    … and {len(v['nodes']) - 10} more node(s)")
        pytest.fail("\n".join(lines), pytrace=False)


def log_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    """The log-in form; staff then type the code of their authenticator (the demo's published key,
    computed as their phone would: tests.login.second_factor_code) on the second-step page."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("#login-submit")
    if "/accounts/login/verify/" in page.url:
        from accounts.models import User
        from tests.login import second_factor_code

        page.fill("#id_code", second_factor_code(User.objects.get(username=username)))
        with page.expect_navigation():
            page.click("#verify-submit")


def switch_language(page: Page, code: str) -> None:
    page.select_option("#language-select", code)
    with page.expect_navigation():
        page.click("#language-submit")
    expect(page.locator("html")).to_have_attribute("lang", code)


OVERFLOW_JS = """
(limit) => {
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\\s+/).join('.');
    return s;
  };
  const scrolls = (el) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
  const offending = (el) => {
    const r = el.getBoundingClientRect();
    if (!r.width || r.right <= limit + 1) return false;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) if (scrolls(a)) return false;
    return true;
  };
  const all = [...document.querySelectorAll('body *')].filter(offending);
  const leaves = all.filter((el) => !all.some((o) => o !== el && el.contains(o)));
  return leaves.slice(0, 15).map((el) => {
    const path = [];
    for (let a = el; a && a !== document.body; a = a.parentElement) path.unshift(describe(a));
    return path.slice(-4).join(' > ') + ' (right edge ' + Math.round(el.getBoundingClientRect().right) + 'px)';
  });
}
"""


# --- tests -------------------------------------------------------------------------


def test_login_page_is_accessible(portal, page):
    page.goto(f"{portal}/accounts/login/")
    # Korean first, whatever the browser's Accept-Language (en-US here).
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("#id_username")).to_be_visible()
    check_accessibility(page, "login")

    # The error state must be accessible too.
    log_in(page, portal, "ministry", "wrong-password")
    expect(page.locator("#id_username")).to_have_value("ministry")
    expect(page.locator("main .alert-danger, main .invalid-feedback").first).to_be_visible()
    check_accessibility(page, "login-error")


@pytest.mark.parametrize(("username", "dashboard"), ROLES, ids=[r[0] for r in ROLES])
def test_role_journey(portal, page, username, dashboard):
    # Log in through the form and land on the role's dashboard.
    log_in(page, portal, username)
    page.wait_for_url(f"{portal}/")
    expect(page.locator("main#main")).to_have_attribute("data-dashboard", dashboard)
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    check_accessibility(page, f"{username}-dashboard")

    # The calls list, then the 2023 call found through its row.
    page.click("#main-nav a.nav-link[href='/calls/']")
    page.wait_for_url(f"{portal}/calls/")
    row_2023 = page.locator("main table tbody tr").filter(has=page.locator("td:first-child", has_text=re.compile(r"^\s*2023\s*$")))
    expect(row_2023).to_have_count(1)
    check_accessibility(page, f"{username}-call-list")
    row_2023.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/calls/\d+/$"))
    expect(page.locator("main h1")).to_contain_text("2023")

    rubric = page.locator("section[aria-labelledby='rubric-heading'] table")
    expect(rubric.locator("tbody tr")).to_have_count(5)
    expect(rubric.locator("tfoot td").first).to_have_text("100")
    weights = [int(w) for w in rubric.locator("tbody td:nth-child(3)").all_inner_texts()]
    assert sum(weights) == 100, weights
    check_accessibility(page, f"{username}-call-detail")

    if username == "ministry":
        _ministry_rejected_rubric(page, portal)

    # English and back to Korean with the header form.
    switch_language(page, "en")
    expect(page.locator("#logout-button")).to_have_text("Log out")
    switch_language(page, "ko")
    logout_text = page.locator("#logout-button").inner_text().strip()
    if logout_text != "로그아웃":
        warnings.warn(f"Korean catalogue incomplete: the logout button reads {logout_text!r}", stacklevel=1)

    # Log out and come back to the login page.
    page.click("#logout-button")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.locator("#logout-button")).to_have_count(0)


def _fill_new_call(page: Page, title: str) -> None:
    """Everything a new call needs besides the rubric (which starts from the newest call's)."""
    page.fill("#id_title", title)
    page.locator("input[name='eligible_regions']").first.check()
    for field, value in {
        "consulting_start": "2027-10-05",
        "consulting_end": "2027-12-31",
        "review_start": "2028-02-07",
        "review_end": "2028-03-03",
        "announcement_date": "2028-03-24",
    }.items():
        page.fill(f"#id_{field}", value)
    page.fill("#id_submission_deadline", "2028-01-28T18:00")


def _submit_call_form(page: Page) -> None:
    with page.expect_navigation():
        page.locator("main form[method='post'] button[type='submit']").click()


def _ministry_rejected_rubric(page: Page, portal: str) -> None:
    """A new call whose weights sum to 90 comes back with the error and the typed data kept."""
    page.goto(f"{portal}/calls/new/")
    check_accessibility(page, "ministry-call-new")

    title = "브라우저 시험 공모 (가중치 90)"
    _fill_new_call(page, title)
    weights = page.locator("input.weight-input")
    expect(weights).to_have_count(6)  # the five template criteria and one empty row
    new_weights = ["22", "22", "18", "14", "14"]  # 90; every row typed over
    for i, value in enumerate(new_weights):
        weights.nth(i).fill(value)
    _submit_call_form(page)

    errors = page.locator("#rubric-errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("100")
    expect(errors).to_contain_text("90")
    expect(page.locator("#id_title")).to_have_value(title)
    for i, value in enumerate(new_weights):
        expect(weights.nth(i)).to_have_value(value)
    check_accessibility(page, "ministry-call-new-errors")


def test_new_call_counts_the_prefilled_rubric_rows(portal, page):
    """Rows kept from the template count even when the user did not retype them.

    The new-call form pre-fills the rubric with the newest call's criteria
    (25/25/20/15/15). Lowering only the first weight by 10 must give a total of 90.
    """
    log_in(page, portal, "ministry")
    page.wait_for_url(f"{portal}/")
    page.goto(f"{portal}/calls/new/")
    _fill_new_call(page, "브라우저 시험 공모 (한 줄만 수정)")
    weights = page.locator("input.weight-input")
    prefilled = [int(v) for v in (weights.nth(i).input_value() for i in range(weights.count())) if v]
    assert prefilled == [25, 25, 20, 15, 15]
    weights.first.fill("15")
    _submit_call_form(page)

    errors = page.locator("#rubric-errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("90")


def test_dashboards_fit_a_360px_screen(portal, new_context):
    """Every role's dashboard fits a small phone: no horizontal scrollbar at 360 CSS px."""
    context = new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    overflowing = {}
    for username, dashboard in ROLES:
        context.clear_cookies()  # a fresh, anonymous session for each role
        log_in(page, portal, username)
        page.wait_for_url(f"{portal}/")
        expect(page.locator("main#main")).to_have_attribute("data-dashboard", dashboard)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{username}-dashboard-360.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360 + 1:
            overflowing[username] = (width, page.evaluate(OVERFLOW_JS, 360))
    assert not overflowing, "horizontal scrollbar at 360px:\n" + "\n".join(
        f"- {user}: scrollWidth={width}px; overflowing: {culprits}" for user, (width, culprits) in overflowing.items()
    )
