"""The outcomes registry: papers, patents, technology transfers, start-ups, jobs and follow-on
investment, each a typed `OutcomeRecord` of a project with its evidence.

An official of a participating region reports an outcome (`outcome_add`), attaches evidence
(`evidence_add`) and may withdraw it until staff confirm it; staff confirm or reject it
(`outcome_transition`, a move table as proposals.services.lifecycle). Outcomes are reported from
the project's first year until five years after its end (lifecycle.outcome_years_until), and
refused after that. The record's year is the year of its date.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import AuditAction, record
from core.moves import Move, check_move, move_of
from core.permissions import require

from ..models import OutcomeEvidence, OutcomeKind, OutcomeRecord, OutcomeState, PatentStatus, Project
from . import lifecycle

K = OutcomeKind


@dataclass(frozen=True)
class KindFields:
    fields: tuple  # the typed fields this kind uses, in the form's order
    required: frozenset  # those it cannot do without


# Which typed fields each kind uses (the others stay blank) and which it requires.
KIND_FIELDS = {
    K.PAPER: KindFields(("title", "journal", "issn", "doi", "occurred_on", "indexed"),
                        frozenset({"title", "journal", "occurred_on", "indexed"})),
    K.PATENT: KindFields(("title", "application_number", "occurred_on", "registration_number", "registered_on",
                          "country", "applicants", "inventors", "patent_status"),
                         frozenset({"title", "application_number", "occurred_on", "country", "applicants",
                                    "inventors", "patent_status"})),
    K.TRANSFER: KindFields(("title", "partner", "occurred_on", "amount_won"),
                           frozenset({"title", "partner", "occurred_on", "amount_won"})),
    K.STARTUP: KindFields(("title", "occurred_on", "count"), frozenset({"title", "occurred_on", "count"})),
    K.JOBS: KindFields(("occurred_on", "count"), frozenset({"occurred_on", "count"})),
    K.INVESTMENT: KindFields(("partner", "occurred_on", "amount_won"),
                             frozenset({"partner", "occurred_on", "amount_won"})),
}

TEXT_FIELDS = ("title", "journal", "issn", "doi", "application_number", "registration_number", "country",
               "applicants", "inventors", "patent_status", "partner")
TYPED_FIELDS = (*TEXT_FIELDS, "occurred_on", "registered_on", "indexed", "amount_won", "count")

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")
ISSN_RE = re.compile(r"^(\d{4})-?(\d{3}[\dX])$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
MAX_AMOUNT = 10**15


def normal_doi(value: str) -> str:
    """A DOI as the registry keeps it: without a resolver prefix, lower case (DOIs ignore case)."""
    value = (value or "").strip()
    for prefix in DOI_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix):]
            break
    return value.strip().lower()


def issn_ok(value: str) -> bool:
    """An ISSN's eighth character is its check digit (weights 8..2, modulo 11; X for 10)."""
    digits = value.replace("-", "")
    total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return digits[7] == ("X" if check == 10 else str(check))


def normal_patent_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def _clean(kind: str, data: dict, *, project: Project, today: datetime.date) -> dict:
    """The record's typed values for `kind`, or ValidationError keyed by field."""
    spec = KIND_FIELDS[kind]
    values = {name: None if name in ("occurred_on", "registered_on", "indexed", "amount_won", "count") else ""
              for name in TYPED_FIELDS}
    errors = {}
    for name in spec.fields:
        value = data.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "") and name in spec.required:
            errors[name] = _("This field is required for this type of outcome.")
            continue
        values[name] = value if value is not None else values[name]
    if kind == K.PAPER:
        if values["doi"]:
            values["doi"] = normal_doi(values["doi"])
            if not DOI_RE.match(values["doi"]):
                errors["doi"] = _("Enter a DOI such as 10.1000/xyz123 (with or without https://doi.org/).")
        if values["issn"]:
            match = ISSN_RE.match(values["issn"].upper())
            if not match or not issn_ok(match.group(1) + match.group(2)):
                errors["issn"] = _("Enter a valid ISSN such as 2049-3630 (eight characters, the last a check "
                                   "digit).")
            else:
                values["issn"] = f"{match.group(1)}-{match.group(2)}"
    if kind == K.PATENT:
        values["application_number"] = normal_patent_number(values["application_number"])
        values["registration_number"] = normal_patent_number(values["registration_number"])
        values["country"] = (values["country"] or "").upper()
        if values["country"] and not COUNTRY_RE.match(values["country"]):
            errors["country"] = _("Enter the two-letter country code, e.g. KR, US or EP.")
        if values["patent_status"] and values["patent_status"] not in PatentStatus.values:
            errors["patent_status"] = _("Choose a status from the list.")
        if values["patent_status"] == PatentStatus.REGISTERED:
            for name in ("registration_number", "registered_on"):
                if not values[name]:
                    errors[name] = _("A registered patent needs its registration number and date.")
        if values["registered_on"] and values["occurred_on"] and values["registered_on"] < values["occurred_on"]:
            errors["registered_on"] = _("The registration date cannot be before the application date.")
        if values["registered_on"] and values["registered_on"] > today:
            errors["registered_on"] = _("This date is in the future.")
    if values["amount_won"] is not None:
        if values["amount_won"] < 0:
            errors["amount_won"] = _("Amounts cannot be negative.")
        elif values["amount_won"] > MAX_AMOUNT:
            errors["amount_won"] = _("This amount is too large.")
        elif kind == K.INVESTMENT and values["amount_won"] == 0:
            errors["amount_won"] = _("An investment is more than 0 won.")
    if values["count"] is not None and not 1 <= values["count"] <= 100000:
        errors["count"] = _("Enter a whole number from 1 to 100,000.")
    occurred = values["occurred_on"]
    if occurred:
        until = lifecycle.outcome_years_until(project)
        if occurred > today:
            errors["occurred_on"] = _("This date is in the future.")
        elif occurred.year < project.start_year:
            errors["occurred_on"] = _("This date is before the project began (%(year)s).") % {
                "year": project.start_year}
        elif occurred.year > until:
            errors["occurred_on"] = _("Outcomes are reported until %(year)s, five years after the project "
                                      "ended.") % {"year": until}
    for name in TEXT_FIELDS:
        limit = OutcomeRecord._meta.get_field(name).max_length
        if values[name] and len(values[name]) > limit and name not in errors:
            errors[name] = _("At most %(n)s characters.") % {"n": limit}
    if errors:
        raise ValidationError(errors)
    return values


def _check_duplicates(project: Project, values: dict, *, exclude_pk=None) -> None:
    others = OutcomeRecord.objects.filter(project=project).exclude(pk=exclude_pk)
    errors = {}
    if values["doi"] and others.filter(doi=values["doi"]).exists():
        errors["doi"] = _("This project already has an outcome with this DOI.")
    if values["application_number"] and others.filter(
            kind=K.PATENT, application_number=values["application_number"]).exists():
        errors["application_number"] = _("This project already has a patent with this application number.")
    if errors:
        raise ValidationError(errors)


def check_reporting_open(project: Project, *, today: datetime.date) -> None:
    until = lifecycle.outcome_years_until(project)
    if today.year > until:
        raise ValidationError(_("Outcomes of this project were reported until %(year)s, five years after it "
                                "ended; no more can be added.") % {"year": until})


def _summary(rec: OutcomeRecord) -> str:
    return f"{rec.get_kind_display()} {rec.year} {rec.project.proposal.title_ko}"


def outcome_add(*, actor, project: Project, kind: str, data: dict, today=None) -> OutcomeRecord:
    """An official of a participating region reports an outcome of the project for their region."""
    today = today or timezone.localdate()
    require(actor, "projects.report_outcome", project)
    if kind not in KIND_FIELDS:
        raise ValidationError({"kind": _("Choose a type of outcome.")})
    with transaction.atomic():
        # Two officials may report the same paper at once: the project's row orders them.
        project = Project.objects.select_for_update().select_related("proposal").get(pk=project.pk)
        check_reporting_open(project, today=today)
        values = _clean(kind, data, project=project, today=today)
        _check_duplicates(project, values)
        rec = OutcomeRecord(project=project, region_id=actor.region_id, kind=kind, year=values["occurred_on"].year,
                            entered_by=actor, **values)
        try:
            with transaction.atomic():
                rec.save()
        except IntegrityError:  # the constraint caught what the check could not see
            raise ValidationError({"doi" if values["doi"] else "application_number": _(
                "This project already has this outcome.")}) from None
        record(actor=actor, action=AuditAction.OUTCOME, obj=rec, summary=_summary(rec),
               after={"state": rec.state, "kind": rec.kind, "year": rec.year})
    return rec


@transaction.atomic
def outcome_withdraw(*, actor, record_: OutcomeRecord) -> None:
    """The region that reported an outcome withdraws it while it is not confirmed (a typing error,
    a rejected record to enter again)."""
    rec = OutcomeRecord.objects.select_for_update().select_related("project__proposal").get(pk=record_.pk)
    require(actor, "projects.edit_outcome", rec)
    if rec.state == OutcomeState.CONFIRMED:
        raise ValidationError(_("A confirmed outcome cannot be withdrawn."))
    record(actor=actor, action=AuditAction.OUTCOME, obj=rec, summary=_summary(rec),
           before={"state": rec.state}, after={"state": "withdrawn"})
    files = [e.file for e in rec.evidence.all()]
    rec.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])


# --- Review: confirm or reject (staff) --------------------------------------------------------

S = OutcomeState

OUTCOME_MOVES = {
    "confirm": Move(gettext_lazy("Confirm"), frozenset({S.REPORTED, S.REJECTED}), S.CONFIRMED,
                    "projects.review_outcome", gettext_lazy("This outcome is “%(state)s” already.")),
    "reject": Move(gettext_lazy("Reject"), frozenset({S.REPORTED, S.CONFIRMED}), S.REJECTED,
                   "projects.review_outcome", gettext_lazy("This outcome is “%(state)s” already.")),
}


@transaction.atomic
def outcome_transition(*, actor, record_: OutcomeRecord, action: str, comment: str = "") -> OutcomeRecord:
    move = move_of(OUTCOME_MOVES, action)
    rec = OutcomeRecord.objects.select_for_update().select_related("project__proposal").get(pk=record_.pk)
    check_move(move, actor=actor, obj=rec)
    comment = (comment or "").strip()
    if action == "reject" and not comment:
        raise ValidationError({"comment": _("Say why; the region sees your comments.")})
    if len(comment) > 2000:
        raise ValidationError({"comment": _("At most 2,000 characters.")})
    before = rec.state
    rec.state = move.target
    rec.review_comment = comment
    rec.reviewed_by = actor
    rec.reviewed_at = timezone.now()
    rec.save(update_fields=["state", "review_comment", "reviewed_by", "reviewed_at"])
    record(actor=actor, action=AuditAction.OUTCOME, obj=rec, summary=_summary(rec),
           before={"state": before}, after={"state": rec.state, "comment": comment})
    return rec


# --- Evidence ----------------------------------------------------------------------------------


def evidence_add(*, actor, record_: OutcomeRecord, upload) -> OutcomeEvidence:
    """Evidence for an outcome (the paper, the patent certificate, the contract), checked by its
    content like proposal files. A refused file changes nothing."""
    from proposals.services.attachments import validate_upload

    require(actor, "projects.edit_outcome", record_)
    name, ext, _kind = validate_upload(upload)
    evidence = OutcomeEvidence(record=record_, uploaded_by=actor)
    evidence.take(upload, name=name, ext=ext)
    try:
        with transaction.atomic():
            rec = OutcomeRecord.objects.select_for_update().get(pk=record_.pk)
            if rec.state == OutcomeState.CONFIRMED:
                raise ValidationError({"file": _("This outcome is confirmed; its evidence is closed.")})
            evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


# --- KPIs that count outcomes ---------------------------------------------------------------------
#
# A plan's KPI may count one type of outcome (proposals.KPI.counts_outcome); its achieved value in a
# year's annual report is then computed here, never typed: the number of papers, patents and
# technology transfers of that year; the start-ups and jobs created (the records' counts added up);
# the follow-on investment in won (the amounts added up). Rejected records count nowhere.

# What each type adds up: None = the number of records, else the field summed.
KPI_MEASURE = {K.PAPER: None, K.PATENT: None, K.TRANSFER: None, K.STARTUP: "count", K.JOBS: "count",
               K.INVESTMENT: "amount_won"}


def kpi_values(project: Project, year: int) -> dict[str, Decimal]:
    """{outcome type: the KPI value of the project's outcomes of `year`} for every type (0 when none),
    in one query."""
    rows = (OutcomeRecord.objects.filter(project=project, year=year).exclude(state=OutcomeState.REJECTED)
            .order_by().values("kind").annotate(n=Count("id"), count=Sum("count"), amount_won=Sum("amount_won")))
    values = {kind: Decimal(0) for kind in KPI_MEASURE}
    for row in rows:
        field = KPI_MEASURE[row["kind"]]
        values[row["kind"]] = Decimal(row["n"] if field is None else (row[field] or 0))
    return values
