"""docker-compose.yml mirrors the production topology of `make prod-check`.

No Docker engine on these machines, so the file is read as YAML: nginx in front
(the prod-check's own template), web scalable (no published port), a one-shot
migrate the others wait for, worker and beat, postgres and redis with health
checks, every setting from .env; .env.example lists every variable the settings
read; .dockerignore keeps secrets and data out of the image.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["migrate", "web", "worker", "beat"]
TEMPLATE = REPO / "deploy" / "nginx" / "portal.conf.template"


def env_example_names() -> set[str]:
    """Variables .env.example sets or shows with their default (`NAME=` or `# NAME=`)."""
    text = (REPO / ".env.example").read_text()
    return set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", text, re.M))


def settings_variables() -> set[str]:
    """Every environment variable megaproject/settings.py reads: a call whose first argument is its name."""
    source = (REPO / "megaproject" / "settings.py").read_text()
    # A function or env method called by name (not a dict method such as DATABASES[...].setdefault("TEST")).
    return set(re.findall(r"(?<![\w\].])[A-Za-z_][\w.]*\(\s*\"([A-Z][A-Z0-9_]+)\"", source))


def depends(service: str) -> dict[str, str]:
    return {name: spec["condition"] for name, spec in SERVICES[service].get("depends_on", {}).items()}


def named_volumes(service: str) -> set[str]:
    names = set()
    for mount in SERVICES[service].get("volumes", []):
        source = mount.split(":")[0]
        if not source.startswith((".", "/", "$")):
            names.add(source)
    return names


def test_it_has_every_service_of_the_topology():
    assert set(SERVICES) == {"nginx", "migrate", "web", "worker", "beat", "postgres", "redis"}


def test_only_nginx_publishes_ports_so_web_scales():
    assert "ports" not in SERVICES["web"]
    assert SERVICES["web"]["expose"] == ["8000"]
    assert [name for name, service in SERVICES.items() if "ports" in service] == ["nginx"]
    assert SERVICES["nginx"]["ports"] == ["443:443", "80:80"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_portal_service_runs_the_one_image_with_every_setting_from_env_file(service):
    spec = SERVICES[service]
    assert spec["image"] == "megaproject-portal:latest"
    assert spec["env_file"] == ".env"
    environment = {key: value for key, value in spec["environment"].items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    assert environment == {"DEBUG": "false", "TRUSTED_PROXY_COUNT": "1", "USE_X_FORWARDED_PROTO": "true",
                           "MEDIA_ROOT": "/app/media", "STATIC_ROOT": "/app/staticfiles"}


def test_the_gunicorn_workers_of_a_web_container_count_their_metrics_together_from_a_clean_folder():
    web = SERVICES["web"]
    assert web["environment"]["PROMETHEUS_MULTIPROC_DIR"] == "/tmp/prometheus"
    assert web["command"].startswith('sh -c "rm -rf /tmp/prometheus && mkdir /tmp/prometheus &&')
    assert "exec gunicorn megaproject.wsgi:application --bind 0.0.0.0:8000" in web["command"]


def test_migrate_runs_once_and_every_other_portal_service_waits_for_it():
    migrate = SERVICES["migrate"]
    assert migrate["restart"] == "no"
    assert "manage.py migrate --no-input" in migrate["command"]
    assert "manage.py collectstatic --no-input" in migrate["command"]
    assert depends("migrate") == {"postgres": "service_healthy", "redis": "service_healthy"}
    for service in ("web", "worker", "beat"):
        assert depends(service)["migrate"] == "service_completed_successfully", service
        assert "migrate" not in str(SERVICES[service]["command"]), service


def test_web_and_worker_wait_for_healthy_postgres_and_redis():
    for service in ("web", "worker"):
        assert depends(service) == {"migrate": "service_completed_successfully", "postgres": "service_healthy",
                                    "redis": "service_healthy"}
    assert depends("beat") == {"migrate": "service_completed_successfully", "redis": "service_healthy"}
    assert depends("nginx") == {"web": "service_healthy"}


def test_the_worker_recycles_its_children_and_beat_runs_the_schedule():
    assert "celery -A megaproject worker" in SERVICES["worker"]["command"]
    assert "--max-tasks-per-child" in SERVICES["worker"]["command"]
    assert SERVICES["beat"]["command"].startswith("celery -A megaproject beat")


@pytest.mark.parametrize("service", ["web", "worker", "postgres", "redis"])
def test_it_checks_the_health_of(service):
    healthcheck = SERVICES[service]["healthcheck"]
    assert healthcheck["test"][0] in {"CMD", "CMD-SHELL"}
    assert {"interval", "timeout", "retries"} <= set(healthcheck)


def test_a_web_container_is_healthy_while_it_lives_whatever_the_workers_do():
    assert "/healthz/live" in SERVICES["web"]["healthcheck"]["test"][1]


def test_volumes_are_declared_and_mounted_where_the_settings_point():
    assert set(COMPOSE["volumes"]) == {"postgres-data", "redis-data", "media", "static"}
    used = set().union(*(named_volumes(name) for name in SERVICES))
    assert used == set(COMPOSE["volumes"])
    for service in APP_SERVICES:
        assert "media:/app/media" in SERVICES[service]["volumes"], service
    assert "static:/app/staticfiles" in SERVICES["migrate"]["volumes"]
    assert "static:/app/staticfiles:ro" in SERVICES["nginx"]["volumes"]
    assert "postgres-data:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    assert "redis-data:/data" in SERVICES["redis"]["volumes"]


def test_nginx_uses_the_template_of_the_production_check_and_fills_every_placeholder():
    nginx = SERVICES["nginx"]
    # As default.conf.template: the image writes it over its welcome-page server (conf.d/default.conf).
    assert "./deploy/nginx/portal.conf.template:/etc/nginx/templates/default.conf.template:ro" in nginx["volumes"]
    assert any(v.endswith(":/etc/nginx/certs:ro") for v in nginx["volumes"])
    placeholders = set(re.findall(r"\$\{([A-Z_]+)\}", TEMPLATE.read_text()))
    assert placeholders == set(nginx["environment"])
    assert nginx["environment"]["NGINX_UPSTREAM_SERVERS"] == "server web:8000 resolve;"
    assert nginx["environment"]["NGINX_STATIC_ROOT"] == "/app/staticfiles"


def test_the_template_buffers_uploads_and_caches_hashed_static_files_for_a_year():
    template = TEMPLATE.read_text()
    assert "proxy_request_buffering on;" in template
    assert "client_max_body_size ${NGINX_CLIENT_MAX_BODY_SIZE};" in template
    assert 'add_header Cache-Control "public, max-age=31536000, immutable" always;' in template
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in template
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in template
    assert "location /media" not in template  # uploads and PDFs only through views that check permission


def test_the_largest_request_nginx_accepts_is_a_little_above_the_largest_attachment():
    default = re.search(r"NGINX_CLIENT_MAX_BODY_SIZE:-(\d+)m", (REPO / "docker-compose.yml").read_text())
    example = re.search(r"^NGINX_CLIENT_MAX_BODY_SIZE=(\d+)m$", (REPO / ".env.example").read_text(), re.M)
    for found in (default, example):
        megabytes = int(found.group(1)) * 1024 * 1024
        assert settings.ATTACHMENT_MAX_BYTES < megabytes <= settings.ATTACHMENT_MAX_BYTES + 2 * 1024 * 1024


def test_env_example_lists_every_variable_the_settings_read():
    assert settings_variables() - env_example_names() == set()


def test_env_example_lists_every_variable_the_compose_file_interpolates():
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (REPO / "docker-compose.yml").read_text()))
    assert interpolated - env_example_names() == set()


def test_the_settings_reader_sees_the_variables_it_should():
    """The guard above is only as good as its reader: a few known variables, nothing that is not one."""
    found = settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "PORTAL_BASE_URL", "TRUSTED_PROXY_COUNT"} <= found
    assert "INFO" not in found
    assert "HTTP_X_FORWARDED_PROTO" not in found
    assert "TEST" not in found


def test_the_image_never_receives_secrets_or_data():
    ignored = set((REPO / ".dockerignore").read_text().split())
    assert {".env", "media", "backups", ".venv", "node_modules"} <= ignored
    assert "!.env.example" in ignored


def test_the_image_build_loads_the_production_settings_with_its_build_only_values():
    """The Dockerfile runs collectstatic with DEBUG off: the values it exports must satisfy the
    settings' production checks, or the image (and so every compose service) cannot be built."""
    exported = re.search(r"RUN export (.+?) \\\n\s+&&", (REPO / "Dockerfile").read_text(), re.S).group(1)
    build_env = dict(pair.split("=", 1) for pair in exported.replace("\\\n", " ").split())
    assert build_env["DEBUG"] == "false"
    python = REPO / ".venv" / "bin" / "python"
    result = subprocess.run(
        [str(python if python.exists() else sys.executable), "-c",
         "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.STORAGES"
         "['staticfiles']['BACKEND'])"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "DJANGO_SETTINGS_MODULE": "megaproject.settings",
             **build_env})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "whitenoise.storage.CompressedManifestStaticFilesStorage"]
