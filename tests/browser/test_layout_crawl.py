"""Layout of every page a role reaches, not a hand-picked list (issue 20, "Layout").

For each demo role (an official, an expert, ministry staff, an administrator), log in through
the real form (staff type their authenticator code), collect the pages reachable by following
same-site links from the dashboard and the menu (plain GETs over the browser's own session:
no rendering, so it is quick), then open each page once in Chromium and, resizing the viewport
to 360, 768 and 1280 px, fail when the document scrolls sideways (its scrollWidth is wider
than the viewport), naming the widest element that sticks out. Korean pages must not carry
English sentences either. The axe-core checks stay in test_page_sweep.py.

The header is a single line at 1280 px in Korean and in English, for the role with the
longest menu.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest

from .test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A funded region (reports, feedback), a region with a draft in consulting (the plan's steps,
# the budget form), an expert, ministry staff and an administrator.
ROLES = ["official-gwangju", "official-busan", "expert1", "ministry", "admin"]
WIDTHS = (360, 768, 1280)
PER_PATTERN = 2
MAX_PAGES = 40  # per role: keeps the five crawls within about two minutes of CI time

# Links that are not pages to look at: files, feeds, machine answers, the admin site (Django's own
# layout), the language switch and log-out (both POST forms anyway), and actions.
SKIPPED = re.compile(
    r"^/(admin|static|media|i18n|api/v1|healthz|metrics|sitemap\.xml|robots\.txt)(/|$)"
    r"|logout|download|export|\.csv|\.pdf|\.ics|\.json|\.xlsx|\.png|\.svg|/feed|/file/|/delete/"
    r"|/print/|/verify/[^/?]+/(pdf|file)"
)
LINK = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']([^"'#]+)""", re.IGNORECASE)
HTML = "text/html"


def pattern_of(path: str) -> str:
    """/proposals/12/versions/3/ → /proposals/#/versions/#/ (ids and codes, not the page kind)."""
    return re.sub(r"/(\d+|[0-9a-f-]{16,}|[A-Z0-9]{6,}(-[A-Z0-9]+)*)(?=/|$)", "/#", path)


def crawl(request_context, base: str, start: list[str], limit: int = MAX_PAGES) -> list[str]:
    """Same-site pages reachable from `start` by links, breadth first, at most `limit`: two per
    path pattern (a list's first two rows may be in different states: an empty ranking board and a
    full one) and one query-string variant per pattern."""
    seen: dict[tuple[str, bool], int] = {}
    queue, pages, visited = list(start), [], set()
    while queue and len(pages) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        key = (pattern_of(parts.path), bool(parts.query))
        if url in visited or seen.get(key, 0) >= (1 if parts.query else PER_PATTERN) or SKIPPED.search(parts.path):
            continue
        visited.add(url)
        seen[key] = seen.get(key, 0) + 1
        response = request_context.get(f"{base}{url}", max_redirects=0)
        if response.status != 200 or not response.headers.get("content-type", "").startswith(HTML):
            continue
        pages.append(url)
        for href in LINK.findall(response.text()):
            target = urlsplit(urljoin(f"{base}{url}", href.replace("&amp;", "&")))
            if f"{target.scheme}://{target.netloc}" != base:
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return pages


# The widest element sticking out of the viewport (its own right edge, not a scrolled child's),
# as a short selector path, plus the document's width.
OVERFLOW_JS = """
(limit) => {
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\\s+/).join('.');
    return s;
  };
  const width = document.documentElement.scrollWidth;
  if (width <= limit + 1) return null;
  let worst = null, right = 0;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > limit + 1 && r.right >= right) { worst = el; right = r.right; }
  }
  const path = [];
  for (let a = worst; a && a !== document.body; a = a.parentElement) path.unshift(describe(a));
  return {width, culprit: path.slice(-4).join(' > '), right: Math.round(right)};
}
"""

# Text a person reads (visible or for screen readers) outside code, data marked translate="no"
# and passages marked as another language.
TEXT_JS = """
() => {
  const skip = 'script, style, code, pre, kbd, samp, textarea, [translate="no"], [lang]:not(html)';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.nodeValue.trim();
    if (text && !n.parentElement.closest(skip)) out.push(text);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], img[alt]')) {
    if (el.closest(skip)) continue;
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
  }
  return out;
}
"""
# Three lowercase Latin words in a row: an English phrase left untranslated. Names, e-mail
# addresses, URLs and identifiers do not match (capitals, dots, @, slashes, digits).
ENGLISH = re.compile(r"(?<![\w@./:=&?-])[a-z]{2,}(?: [a-z]+){2,}(?![\w@./:=&?-])")
ENGLISH_ALLOWED = {
    "et al",  # citations
}


def english_phrases(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        for match in ENGLISH.finditer(text):
            if not any(allowed in match.group(0) for allowed in ENGLISH_ALLOWED):
                found.append(match.group(0))
    return found


def test_english_phrase_heuristic():
    """What counts as an English sentence, and what is data."""
    assert english_phrases(["동점일 때는 ties are broken by the chair"]) == ["ties are broken by the chair"]
    assert english_phrases(["Korea Advanced Institute of Science and Technology", "expert1@kaist.ac.kr",
                            "https://example.org/a b c", "x-api-key", "KAIST 전기및전자공학부"]) == []


# A table box that scrolls sideways is a named region reachable by keyboard (static/js/portal.js).
SCROLLERS_JS = """
async () => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  return [...document.querySelectorAll('.table-responsive')]
    .filter((box) => box.scrollWidth > box.clientWidth + 1)
    .filter((box) => box.getAttribute('role') !== 'region' || box.tabIndex !== 0 || !box.getAttribute('aria-label'))
    .map((box) => (box.querySelector('table') || box).outerHTML.slice(0, 80));
}
"""


def check_pages(page, portal: str, pages: list[str]) -> list[str]:
    problems = []
    for path in pages:
        page.set_viewport_size({"width": 1280, "height": 800})
        response = page.goto(f"{portal}{path}")
        assert response.status == 200, path
        if page.evaluate("document.documentElement.lang") == "ko":
            english = english_phrases(page.evaluate(TEXT_JS))
            if english:
                problems.append(f"{path}: English on a Korean page: {english[:5]}")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            overflow = page.evaluate(OVERFLOW_JS, width)
            if overflow:
                problems.append(f"{path} at {width} px: the page is {overflow['width']} px wide; widest: "
                                f"{overflow['culprit']} (right edge {overflow['right']} px)")
            unnamed = page.evaluate(SCROLLERS_JS)
            if unnamed:
                problems.append(f"{path} at {width} px: a table scrolls in a box that is no named, focusable "
                                f"region: {unnamed}")
    return problems


def test_no_page_a_role_reaches_scrolls_sideways(portal, new_context):
    """One test for every role: the demo data is loaded once."""
    problems, counts = [], {}
    for username in ROLES:
        context = new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        log_in(page, portal, username)
        start = urlsplit(page.url).path
        menu = page.eval_on_selector_all(".portal-header a[href]", "els => els.map(a => a.getAttribute('href'))")
        pages = crawl(context.request, portal, [start, *menu])
        counts[username] = len(pages)
        assert len(pages) >= 10, f"the crawl of {username} found only {pages}"
        problems += [f"{username}: {problem}" for problem in check_pages(page, portal, pages)]
        context.close()
    assert not problems, f"pages per role: {counts}\n" + "\n".join(problems)


HEADER_JS = """
() => {
  const items = [...document.querySelectorAll(
    '.portal-header .navbar-brand, #main-nav .nav-item, #main-nav .navbar-tools > *')].filter(el => el.offsetParent);
  const banner = [...document.querySelectorAll('.gov-banner .container > *')].map(el => el.getBoundingClientRect().top);
  const tops = items.map(el => { const r = el.getBoundingClientRect(); return r.top + r.height / 2; });
  return {spread: Math.max(...tops) - Math.min(...tops), height: document.querySelector('.portal-header nav').offsetHeight,
          items: items.length, bannerSpread: Math.max(...banner) - Math.min(...banner)};
}
"""


def test_the_header_is_one_line_at_1280px_in_both_languages(portal, new_context):
    """The roles with the longest menus (the administrator, a region's administrator)."""
    for username in ("admin", "official-gwangju"):
        context = new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        log_in(page, portal, username)
        for language in ("ko", "en"):
            context.add_cookies([{"name": "django_language", "value": language, "url": portal}])
            page.goto(f"{portal}/")
            assert page.evaluate("document.documentElement.lang") == language
            header = page.evaluate(HEADER_JS)
            assert header["items"] >= 5, header
            assert header["spread"] <= 4 and header["height"] <= 64 and header["bannerSpread"] <= 8, (
                f"{username}, {language}: the header wraps: {header}")
        context.close()
