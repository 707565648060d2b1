"""Readable diffs of audit events (before → after, with field labels and choices), for the
trail page, its CSV and the admin."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent
from .personal_data import mask_email, mask_phone

# Contact details are personal data: the trail (page, CSV, admin) shows their changes masked, so it is
# no way around the access log (audit.personal_data); reading them in full is the pages' logged act.
MASKED_FIELDS = {"email": mask_email, "contact_email": mask_email, "phone": mask_phone}

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


def _blank(value) -> bool:
    return value is None or value in ("", "None", [], {}, ())


def diff_rows(event: AuditEvent) -> list[dict]:
    """The event's before → after as rows a person reads: field label, old, new, changed?"""
    model = event.content_type.model_class() if event.content_type_id else None
    rows = []
    for name, old, new in event.diff():
        if _blank(old) and _blank(new):
            continue  # nothing before, nothing after: no row (no empty "— →")
        label, choices = _field_info(model, name)
        if name in MASKED_FIELDS:
            mask = MASKED_FIELDS[name]
            rows.append({"field": label, "before": mask(old) if isinstance(old, str) and old else _display(old, {}),
                         "after": mask(new) if isinstance(new, str) and new else _display(new, {}),
                         "changed": old != new})
            continue
        rows.append({"field": label, "before": _display(old, choices), "after": _display(new, choices),
                     "changed": old != new})
    return rows
