"""QR codes as inline SVG (segno: pure Python, no image libraries)."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(payload: str, *, scale: int = 6) -> Markup:
    """An SVG QR code of `payload`, ready to put in a template; it scales with its box."""
    svg = segno.make(payload, error="m").svg_inline(
        scale=scale, border=2, omitsize=True, title="QR", dark="#111", light="#fff"
    )
    return Markup(svg)
