"""Small helpers the blueprints share: sending stored files and documents under honest file names,
turning a refusal into the message beside its field, and the request class."""
from __future__ import annotations

import io
import os
import re
from urllib.parse import quote

from flask import Request, Response, abort, current_app, flash, send_file
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

from procurement.documents.storage import BlobMissing, sendable
from procurement.domain import DomainError
from procurement.domain.uploads import clean_file_name
from procurement.models import GeneratedDocument, StoredFile
from procurement.formatting import translate

_ASCII_SAFE = re.compile(r"[A-Za-z0-9._-]+")


def ascii_fallback(download_name: str, hint: str) -> str:
    """An ASCII file name for clients that ignore ``filename*``: the name itself when it is ASCII.

    Otherwise the name's leading ASCII part (usually the project code) and ``hint``, with the
    name's extension: ``TEST-001-开标记录.pdf`` with hint ``opening-record`` gives
    ``TEST-001-opening-record.pdf``; ``营业执照.pdf`` with hint ``file-7`` gives ``file-7.pdf``.
    """
    stem, ext = os.path.splitext(download_name)
    ext = ext if _ASCII_SAFE.fullmatch(ext.lstrip(".") or "x") else ""
    if _ASCII_SAFE.fullmatch(stem or "-"):
        return stem + ext
    leading = _ASCII_SAFE.match(stem)
    lead = leading.group().strip("._-") if leading else ""
    return f"{lead}-{hint}{ext}" if lead else f"{hint}{ext}"


def content_disposition(download_name: str, ascii_name: str, *, inline: bool = False) -> str:
    """A Content-Disposition value (RFC 6266) with an ASCII ``filename`` and, for other names, ``filename*``.

    ``filename*`` carries the real (Chinese) name in UTF-8 per RFC 5987; ``filename`` is the
    fallback for old clients and must be plain ASCII (:func:`ascii_fallback`). Both are cleaned
    first (``domain.uploads.clean_file_name``), so a name stored before names were cleaned (a NUL,
    a line break, a right-to-left override, a folder) cannot break the header or disguise the file.
    """
    download_name = clean_file_name(download_name)
    fallback = "".join(ch for ch in clean_file_name(ascii_name) if ch.isascii() and ch.isprintable() and ch not in '"\\;') or "download"
    value = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if download_name != fallback:
        value += f"; filename*=UTF-8''{quote(download_name, safe='!#$&+-.^_`|~')}"
    return value


def _named(response: Response, download_name: str, ascii_name: str, *, inline: bool) -> Response:
    response.headers["Content-Disposition"] = content_disposition(download_name, ascii_name, inline=inline)
    return response


def send_bytes(data: bytes, mimetype: str, download_name: str, *, hint: str, inline: bool = False) -> Response:
    """Send bytes made for this response (a spreadsheet, say) under a UTF-8 name with an ASCII fallback.

    The fallback is :func:`ascii_fallback` of ``download_name`` with ``hint`` (``quote-sheet``).
    """
    ascii_name = ascii_fallback(download_name, hint)
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=not inline, download_name=ascii_name)
    return _named(response, download_name, ascii_name, inline=inline)


def _send_stored(key: str, kind: str, sha256: str, stored_at, *, mimetype: str, inline: bool, download_name: str) -> Response:
    """Serve a stored file from whichever store holds it, as a conditional response.

    The ETag is the content's SHA-256 and Last-Modified the row's time, so every app node
    answers a revalidation alike (a path-based ETag would differ from node to node).

    :raise 404: when the store has no such file (logged: a row points at nothing).
    """
    try:
        source = sendable(key, kind)
    except BlobMissing:
        current_app.logger.error("stored %s %s is missing from the %s store", kind, key, current_app.config["FILE_STORE"])
        abort(404)
    # send_file's own Content-Disposition is replaced by the caller (``_named``); give it a name
    # that cannot fail it (werkzeug refuses a header value with a line break).
    return send_file(
        source, mimetype=mimetype, as_attachment=not inline, download_name=clean_file_name(download_name),
        conditional=True, etag=sha256, last_modified=stored_at,
    )


def send_document(
    document: GeneratedDocument | None, download_name: str, *, inline: bool = False, ascii_name: str | None = None
):
    """Serve a generated PDF byte for byte as stored.

    ``ascii_name`` defaults to the name's leading project code and the document's kind
    (``TEST-001-opening-record.pdf``).

    :raise 404: when there is no document.
    """
    if document is None:
        abort(404)
    response = _send_stored(
        document.storage_path, "document", document.sha256, document.issued_at,
        mimetype="application/pdf", inline=inline, download_name=download_name,
    )
    response.headers["X-Document-SHA256"] = document.sha256
    ascii_name = ascii_name or ascii_fallback(download_name, document.kind.replace("_", "-"))
    return _named(response, download_name, ascii_name, inline=inline)


def send_stored_file(stored: StoredFile, *, inline: bool = True, ascii_name: str | None = None):
    """Serve an uploaded file, inline where a browser can show it (PDF, images).

    The MIME type is the one the checks found at upload, never the client's; the name is the
    stored one, cleaned again (:attr:`StoredFile.display_name`, for rows older than the checks).
    ``ascii_name`` defaults to the uploaded name when it is ASCII, else ``file-<id>`` with its extension.
    """
    name = stored.display_name
    response = _send_stored(
        stored.storage_path, "upload", stored.sha256, stored.uploaded_at,
        mimetype=stored.mime_type, inline=inline, download_name=name,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if stored.mime_type != "application/pdf":
        # Chromium refuses to run its PDF viewer under a sandboxing CSP, so PDFs go without one;
        # every other type (images, Office files) is sandboxed.
        response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    ascii_name = ascii_name or ascii_fallback(name, f"file-{stored.id}")
    return _named(response, name, ascii_name, inline=inline)


class Outcome:
    """What :func:`attempt` returns: truthy when the command succeeded, with its ``value``."""

    __slots__ = ("ok", "value", "error")

    def __init__(self, ok: bool, value=None, error=None) -> None:
        self.ok, self.value, self.error = ok, value, error

    def __bool__(self) -> bool:
        return self.ok


def attempt(form, command, *args, field: str | None = None, **kwargs) -> Outcome:
    """Run one service command for a view; a refusal goes beside its form field.

    The one place where a view turns a domain error into the message next to the field: the
    caller re-renders its page with status 400 when the outcome is falsy, and redirects when
    it is truthy. With ``form=None`` the refusal is flashed instead (for button-only forms
    whose page redirects back).
    """
    try:
        value = command(*args, **kwargs)
    except DomainError as error:
        if form is None:
            flash(translate(error.message, error.params), "danger")
        else:
            form.add_domain_error(error, field)
        return Outcome(False, error=error)
    return Outcome(True, value)


def _without_nul(data: ImmutableMultiDict) -> ImmutableMultiDict:
    if not any("\x00" in key + value for key, value in data.items(multi=True)):
        return data
    return ImmutableMultiDict(
        [(key.replace("\x00", ""), value.replace("\x00", "")) for key, value in data.items(multi=True)]
    )


class CleanRequest(Request):
    """A request whose form fields, query string and upload names carry no NUL characters.

    No one types a NUL, and PostgreSQL cannot store one in a text column (it would fail the
    whole request); dropping them here covers every form and every view that reads the request.
    The form data are cleaned where werkzeug parses them (``_load_form_data``), so it does not
    matter whether ``form``, ``files`` or ``values`` is read first. ``nul_fields`` names the form
    fields that had one, so the forms still refuse them, saying so (``forms_common.CleanText``).
    """

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        super()._load_form_data()
        raw = self.__dict__["form"]
        self.__dict__["nul_fields"] = frozenset(
            key.replace("\x00", "") for key, value in raw.items(multi=True) if "\x00" in value
        )
        self.__dict__["form"] = _without_nul(raw)
        for _, upload in self.__dict__["files"].items(multi=True):
            if upload.filename and "\x00" in upload.filename:
                upload.filename = upload.filename.replace("\x00", "")

    @property
    def nul_fields(self) -> frozenset[str]:
        """The names of the posted form fields whose value carried a NUL (removed from ``form``)."""
        self._load_form_data()
        return self.__dict__.get("nul_fields", frozenset())

    @cached_property
    def args(self) -> ImmutableMultiDict:
        """The query string without NUL characters."""
        return _without_nul(Request.args.__get__(self))
