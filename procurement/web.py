"""Small helpers the blueprints share: sending stored files and documents; the request class."""
from __future__ import annotations

from flask import Request, abort, send_file
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

from procurement.documents.storage import absolute_path
from procurement.models import GeneratedDocument, StoredFile


def send_document(document: GeneratedDocument | None, download_name: str, *, inline: bool = False):
    """Serve a generated PDF byte for byte as stored.

    :raise 404: when there is no document.
    """
    if document is None:
        abort(404)
    try:
        path = absolute_path(document.storage_path, kind="document")
    except FileNotFoundError:
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=not inline, download_name=download_name)
    response.headers["X-Document-SHA256"] = document.sha256
    return response


def send_stored_file(stored: StoredFile, *, inline: bool = True):
    """Serve an uploaded file, inline where a browser can show it (PDF, images).

    The MIME type is the one detected from the content at upload, never the client's.
    """
    try:
        path = absolute_path(stored.storage_path, kind="upload")
    except FileNotFoundError:
        abort(404)
    response = send_file(path, mimetype=stored.mime_type, as_attachment=not inline, download_name=stored.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if stored.mime_type != "application/pdf":
        # Chromium refuses to run its PDF viewer under a sandboxing CSP, so PDFs go without one;
        # every other type (images, Office files) is sandboxed.
        response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response


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
    """

    @cached_property
    def form(self) -> ImmutableMultiDict:
        """The form fields without NUL characters."""
        return _without_nul(Request.form.__get__(self))

    @cached_property
    def args(self) -> ImmutableMultiDict:
        """The query string without NUL characters."""
        return _without_nul(Request.args.__get__(self))

    @cached_property
    def files(self):
        """The uploads, their file names without NUL characters."""
        files = Request.files.__get__(self)
        for upload in files.values():
            if upload.filename and "\x00" in upload.filename:
                upload.filename = upload.filename.replace("\x00", "")
        return files
