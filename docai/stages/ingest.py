"""Ingest: what a file really is (by its bytes), its hash, its display name and the limits it must fit."""

from __future__ import annotations

import functools
import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

from docai.errors import DocaiError, ErrorCode

if TYPE_CHECKING:
    from PIL import Image

ACCEPTED = "PDF, PNG, JPEG, TIFF, WebP, BMP, GIF, HEIC or an e-invoice XML (XRechnung, Factur-X/ZUGFeRD CII, UBL)"


class MediaType(StrEnum):
    PDF = "application/pdf"
    PNG = "image/png"
    JPEG = "image/jpeg"
    TIFF = "image/tiff"
    WEBP = "image/webp"
    BMP = "image/bmp"
    GIF = "image/gif"
    HEIC = "image/heic"
    XML = "application/xml"  # an e-invoice on its own (XRechnung / CII / UBL): read, not rasterized

    @property
    def label(self) -> str:
        """The name a person knows the format by."""
        return _LABELS[self]

    @property
    def is_image(self) -> bool:
        return self not in (MediaType.PDF, MediaType.XML)


_LABELS = {
    MediaType.PDF: "PDF",
    MediaType.PNG: "PNG image",
    MediaType.JPEG: "JPEG image",
    MediaType.TIFF: "TIFF image",
    MediaType.WEBP: "WebP image",
    MediaType.BMP: "BMP image",
    MediaType.GIF: "GIF image",
    MediaType.HEIC: "HEIC image",
    MediaType.XML: "e-invoice XML",
}

# file extensions a person uses for each type; only to tell them that a name and the content disagree
EXTENSIONS: dict[str, MediaType] = {
    ".pdf": MediaType.PDF,
    ".png": MediaType.PNG,
    ".jpg": MediaType.JPEG,
    ".jpeg": MediaType.JPEG,
    ".jpe": MediaType.JPEG,
    ".jfif": MediaType.JPEG,
    ".tif": MediaType.TIFF,
    ".tiff": MediaType.TIFF,
    ".webp": MediaType.WEBP,
    ".bmp": MediaType.BMP,
    ".dib": MediaType.BMP,
    ".gif": MediaType.GIF,
    ".heic": MediaType.HEIC,
    ".heif": MediaType.HEIC,
    ".hif": MediaType.HEIC,
    ".xml": MediaType.XML,
}

_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
_BMP_HEADER_SIZES = {12, 16, 40, 52, 56, 64, 108, 124}


@dataclass(frozen=True)
class IngestLimits:
    """Limits a file must fit before any page is rendered; defaults match docai.settings."""

    max_file_bytes: int = 100 * 1024 * 1024
    max_pages: int = 500
    max_pixels: int = 178_956_970

    @classmethod
    def from_settings(cls, settings: object) -> IngestLimits:
        """Limits from a docai.settings.Settings object."""
        return cls(settings.max_file_bytes, settings.max_pages, settings.max_pixels)  # type: ignore[attr-defined]


def sha256_hex(data: bytes) -> str:
    """The hex SHA-256 of the bytes, the document's identity for deduplication."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of a file, read in chunks (a file too large to ingest is still identified)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sniff(data: bytes, filename: str | None = None, limits: IngestLimits = IngestLimits()) -> MediaType:
    """The file's type by its magic bytes (never its name), after the size and pixel limits; raises DocaiError."""
    name = f"“{safe_filename(filename)}”" if filename else "The file"
    if not data:
        raise DocaiError(ErrorCode.EMPTY_FILE, f"{name} is empty (0 bytes); upload the file again.")
    if len(data) > limits.max_file_bytes:
        raise DocaiError(
            ErrorCode.TOO_LARGE,
            f"{name} is {_mib(len(data))}, more than the {_mib(limits.max_file_bytes)} limit; "
            "split it or reduce its size (e.g. lower image resolution) and upload it again.",
        )
    media_type = _magic(data)
    if media_type is None:
        what = describe_unsupported(data)
        claimed = _claimed(filename)
        if claimed is not None:
            message = f"{name} is {what}, not a {claimed.label}; "
        else:
            message = f"{name} is {what}, which docai cannot read; "
        raise DocaiError(ErrorCode.UNSUPPORTED_TYPE, message + _advice(what))
    if media_type.is_image:
        check_image_size(data, media_type, limits.max_pixels, name)
    return media_type


def label_mismatch(filename: str | None, media_type: MediaType) -> str | None:
    """A note when the file's extension names another type than its content (the content wins), else None."""
    claimed = _claimed(filename)
    if claimed is None or claimed is media_type:
        return None
    return (
        f"“{safe_filename(filename or '')}” is named like a {claimed.label} but is a {media_type.label}; "
        f"it was read as a {media_type.label}."
    )


def image_size(data: bytes, media_type: MediaType) -> tuple[int, int]:
    """Width and height the image header claims, read without decoding any pixel; raises DocaiError."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            # the header is read only; our own limit decides, not Pillow's warning
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with open_image(data, media_type) as image:
                return image.size
    except DocaiError:
        raise
    except Image.DecompressionBombError as err:
        # Pillow refused the header itself (over twice its guard); its message carries the pixel count
        found = re.search(r"\((\d+) pixels\)", str(err))
        claimed = f" claims {int(found.group(1)) / 1e6:,.0f} megapixels and" if found else ""
        raise DocaiError(
            ErrorCode.IMAGE_TOO_LARGE,
            f"The {media_type.label}{claimed} is far larger than any scan or photo (a decompression bomb); "
            "scale it down and upload it again.",
        ) from err
    except Exception as err:  # noqa: BLE001 - any decoder failure on a header is a damaged file
        raise DocaiError(
            ErrorCode.CORRUPT,
            f"The {media_type.label} is damaged: its header cannot be read ({_short(err)}); "
            "export or scan it again and upload the new file.",
        ) from err


def open_image(data: bytes, media_type: MediaType) -> Image.Image:
    """Open an image lazily (header only) with the one Pillow decoder its magic bytes named."""
    from PIL import Image

    if media_type is MediaType.HEIC:
        _register_heif()
    return Image.open(io.BytesIO(data), formats=_PIL_FORMATS[media_type])


@functools.cache
def _register_heif() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()


_PIL_FORMATS = {
    MediaType.PNG: ["PNG"],
    MediaType.JPEG: ["JPEG"],
    MediaType.TIFF: ["TIFF"],
    MediaType.WEBP: ["WEBP"],
    MediaType.BMP: ["BMP", "DIB"],
    MediaType.GIF: ["GIF"],
    MediaType.HEIC: ["HEIF"],
}


def check_image_size(data: bytes, media_type: MediaType, max_pixels: int, name: str = "The image") -> None:
    """Raise IMAGE_TOO_LARGE when the header claims more pixels than max_pixels (a decompression bomb)."""
    width, height = image_size(data, media_type)
    if width <= 0 or height <= 0:
        raise DocaiError(ErrorCode.CORRUPT, f"{name} claims a size of {width}×{height} px, which is not a real image.")
    if width * height > max_pixels:
        raise DocaiError(
            ErrorCode.IMAGE_TOO_LARGE,
            f"{name} claims {width}×{height} px ({width * height / 1e6:.0f} megapixels), more than the "
            f"{max_pixels / 1e6:.0f} megapixel limit; scale it down and upload it again.",
        )


def safe_filename(name: str, max_length: int = 200) -> str:
    """A display name: no directories, no control characters, unicode kept, length capped, never empty."""
    name = unicodedata.normalize("NFC", name or "")
    name = PureWindowsPath(PurePosixPath(name.replace("\x00", "")).name).name
    # line breaks and tabs become spaces; other control and format characters (bidi overrides) go
    name = "".join(
        " " if ch in "\t\n\r\v\f" else ch for ch in name if ch in "\t\n\r\v\f" or unicodedata.category(ch)[0] != "C"
    )
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: max_length - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:max_length].rstrip()
    return name or "document"


def _magic(data: bytes) -> MediaType | None:
    head = data[:32]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return MediaType.TIFF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return MediaType.WEBP
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return MediaType.GIF
    if head[:2] == b"BM" and len(data) >= 18 and int.from_bytes(data[14:18], "little") in _BMP_HEADER_SIZES:
        return MediaType.BMP
    if head[4:8] == b"ftyp" and _ftyp_brands(data) & _HEIC_BRANDS and b"avif" not in _ftyp_brands(data):
        return MediaType.HEIC
    # PDF readers accept a header anywhere in the first KiB (some generators prepend junk)
    if b"%PDF-" in data[:1024]:
        return MediaType.PDF
    from docai.stages.einvoice import looks_like_einvoice

    if looks_like_einvoice(data):
        return MediaType.XML
    return None


def _ftyp_brands(data: bytes) -> set[bytes]:
    size = int.from_bytes(data[0:4], "big")
    box = data[8 : min(max(size, 16), 4096)]
    return {box[i : i + 4] for i in range(0, len(box) - 3, 4)} - {b"\x00\x00\x00\x00"}


def describe_unsupported(data: bytes) -> str:
    """What an unsupported file most likely is, as a noun phrase ('an HTML web page')."""
    head = data[:4096]
    text_head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"PK\x03\x04"):
        return _describe_zip(data)
    if text_head.startswith((b"<!doctype html", b"<html")) or b"<html" in text_head[:512]:
        return "an HTML web page"
    if b"<svg" in text_head:
        return "an SVG drawing"
    if text_head.startswith(b"<?xml"):
        return "an XML file"
    signatures: list[tuple[bytes, str]] = [
        (b"{\\rtf", "an RTF document"),
        (b"%!PS", "a PostScript file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Microsoft Office file (.doc/.xls/.ppt)"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
        (b"Rar!\x1a\x07", "a RAR archive"),
        (b"8BPS", "a Photoshop (PSD) image"),
        (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
        (b"\x00\x00\x01\x00", "a Windows icon (ICO)"),
        (b"MZ", "a Windows program"),
        (b"\x7fELF", "a Linux program"),
        (b"AT&TFORM", "a DjVu document"),
    ]
    for magic, what in signatures:
        if head.startswith(magic):
            return what
    if head[4:8] == b"ftyp":
        brands = _ftyp_brands(data)
        if b"avif" in brands or b"avis" in brands:
            return "an AVIF image"
        return "a video or audio file (MP4/QuickTime family)"
    if head.startswith(b"BM"):
        return "a file that starts like a BMP image but has no valid BMP header"
    if _looks_like_text(head):
        if text_head.startswith((b"{", b"[")):
            return "a JSON text file"
        return "a plain-text file"
    return "not a recognisable document (unknown binary data)"


def _describe_zip(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return "a damaged ZIP archive"
    if any(n.startswith("word/") for n in names):
        return "a Word document (DOCX)"
    if any(n.startswith("xl/") for n in names):
        return "an Excel workbook (XLSX)"
    if any(n.startswith("ppt/") for n in names):
        return "a PowerPoint presentation (PPTX)"
    if "mimetype" in names:
        return "an OpenDocument or EPUB file"
    return "a ZIP archive"


def _advice(what: str) -> str:
    if "Word" in what or "Excel" in what or "PowerPoint" in what or "OpenDocument" in what or "Office" in what:
        return f"export it as PDF (File → Save as / Export → PDF) and upload the PDF. docai reads {ACCEPTED} files."
    if "web page" in what:
        return f"open it in a browser, print it to PDF and upload the PDF. docai reads {ACCEPTED} files."
    if "archive" in what:
        return f"unpack it and upload the documents inside. docai reads {ACCEPTED} files."
    return f"convert it to a PDF or an image and upload it again. docai reads {ACCEPTED} files."


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # a multi-byte character may be cut at the end of the sample
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable >= 0.95 * len(text)


def _claimed(filename: str | None) -> MediaType | None:
    if not filename:
        return None
    return EXTENSIONS.get(PurePosixPath(safe_filename(filename)).suffix.lower())


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def _short(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text if len(text) <= 160 else text[:157] + "..."
