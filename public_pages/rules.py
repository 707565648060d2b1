"""Who may do what on the public boards (django-rules; imported by rules' autodiscovery).

Any regional official may ask on a published call, eligible region or not: whether a region
may apply is itself a question people ask. Reading published answers and published notices
needs no permission at all (the public pages read them through public/board_selectors.py).
"""

import rules

from accounts.rules import is_official, is_staff_member


@rules.predicate
def call_takes_questions(user, call):
    from programmes.models import CallStatus

    return call is not None and call.status != CallStatus.DRAFT


@rules.predicate
def is_asker(user, question):
    return question is not None and question.asked_by_id == user.pk


@rules.predicate
def is_waiting(user, question):
    from .models import QuestionState

    return question is not None and question.state == QuestionState.WAITING


@rules.predicate
def is_not_withdrawn(user, question):
    from .models import QuestionState

    return question is not None and question.state != QuestionState.WITHDRAWN


rules.add_perm("public.ask_question", is_official & call_takes_questions)
rules.add_perm("public.view_own_questions", is_official)
rules.add_perm("public.edit_question", is_official & is_asker & is_waiting)
rules.add_perm("public.withdraw_question", is_official & is_asker & is_waiting)
rules.add_perm("public.view_question_queue", is_staff_member)
rules.add_perm("public.answer_question", is_staff_member & is_not_withdrawn)
rules.add_perm("public.manage_notices", is_staff_member)
