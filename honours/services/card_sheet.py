"""The print sheet of courtesy cards (好人卡): A4 portrait, ten cards of the ID-1 size
(85.6 × 54 mm) a page, each with the holder's name and photo, the number, the validity date
and the QR code a partner scans. fpdf2 with the vendored Noto Sans SC, as the certificates
(certificates/pdf.py) print; the wording is Chinese whatever the reader's language, as on every
card the office hands out."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date, datetime

from fpdf import FPDF

from certificates.pdf import FONT, FONT_PATH, GREY, INK, RED, chinese_date, draw_qr

log = logging.getLogger(__name__)

CARD_WIDTH = 85.6
CARD_HEIGHT = 54
COLUMNS = 2
ROWS = 5
GAP = 3
LEFT = (210 - COLUMNS * CARD_WIDTH - (COLUMNS - 1) * GAP) / 2
TOP = (297 - ROWS * CARD_HEIGHT - (ROWS - 1) * GAP) / 2
PHOTO_WIDTH, PHOTO_HEIGHT = 20, 26
QR_SIZE = 25
TITLE = "秦皇岛市好人卡"
ISSUER = "秦皇岛市文明办"


@dataclass(frozen=True)
class PrintedCard:
    """What one card prints."""

    name: str
    number: str
    valid_until: date
    code: str
    photo: bytes | None = None


def spaced_number(number: str) -> str:
    """1234567890 as 1234 5678 90: easier to read out and type."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


class _Sheet(FPDF):
    def __init__(self, printed_at: datetime):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_auto_page_break(auto=False)
        self.set_margins(0, 0, 0)
        self.add_font(FONT, fname=str(FONT_PATH))
        self.set_lang("zh-CN")
        self.set_title(TITLE)
        self.set_creator("文明实践积分")
        # The same cards printed at the same moment give the same bytes.
        self.set_creation_date(printed_at)

    def card(self, card: PrintedCard, x: float, y: float) -> None:
        self.set_draw_color(*GREY)
        self.set_line_width(0.2)
        self.rect(x, y, CARD_WIDTH, CARD_HEIGHT, round_corners=True, corner_radius=3)
        self.set_text_color(*RED)
        self.set_font(FONT, size=12)
        self.set_xy(x + 4, y + 3)
        self.cell(CARD_WIDTH - 8, 7, TITLE, align="L")
        self._photo(card.photo, x + 4, y + 13)
        self.set_text_color(*INK)
        text_x, text_width = x + 4 + PHOTO_WIDTH + 3, CARD_WIDTH - PHOTO_WIDTH - QR_SIZE - 14
        self.set_font(FONT, size=13)
        self.set_xy(text_x, y + 14)
        self.cell(text_width, 7, card.name)
        self.set_font(FONT, size=7)
        self.set_text_color(*GREY)
        self.set_xy(text_x, y + 23)
        self.cell(text_width, 4, "卡号")
        self.set_text_color(*INK)
        self.set_font(FONT, size=9)
        self.set_xy(text_x, y + 27)
        self.cell(text_width, 5, spaced_number(card.number))
        self.set_font(FONT, size=7)
        self.set_text_color(*GREY)
        self.set_xy(text_x, y + 33)
        self.cell(text_width, 4, "有效期至")
        self.set_text_color(*INK)
        self.set_font(FONT, size=8)
        self.set_xy(text_x, y + 37)
        self.cell(text_width, 4, chinese_date(card.valid_until))
        draw_qr(self, card.code, x=x + CARD_WIDTH - 4 - QR_SIZE, y=y + 13, size=QR_SIZE, border=1)
        self.set_font(FONT, size=6.5)
        self.set_text_color(*GREY)
        self.set_xy(x + 4, y + CARD_HEIGHT - 8)
        self.cell(CARD_WIDTH - 8, 4, f"{ISSUER}  凭卡及本人身份证享受礼遇", align="L")
        self.set_text_color(*INK)

    def _photo(self, photo: bytes | None, x: float, y: float) -> None:
        if photo:
            try:
                self.image(io.BytesIO(photo), x=x, y=y, w=PHOTO_WIDTH, h=PHOTO_HEIGHT)
                return
            except Exception:  # an image fpdf cannot read: the frame instead, the card prints
                log.warning("a card's photo could not be printed", exc_info=True)
        self.set_draw_color(*GREY)
        self.rect(x, y, PHOTO_WIDTH, PHOTO_HEIGHT)
        self.set_font(FONT, size=7)
        self.set_text_color(*GREY)
        self.set_xy(x, y + PHOTO_HEIGHT / 2 - 2)
        self.cell(PHOTO_WIDTH, 4, "照片", align="C")
        self.set_text_color(*INK)


def render(cards: list[PrintedCard], *, printed_at: datetime) -> bytes:
    """The sheet as a PDF file, ten cards a page in reading order."""
    sheet = _Sheet(printed_at)
    per_page = COLUMNS * ROWS
    for index, card in enumerate(cards):
        if index % per_page == 0:
            sheet.add_page()
        row, column = divmod(index % per_page, COLUMNS)
        sheet.card(
            card,
            LEFT + column * (CARD_WIDTH + GAP),
            TOP + row * (CARD_HEIGHT + GAP),
        )
    return bytes(sheet.output())
