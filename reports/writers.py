"""CSV and XLSX writers for a dataset's rows (pure: rows in, bytes out).

CSV: UTF-8 with a byte-order mark (so Excel opens Korean correctly), produced as
a generator of byte chunks for StreamingHttpResponse. XLSX: openpyxl's
write-only workbook (rows go straight to a temporary file), typed number and
date cells, column widths, a bold, frozen header row.

Text that a spreadsheet would run as a formula (starting with = + - @, tab or CR)
is kept as text: prefixed with an apostrophe in CSV by the portal's one CSV writer
(core.spreadsheet, OWASP's advice) and stored as a string cell in XLSX.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from numbers import Number

from django.utils import timezone

from core.spreadsheet import BOM, SafeWriter, neutralise

from .datasets import DATE, DATETIME, DECIMAL, INT, WON, Column

ROWS_PER_CHUNK = 500


def _local(value, tz=None):
    """Wall-clock time in Asia/Seoul, without a zone (spreadsheets have none)."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(tz or timezone.get_current_timezone()).replace(tzinfo=None)
    return value


def csv_text(value, kind: str, tz=None):
    """A cell as the CSV writer takes it: numbers as numbers (a negative amount stays a number),
    everything else as text that never runs as a formula."""
    if value is None or value == "":
        return ""
    if kind == DATETIME and isinstance(value, datetime.datetime):
        return _local(value, tz).strftime("%Y-%m-%d %H:%M")
    if kind == DATE and isinstance(value, datetime.date):
        return value.isoformat()
    if kind in (INT, WON, DECIMAL) and isinstance(value, Number):
        return value
    return neutralise(value)


def csv_chunks(columns: tuple[Column, ...], rows: Iterable[list], *,
               on_rows: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The header and rows as UTF-8 byte chunks (BOM first), ROWS_PER_CHUNK rows at a time."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    buffer.write(BOM)
    writer.writerow([str(c.label) for c in columns])
    kinds = [c.type for c in columns]
    tz = timezone.get_current_timezone()
    count = 0
    for row in rows:
        writer.writerow([csv_text(v, k, tz) for v, k in zip(row, kinds, strict=True)])
        count += 1
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            if on_rows:
                on_rows(count)
    yield buffer.getvalue().encode("utf-8")
    if on_rows:
        on_rows(count)


def write_xlsx(target, columns: tuple[Column, ...], rows: Iterable[list], *, title: str,
               on_rows: Callable[[int], None] | None = None) -> int:
    """Write the workbook to `target` (a path or a binary file); returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_sheet_title(title))
    ws.freeze_panes = "A2"
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    bold = Font(bold=True)
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=str(c.label))
        cell.font = bold
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        header.append(cell)
    ws.append(header)
    formats = {WON: "#,##0", INT: "0", DECIMAL: "0.0###", DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm"}
    count = 0
    for row in rows:
        cells = []
        for value, c in zip(row, columns, strict=True):
            cell = WriteOnlyCell(ws, value=_xlsx_value(value, c.type))
            if c.type in formats and value is not None:
                cell.number_format = formats[c.type]
            elif isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            cells.append(cell)
        ws.append(cells)
        count += 1
        if on_rows and count % ROWS_PER_CHUNK == 0:
            on_rows(count)
    wb.save(target)
    if on_rows:
        on_rows(count)
    return count


def _xlsx_value(value, kind: str):
    if value is None:
        return None
    if kind == DATETIME and isinstance(value, datetime.datetime):
        return _local(value)
    if kind in (INT, WON):
        return int(value)
    if kind == DECIMAL:
        return float(value) if isinstance(value, Decimal) else value
    if kind == DATE:
        return value
    return str(value)


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    cleaned = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")
    return cleaned[:31] or "Export"
