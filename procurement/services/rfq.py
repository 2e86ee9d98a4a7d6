"""RFQ documents (询比价文件): published by buyer staff, downloaded by accepted registrants only."""
from __future__ import annotations

import csv
import io
import os
import re

import sqlalchemy as sa
from openpyxl import load_workbook

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.boq import parse_boq_rows
from procurement.domain.uploads import MAX_BOQ_BYTES, MAX_RFQ_BYTES
from procurement.extensions import db
from procurement.models import REG_ACCEPTED, STATUS_DRAFT, FileDownload, Project, ProjectFile, Registration
from procurement.services import ServiceError, notify_suppliers, uploads
from procurement.services.project_drafting import ItemData, replace_items
from procurement.services.unit_of_work import command



@command
def add_file(project: Project, upload, title: str, actor) -> ProjectFile:
    """Check the upload by parsing it (PDF, DOCX, XLSX) and publish it with the project."""
    if project.status not in (STATUS_DRAFT, "published"):
        raise ServiceError(N_("报价截止后不能再增加询比价文件。"), "rfq_closed")
    try:
        checked = uploads.check_upload(upload, uploads.RFQ_TYPES, field="file", max_bytes=MAX_RFQ_BYTES)
    except ServiceError as error:
        if error.code != "file_type":
            raise
        # The generic wording asks for a real file; buyer staff publish documents of their own.
        raise ServiceError(
            N_("文件“%(name)s”的内容不是允许的格式（%(allowed)s）。请将询比价文件另存为 PDF、Word 或 Excel 文档后再上传，只修改扩展名无效。"),
            "file_type",
            field="file",
            name=error.params.get("name", ""),
            allowed=error.params.get("allowed", ""),
        ) from None
    stored = uploads.save(checked, actor)
    project_file = ProjectFile(project=project, stored_file=stored, title=title.strip(), created_at=clock.now())
    db.session.add(project_file)
    db.session.flush()
    audit.record("rfq.add", project_file, details={"title": project_file.title, "sha256": stored.sha256}, actor=actor)
    notify_suppliers.rfq_changed(project, project_file, added=True)
    return project_file


@command
def remove_file(project_file: ProjectFile, actor) -> None:
    """Withdraw a file (kept for the record; no longer downloadable)."""
    project_file.removed_at = clock.now()
    audit.record("rfq.remove", project_file, details={"title": project_file.title}, actor=actor)
    notify_suppliers.rfq_changed(project_file.project, project_file, added=False)


def active_files(project: Project) -> list[ProjectFile]:
    """Files currently offered."""
    return [f for f in sorted(project.files, key=lambda f: f.id) if f.removed_at is None]


def may_download(project: Project, company_id: int) -> bool:
    """Only a supplier whose registration is accepted may download."""
    return (
        db.session.scalar(
            sa.select(Registration.id).where(
                Registration.project_id == project.id, Registration.company_id == company_id, Registration.status == REG_ACCEPTED
            )
        )
        is not None
    )


def ascii_name(project_file: ProjectFile) -> str:
    """The ASCII fallback file name of an RFQ document: ``rfq-<project code>-<n>.<ext>``.

    ``n`` counts the project's files from 1 in upload order (withdrawn ones keep their number).
    """
    project = project_file.project
    number = sorted(f.id for f in project.files).index(project_file.id) + 1
    code = re.sub(r"[^A-Za-z0-9._-]+", "-", project.code).strip("-._")
    extension = os.path.splitext(project_file.stored_file.original_name)[1]
    return "-".join(part for part in ("rfq", code, str(number)) if part) + extension


@command
def record_download(project_file: ProjectFile, user) -> None:
    """Log who downloaded which file when (evidence the supplier received the documents)."""
    download = FileDownload(project_file_id=project_file.id, user_id=user.id, company_id=user.company_id, downloaded_at=clock.now())
    db.session.add(download)
    db.session.flush()
    audit.record("rfq.download", download, project_id=project_file.project_id, details={"file": project_file.title}, actor=user)


def downloads(project: Project) -> list[FileDownload]:
    """Every download of the project's files, newest first."""
    ids = [f.id for f in project.files]
    if not ids:
        return []
    return list(db.session.scalars(sa.select(FileDownload).where(FileDownload.project_file_id.in_(ids)).order_by(FileDownload.downloaded_at.desc())))


def import_boq(project: Project, filename: str, data: bytes, actor) -> int:
    """Replace a draft's bill of quantities from XLSX or CSV bytes; all or nothing.

    :raise ServiceError: the file is not an XLSX workbook or CSV text (field ``file``).
    :raise BoqImportError: listing every bad row.
    """
    rows = _spreadsheet_rows(uploads.check_bytes(data, filename, uploads.BOQ_TYPES, field="file", max_bytes=MAX_BOQ_BYTES))
    parsed = parse_boq_rows(rows)
    items = [ItemData(r.name, r.specification, r.unit, r.quantity, r.ceiling_unit_price) for r in parsed]
    replace_items(project, items, actor)
    return len(items)


def _spreadsheet_rows(checked: uploads.CheckedFile) -> list[list[object]]:
    if checked.mime_type == uploads.XLSX:
        try:
            workbook = load_workbook(io.BytesIO(checked.data), read_only=True, data_only=True)
            try:
                return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
            finally:
                workbook.close()
        except Exception:  # openpyxl raises many kinds on a damaged file
            raise ServiceError(N_("无法读取该 Excel 文件，请确认文件未损坏。"), "bad_xlsx", field="file") from None
    return list(csv.reader(io.StringIO(checked.text or "")))
