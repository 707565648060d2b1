"""Fixtures for the browser journeys: one headless Chromium per session, a fresh
context per test, and a live server loaded with the demo data.

Self-contained on purpose: nothing here relies on tests/conftest.py (the demo snapshot is tests/demo_snapshot.py).
"""

import importlib
import os

# Playwright's sync API runs an event loop in the main thread; without this,
# Django's ORM (seed_demo, the flush between tests) refuses to run beside it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from django.apps import apps  # noqa: E402

from tests.demo_snapshot import demo_data, forget, has_snapshot  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Chromium for the whole run (starting it is the slow part)."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser journeys need Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    playwright = sync_api.sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def new_context(chromium_browser):
    """Factory for isolated browser contexts (own cookies), closed after the test.

    bypass_csp lets axe-core be injected into pages served with our strict CSP.
    The browser says it prefers English: the portal must still answer in Korean.
    """
    contexts = []

    def make(**options):
        options = {"bypass_csp": True, "locale": "en-US", "viewport": DESKTOP, **options}
        context = chromium_browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def portal(live_server, settings):
    """Base URL of a live server holding the demo data (accounts use password demo1234).

    The test itself must use a transactional database (the server answers from
    another thread); test_journeys.py marks every test accordingly. The first
    test of the process seeds the demo (the reference data of the data migration
    - regions, strategic industries - loaded again first, as Django empties every
    table between transactional tests; its load() is idempotent) and
    tests/demo_snapshot.py keeps the result; the next ones get it back from there.
    BROWSER_RESEED=1 seeds for every test.
    """
    settings.ALLOW_DEMO_DATA = True  # seed_demo refuses without it
    # Demo accounts are hashed with a cheap hasher: seeding 20 users with
    # PBKDF2 would cost seconds per test. The live server shares these settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if os.environ.get("BROWSER_RESEED"):
        forget("committed")
    if not has_snapshot("committed"):
        importlib.import_module("programmes.migrations.0002_reference_data").load(apps, None)
    demo_data(settings, "committed")
    return live_server.url
