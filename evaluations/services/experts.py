"""The expert pool: import and update from CSV or XLSX. Each row is checked
whole and imported in its own transaction; a refused row imports nothing and
is reported with its line number and reasons."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core import josa
from core.permissions import require
from core.tables import read_rows
from programmes.institutions import institution_match, registry
from programmes.models import Region, StrategicIndustry

from ..models import ExpertProfile

COLUMNS = ["username", "name", "email", "affiliation", "home_region", "industries", "keywords", "phone", "available"]
REQUIRED = ["username", "name", "email", "affiliation", "home_region"]


@dataclass
class ImportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # [(line, username, [reasons])]


def _check_row(row: dict, regions: dict, industries: dict) -> list[str]:
    reasons = [_("“%(col)s” is empty.") % {"col": c} for c in REQUIRED if not row.get(c)]
    if row.get("email"):
        try:
            validate_email(row["email"])
        except ValidationError:
            reasons.append(josa.format(_("“%(value)s” is not an e-mail address."), value=row["email"]))
    if row.get("home_region") and row["home_region"].lower() not in regions:
        reasons.append(josa.format(_("Unknown region code “%(value)s”."), value=row["home_region"]))
    for code in [c.strip() for c in row.get("industries", "").replace(",", ";").split(";") if c.strip()]:
        if code not in industries:
            reasons.append(josa.format(_("Unknown industry code “%(value)s”."), value=code))
    if row.get("available", "").lower() not in ("", "yes", "no", "true", "false", "1", "0", "y", "n"):
        reasons.append(_("“available” must be yes or no."))
    existing = User.objects.filter(username=row.get("username")).first()
    if existing and existing.role != Role.EXPERT:
        reasons.append(josa.format(_("“%(value)s” is an account of another role."), value=row["username"]))
    return reasons


def experts_import(*, actor, upload) -> ImportReport:
    require(actor, "evaluations.import_experts")
    rows = read_rows(upload)
    regions = {r.code: r for r in Region.objects.all()}
    industries = {i.code: i for i in StrategicIndustry.objects.all()}
    report = ImportReport()
    reg = registry()
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
                "affiliation": row["affiliation"], "institution": institution_match(row["affiliation"], reg=reg),
                "home_region": regions[row["home_region"].lower()],
                "keywords": row.get("keywords", ""), "phone": row.get("phone", ""), "contact_email": row["email"],
                "available": row.get("available", "yes").lower() not in ("no", "false", "0", "n"),
            })
            codes = [c.strip() for c in row.get("industries", "").replace(",", ";").split(";") if c.strip()]
            profile.industries.set([industries[c] for c in codes])
        (report.created if created else report.updated).append(user.username)
    return report
