"""Reads of the audit trail page: the filtered list (browse page and CSV), the object types of its filter."""

import datetime

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.utils import timezone

from audit.models import AuditEvent, PersonalDataAccess, PersonalDataSubject
from audit.selectors import diff_rows  # noqa: F401  (the page's rows)
from evaluations.models import Assignment, Objection, ObjectionAttachment, PanelResult, Scoresheet
from funding.models import FundingDecision, SelectionNote
from proposals.models import Participation, Proposal

TRAIL_APPS = ("accounts", "auth", "programmes", "proposals", "evaluations", "funding", "projects", "reports")


def object_types() -> list[tuple[str, str]]:
    """(app_label.model, verbose name) of every model the trail may name, for the filter."""
    models = [m for label in TRAIL_APPS if label in apps.app_configs for m in apps.get_app_config(label).get_models()
              if not m.__name__.startswith("Historical")]
    return sorted(((f"{m._meta.app_label}.{m._meta.model_name}", str(m._meta.verbose_name).capitalize())
                   for m in models), key=lambda t: t[1])


def actors() -> list[tuple[str, str]]:
    """(username, "name (username)") of every person who has a record on the trail, by name: the
    choices of the trail's person filter (one query)."""
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.filter(
        pk__in=AuditEvent.objects.filter(actor__isnull=False).values("actor")).order_by("display_name", "username")
    return [(p.username, f"{p} ({p.username})" if str(p) != p.username else p.username) for p in people]


def content_type_of(key: str):
    try:
        app_label, model = key.split(".", 1)
        return ContentType.objects.get_by_natural_key(app_label, model)
    except (ValueError, ContentType.DoesNotExist):
        return None


def about_proposal(proposal_id: int) -> Q:
    """Records of a proposal and of what hangs on it: its regions, panel, scores, selection and funding
    decisions (one place to answer "who changed this, and when" for any of its decisions)."""
    related = {
        Proposal: [proposal_id],
        Participation: Participation.objects.filter(proposal_id=proposal_id).values_list("pk", flat=True),
        Assignment: Assignment.objects.filter(proposal_id=proposal_id).values_list("pk", flat=True),
        Scoresheet: Scoresheet.objects.filter(assignment__proposal_id=proposal_id).values_list("pk", flat=True),
        PanelResult: PanelResult.objects.filter(proposal_id=proposal_id).values_list("pk", flat=True),
        Objection: Objection.objects.filter(proposal_id=proposal_id).values_list("pk", flat=True),
        ObjectionAttachment: ObjectionAttachment.objects.filter(objection__proposal_id=proposal_id)
        .values_list("pk", flat=True),
        SelectionNote: SelectionNote.objects.filter(proposal_id=proposal_id).values_list("pk", flat=True),
        FundingDecision: FundingDecision.objects.filter(proposal_id=proposal_id).values_list("pk", flat=True),
    }
    types = ContentType.objects.get_for_models(*related)
    condition = Q(pk__in=[])
    for model, ids in related.items():
        condition |= Q(content_type=types[model], object_id__in=[str(i) for i in ids])
    return condition


def trail(*, actor: str = "", action: str = "", source: str = "", object_type: str = "", object_id: str = "",
          date_from: datetime.date | None = None, date_to: datetime.date | None = None, q: str = "",
          proposal: int | None = None):
    """The trail, newest first, with the browse page's filters (all optional)."""
    qs = AuditEvent.objects.select_related("content_type")
    if proposal:
        qs = qs.filter(about_proposal(proposal))
    if actor:
        qs = qs.filter(Q(actor_name__icontains=actor) | Q(actor__username__iexact=actor))
    if action:
        qs = qs.filter(action=action)
    if source:
        qs = qs.filter(source=source)
    if object_type:
        ct = content_type_of(object_type)
        qs = qs.filter(content_type=ct) if ct else qs.none()
    if object_id:
        qs = qs.filter(object_id=object_id)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lt=datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min,
                                                        tzinfo=tz))
    if q:
        qs = qs.filter(Q(object_repr__icontains=q) | Q(summary__icontains=q) | Q(actor_name__icontains=q))
    return qs.order_by("-at", "-id")


def _day_range(qs, date_from, date_to):
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lt=datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min,
                                                        tzinfo=tz))
    return qs


def personal_data_log(*, accessor: str = "", subject: str = "", purpose: str = "", channel: str = "",
                      date_from: datetime.date | None = None, date_to: datetime.date | None = None):
    """The access log of personal data, newest first, with its subjects (one query for the page, one for
    the subjects), filtered by the page's fields (all optional)."""
    qs = PersonalDataAccess.objects.prefetch_related(
        Prefetch("subjects", queryset=PersonalDataSubject.objects.order_by("id")))
    if accessor:
        qs = qs.filter(Q(accessor_name__icontains=accessor) | Q(accessor__username__iexact=accessor))
    if subject:
        matching = PersonalDataSubject.objects.filter(
            Q(subject_name__icontains=subject) | Q(subject__username__iexact=subject)).values("access_id")
        qs = qs.filter(pk__in=matching)
    if purpose:
        qs = qs.filter(purpose=purpose)
    if channel:
        qs = qs.filter(channel=channel)
    return _day_range(qs, date_from, date_to).order_by("-at", "-id")
