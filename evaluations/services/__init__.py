"""Every write of the evaluations app (and the reads pages share)."""

from .applicants import (  # noqa: F401
    list_closed_reason,
    suggested_field_add,
    suggested_field_remove,
    unsuitable_add,
    unsuitable_override,
    unsuitable_remove,
)
from .composition import composition_problems, panel_of, panel_set_chair  # noqa: F401
from .conflicts import expert_conflicts, proposal_facts  # noqa: F401
from .consulting import comments_for, consulting_answer, consulting_comment_add, current_round  # noqa: F401
from .contacts import contacts_of, expert_contacts_reveal, experts_export_record  # noqa: F401
from .experts import experts_import  # noqa: F401
from .objections import (  # noqa: F401
    objection_close_reevaluation,
    objection_dismiss,
    objection_lodge,
    objection_start_review,
    objection_transition,
    objection_uphold,
    objection_window,
)
from .panels import (  # noqa: F401
    exclusions_for,
    panel_assign,
    panel_auto_confirm,
    panel_auto_plan,
    panel_result_save,
    panel_unassign,
)
from .pledges import pledge_sign, pledge_signed, pledge_text, review_pledge_sign  # noqa: F401
from .rounds import (  # noqa: F401
    check_round_assignable,
    presentations_calendar,
    presentations_of,
    shortlist_take,
    slot_attendance,
    slot_set,
    written_round_open,
)
from .scoring import (  # noqa: F401
    assignment_declare,
    scoresheet_for,
    scoresheet_reopen,
    scoresheet_save,
    unsubmitted_evaluations,
)
