"""Tables people upload (CSV or XLSX): read into numbered rows, a hostile file refused with
the reason. One reader for every import (experts, the institutions registry)."""

import csv
import io
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# An office file is a zip; these bound what we agree to look inside (a zip bomb is refused
# from its directory alone, nothing is expanded). Real HWPX/DOCX/XLSX stay far below.
ZIP_MAX_MEMBERS = 5_000
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 200


def zip_is_reasonable(z: zipfile.ZipFile) -> bool:
    """Few enough members, a bounded total size and no member compressed beyond belief."""
    members = z.infolist()
    if len(members) > ZIP_MAX_MEMBERS:
        return False
    if sum(m.file_size for m in members) > ZIP_MAX_UNCOMPRESSED:
        return False
    return all(m.file_size <= ZIP_MAX_RATIO * max(m.compress_size, 1) or m.file_size < 1024 * 1024 for m in members)


def read_rows(upload, *, encodings=("utf-8-sig",)) -> list[tuple[int, dict]]:
    """(line number in the file, row) for each non-blank data row. A file that cannot be
    read (not in one of `encodings`, tried in order; not a workbook, a zip bomb, too large) is a
    ValidationError."""
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
        data, text = upload.read(), None
        for encoding in encodings:
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            if len(encodings) > 1:
                raise ValidationError(_("The file is neither UTF-8 nor CP949 text: save the CSV as UTF-8."))
            raise ValidationError(_("The file is not UTF-8 text: save the CSV as UTF-8."))
        if "\x00" in text:
            raise ValidationError(_("The CSV file could not be read (%(error)s).") % {"error": "NUL"})
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
    from openpyxl import load_workbook

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


