"""Builders for the care API's tests and the test world: an Excel list of people as the office
uploads one, and an image to send as a receipt or photo. They make files, never rows."""

from __future__ import annotations

import io

import openpyxl
from PIL import Image


def workbook(*id_numbers: str) -> io.BytesIO:
    """An Excel list of people by their ID numbers (a column 身份证号 beside their names)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号"])
    for number in id_numbers:
        sheet.append(["", number])
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def png() -> io.BytesIO:
    """A small drawing as PNG (never anyone's signature or photo)."""
    data = io.BytesIO()
    Image.new("RGB", (60, 40), (31, 95, 139)).save(data, format="PNG")
    data.seek(0)
    return data
