"""A configured certificate that cannot sign stops the portal at start; none configured makes
`check --deploy` warn. Each case is `manage.py check` in a fresh process (started together)."""

import os
import subprocess
from pathlib import Path

import pytest

from tests.certificates import PASSWORD, make_ca, make_signer, write_pkcs12
from tests.megaproject.test_settings import PRODUCTION, PYTHON, REPO

ERROR = "django.core.exceptions.ImproperlyConfigured: DOCUMENT_SIGNING_PKCS12 ("


def cases(folder: Path) -> dict:
    ca = make_ca()
    good = write_pkcs12(folder / "good.p12", ca, make_signer(ca))
    signing = {"DOCUMENT_SIGNING_PKCS12": str(good), "DOCUMENT_SIGNING_PASSWORD": PASSWORD}
    debug = {"DEBUG": "true"}

    def with_file(path, password=PASSWORD):
        return {**debug, "DOCUMENT_SIGNING_PKCS12": str(path), "DOCUMENT_SIGNING_PASSWORD": password}

    (folder / "garbage.p12").write_bytes(b"not a certificate at all")
    from core.documents.certificates import write_demo_pkcs12

    write_demo_pkcs12(folder / "demo.p12", PASSWORD)
    return {
        "good": (["check"], with_file(good)),
        "wrong password": (["check"], with_file(good, "not-the-password")),
        "missing file": (["check"], with_file(folder / "nowhere.p12")),
        "not pkcs12": (["check"], with_file(folder / "garbage.p12")),
        "expired": (["check"], with_file(write_pkcs12(folder / "expired.p12", ca,
                                                      make_signer(ca, valid_from_days=-400, valid_for_days=365)))),
        "not yet valid": (["check"], with_file(write_pkcs12(folder / "future.p12", ca,
                                                            make_signer(ca, valid_from_days=10)))),
        "no private key": (["check"], with_file(write_pkcs12(folder / "nokey.p12", ca, make_signer(ca),
                                                             with_key=False))),
        "demo in debug": (["check"], with_file(folder / "demo.p12")),
        "demo in production": (["check"], {**PRODUCTION, "DOCUMENT_SIGNING_PKCS12": str(folder / "demo.p12"),
                                           "DOCUMENT_SIGNING_PASSWORD": PASSWORD}),
        "deploy without certificate": (["check", "--deploy"], PRODUCTION),
        "deploy with certificate": (["check", "--deploy"], {**PRODUCTION, **signing}),
        "password without file": (["check"], {**debug, "DOCUMENT_SIGNING_PASSWORD": PASSWORD}),
    }


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8", "DJANGO_SETTINGS_MODULE": "megaproject.settings",
            "DATABASE_URL": "sqlite://:memory:"}
    processes = {name: subprocess.Popen([PYTHON, "manage.py", *args], cwd=REPO, env={**base, **env}, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for name, (args, env) in cases(tmp_path_factory.mktemp("signing")).items()}
    results = {}
    try:
        for name, process in processes.items():
            stdout, stderr = process.communicate(timeout=120)
            results[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
    return results.__getitem__


def refusal(result) -> str:
    assert result.returncode != 0, result.stdout
    return result.stderr.strip().splitlines()[-1]


def test_a_good_certificate_starts(outcome):
    result = outcome("good")
    assert (result.returncode, result.stdout.strip()) == (0, "System check identified no issues (0 silenced)."), \
        result.stderr


def test_a_wrong_password_refuses_to_start(outcome):
    line = refusal(outcome("wrong password"))
    assert line.startswith(ERROR) and "wrong DOCUMENT_SIGNING_PASSWORD" in line


def test_an_unreadable_file_refuses_to_start(outcome):
    line = refusal(outcome("missing file"))
    assert line.startswith(ERROR) and "cannot read the certificate file (No such file or directory)" in line


def test_a_file_that_is_not_pkcs12_refuses_to_start(outcome):
    assert "or not a PKCS#12 file" in refusal(outcome("not pkcs12"))


def test_an_expired_certificate_refuses_to_start(outcome):
    line = refusal(outcome("expired"))
    assert line.startswith(ERROR) and "expired on" in line


def test_a_certificate_not_yet_valid_refuses_to_start(outcome):
    line = refusal(outcome("not yet valid"))
    assert line.startswith(ERROR) and "is not valid before" in line


def test_a_file_without_the_private_key_refuses_to_start(outcome):
    line = refusal(outcome("no private key"))
    assert line.startswith(ERROR) and "holds no private key" in line


def test_a_demo_certificate_serves_the_demo_but_never_production(outcome):
    assert outcome("demo in debug").returncode == 0, outcome("demo in debug").stderr
    assert "is a demo certificate" in refusal(outcome("demo in production"))


def test_a_password_without_a_file_refuses_to_start(outcome):
    assert refusal(outcome("password without file")).endswith(
        "DOCUMENT_SIGNING_PASSWORD: set without DOCUMENT_SIGNING_PKCS12 (the certificate file).")


def test_the_deploy_check_warns_when_documents_would_go_out_unsigned(outcome):
    result = outcome("deploy without certificate")
    assert result.returncode == 0, result.stderr
    assert "?: (core.W001) No document signing certificate" in result.stderr
    assert "core.W001" not in outcome("deploy with certificate").stderr
