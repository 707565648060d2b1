"""core.choices.label_of: a choice's label in the active language, from a table made once per language."""

from django.utils import translation

from core.choices import label_of
from proposals.models import ProposalState


def test_the_label_follows_the_active_language():
    with translation.override("ko"):
        assert label_of(ProposalState, ProposalState.DRAFT) == "작성 중"
    with translation.override("en"):
        assert label_of(ProposalState, ProposalState.DRAFT) == "Draft"
    with translation.override("ko"):  # the English table did not replace the Korean one
        assert label_of(ProposalState, "draft") == "작성 중"


def test_it_agrees_with_the_models_own_display_for_every_state():
    for language in ("ko", "en"):
        with translation.override(language):
            for state in ProposalState:
                assert label_of(ProposalState, state) == str(state.label)


def test_an_unknown_code_reads_as_itself_and_none_as_nothing():
    assert label_of(ProposalState, "no-such-state") == "no-such-state"
    assert label_of(ProposalState, None) == ""
