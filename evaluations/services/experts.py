"""The expert pool: import and update from CSV or XLSX. Each row is checked
whole and imported in its own transaction; a refused row imports nothing and
is reported with its line number and reasons."""

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.permissions import require
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
    """(line number in the file, row) for each non-blank data row. A file that cannot be
    read (not UTF-8, not a workbook, a zip bomb, too large) is a ValidationError."""
    name = (upload.name or "").lower()
    if (upload.size or 0) > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(_("The file is larger than %(limit)s MB.") % {
            "limit": f"{settings.ATTACHMENT_MAX_BYTES / 1_048_576:.0f}"})
    if name.endswith(".xlsx"):
        rows = _workbook_rows(upload)
        if not rows:
            return []
        header = [str(h or "").strip().lower() for h in rows[0]]
        return [(line, {header[i]: ("" if v is None else str(v).strip()) for i, v in enumerate(r) if i < len(header)})
                for line, r in enumerate(rows[1:], start=2) if any(v not in (None, "") for v in r)]
    if name.endswith(".csv"):
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text: save the CSV as UTF-8.")) from None
        reader = csv.DictReader(io.StringIO(text))
        # The reader skips blank lines; its line_num keeps the file's real line numbers.
        try:
            return [(reader.line_num, {(k or "").strip().lower(): (v if isinstance(v, str) else "").strip()
                                       for k, v in row.items()}) for row in reader]
        except csv.Error as exc:
            raise ValidationError(_("The CSV file could not be read (%(error)s).") % {"error": exc}) from None
    raise ValidationError(_("Upload a .csv or .xlsx file."))


def _workbook_rows(upload) -> list[tuple]:
    """The first sheet's rows; the zip's directory is checked before anything is expanded."""
    import zipfile

    from openpyxl import load_workbook

    from proposals.services.attachments import zip_is_reasonable

    unreadable = ValidationError(_("The file is not a readable XLSX workbook."))
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as z:
            if not zip_is_reasonable(z):
                raise unreadable
        upload.seek(0)
        wb = load_workbook(upload, read_only=True, data_only=True)
        return list(wb.active.iter_rows(values_only=True))
    except ValidationError:
        raise
    except Exception:  # openpyxl and zipfile raise many kinds on a hostile file
        raise unreadable from None


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
