"""The trail pages use the audit tests' fixtures (the funding and evaluation worlds, `events`)."""

from tests.audit.conftest import (  # noqa: F401  (fixtures shared with the audit tests)
    _english,
    _media_root,
    approve,
    approved,
    before_deadline,
    build_letter,
    client,
    complete_proposal,
    events,
    letter,
    make_eligible,
    make_expert,
    make_proposal,
    official_of,
    plan,
    prepared,
    proposal,
    select,
    selected,
)
