"""Audit fixtures: the funding and evaluation worlds (their helpers and fixtures
re-exported), plus `events(action)`, the explicit events of one kind."""

import pytest

from audit.models import AuditEvent
from tests.evaluations.conftest import before_deadline, make_eligible, make_expert  # noqa: F401
from tests.funding.conftest import (  # noqa: F401  (fixtures shared with the funding tests)
    _english,
    _media_root,
    approve,
    approved,
    build_letter,
    client,
    complete_proposal,
    letter,
    make_proposal,
    official_of,
    plan,
    prepared,
    proposal,
    select,
    selected,
)


def events(action) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


@pytest.fixture
def panel_expert(db):
    """A Daejeon expert: conflict-free for the Gwangju + Jeonnam proposals."""
    return make_expert("expert-audit", display_name="감사 전문가")
