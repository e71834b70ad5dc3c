"""The certificate as a PDF, opened again and read: what it says, in which font, and that it
prints the same each time."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from certificates import pdf, services
from core.auth.models import Role
from core.clock import local_day, utcnow
from tests.builders import make_user
from tests.certificates.builders import certificate_settings, serve


def _text(body: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def _flat(text: str) -> str:
    """The text without spaces and line breaks, which the layout puts where it likes."""
    return re.sub(r"\s+", "", text)


def _issue_and_render(name: str, *, hours: int = 3, revoke: bool = False):
    office = make_user(role=Role.office, display_name="文明办")
    volunteer = make_user(display_name=name)
    serve(volunteer, hours=hours)
    document = services.issue_service_certificate(
        volunteer, volunteer.id, now=utcnow(), settings=certificate_settings()
    )
    if revoke:
        services.revoke_document(office, document.id, reason="重复出具", now=utcnow())
    return services.render_document(volunteer, document.id)


def test_the_pdf_says_number_code_name_hours_issuer_and_date(app):
    document, body = _issue_and_render("李志强", hours=3)

    assert body.startswith(b"%PDF-")
    text = _flat(_text(body))
    today = local_day(utcnow())
    assert "志愿服务证明" in text
    assert document.number in text
    assert document.check_code in text
    assert "李志强" in text
    assert f"志愿者编号：{document.subject_id:08d}" in text
    assert "累计志愿服务时长3小时，共1次" in text
    assert "测试活动季" in text
    assert "秦皇岛市精神文明建设委员会办公室" in text
    assert f"{today.year}年{today.month}月{today.day}日" in text
    assert "盖章处" in text
    assert "扫码核验真伪" in text


def test_a_name_with_rare_characters_is_printed_as_text(app):
    # 䶮 (U+4DAE, Extension A) and 𫖯 (U+2B5AF, Extension C, beyond the BMP) are in names of
    # the Table of General Standard Chinese Characters.
    for name in ("刘䶮", "赵孟𫖯"):
        _, body = _issue_and_render(name)
        assert name in _flat(_text(body))


def test_the_font_is_embedded_as_a_subset(app):
    _, body = _issue_and_render("王海燕")
    reader = PdfReader(io.BytesIO(body))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.append(str(font.get_object()["/BaseFont"]))
    # A subset's name starts with six capitals and a plus; the whole font is 10 MB.
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+NotoSansSC.*", f) for f in fonts)
    assert len(body) < 200_000


def test_a_revoked_certificate_prints_so(app):
    _, body = _issue_and_render("陈静", revoke=True)
    assert "已撤销" in _text(body)


def test_printing_again_gives_the_same_file(app):
    document, body = _issue_and_render("孙丽")
    _, again = services.render_document(make_user(role=Role.office), document.id)
    assert again == body


def test_missing_characters_names_what_the_font_lacks():
    assert pdf.missing_characters("张三 䶮", "𫖯") == ""
    assert pdf.missing_characters("𠮷田", "𠮷") == "𠮷"
