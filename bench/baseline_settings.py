"""The portal's settings with the bare baseline page as the only URL (never shipped in the portal's URLs).

    DJANGO_SETTINGS_MODULE=bench.baseline_settings gunicorn megaproject.wsgi

Same database, middleware and environment as the portal, so the ratio between
a portal page and this one measures the page's own cost.
"""

from megaproject.settings import *  # noqa: F403
from megaproject.settings import INSTALLED_APPS

ROOT_URLCONF = "bench.baseline_urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
