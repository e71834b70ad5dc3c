"""Tables for download: CSV that Excel on Chinese Windows opens (UTF-8 with BOM) and Excel
workbooks (XlsxWriter), each with what it was filtered by written above the headers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula (= + - @ …) is prefixed with an
    apostrophe; numbers and other values pass unchanged."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


@dataclass
class Table:
    """A report as rows: a title, the filters it was made with, headers and rows."""

    title: str
    headers: list[str]
    rows: list[list[Any]]
    filters: list[tuple[str, str]] = field(default_factory=list)


def csv_bytes(table: Table) -> bytes:
    """The table as CSV: title, filters, an empty line, headers, rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(table.title)])
    for label, value in table.filters:
        writer.writerow([safe_cell(label), safe_cell(value)])
    writer.writerow([])
    writer.writerow([safe_cell(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(tables: list[Table]) -> bytes:
    """The tables as one workbook, a sheet each, laid out as in csv_bytes."""
    buffer = io.BytesIO()
    # strings_to_formulas off: a cell is never run as a formula, whatever it starts with.
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True})
    used: set[str] = set()
    for table in tables:
        sheet = book.add_worksheet(_sheet_name(table.title, used))
        sheet.write(0, 0, table.title, bold)
        for n, (label, value) in enumerate(table.filters, start=1):
            sheet.write_string(n, 0, label)
            sheet.write_string(n, 1, value)
        top = len(table.filters) + 2
        for column, header in enumerate(table.headers):
            sheet.write_string(top, column, header, bold)
            sheet.set_column(column, column, max(10, min(40, len(header) * 2 + 2)))
        for r, row in enumerate(table.rows, start=top + 1):
            for column, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(r, column, value)
                else:
                    sheet.write(r, column, value)
        sheet.freeze_panes(top + 1, 0)
    book.close()
    return buffer.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    # Excel allows 31 characters and none of []:*?/\ in a sheet name, and no two alike.
    base = "".join("_" if c in "[]:*?/\\" else c for c in title)[:28] or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base}{n}", n + 1
    used.add(name)
    return name
