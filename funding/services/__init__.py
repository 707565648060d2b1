"""Funding's writes: selection, decisions (their moves, the envelope, four eyes) and award letters.
Its reads (the board, the decision grids, the envelope figures, batch progress) are funding.selectors."""

from .decisions import (  # noqa: F401
    DECISION_MOVES,
    DecisionInvalid,
    committed_won,
    decision_amounts,
    decision_problems,
    decision_transition,
    funding_approve,
    funding_prepare,
)
from .letters import (  # noqa: F401
    letter_build,
    letter_context,
    letter_for_download,
    letter_html,
    letter_request,
    letters_batch,
    notify_regions,
)
from .scenarios import (  # noqa: F401, E402
    WINDOW,
    WINDOW_SMALL,
    WINDOW_STEP,
    line_plan,
    scenario_create,
    scenario_decide,
    scenario_differences,
    scenario_figures,
    scenario_save,
    scenario_window,
)
from .selection import SELECTION_ACTIONS, selection_decide  # noqa: F401
