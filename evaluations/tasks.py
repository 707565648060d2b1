from celery import shared_task
from django.utils.translation import gettext as _

from programmes.models import Call, CallStatus


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def remind_unsubmitted(*, call_id: int) -> int:
    """Remind each expert with unsubmitted scores on this call (one notification each)."""
    from accounts.services import notify

    from .services import unsubmitted_evaluations

    call = Call.objects.get(pk=call_id)
    experts = {}
    for a in unsubmitted_evaluations(call=call):
        experts.setdefault(a.expert_id, (a.expert, []))[1].append(a)
    for expert, assignments in experts.values():
        notify(users=[expert], url="/evaluations/assignments/",
               message=_("Reminder: %(n)s scoresheet(s) of “%(call)s” are not submitted yet; the review closes on "
                         "%(end)s.") % {"n": len(assignments), "call": call.title, "end": call.review_end})
    return len(experts)


@shared_task
def remind_all_calls_under_review() -> int:
    """Daily (celery beat): reminders for every call under review."""
    total = 0
    for call_id in Call.objects.filter(status=CallStatus.REVIEW).values_list("pk", flat=True):
        total += remind_unsubmitted(call_id=call_id)
    return total


@shared_task(acks_late=True, time_limit=600)
def call_affinity_warm(*, call_id: int) -> int:
    """Compute (and cache) the affinity of the pool's experts to a call's eligible proposals, so
    the automatic plan's page opens at once; without a broker it runs in-process. Returns the
    number of expert × proposal pairs."""
    from .services.affinity import call_affinity

    affinity = call_affinity(Call.objects.get(pk=call_id))
    return int(affinity.matrix.size)
