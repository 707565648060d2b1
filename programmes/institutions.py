"""The institutions registry: matching a typed name to an entry, and what conflict checks
compare. A name matches an entry when its normalised form (no spaces, punctuation or
company suffixes, lower case) equals the entry's Korean name, English name or one of its
aliases. An entry's root is the institution it belongs to (a foundation's university, a
department's institution): two entries with the same root are the same institution."""

import re
from dataclasses import dataclass, field

from .models import Institution, InstitutionKind

_COMPANY_MARKS = re.compile(r"\(주\)|㈜|주식회사|\(재\)|재단법인|\(사\)|사단법인")
_PUNCTUATION = re.compile(r"[\s()（）·.,\-_'\"/&]")
MAX_DEPTH = 6  # the registry's deepest chain (department → institution → group); a cycle stops here


def normalise(name: str) -> str:
    """The form names are compared in: "KAIST" ↔ "kaist", "서울대학교 산학협력단" ↔ "서울대학교산학협력단"."""
    return _PUNCTUATION.sub("", _COMPANY_MARKS.sub("", (name or "").lower()))


@dataclass
class Registry:
    """The whole registry in memory (one query): names → entry, entry → parent and kind."""

    by_key: dict = field(default_factory=dict)  # normalised name → institution id
    parents: dict = field(default_factory=dict)  # id → parent id
    kinds: dict = field(default_factory=dict)  # id → kind

    def match(self, name: str) -> int | None:
        return self.by_key.get(normalise(name)) if normalise(name) else None

    def root(self, institution_id: int | None) -> int | None:
        """The institution an entry belongs to (itself when it belongs to none)."""
        current = institution_id
        for _step in range(MAX_DEPTH):
            parent = self.parents.get(current)
            if parent is None:
                break
            current = parent
        return current

    def department(self, institution_id: int | None) -> int | None:
        """The department an entry is (or belongs to), if any."""
        current = institution_id
        for _step in range(MAX_DEPTH):
            if current is None:
                return None
            if self.kinds.get(current) == InstitutionKind.DEPARTMENT:
                return current
            current = self.parents.get(current)
        return None


def registry() -> Registry:
    reg = Registry()
    rows = list(Institution.objects.values_list("pk", "name_ko", "name_en", "aliases", "kind", "parent_id"))
    for pk, _ko, _en, aliases, kind, parent_id in rows:
        reg.parents[pk] = parent_id
        reg.kinds[pk] = kind
        # The Korean name wins over another entry's alias: set names after aliases.
        for alias in aliases.split(";"):
            if normalise(alias):
                reg.by_key.setdefault(normalise(alias), pk)
    for pk, name_ko, name_en, *_rest in rows:
        for name in (name_en, name_ko):
            if normalise(name):
                reg.by_key[normalise(name)] = pk
    return reg


def institution_match(name: str, *, reg: Registry | None = None) -> Institution | None:
    """The registry entry a typed name stands for, or None."""
    pk = (reg or registry()).match(name)
    return Institution.objects.filter(pk=pk).first() if pk else None


def institution_names() -> list[str]:
    """Every name the forms suggest (a datalist): Korean names, then English ones."""
    rows = list(Institution.objects.order_by("name_ko").values_list("name_ko", "name_en"))
    return [ko for ko, _en in rows] + sorted({en for _ko, en in rows if en})


# --- Import of the registry (CSV or XLSX) ---------------------------------------------------

COLUMNS = ["name_ko", "name_en", "aliases", "kind", "parent"]


@dataclass
class ImportReport:
    created: list = field(default_factory=list)  # [(line, name)]
    updated: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # [(line, name, [reasons])]

    @property
    def saved(self) -> bool:
        return not self.errors


def _kind(value: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return InstitutionKind.OTHER
    for kind in InstitutionKind:
        if value.lower() == kind.value or value == str(kind.label) or value.lower() == str(kind.label).lower():
            return kind.value
    return None


def institutions_import(*, actor, upload) -> ImportReport:
    """Create or update registry entries from a table (columns COLUMNS; matched by Korean
    name). All or nothing: one bad row and nothing is saved, every bad row is reported with
    its line and reasons. A parent is named by any name or alias of an entry already in the
    registry or in the file."""
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.utils.translation import gettext as _

    from core.permissions import require
    from core.tables import read_rows

    require(actor, "programmes.manage_institutions")
    rows = read_rows(upload)
    report = ImportReport()
    if not rows:
        raise ValidationError(_("The file has no rows to import."))
    if "name_ko" not in rows[0][1]:
        raise ValidationError(_("The first row must name the columns: %(columns)s.") % {"columns": ", ".join(COLUMNS)})
    reg = registry()
    in_file = {}  # normalised name or alias → name_ko, for parents named in the file
    for _line, row in rows:
        for name in [row.get("name_ko", ""), row.get("name_en", ""), *row.get("aliases", "").split(";")]:
            if normalise(name):
                in_file.setdefault(normalise(name), row.get("name_ko", "").strip())
    seen, parsed = set(), []
    for line, row in rows:
        name = row.get("name_ko", "").strip()
        reasons = []
        if not name:
            reasons.append(_("“name_ko” is empty."))
        elif name in seen:
            reasons.append(_("“%(name)s” appears twice in the file.") % {"name": name})
        seen.add(name)
        for column, limit in (("name_ko", 200), ("name_en", 200)):
            if len(row.get(column, "")) > limit:
                reasons.append(_("“%(col)s” is longer than %(n)s characters.") % {"col": column, "n": limit})
        kind = _kind(row.get("kind", ""))
        if kind is None:
            reasons.append(_("Unknown kind “%(value)s” (one of: %(kinds)s).") % {
                "value": row.get("kind"), "kinds": ", ".join(InstitutionKind.values)})
        parent = row.get("parent", "").strip()
        if parent:
            key = normalise(parent)
            if key in in_file and in_file[key] == name or (key not in in_file and reg.by_key.get(key) is not None
                                                             and reg.by_key.get(key) == reg.match(name)):
                reasons.append(_("An institution cannot belong to itself."))
            elif key not in in_file and reg.match(parent) is None:
                reasons.append(_("Unknown parent “%(value)s”: add it to the registry or to the file.") % {
                    "value": parent})
        if reasons:
            report.errors.append((line, name, reasons))
        parsed.append((line, name, row, kind, parent))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            entries = {}
            for line, name, row, kind, _parent in parsed:
                inst, created = Institution.objects.update_or_create(name_ko=name, defaults={
                    "name_en": row.get("name_en", "").strip(), "aliases": row.get("aliases", "").strip(),
                    "kind": kind})
                entries[name] = inst
                (report.created if created else report.updated).append((line, name))
            reg = registry()
            for _line, name, _row, _kind_value, parent in parsed:
                parent_id = None
                if parent:
                    named = in_file.get(normalise(parent))
                    parent_id = entries[named].pk if named in entries else reg.match(parent)
                if entries[name].parent_id != parent_id:  # saved one by one: the audit trail sees each change
                    entries[name].parent_id = parent_id
                    entries[name].save(update_fields=["parent"])
                reg.parents[entries[name].pk] = parent_id
            for line, name, *_rest in parsed:
                if _has_cycle(reg, entries[name].pk):
                    report.errors.append((line, name, [_("Its parents lead back to itself.")]))
            if report.errors:
                raise _Refused
    except _Refused:
        report.created, report.updated = [], []
    return report


class _Refused(Exception):
    """Rolls the import back (the report says why)."""


def _has_cycle(reg: Registry, pk: int) -> bool:
    current, seen = pk, set()
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = reg.parents.get(current)
    return False
