"""`make prod-check` as a test, so that CI runs it: the production topology (nginx with TLS,
two gunicorn processes, Celery worker and beat, PostgreSQL, Redis, an SMTP sink, DEBUG off)
driven through https by scripts/prod_check.py, which stops everything it started.

It needs the real servers: PostgreSQL (it creates its own database, megaproject_prod,
on the server of DATABASE_URL) and Redis (database 5 on the server of CELERY_BROKER_URL).
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.conftest import REPO

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not settings.IS_POSTGRES or not settings.CELERY_BROKER_URL,
                       reason="needs PostgreSQL and Redis: DATABASE_URL is not postgres:// or CELERY_BROKER_URL is unset"),
]

PYTHON = REPO / ".venv" / "bin" / "python"


def test_the_production_topology_serves_the_whole_journey_through_https():
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    result = subprocess.run([str(PYTHON if PYTHON.exists() else sys.executable), "scripts/prod_check.py"], cwd=REPO,
                            env=environment, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "prod-check passed in" in output
    for shown in ("/healthz/ready 200", "Cache-Control: public, max-age=31536000, immutable",
                  "/healthz/live 200, /healthz/ready 503 without a worker", "both gunicorn processes served requests"):
        assert shown in output, output
