"""Reports fixtures: the funding world (a Gwangju + Jeonnam proposal in a 2027 call,
its decision approved: 18억 national a year, 2억 local per region and year) plus
helpers to read exports back.

The proposal fixtures of tests/proposals/conftest.py come through the funding
conftest: messages in English, files under a per-test MEDIA_ROOT.
"""

import csv
import io

from openpyxl import load_workbook

from tests.funding.conftest import (  # noqa: F401  (fixtures shared with the funding tests)
    ProposalFactory,
    _english,
    _media_root,
    approve,
    approved,
    build_letter,
    client,
    compact,
    complete_proposal,
    fill,
    make_proposal,
    pdf_text,
    plan,
    prepared,
    proposal,
    select,
    selected,
)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(data: bytes) -> list[list[str]]:
    """Header first; the BOM must be there and is stripped (utf-8-sig)."""
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(data: bytes):
    """(worksheet, rows of cell objects)."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    return ws, [list(r) for r in ws.iter_rows()]
