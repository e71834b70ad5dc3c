"""What an uploaded file is, found from its bytes (never from the name or the type the client
claims), and images re-encoded: turned upright by their EXIF orientation, then written anew
without any metadata (EXIF with its GPS position, XMP, comments, colour profiles)."""

from __future__ import annotations

import enum
import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

# What is decoded: the formats phones and scanners give. Pillow would otherwise try every
# format it knows, some of them rarely exercised parsers.
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85
PDF_MAGIC = b"%PDF-"

NOT_READABLE = _l("This image cannot be read; it may be damaged.")
NOT_A_PDF = _l("This PDF file is damaged or incomplete.")


class FileType(enum.Enum):
    """What a kind of upload may accept."""

    image = "image"
    pdf = "pdf"


class ContentRefused(Exception):
    """The bytes are not a file of an accepted type; `message` says why, for the user."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@dataclass(frozen=True)
class Content:
    """A file ready to store: its bytes, type, the extension that goes with it and, for an
    image, its size in pixels."""

    data: bytes
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None


def inspect(data: bytes, accepts: frozenset[FileType], *, max_pixels: int) -> Content:
    """The file to store for `data`: an image re-encoded, a PDF as it is. Raises
    ContentRefused when the bytes are neither an accepted type nor readable."""
    accepted = _accepted(accepts)
    if data.startswith(PDF_MAGIC):
        if FileType.pdf not in accepts:
            raise ContentRefused(_not_accepted(accepted))
        # A PDF cut short (an upload broken off) ends without its trailer.
        if b"%%EOF" not in data[-1024:]:
            raise ContentRefused(NOT_A_PDF)
        return Content(data=data, content_type="application/pdf", extension="pdf")
    if FileType.image not in accepts:
        raise ContentRefused(_not_accepted(accepted))
    return reencode_image(data, max_pixels=max_pixels, accepted=accepted)


def _open(data: bytes, *, max_pixels: int, accepted) -> Image.Image:
    """The image, opened (its header read, nothing decoded yet) and its size checked before
    the pixels are: a small file can describe a huge image (a decompression bomb)."""
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own limit and refuses above twice it; both refuse here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ContentRefused(_too_many_pixels(None, max_pixels)) from None
    except UnidentifiedImageError:
        raise ContentRefused(_not_accepted(accepted)) from None
    except (OSError, ValueError, SyntaxError):
        raise ContentRefused(NOT_READABLE) from None
    width, height = image.size
    if width * height > max_pixels:
        raise ContentRefused(_too_many_pixels(width * height, max_pixels))
    return image


def _accepted(accepts: frozenset[FileType]):
    """What a kind accepts, in words for the user."""
    if accepts == {FileType.image}:
        return _l("an image (JPEG, PNG or WebP)")
    if accepts == {FileType.pdf}:
        return _l("a PDF file")
    return _l("an image (JPEG, PNG or WebP) or a PDF file")


def _not_accepted(accepted):
    return _l("This file cannot be accepted: please send %(accepted)s.", accepted=accepted)


def _too_many_pixels(pixels: int | None, max_pixels: int):
    limit = f"{max_pixels / 1_000_000:g}"
    if pixels is None:
        return _l(
            "This image is too large (at most %(limit)s million pixels). "
            "Please send a smaller photo.",
            limit=limit,
        )
    return _l(
        "This image is too large (%(pixels)s million pixels; at most %(limit)s million). "
        "Please send a smaller photo.",
        pixels=f"{pixels / 1_000_000:g}",
        limit=limit,
    )


def reencode_image(data: bytes, *, max_pixels: int, accepted) -> Content:
    """The image written anew: upright, without metadata; a PNG, or an image with
    transparency, as PNG (scans and screenshots stay sharp), every other as JPEG."""
    image = _open(data, max_pixels=max_pixels, accepted=accepted)
    as_png = image.format == "PNG"
    try:
        with image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            as_png = (
                as_png
                or upright.mode in ("RGBA", "LA", "PA")
                or (upright.mode == "P" and "transparency" in upright.info)
            )
            if as_png:
                mode = upright.mode if upright.mode in ("RGB", "RGBA", "L", "LA") else "RGBA"
            else:
                mode = upright.mode if upright.mode in ("RGB", "L") else "RGB"
            converted = upright.convert(mode) if upright.mode != mode else upright
            # A new image from the pixels alone: nothing of the original's info (EXIF, XMP,
            # ICC, comments) can ride along into the saved file.
            clean = Image.frombytes(mode, converted.size, converted.tobytes())
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ContentRefused(NOT_READABLE) from None
    out = io.BytesIO()
    if as_png:
        clean.save(out, format="PNG", optimize=True)
        content_type, extension = "image/png", "png"
    else:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        content_type, extension = "image/jpeg", "jpg"
    return Content(
        data=out.getvalue(),
        content_type=content_type,
        extension=extension,
        width=clean.width,
        height=clean.height,
    )
