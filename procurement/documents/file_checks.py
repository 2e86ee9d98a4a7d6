"""Every upload parsed, not sniffed: the checks each allowed type passes before a file is accepted.

The first bytes only say which parser to try; the file is accepted when that parser opens it:

- PDF (pypdf): it opens (an encrypted one only when it opens without a password), has pages,
  and nothing reachable from its trailer carries JavaScript (``/JS``, ``/S /JavaScript``, the
  ``/JavaScript`` names tree, in ``/OpenAction``, ``/AA`` or any other action), an XFA form,
  a launch action (``/Launch``) or an embedded file (``/EmbeddedFiles``, ``/EF``,
  ``/FileAttachment`` and ``/RichMedia`` annotations, ``/GoToE``). PDFs are stored as sent.
- PNG and JPEG (Pillow): the size is read from the header and checked against the pixel limit
  before anything is decoded; the image is verified, decoded and re-encoded in its own format
  (turned upright by its EXIF orientation), without any metadata (EXIF, XMP, ICC, text chunks,
  comments) and without whatever followed it in the file. What is stored is the re-encoding.
- DOCX and XLSX (zipfile): the zip's directory is checked (entry count, sizes, compression
  ratio; ``domain.uploads``) before any part is unzipped; ``[Content_Types].xml`` must name the
  claimed main part (a Word document or an Excel workbook, not a macro-enabled one nor a
  template), that part must be there, no part may be a VBA project, and every part must unzip
  with a good CRC.
- CSV: UTF-8 or GB 18030 text, without control characters other than tab and line breaks, not
  markup (HTML, SVG, XML), and readable by the csv module.

Anything else (GIF, SVG, HTML, an executable, a file of another allowed field) is refused by
type. Every refusal is a ``domain.uploads.FileRefused`` with a Chinese message.
"""
from __future__ import annotations

import csv
import io
import re
import warnings
import xml.etree.ElementTree as ElementTree
import zipfile
from dataclasses import dataclass

from PIL import Image, ImageOps, JpegImagePlugin, PngImagePlugin
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from procurement.domain import N_
from procurement.domain.uploads import (
    CSV,
    DOCX,
    EXTENSIONS,
    JPEG,
    MAX_IMAGE_PIXELS,
    PDF,
    PNG,
    TYPE_LABELS,
    XLSX,
    FileRefused,
    ZipMember,
    check_extension,
    check_image_size,
    check_size,
    check_zip_members,
    clean_file_name,
    refuse_type,
)

# Pillow's own guard, for any image decoded anywhere in the app: at most our limit (its default
# is 89 megapixels). Uploads are checked against the limit before Pillow gets that far.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

#: How many PDF objects a check visits at most (a scanned page has a handful, a long document thousands).
MAX_PDF_OBJECTS = 200_000
JPEG_QUALITY = 90

_MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
_ZIP_MAGIC = b"PK\x03\x04"
# Leading bytes no CSV export starts with (other binary files fail the control-character check).
_OTHER_BINARY = (b"GIF8", b"PK", b"\x00", b"\xd0\xcf\x11\xe0", b"\x7fELF")


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed its type's checks: the bytes to store (an image's re-encoding), its type,
    its clean name, and for CSV its decoded text."""

    data: bytes
    mime_type: str
    original_name: str
    text: str | None = None


def check_file(data: bytes, name: str | None, allowed: tuple[str, ...], *, max_bytes: int) -> CheckedFile:
    """Check one upload against the types of its field; what to store.

    :raise FileRefused: saying why, naming the file by its cleaned name.
    """
    shown = clean_file_name(name)
    check_size(len(data), max_bytes, shown)
    mime = _dispatch(data, allowed, shown)
    if mime not in allowed:
        raise refuse_type(shown, allowed)
    check_extension(shown, mime)
    text = None
    if mime == PDF:
        check_pdf(data, shown)
    elif mime in (PNG, JPEG):
        data = reencode_image(data, mime, shown)
    elif mime == CSV:
        text = check_csv(data, shown)
    return CheckedFile(data=data, mime_type=mime, original_name=clean_file_name(name, EXTENSIONS[mime]), text=text)


def _dispatch(data: bytes, allowed: tuple[str, ...], name: str) -> str | None:
    """Which parser to try: by the leading bytes; a zip is a DOCX or an XLSX by its own content types."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data.startswith(_ZIP_MAGIC):
        if DOCX not in allowed and XLSX not in allowed:
            return None
        return check_ooxml(data, name)
    if CSV in allowed and not data.startswith(_OTHER_BINARY):
        return CSV
    return None


# --------------------------------------------------------------------------- PDF


def check_pdf(data: bytes, name: str) -> None:
    """The PDF opens, has pages and carries no active content.

    :raise FileRefused: ``pdf_unreadable``, ``pdf_encrypted``, ``pdf_javascript``, ``pdf_launch``, ``pdf_embedded``.
    """
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileRefused(
                N_("文件“%(name)s”是加密的 PDF，需要密码才能打开。请上传未加密的文件（在原软件中取消密码后重新保存）。"),
                "pdf_encrypted",
                name=name,
            )
        if len(reader.pages) < 1:
            raise _unreadable_pdf(name)
        found = _active_content(reader)
    except FileRefused:
        raise
    except Exception as error:  # noqa: BLE001 - pypdf raises many kinds (and RecursionError) for a damaged file
        raise _unreadable_pdf(name) from error
    if found is not None:
        raise FileRefused(PDF_REFUSALS[found], f"pdf_{found}", name=name)


PDF_REFUSALS = {
    "javascript": N_("文件“%(name)s”含有 JavaScript 脚本（或可执行脚本的 XFA 表单），不予接受。请上传不含脚本的 PDF，例如重新扫描或用“打印为 PDF”另存。"),
    "launch": N_("文件“%(name)s”含有启动外部程序的动作（Launch），不予接受。请上传普通的扫描件或文档 PDF。"),
    "embedded": N_("文件“%(name)s”内嵌了其他文件（附件），不予接受。请上传不含附件的 PDF，需要的材料请另行上传。"),
}

_ACTION_KINDS = {"/JavaScript": "javascript", "/RichMediaExecute": "javascript", "/Launch": "launch", "/GoToE": "embedded"}
_ANNOTATION_KINDS = {"/FileAttachment": "embedded", "/RichMedia": "embedded"}
_KEY_KINDS = {"/JS": "javascript", "/JavaScript": "javascript", "/XFA": "javascript", "/Launch": "launch",
              "/EmbeddedFiles": "embedded", "/EmbeddedFile": "embedded", "/EF": "embedded"}


def _unreadable_pdf(name: str) -> FileRefused:
    return FileRefused(
        N_("文件“%(name)s”无法作为 PDF 打开（文件已损坏，或内容不是真正的 PDF）。请重新扫描或另存为 PDF 后上传。"),
        "pdf_unreadable",
        name=name,
    )


def _active_content(reader: PdfReader) -> str | None:
    """The first kind of active content (``javascript``, ``launch``, ``embedded``) reachable from the trailer."""
    seen: set[tuple[int, int]] = set()
    todo: list = [reader.trailer]
    visited = 0
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise ValueError("too many PDF objects")
        if isinstance(item, DictionaryObject):  # stream objects too: their dictionary, never their data
            found = _kind_of(item)
            if found is not None:
                return found
            todo.extend(value for key, value in item.items() if key != "/Parent")
        elif isinstance(item, ArrayObject):
            todo.extend(item)
    return None


def _kind_of(dictionary: DictionaryObject) -> str | None:
    for key in dictionary.keys():
        if key in _KEY_KINDS:
            return _KEY_KINDS[key]
    if dictionary.get("/Type") == "/EmbeddedFile":
        return "embedded"
    action = dictionary.get("/S")
    if isinstance(action, str) and action in _ACTION_KINDS:
        return _ACTION_KINDS[action]
    subtype = dictionary.get("/Subtype")
    if isinstance(subtype, str) and subtype in _ANNOTATION_KINDS:
        return _ANNOTATION_KINDS[subtype]
    return None


# --------------------------------------------------------------------------- images

_IMAGE_CLASSES = {PNG: PngImagePlugin.PngImageFile, JPEG: JpegImagePlugin.JpegImageFile}
_PNG_MODES = ("1", "L", "LA", "I;16", "P", "RGB", "RGBA")  # what a decoded PNG can be and Pillow writes back
_PILLOW_FORMATS = {PNG: "PNG", JPEG: "JPEG"}


def reencode_image(data: bytes, mime: str, name: str) -> bytes:
    """The image decoded within the pixel limit and re-encoded in its format without metadata.

    Any warning Pillow gives (a corrupt EXIF block, a decompression bomb) refuses the file, here
    as in the tests (which turn warnings into errors).

    :raise FileRefused: ``image_too_large`` or ``image_unreadable``.
    """
    label = TYPE_LABELS[mime]
    try:
        # catch_warnings changes the process's filters for the block: the app serves from sync
        # workers (one request per process at a time), so no other request sees them.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            # The plugin class reads the header only (no decompression-bomb check yet): the size first.
            with _IMAGE_CLASSES[mime](io.BytesIO(data)) as header:
                width, height = header.size
            check_image_size(width, height, name)
            with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[mime]]) as image:
                image.verify()
            with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[mime]]) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
            return _encode(upright, mime)
    except FileRefused:
        raise
    except Exception as error:  # noqa: BLE001 - Pillow raises many kinds (and warnings, above) for a bad image
        raise FileRefused(
            N_("文件“%(name)s”无法作为 %(kind)s 图片解码（文件已损坏，或内容与格式不符）。请重新扫描或导出后上传。"),
            "image_unreadable",
            name=name,
            kind=label,
        ) from error


def _encode(image: Image.Image, mime: str) -> bytes:
    transparency = image.info.get("transparency")
    clean = image.copy()
    clean.info = {}  # no EXIF, XMP, ICC profile, text chunks or comments in what is stored
    out = io.BytesIO()
    if mime == PNG:
        if clean.mode not in _PNG_MODES:  # "PA" and the like: decoded, but not written as PNG
            clean, transparency = clean.convert("RGBA"), None
        options = {"transparency": transparency} if transparency is not None else {}
        clean.save(out, "PNG", **options)
    else:
        if clean.mode not in ("L", "RGB", "CMYK"):
            clean = clean.convert("RGB")
        clean.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


# --------------------------------------------------------------------------- DOCX, XLSX

CONTENT_TYPES = "[Content_Types].xml"
MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_MACRO_TYPES = re.compile(r"macroEnabled|vbaProject|activeX", re.IGNORECASE)
_CT_NAMESPACE = "{http://schemas.openxmlformats.org/package/2006/content-types}"
MAX_CONTENT_TYPES_BYTES = 256 * 1024


def check_ooxml(data: bytes, name: str) -> str:
    """Which OOXML document the zip is (DOCX or XLSX), after its directory, content types and parts are checked.

    :raise FileRefused: ``zip_*`` (``domain.uploads.check_zip_members``), ``ooxml_invalid``, ``ooxml_macro``.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - BadZipFile, ValueError, OverflowError... for a damaged zip
        raise _not_ooxml(name) from error
    with archive:
        infos = archive.infolist()
        check_zip_members((ZipMember(i.filename, i.compress_size, i.file_size) for i in infos), name)
        names = {info.filename for info in infos}
        if any(info.flag_bits & 0x1 for info in infos) or CONTENT_TYPES not in names:
            raise _not_ooxml(name)
        try:
            types = _content_types(archive)
            if any(_MACRO_TYPES.search(value) for value in types.values()) or any(
                n.lower().endswith("vbaproject.bin") for n in names
            ):
                raise FileRefused(
                    N_("文件“%(name)s”含有宏（VBA 代码）或 ActiveX 控件，不予接受。请另存为不含宏的 Word（.docx）或 Excel（.xlsx）文档后上传。"),
                    "ooxml_macro",
                    name=name,
                )
            kinds = {MAIN_PARTS[value]: part for part, value in types.items() if value in MAIN_PARTS}
            if len(kinds) != 1 or next(iter(kinds.values())) not in names:
                raise _not_ooxml(name)
            for info in infos:  # every part unzips, with its CRC; bounded by the sizes checked above
                with archive.open(info) as member:
                    while member.read(1024 * 1024):
                        pass
        except FileRefused:
            raise
        except Exception as error:  # noqa: BLE001 - a bad CRC, a truncated part, malformed XML...
            raise _not_ooxml(name) from error
    return next(iter(kinds))


def _content_types(archive: zipfile.ZipFile) -> dict[str, str]:
    """``{part name without the leading slash: content type}`` from ``[Content_Types].xml`` (its overrides)."""
    info = archive.getinfo(CONTENT_TYPES)
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        raise ValueError("content types too large")
    text = archive.read(info)
    if b"<!DOCTYPE" in text or b"<!ENTITY" in text:  # OOXML never has a DTD; entities could expand
        raise ValueError("DTD in content types")
    root = ElementTree.fromstring(text)
    return {
        element.get("PartName", "").lstrip("/"): element.get("ContentType", "")
        for element in root.iter(f"{_CT_NAMESPACE}Override")
    } | {
        f"*.{element.get('Extension', '')}": element.get("ContentType", "")
        for element in root.iter(f"{_CT_NAMESPACE}Default")
    }


def _not_ooxml(name: str) -> FileRefused:
    return FileRefused(
        N_("文件“%(name)s”不是有效的 Word（.docx）或 Excel（.xlsx）文档（文件已损坏，或只是改了扩展名）。请用 Word、Excel 或 WPS 另存后上传。"),
        "ooxml_invalid",
        name=name,
    )


# --------------------------------------------------------------------------- CSV

CSV_ENCODINGS = ("utf-8-sig", "gb18030")
_CSV_ALLOWED_CONTROLS = frozenset("\t\r\n")
_MARKUP = re.compile(r"\s*<(!doctype|\?xml|html|svg|script|body|head|!--)", re.IGNORECASE)


def check_csv(data: bytes, name: str) -> str:
    """The text of a CSV upload (UTF-8 or GB 18030), checked to be plain delimited text.

    :raise FileRefused: ``csv_encoding``, ``csv_binary`` or ``csv_unreadable``.
    """
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused(N_("无法识别文件“%(name)s”的编码，请另存为 UTF-8 编码的 CSV 文件。"), "csv_encoding", name=name)
    if any(ord(ch) < 32 and ch not in _CSV_ALLOWED_CONTROLS or ch == "\x7f" for ch in text) or _MARKUP.match(text):
        raise FileRefused(
            N_("文件“%(name)s”不是 CSV 文本文件（含有控制字符或网页标记）。请从表格软件另存为 CSV 后上传。"),
            "csv_binary",
            name=name,
        )
    try:
        for _row in csv.reader(io.StringIO(text, newline="")):
            pass
    except csv.Error as error:
        raise FileRefused(
            N_("文件“%(name)s”无法按 CSV 读取（引号不配对或单元格过长）。请从表格软件另存为 CSV 后上传。"),
            "csv_unreadable",
            name=name,
        ) from error
    return text
