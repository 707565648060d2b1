"""The read API fuzzed against its own OpenAPI schema (schemathesis) on a live server.

The portal serves /api/v1/ from pytest-django's live server (its test database, another thread);
the test seeds the demo world (seed_demo: the announced 2023 call with proposals, funding decisions,
letters and projects; the open 2027 call) plus a call in every other status, then makes a personal
access token (every scope) for a Gwangju official, an expert, ministry staff and an administrator.

Every operation the served schema has is covered, with nothing named here: for each one hypothesis
draws MAX_EXAMPLES cases (valid and invalid ones, from the schema), and each case is sent with each
role's token. Path parameters hit real objects about half of the time: the ids are read from the
API's own list operations (`/x/{x_id}` ← the items of `/x/`; `{thing_id}` ← the list `/things/`)
and put in place of the generated value in about half of the cases. Every answer must: not be a 5xx, have a status the
operation documents, the content type it documents for that status, and a body its schema
describes. The fuzzing is bounded by BUDGET_S: each operation gets an equal share of what is left;
on a machine so busy that an operation's share ends before MAX_EXAMPLES cases, it must still have
had MIN_EXAMPLES, or the run fails saying so.
"""

import time
from collections import defaultdict

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from programmes.models import CallStatus
from tests.api.tokens import token_for
from tests.demo_snapshot import demo_data
from tests.factories import AdminFactory, CallFactory, ExpertFactory, MinistryFactory, OfficialFactory

pytestmark = pytest.mark.django_db(transaction=True)

MAX_EXAMPLES = 30
MIN_EXAMPLES = 10
BUDGET_S = 180  # the fuzzing: the schema, the ids, every operation with every role (not the seeding)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SCHEMA_PATH = "/api/v1/openapi.json"


@pytest.fixture
def world(live_server, settings, reference_data):
    """The demo world plus a call in each status it lacks, and a token per role: {role: secret}."""
    settings.ALLOW_DEMO_DATA = True
    # Each token makes hundreds of requests a minute here: the per-token rate limit would answer
    # most of them 429 and leave the operations untested (a 429 fails the run below).
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    demo_data(settings, "committed")  # seeded once per test process (tests/demo_snapshot.py)
    from programmes.models import Call, Region

    present = set(Call.objects.values_list("status", flat=True))
    for i, status in enumerate(s for s in CallStatus.values if s not in present):
        CallFactory(title=f"{status} 공모", status=status, year=2030 + i)
    # One award letter built here, in the test's process (no worker need be listening), so the
    # letter facts operation meets a real verification code.
    from funding.models import AwardLetter, LetterStatus
    from funding.services import letter_build

    if not AwardLetter.objects.filter(status=LetterStatus.DONE).exists():
        letter = AwardLetter.objects.order_by("pk").first()
        if letter is not None:
            letter_build(letter_id=letter.pk)
    gwangju = Region.objects.get(code="gwangju")
    people = {
        "official": OfficialFactory(username="fuzz-official", region=gwangju),
        "expert": ExpertFactory(username="fuzz-expert"),
        "ministry": MinistryFactory(username="fuzz-ministry"),
        "admin": AdminFactory(username="fuzz-admin"),
    }
    return {role: token_for(user, name="fuzz") for role, user in people.items()}


# --- Ids of real objects, read from the API itself ------------------------------------------------


def list_paths(raw: dict) -> list[str]:
    """GET operations without path parameters (the lists)."""
    return [path for path, item in raw["paths"].items() if "{" not in path and "get" in item]


def known_ids(base: str, raw: dict, tokens: dict) -> dict[str, list]:
    """{list path: ids of its items} as every role sees them (ministry and admin see the most; a
    region's own objects only its officials)."""
    found = defaultdict(set)
    for path in list_paths(raw):
        for secret in tokens.values():
            response = requests.get(f"{base}{path}", params={"page_size": 200}, headers={"Authorization": f"Bearer {secret}"}, timeout=30)
            if response.status_code != 200:
                continue
            body = response.json()
            items = body.get("items", body) if isinstance(body, dict) else body
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and isinstance(item.get("id"), int):
                    found[path].add(item["id"])
                for key, value in nested_fields(item):  # codes printed inside items (a letter's)
                    if key == "code" or key.endswith("_code"):
                        found[f"#{key}"].add(value)
    return {path: sorted(ids) for path, ids in found.items()}


def nested_fields(value):
    """(key, value) of every string field at any depth of an item."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(inner, str) and inner:
                yield key, inner
            else:
                yield from nested_fields(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from nested_fields(inner)


def ids_for(path: str, name: str, ids: dict[str, list]) -> list:
    """The ids a path parameter takes: those of the list the parameter's segment follows
    (`/calls/{call_id}` ← `/calls/`), else of the list named after it (`proposal_id` ← `…/proposals/`)."""
    prefix = path.split("{" + name + "}")[0]
    if prefix in ids:
        return ids[prefix]
    stem = name.removesuffix("_id")
    for list_path, values in ids.items():
        if stem and list_path.rstrip("/").rsplit("/", 1)[-1] in (stem, f"{stem}s", f"{stem}es", f"{stem[:-1]}ies"):
            return values
    # A parameter that is no list's id (a letter's `code`): the values of the fields named
    # `…_code` (a bare `code` is a label's code, e.g. a status, so it comes last).
    for wanted in (lambda key: key.startswith("#") and key.endswith(f"_{name}"), lambda key: key == f"#{name}"):
        for key, values in ids.items():
            if wanted(key):
                return values
    # A number that is no object's id (a proposal's version number): the first few, as numbering starts at 1.
    return [] if name.endswith("_id") or name == "code" else [1, 2, 3]


def real_ids_of(operation, ids: dict[str, list]) -> dict[str, list]:
    """{path parameter: the real ids it may take} of one operation."""
    names = [p["name"] for p in operation.definition.raw.get("parameters", []) if p.get("in") == "path"]
    return {name: values for name in names if (values := ids_for(operation.path, name, ids))}


# --- The run ----------------------------------------------------------------------------------------


def fuzz_operation(
    operation,
    base: str,
    tokens: dict,
    session: requests.Session,
    deadline: float,
    statuses: dict | None = None,
    real_ids: dict | None = None,
) -> list[str]:
    """Up to MAX_EXAMPLES cases of one operation (until `deadline`), each sent with every role's token;
    the failures. `statuses` counts the answers and, under "cases", the cases sent."""
    failures, statuses = [], statuses if statuses is not None else defaultdict(int)
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE), operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    )

    @seed(19)
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.explicit, Phase.generate],
        print_blob=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, real=st.booleans(), data=st.data())
    def run(case, real, data):
        if time.monotonic() > deadline:
            return
        if real:  # about half of the cases name real objects (the rest: whatever the schema allows)
            for name, values in (real_ids or {}).items():
                if case.path_parameters and name in case.path_parameters:
                    case.path_parameters[name] = data.draw(st.sampled_from(values))
        statuses["cases"] += 1
        for role, secret in tokens.items():
            headers = {"Authorization": f"Bearer {secret}"}
            try:
                response = case.call_and_validate(base_url=base, session=session, headers=headers, checks=CHECKS)
                statuses[response.status_code] += 1
                if response.status_code == 429:
                    raise AssertionError("429: the rate limit answered, not the operation (API_RATE_LIMIT_PER_MINUTE)")
            except (FailureGroup, Exception) as exc:  # a check failed, or the server did not answer
                failure = f"{operation.label} as {role}: {exc}"
                if failure not in failures:
                    failures.append(failure)
                return

    run()
    return failures


def test_every_operation_of_the_schema_holds_for_every_role(live_server, world):
    started = time.monotonic()
    deadline = started + BUDGET_S - 5
    base = live_server.url
    raw = requests.get(f"{base}{SCHEMA_PATH}", timeout=30).json()
    ids = known_ids(base, raw, world)
    schema = schemathesis.openapi.from_dict(raw)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema has no operation"
    assert ids, "no list operation answered any id: the world is empty or the lists are broken"

    failures, answered = [], {}
    with requests.Session() as session:
        for done, operation in enumerate(operations):
            share = (deadline - time.monotonic()) / (len(operations) - done)
            answered[operation.label] = defaultdict(int)
            failures += fuzz_operation(
                operation, base, world, session, time.monotonic() + share, answered[operation.label], real_ids_of(operation, ids)
            )
    elapsed = time.monotonic() - started
    short = {label: statuses["cases"] for label, statuses in answered.items() if statuses["cases"] < MIN_EXAMPLES}
    assert not short, f"operations with fewer than {MIN_EXAMPLES} cases within {BUDGET_S} s: {short}"
    assert elapsed <= BUDGET_S, f"the fuzz run took {elapsed:.0f} s (budget {BUDGET_S} s)"
    assert not failures, f"{len(failures)} failing case(s):\n\n" + "\n\n".join(failures[:20])
    # Each operation answered its data sometimes, not only refusals (real ids, valid filters).
    never_200 = [label for label, statuses in answered.items() if not statuses.get(200)]
    assert not never_200, f"operations that never answered 200: {never_200} ({dict(answered)})"
