"""Every write to proposals. Views, tasks, seeds and tests call these."""

from .attachments import AttachmentRejected, attachment_add, attachment_delete  # noqa: F401
from .budget import budget_problems  # noqa: F401
from .editing import (  # noqa: F401
    BudgetInvalid,
    EditConflict,
    budget_cells,
    consortium_invite,
    consortium_remove,
    consortium_sign_off,
    proposal_create,
    proposal_save_budget,
    proposal_save_goals,
    proposal_save_links,
    proposal_save_organisations,
    proposal_save_overview,
    proposal_save_roadmap,
    section_key,
    section_revision,
)
from .lifecycle import (  # noqa: F401
    MOVES,
    available_moves,
    checklist,
    proposal_check_eligibility,
    proposal_send_to_consulting,
    proposal_start_revising,
    proposal_submit,
    proposal_transition,
    proposal_withdraw,
    submit_blockers,
)
