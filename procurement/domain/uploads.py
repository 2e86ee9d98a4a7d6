"""What an uploaded file may be: its types, its limits, and a file name safe to store, show and send.

Pure rules. The parsers that apply them to the bytes (pypdf, Pillow, zipfile) are in
``procurement.documents.file_checks``; every refusal is a :class:`FileRefused` whose Chinese
message names the file (by its cleaned name) and says why.

Limits, and why these numbers:

- an image decodes to at most ``MAX_IMAGE_PIXELS`` (40 megapixels: an A3 page scanned at
  600 dpi is 35); a 20000 × 20000 PNG of 389 KB would need 1.6 GB to decode;
- a DOCX/XLSX (a zip) holds at most ``MAX_ZIP_ENTRIES`` parts, none larger than
  ``MAX_ZIP_ENTRY_BYTES`` unzipped, together at most ``MAX_ZIP_TOTAL_BYTES``, and no part
  larger than ``ZIP_RATIO_FLOOR`` inflating more than ``MAX_ZIP_RATIO`` times (Office XML
  compresses 5 to 30 times; a zip bomb thousands of times). The sizes are the ones the zip
  declares, checked before anything is unzipped; Python's ``zipfile`` never inflates a part
  beyond its declared size (it fails the CRC instead), so they bound the work.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from procurement.domain import N_, DomainError
from procurement.domain.text import strip_forbidden

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"

SCAN_TYPES = (PDF, JPEG, PNG)  # stamped copies: registrations, explanations, challenges
RFQ_TYPES = (PDF, DOCX, XLSX)  # the RFQ documents buyer staff publish
BOQ_TYPES = (XLSX, CSV)  # a bill of quantities to import
SHEET_TYPES = (XLSX,)  # a filled quote sheet
CSV_TYPES = (CSV,)  # credit lists, holidays

TYPE_LABELS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", DOCX: "Word (DOCX)", XLSX: "Excel (XLSX)", CSV: "CSV"}
#: The extension a stored file gets, and the ones its name may already carry.
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx", XLSX: ".xlsx", CSV: ".csv"}
NAME_EXTENSIONS = {
    PDF: {".pdf"},
    JPEG: {".jpg", ".jpeg", ".jpe", ".jfif"},
    PNG: {".png"},
    DOCX: {".docx"},
    XLSX: {".xlsx"},
    CSV: {".csv", ".txt"},
}

MB = 1024 * 1024
MAX_SCAN_BYTES = 10 * MB  # the default MAX_UPLOAD_BYTES
MAX_RFQ_BYTES = 20 * MB
MAX_BOQ_BYTES = 5 * MB
MAX_SHEET_BYTES = 1 * MB
MAX_CALENDAR_CSV_BYTES = 1 * MB
MAX_BLACKLIST_CSV_BYTES = 20 * MB
#: The largest file any field takes: anything bigger is refused by every one of them.
MAX_FILE_BYTES = max(MAX_SCAN_BYTES, MAX_RFQ_BYTES, MAX_BOQ_BYTES, MAX_SHEET_BYTES, MAX_CALENDAR_CSV_BYTES, MAX_BLACKLIST_CSV_BYTES)

MAX_IMAGE_PIXELS = 40_000_000
MAX_ZIP_ENTRIES = 1000
MAX_ZIP_ENTRY_BYTES = 50 * MB
MAX_ZIP_TOTAL_BYTES = 100 * MB
MAX_ZIP_RATIO = 100
ZIP_RATIO_FLOOR = 1 * MB

#: A stored file name, extension included, is at most this many characters.
MAX_NAME_LENGTH = 100
FALLBACK_STEM = "file"
# Characters no file name of a Windows or macOS machine takes, besides the path separators.
_RESERVED = set('<>:"|?*')
_EXTENSION_RE = re.compile(r"\.[A-Za-z0-9]{1,5}")


class FileRefused(DomainError):
    """An upload the rules refuse; ``message`` says why in Chinese, ``params`` include the file's ``name``."""

    code = "file_refused"


# --------------------------------------------------------------------------- file names


def split_extension(name: str) -> tuple[str, str]:
    """``("营业执照", ".pdf")``; only a short ASCII suffix counts as an extension (``"报价.说明"`` has none)."""
    stem, dot, ext = name.rpartition(".")
    if dot and stem and _EXTENSION_RE.fullmatch("." + ext):
        return stem, "." + ext
    return name, ""


def clean_file_name(name: str | None, extension: str | None = None) -> str:
    """A file name safe to store, show and send in a header.

    NFC-normalised; no control, bidirectional or invisible character (``domain.text``); no
    folder (only what follows the last ``/`` or ``\\``); none of ``<>:"|?*``; runs of spaces
    made one; no leading or trailing dots and spaces; at most :data:`MAX_NAME_LENGTH`
    characters, the extension kept. ``extension`` (``".pdf"``) replaces the name's own; an
    empty stem becomes ``file``.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = strip_forbidden(text.replace("\t", " "))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(" " if ch in _RESERVED or unicodedata.category(ch) == "Zs" else ch for ch in text)
    text = " ".join(text.split())
    stem, own = split_extension(text)
    ext = (own if extension is None else extension).lower()
    stem = stem.strip(" .")[: MAX_NAME_LENGTH - len(ext)].rstrip(" .") or FALLBACK_STEM
    return stem + ext


def check_extension(name: str, mime: str) -> None:
    """The name's extension, if it has one, is one the content's type goes by.

    :raise FileRefused: ``营业执照.pdf`` that is really a PNG (``wrong_extension``).
    """
    _stem, ext = split_extension(name)
    if ext and ext.lower() not in NAME_EXTENSIONS[mime]:
        raise FileRefused(
            N_("文件“%(name)s”的扩展名与内容不符：内容是 %(kind)s 文件。请确认选对了文件，或改正扩展名后重新上传。"),
            "wrong_extension",
            name=name,
            kind=TYPE_LABELS[mime],
        )


# --------------------------------------------------------------------------- sizes


def check_size(size: int, limit: int, name: str) -> None:
    """Not empty, not larger than ``limit`` bytes.

    :raise FileRefused: ``file_empty`` or ``file_too_large``.
    """
    if size <= 0:
        raise FileRefused(N_("文件“%(name)s”是空的，请重新选择。"), "file_empty", name=name)
    if size > limit:
        raise FileRefused(
            N_("文件“%(name)s”过大：单个文件不能超过 %(mb)s MB。"), "file_too_large", name=name, mb=_megabytes(limit)
        )


def refuse_type(name: str, allowed: Iterable[str]) -> FileRefused:
    """The refusal of a file whose content is none of the ``allowed`` types (``file_type``)."""
    return FileRefused(
        N_("文件“%(name)s”的内容不是允许的格式（%(allowed)s）。请上传真实的文件，不要只修改文件扩展名。"),
        "file_type",
        name=name,
        allowed="、".join(TYPE_LABELS[t] for t in allowed),
    )


def check_image_size(width: int, height: int, name: str) -> None:
    """At most :data:`MAX_IMAGE_PIXELS` pixels, read from the header before anything is decoded.

    :raise FileRefused: ``image_too_large``.
    """
    if width <= 0 or height <= 0:
        raise FileRefused(N_("图片“%(name)s”的尺寸无效，无法显示。"), "image_unreadable", name=name)
    if width * height > MAX_IMAGE_PIXELS:
        raise FileRefused(
            N_("图片“%(name)s”像素过多（%(width)s×%(height)s），超过 %(limit)s 百万像素的上限。请降低扫描分辨率后重新上传。"),
            "image_too_large",
            name=name,
            width=width,
            height=height,
            limit=MAX_IMAGE_PIXELS // 1_000_000,
        )


# --------------------------------------------------------------------------- zip containers (DOCX, XLSX)


@dataclass(frozen=True)
class ZipMember:
    """One part of a zip as its directory declares it: name, bytes stored, bytes unzipped."""

    name: str
    compressed: int
    uncompressed: int


def check_zip_members(members: Iterable[ZipMember], name: str) -> None:
    """Entry count, each part's and the total unzipped size, and each large part's compression ratio.

    :raise FileRefused: ``zip_entries``, ``zip_too_large`` or ``zip_ratio``.
    """
    members = list(members)
    if len(members) > MAX_ZIP_ENTRIES:
        raise FileRefused(
            N_("文件“%(name)s”包含 %(count)s 个部件，超过 %(limit)s 个的上限，不是正常的 Word 或 Excel 文档。"),
            "zip_entries",
            name=name,
            count=len(members),
            limit=MAX_ZIP_ENTRIES,
        )
    total = 0
    for member in members:
        total += member.uncompressed
        if member.uncompressed > MAX_ZIP_ENTRY_BYTES or total > MAX_ZIP_TOTAL_BYTES:
            raise FileRefused(
                N_("文件“%(name)s”解压后过大（超过 %(mb)s MB），不是正常的 Word 或 Excel 文档。"),
                "zip_too_large",
                name=name,
                mb=_megabytes(MAX_ZIP_TOTAL_BYTES if total > MAX_ZIP_TOTAL_BYTES else MAX_ZIP_ENTRY_BYTES),
            )
        if member.uncompressed > ZIP_RATIO_FLOOR and member.uncompressed > MAX_ZIP_RATIO * max(member.compressed, 1):
            raise FileRefused(
                N_("文件“%(name)s”的压缩比异常（部件 %(part)s 解压后放大 %(ratio)s 倍以上），可能是“压缩炸弹”，不予接受。"),
                "zip_ratio",
                name=name,
                part=clean_file_name(member.name)[:60],
                ratio=member.uncompressed // max(member.compressed, 1),
            )


def _megabytes(size: int) -> int:
    return size // MB
