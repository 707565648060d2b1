"""SQL queries per main page on the database DATABASE_URL names; prints JSON.

Run by bench/run.py against the small (100 proposals) and the large (10,000)
bench databases: a page whose count differs between the two, or exceeds 12,
does per-row queries. Each page is requested once to warm up, then counted.
"""

import json
import os
import secrets
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "megaproject.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.codes import second_factor_code  # noqa: E402
from bench.pages import main_pages, token_of  # noqa: E402


def log_in(client: Client, username: str) -> Client:
    """Through the log-in form, with a fresh random password (the bench seed leaves them unusable)."""
    user = User.objects.get(username=username)
    password = secrets.token_urlsafe(18)
    user.set_password(password)
    user.save(update_fields=["password"])
    response = client.post(reverse("login"), {"username": username, "password": password})
    if response.status_code == 302 and response["Location"].startswith(reverse("login_verify")):
        # Staff: the code of their authenticator (the demo's key), as a phone shows it.
        response = client.post(response["Location"], {"code": second_factor_code(user)})
    if response.status_code != 302:
        raise SystemExit(f"log-in of {username} failed (HTTP {response.status_code})")
    return client


def client_for(page, clients: dict) -> Client:
    """The person's client: logged in through the form, or (an API page) sending a token of theirs."""
    key = (page.username, page.api)
    if key not in clients:
        if page.api:
            clients[key] = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token_of(page.username)}")
        elif not page.username:  # "": anonymous
            clients[key] = Client(SERVER_NAME="127.0.0.1")
        else:
            clients[key] = log_in(Client(SERVER_NAME="127.0.0.1"), page.username)
    return clients[key]


def count(verbose: bool = False) -> dict:
    out = {}
    clients = {}
    for page in main_pages():
        client = client_for(page, clients)
        client.get(page.url)  # warm: sessions, content types, translations
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page.url)
        if response.status_code != 200:
            raise SystemExit(f"{page.url} as {page.username}: HTTP {response.status_code}")
        out[page.key] = len(ctx.captured_queries)
        if verbose:
            print(f"--- {page.key}: {len(ctx)}", file=sys.stderr)
            for q in ctx.captured_queries:
                print("   ", q["sql"][:300], file=sys.stderr)
    return out


if __name__ == "__main__":
    print(json.dumps(count(verbose="-v" in sys.argv)))
