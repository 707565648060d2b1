"""Locked dependencies and the offline bundle.

The lock files (requirements.txt, requirements-dev.txt: `make lock` compiles them
from the .in files) pin every package with its hashes, so `pip install
--require-hashes` (scripts/setup.sh, the Dockerfile) refuses anything else; a line
added by hand without hashes would break every install, and these tests say so
first. The offline install itself (`make bundle`, then a fresh set-up with the
registries out of reach) takes a few minutes: CI runs scripts/check-offline-install.sh,
and here it runs only with BUNDLE_TEST=1.
"""

import os
import re
import subprocess

import pytest

from tests.conftest import REPO

REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def entries(path) -> dict[str, tuple[str, list[str]]]:
    """A lock file's packages: name → (version, hashes)."""
    text = (REPO / path).read_text(encoding="utf-8").replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-")):
            continue
        match = REQUIREMENT.match(line)
        assert match, f"{path}: not a pinned requirement: {line}"
        found[normal(match.group(1))] = (match.group(3), re.findall(r"--hash=sha256:([0-9a-f]{64})", line))
    return found


def direct(path) -> dict[str, str | None]:
    """An .in file's requirements: name → pinned version (None when left to the lock)."""
    found = {}
    for line in (REPO / path).read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?(?:==(\S+))?$", line)
        assert match, f"{path}: unexpected line {line}"
        found[normal(match.group(1))] = match.group(3)
    return found


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_every_locked_package_is_pinned_with_its_hashes(lock):
    locked = entries(lock)

    assert len(locked) > 50
    assert [name for name, (_version, hashes) in locked.items() if not hashes] == []


@pytest.mark.parametrize(("source", "lock"), [("requirements.in", "requirements.txt"),
                                              ("requirements-dev.in", "requirements-dev.txt")])
def test_every_direct_dependency_is_locked_at_the_version_its_in_file_pins(source, lock):
    locked = entries(lock)

    assert {name: locked.get(name, ("missing",))[0] for name, version in direct(source).items() if version} == {
        name: version for name, version in direct(source).items() if version}
    assert [name for name in direct(source) if name not in locked] == []


def test_the_dev_lock_holds_every_runtime_package_at_the_same_version():
    runtime, dev = entries("requirements.txt"), entries("requirements-dev.txt")

    assert {name: dev.get(name, ("missing",))[0] for name in runtime} == {name: v for name, (v, _h) in runtime.items()}


def test_celery_brings_its_redis_transport_and_nothing_of_it_is_pinned_by_hand():
    runtime = direct("requirements.in")

    assert "celery[redis]==" in (REPO / "requirements.in").read_text(encoding="utf-8")
    assert {"kombu", "redis", "packaging"} & set(runtime) == set()
    assert {"kombu", "redis", "packaging"} <= set(entries("requirements.txt"))
    assert "psycopg2-binary" in runtime


def test_the_set_up_lists_the_debian_packages_of_backups_and_of_the_tests():
    listed = subprocess.run(["scripts/setup.sh", "--list-debs", "--dev"], cwd=REPO, capture_output=True,
                            text=True, check=True).stdout.split()

    assert {"postgresql-client", "gettext", "fonts-nanum", "chromium"} <= set(listed)


@pytest.mark.skipif(os.environ.get("BUNDLE_TEST") != "1",
                    reason="builds the offline bundle and installs from it (a few minutes): BUNDLE_TEST=1; "
                           "CI runs scripts/check-offline-install.sh")
def test_a_fresh_set_up_installs_every_locked_package_from_the_bundle_with_the_registries_out_of_reach():
    done = subprocess.run(["scripts/check-offline-install.sh"], cwd=REPO, capture_output=True, text=True,
                          timeout=900, check=False)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "locked packages installed from the bundle" in done.stdout
