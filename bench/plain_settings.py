"""The portal without its request logging and metrics (never shipped in the portal's settings).

    DJANGO_SETTINGS_MODULE=bench.plain_settings gunicorn megaproject.wsgi

`make bench` measures every page on this server too, in alternate halves with the
portal as deployed, and prints what the request id, the JSON access line and the
request metrics cost each page (target: at most 5 % of its requests per second).
"""

from megaproject.settings import *  # noqa: F403
from megaproject.settings import MIDDLEWARE

MIDDLEWARE = [m for m in MIDDLEWARE if m != "megaproject.observability.RequestContextMiddleware"]
