"""Reads of the audit trail: the filtered list (browse page and CSV) and readable diffs."""

import datetime

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent

TRAIL_APPS = ("accounts", "auth", "programmes", "proposals", "evaluations", "funding", "projects", "reports")


def object_types() -> list[tuple[str, str]]:
    """(app_label.model, verbose name) of every model the trail may name, for the filter."""
    models = [m for label in TRAIL_APPS if label in apps.app_configs for m in apps.get_app_config(label).get_models()
              if not m.__name__.startswith("Historical")]
    return sorted(((f"{m._meta.app_label}.{m._meta.model_name}", str(m._meta.verbose_name).capitalize())
                   for m in models), key=lambda t: t[1])


def content_type_of(key: str):
    try:
        app_label, model = key.split(".", 1)
        return ContentType.objects.get_by_natural_key(app_label, model)
    except (ValueError, ContentType.DoesNotExist):
        return None


def about_proposal(proposal_id: int) -> Q:
    """Records of a proposal and of what hangs on it: its regions, panel, scores, selection and funding
    decisions (one place to answer "who changed this, and when" for any of its decisions)."""
    from evaluations.models import Assignment, PanelResult, Scoresheet
    from funding.models import FundingDecision, SelectionNote
    from proposals.models import Participation, Proposal

    related = {
        Proposal: [proposal_id],
        Participation: Participation.objects.filter(proposal_id=proposal_id).values_list("pk", flat=True),
        Assignment: Assignment.objects.filter(proposal_id=proposal_id).values_list("pk", flat=True),
        Scoresheet: Scoresheet.objects.filter(assignment__proposal_id=proposal_id).values_list("pk", flat=True),
        PanelResult: PanelResult.objects.filter(proposal_id=proposal_id).values_list("pk", flat=True),
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


# Keys of explicit events that are not model fields.
EXTRA_LABELS = {
    "committed_won": _("committed from the call's envelope (won)"),
    "filters": _("filters"),
    "assigned": _("assigned"),
    "expert": _("expert"),
}


def _field_info(model, name: str):
    """(label, choices dict) of a model field, or (name, {}) when it is not one."""
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name]), {}
    if model is None or not name:
        return name, {}
    try:
        field = model._meta.get_field(name)
    except Exception:
        return name, {}
    label = str(getattr(field, "verbose_name", name))
    if label == name.replace("_", " "):  # no verbose name given: the catalogue's word, if it has one
        label = gettext(label.capitalize())
    choices = {str(k): str(v) for k, v in (getattr(field, "flatchoices", None) or [])}
    return label, choices


def _as_datetime(value: str):
    """An ISO date-time as auditlog (naive UTC) or record() (aware) stored it, or None."""
    if len(value) < 16 or value[4] != "-" or value[10] not in "T ":
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return timezone.localtime(moment)


def _display(value, choices: dict):
    if value is None or value == "None":
        return "—"
    if isinstance(value, str) and (moment := _as_datetime(value)) is not None:
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and value in choices:
        return choices[value]
    if isinstance(value, (list, tuple)):
        return ", ".join(str(_display(v, choices)) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_display(v, choices)}" for k, v in value.items()) or "—"
    if isinstance(value, bool) or value in ("True", "False"):
        return "✓" if value in (True, "True") else "✗"
    if isinstance(value, int) and abs(value) >= 10000:
        return f"{value:,}"
    return value


def diff_rows(event: AuditEvent) -> list[dict]:
    """The event's before → after as rows a person reads: field label, old, new, changed?"""
    model = event.content_type.model_class() if event.content_type_id else None
    rows = []
    for name, old, new in event.diff():
        label, choices = _field_info(model, name)
        rows.append({"field": label, "before": _display(old, choices), "after": _display(new, choices),
                     "changed": old != new})
    return rows
