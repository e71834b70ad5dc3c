"""Issued documents as PDF (fpdf2): A4, Chinese text in the vendored Noto Sans SC, embedded as
a subset of the characters each document prints, the number and check code, a QR code to the
verification page and a seal area. Printed from the document's snapshot alone, so that a
document printed again reads as it did the day it was issued.

The wording is Chinese whatever the reader's language: a certificate is a document of a Chinese
office, and the same number must always print the same text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace

from certificates.models import DocumentKind

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "noto-sans-sc"
FONT_PATH = FONT_DIR / "NotoSansSC_400Regular.ttf"
FONT = "NotoSansSC"

# Millimetres on A4 portrait.
MARGIN = 20
PAGE_WIDTH = 210
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
QR_SIZE = 32
SEAL_RADIUS = 21

INK = (17, 17, 17)
GREY = (100, 100, 100)
RED = (190, 30, 45)

IDENTITY_LABELS = {"volunteer_number": "志愿者编号", "id_number": "身份证号"}


@dataclass(frozen=True)
class Printable:
    """What a document prints: its register entry, read by the caller."""

    kind: DocumentKind
    number: str
    check_code: str
    issued_at: datetime
    snapshot: dict[str, Any]
    revoked_on: date | None = None


@lru_cache(maxsize=1)
def _font_characters() -> frozenset[int]:
    font = TTFont(FONT_PATH, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def missing_characters(*texts: str) -> str:
    """The characters of `texts` that the certificate font has no glyph for (each once, in
    order): printed, they would be left out, so a document holding any is not issued."""
    have = _font_characters()
    missing: dict[str, None] = {}
    for text in texts:
        for char in text:
            if not char.isspace() and ord(char) not in have:
                missing[char] = None
    return "".join(missing)


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def hours_text(hours: float) -> str:
    """12.0 as 12, 12.5 as 12.5."""
    return f"{hours:g}"


class _Document(FPDF):
    """A4 with the font, the margins and the parts every kind of document shares."""

    def __init__(self, printable: Printable, title: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.printable = printable
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)
        self.add_font(FONT, fname=str(FONT_PATH))
        self.set_lang("zh-CN")
        self.set_title(f"{title} {printable.number}")
        self.set_subject(title)
        self.set_author(printable.snapshot.get("issuer", ""))
        self.set_creator("文明实践积分")
        # The same document prints the same bytes: no clock in the file.
        self.set_creation_date(printable.issued_at)
        self.set_text_color(*INK)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, size=8)
        self.set_text_color(*GREY)
        self.cell(
            0, 5, f"{self.printable.number}  第 {self.page_no()} 页 / 共 {{nb}} 页", align="C"
        )
        self.set_text_color(*INK)

    def heading(self, title: str) -> None:
        if self.printable.revoked_on is not None:
            self.set_font(FONT, size=14)
            self.set_text_color(*RED)
            self.cell(
                0,
                8,
                f"已撤销（{chinese_date(self.printable.revoked_on)}）",
                align="R",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            self.set_text_color(*INK)
        else:
            self.ln(8)
        self.set_font(FONT, size=26)
        self.cell(0, 16, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=10.5)
        self.cell(
            0,
            7,
            f"编号：{self.printable.number}    校验码：{self.printable.check_code}",
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.ln(4)

    def paragraph(self, text: str, *, size: float = 12.5, indent: bool = True) -> None:
        self.set_font(FONT, size=size)
        self.multi_cell(
            0, size * 0.62, ("\u3000\u3000" if indent else "") + text, new_x=XPos.LMARGIN
        )
        self.ln(2)

    def subheading(self, text: str) -> None:
        self.ln(2)
        self.set_font(FONT, size=12.5)
        self.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(self, headings: list[str], rows: list[list[str]], widths: list[int]) -> None:
        self.set_font(FONT, size=10.5)
        self.set_draw_color(*GREY)
        align = ["LEFT"] * (len(headings) - 2) + ["RIGHT", "RIGHT"]
        with self.table(
            col_widths=widths,
            text_align=align,
            line_height=6.5,
            # The font has no bold face: headings are told apart by their shading.
            headings_style=FontFace(emphasis="", fill_color=(235, 235, 235)),
            first_row_as_headings=True,
        ) as table:
            for values in [headings, *rows]:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.set_draw_color(*INK)

    def signature(self, issuer: str, contact: str, issued_on: date, verify_url: str) -> None:
        """The QR code on the left; the issuer, the date and the seal area on the right."""
        block = QR_SIZE + 22
        if self.get_y() + block > self.h - MARGIN - 4:
            self.add_page()
        self.ln(6)
        top = self.get_y()
        draw_qr(self, verify_url, x=MARGIN, y=top, size=QR_SIZE, border=2)
        self.set_font(FONT, size=8.5)
        self.set_xy(MARGIN, top + QR_SIZE + 1)
        self.cell(QR_SIZE, 5, "扫码核验真伪", align="C")

        # The seal goes over the issuer's name and the date, as the office stamps it; the
        # label sits low in the circle, clear of both.
        right = MARGIN + TEXT_WIDTH
        centre_x, centre_y = right - 32, top + SEAL_RADIUS
        self.set_draw_color(*GREY)
        self.set_dash_pattern(dash=1.5, gap=1.2)
        self.circle(x=centre_x, y=centre_y, radius=SEAL_RADIUS)
        self.set_dash_pattern()
        self.set_draw_color(*INK)
        self.set_text_color(*GREY)
        self.set_font(FONT, size=9)
        self.set_xy(centre_x - SEAL_RADIUS, centre_y + SEAL_RADIUS - 11)
        self.cell(2 * SEAL_RADIUS, 6, "盖章处", align="C")
        self.set_text_color(*INK)

        self.set_font(FONT, size=12.5)
        width = TEXT_WIDTH - QR_SIZE - 6
        self.set_xy(MARGIN + QR_SIZE + 6, top + 6)
        self.multi_cell(width, 8, issuer, align=Align.R, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_x(MARGIN + QR_SIZE + 6)
        self.cell(width, 8, chinese_date(issued_on), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        if contact:
            self.set_font(FONT, size=10)
            self.set_x(MARGIN + QR_SIZE + 6)
            self.cell(width, 7, f"联系方式：{contact}", align="R")
        self.set_y(max(self.get_y(), top + 2 * SEAL_RADIUS, top + QR_SIZE + 6))

    def note(self, text: str) -> None:
        self.ln(4)
        self.set_font(FONT, size=8.5)
        self.set_text_color(*GREY)
        self.multi_cell(0, 4.6, text, new_x=XPos.LMARGIN)
        self.set_text_color(*INK)


def _service_certificate(printable: Printable) -> _Document:
    """志愿服务证明 after the Ministry of Civil Affairs' rules (《志愿服务记录与证明出具办法
    （试行）》, 2021): who, identified how, service hours in all and by year and campaign, the
    service done, the issuer with its seal and contact, the date."""
    s = printable.snapshot
    pdf = _Document(printable, "志愿服务证明")
    pdf.heading("志愿服务证明")
    identity = s["identity"]
    who = f"{s['name']}（{IDENTITY_LABELS[identity['kind']]}：{identity['value']}）"
    first, last = date.fromisoformat(s["first_day"]), date.fromisoformat(s["last_day"])
    pdf.paragraph(
        f"兹证明 {who} 于 {chinese_date(first)} 至 {chinese_date(last)} 通过秦皇岛市文明实践"
        f"积分平台参加志愿服务，经所在志愿服务队确认考勤，累计志愿服务时长 "
        f"{hours_text(s['total_hours'])} 小时，共 {s['total_shifts']} 次。"
    )
    if s["teams"]:
        pdf.paragraph(f"服务队伍：{'、'.join(s['teams'])}。")
    pdf.subheading("按年度统计")
    pdf.grid(
        ["年度", "服务次数", "服务时长（小时）"],
        [[str(y["year"]), str(y["shifts"]), hours_text(y["hours"])] for y in s["years"]],
        [50, 60, 60],
    )
    pdf.subheading("按活动统计")
    pdf.grid(
        ["年度", "活动", "服务次数", "服务时长（小时）"],
        [
            [str(c["year"]), c["campaign"], str(c["shifts"]), hours_text(c["hours"])]
            for c in s["campaigns"]
        ],
        [20, 80, 30, 40],
    )
    pdf.ln(3)
    pdf.paragraph("特此证明。")
    pdf.signature(s["issuer"], s["contact"], date.fromisoformat(s["issued_on"]), s["verify_url"])
    pdf.note(
        "服务时长以签到、签退时间计，不含往返交通时间。本证明依据《志愿服务记录与证明出具办法"
        f"（试行）》出具，加盖出具单位印章有效。核验：扫描二维码，或访问 {s['verify_page']}"
        f" 输入编号 {printable.number} 和校验码 {printable.check_code}。"
    )
    return pdf


def _honour_certificate(printable: Printable) -> _Document:
    """荣誉证书 of an honour made by a round's decision: the person, the honour and its
    category, the round, the decision's document number and date, the issuer with its seal,
    the date. No identity number: the name and the verification page identify it."""
    s = printable.snapshot
    pdf = _Document(printable, "荣誉证书")
    pdf.heading("荣誉证书")
    pdf.ln(8)
    pdf.paragraph(f"{s['name']}：", size=16, indent=False)
    pdf.paragraph(
        f"您在{s['category']}方面事迹突出，经{s['round']}推荐、审核、评议和公示，于"
        f"{chinese_date(date.fromisoformat(s['decided_on']))}研究决定（{s['decision_number']}），"
        f"授予您“{s['honour']}”称号。",
        size=16,
    )
    pdf.paragraph("特发此证，以资鼓励。", size=16)
    pdf.ln(6)
    pdf.signature(s["issuer"], s["contact"], date.fromisoformat(s["issued_on"]), s["verify_url"])
    pdf.note(
        f"本证书加盖颁发单位印章有效。核验：扫描二维码，或访问 {s['verify_page']}"
        f" 输入编号 {printable.number} 和校验码 {printable.check_code}。"
    )
    return pdf


LAYOUTS: dict[DocumentKind, Callable[[Printable], _Document]] = {
    DocumentKind.service_certificate: _service_certificate,
    DocumentKind.honour_certificate: _honour_certificate,
}


def render(printable: Printable) -> bytes:
    """The document as a PDF file."""
    return bytes(LAYOUTS[printable.kind](printable).output())


def draw_qr(pdf: FPDF, payload: str, *, x: float, y: float, size: float, border: int) -> None:
    """A QR code of `payload` drawn on the page as filled rectangles, `size` mm square with a
    quiet zone of `border` modules: sharp at any zoom, no image library."""
    rows = list(segno.make(payload, error="m").matrix_iter(border=border))
    module = size / len(rows)
    pdf.set_fill_color(*INK)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(x + start * module, y + r * module, (c - start) * module, module, "F")
