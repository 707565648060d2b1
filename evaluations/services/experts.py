"""The expert pool: import and update from CSV or XLSX. Each row is checked
whole and imported in its own transaction; a refused row imports nothing and
is reported with its line number and reasons."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.rules import require
from programmes.models import Region, StrategicIndustry

from ..models import ExpertProfile

COLUMNS = ["username", "name", "email", "affiliation", "home_region", "industries", "keywords", "phone", "available"]
REQUIRED = ["username", "name", "email", "affiliation", "home_region"]


@dataclass
class ImportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # [(line, username, [reasons])]


def read_rows(upload) -> list[tuple[int, dict]]:
    """(line number in the file, row) for each non-blank data row."""
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        wb = load_workbook(upload, read_only=True, data_only=True)
        ws = wb.active
        rows = list(ws.iter_rows(values_only=True))
        if not rows:
            return []
        header = [str(h or "").strip().lower() for h in rows[0]]
        return [(line, {header[i]: ("" if v is None else str(v).strip()) for i, v in enumerate(r) if i < len(header)})
                for line, r in enumerate(rows[1:], start=2) if any(v not in (None, "") for v in r)]
    if name.endswith(".csv"):
        text = upload.read().decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text))
        # The reader skips blank lines; its line_num keeps the file's real line numbers.
        return [(reader.line_num, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()})
                for row in reader]
    raise ValidationError(_("Upload a .csv or .xlsx file."))


def _check_row(row: dict, regions: dict, industries: dict) -> list[str]:
    reasons = [_("“%(col)s” is empty.") % {"col": c} for c in REQUIRED if not row.get(c)]
    if row.get("email"):
        try:
            validate_email(row["email"])
        except ValidationError:
            reasons.append(_("“%(value)s” is not an e-mail address.") % {"value": row["email"]})
    if row.get("home_region") and row["home_region"].lower() not in regions:
        reasons.append(_("Unknown region code “%(value)s”.") % {"value": row["home_region"]})
    for code in [c.strip() for c in row.get("industries", "").replace(",", ";").split(";") if c.strip()]:
        if code not in industries:
            reasons.append(_("Unknown industry code “%(value)s”.") % {"value": code})
    if row.get("available", "").lower() not in ("", "yes", "no", "true", "false", "1", "0", "y", "n"):
        reasons.append(_("“available” must be yes or no."))
    existing = User.objects.filter(username=row.get("username")).first()
    if existing and existing.role != Role.EXPERT:
        reasons.append(_("“%(value)s” is an account of another role.") % {"value": row["username"]})
    return reasons


def experts_import(*, actor, upload) -> ImportReport:
    require(actor, "evaluations.import_experts")
    rows = read_rows(upload)
    regions = {r.code: r for r in Region.objects.all()}
    industries = {i.code: i for i in StrategicIndustry.objects.all()}
    report = ImportReport()
    seen = set()
    for line, row in rows:
        reasons = _check_row(row, regions, industries)
        if row.get("username") in seen:
            reasons.append(_("The username appears twice in the file."))
        seen.add(row.get("username"))
        if reasons:
            report.refused.append((line, row.get("username", ""), reasons))
            continue
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                username=row["username"], defaults={"role": Role.EXPERT, "display_name": row["name"],
                                                    "email": row["email"]})
            if created:
                user.set_unusable_password()
            user.display_name, user.email = row["name"], row["email"]
            user.save()
            profile, _c = ExpertProfile.objects.update_or_create(user=user, defaults={
                "affiliation": row["affiliation"], "home_region": regions[row["home_region"].lower()],
                "keywords": row.get("keywords", ""), "phone": row.get("phone", ""), "contact_email": row["email"],
                "available": row.get("available", "yes").lower() not in ("no", "false", "0", "n"),
            })
            codes = [c.strip() for c in row.get("industries", "").replace(",", ";").split(";") if c.strip()]
            profile.industries.set([industries[c] for c in codes])
        (report.created if created else report.updated).append(user.username)
    return report
