"""Funding fixtures and helpers (the test modules import the helpers from here).

The proposal fixtures of tests/proposals/conftest.py are re-exported: messages
are compared in English and every file goes to a per-test MEDIA_ROOT.

The standard proposal is Gwangju (lead) + Jeonnam in a 2027 call (pilot
2027–2029, cap 55억, envelope 220억, local ≥ 20% of national). `plan()` gives
a decision that meets every rule: 18억 national a year, 2억 local per region
and year (4억 ≥ 3.6억).

Letters are built with `build_letter` (services.letter_build, with the
after-commit work — removing a replaced file — run as a real commit would).
Without a broker, `approve` lets the after-commit enqueue run too, so the
eager task builds the letter as in production; with a broker the task would go
to Redis (no worker in these tests), so the enqueue is dropped and the test
builds the letter itself.
"""

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from funding import services
from funding.models import AwardLetter
from proposals.models import Proposal, ProposalState
from tests import po
from tests.factories import EOK
from tests.proposals.conftest import (  # noqa: F401  (fixtures shared with the proposals tests)
    ProposalFactory,
    _english,
    _media_root,
    client,
    complete_proposal,
    fill,
    form_fields,
    make_proposal,
    messages_of,
    official_of,
    other_client,
    proposal,
    text_of,
)

LOCALE = Path(__file__).resolve().parents[2] / "locale"
EAGER = not settings.CELERY_BROKER_URL

ENVELOPE_REFUSED = "Approving would exceed the call's envelope"
FOUR_EYES = "Four eyes: the person who prepared a decision cannot approve it. Ask another staff member."


def plan(subject: Proposal, *, national: int = 18 * EOK, local: int = 2 * EOK) -> tuple[dict, dict]:
    """`national` won every pilot year, `local` won per region and pilot year."""
    years = dict.fromkeys(subject.pilot_years(), national)
    obligations = {(region_id, y): local for region_id in region_ids(subject) for y in subject.pilot_years()}
    return years, obligations


def announce(call) -> None:
    """The call's results announced: from now on its regions see the approved decisions and
    letters (proposals.disclosure; before, they are sealed)."""
    from programmes.models import CallStatus

    call.status = CallStatus.ANNOUNCED
    call.save()


def region_ids(subject: Proposal) -> list[int]:
    """The lead region first, then the partners."""
    return list(subject.participations.order_by("-is_lead", "region__order").values_list("region_id", flat=True))


def select(subject: Proposal) -> Proposal:
    """Straight to "selected" (the selection itself is tested through selection_decide)."""
    Proposal.objects.filter(pk=subject.pk).update(state=ProposalState.SELECTED)
    subject.refresh_from_db()
    return subject


def selected_proposal(make, **kwargs) -> Proposal:
    """A complete Gwangju + Jeonnam proposal (`make`: the make_proposal fixture) in the selected state."""
    kwargs.setdefault("partners", ["jeonnam"])
    return select(fill(make(**kwargs)))


def letters_on_disk(media_root) -> list[str]:
    folder = Path(media_root) / "letters"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def sha256_of(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def pdf_text(path) -> str:
    """The PDF's text as pdftotext reads it (pypdf when poppler is missing)."""
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def compact(text: str) -> str:
    """Without any whitespace (letter-spacing and table layout split words in extracted text)."""
    return "".join(text.split())


# --- Fixtures -----------------------------------------------------------------------


@pytest.fixture
def reference_data(transactional_db):
    """Regions and industries again: a transactional test before this one emptied every table."""
    import importlib

    from django.apps import apps

    importlib.import_module("programmes.migrations.0002_reference_data").load(apps, None)


@pytest.fixture
def selected(complete_proposal):  # noqa: F811  (the fixture imported above)
    return select(complete_proposal)


@pytest.fixture
def prepared(selected, ministry):
    """The selected proposal's decision, prepared by `ministry` (54억 over the pilot)."""
    years, obligations = plan(selected)
    return services.funding_prepare(actor=ministry, proposal=selected, years=years, obligations=obligations,
                                    conditions="연차평가 결과에 따라 차년도 지원 규모를 조정할 수 있음.")


@pytest.fixture
def build_letter(django_capture_on_commit_callbacks):
    def build(letter) -> AwardLetter:
        letter_id = letter if isinstance(letter, int) else letter.pk
        with django_capture_on_commit_callbacks(execute=True):
            return services.letter_build(letter_id=letter_id)

    return build


@pytest.fixture
def approve(django_capture_on_commit_callbacks, build_letter):
    """Approve as production does; returns (decision, its Korean letter, built)."""

    def run(decision, actor):
        with django_capture_on_commit_callbacks(execute=EAGER):
            decision = services.funding_approve(actor=actor, decision=decision)
        letter = AwardLetter.objects.get(decision=decision, language="ko")
        if not EAGER:
            build_letter(letter)
        letter.refresh_from_db()
        return decision, letter

    return run


@pytest.fixture
def approved(prepared, ministry2, approve):
    """The decision approved by `ministry2`, its Korean letter built."""
    decision, _letter = approve(prepared, ministry2)
    return decision


@pytest.fixture
def letter(approved):
    return AwardLetter.objects.get(decision=approved, language="ko")


# --- The Korean catalogue -----------------------------------------------------------


@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory):
    """The catalogues compiled from the .po files (as tests/programmes/test_money.py does)."""
    target = tmp_path_factory.mktemp("locale")
    for catalogue in LOCALE.glob("*/LC_MESSAGES/django.po"):
        language = catalogue.parent.parent.name
        po.write_mo(po.parse(catalogue), target / language / "LC_MESSAGES" / "django.mo")
    return target


@pytest.fixture
def korean_catalogue(settings, compiled_locale):
    """Letters and the expected amounts both use the catalogue of the .po file."""
    settings.LOCALE_PATHS = [compiled_locale]
    return compiled_locale
