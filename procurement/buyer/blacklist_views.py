"""Credit blacklists (失信名单): the dated list versions buyer staff import, and each version's entries."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired

from procurement.auth.permissions import roles_required
from procurement.buyer.views import bp
from procurement.domain.credit import LIST_KINDS, BlacklistImportError
from procurement.domain.uploads import MAX_BLACKLIST_CSV_BYTES
from procurement.extensions import db
from procurement.forms_common import BaseForm
from procurement.models import BlacklistImport
from procurement.services import ServiceError
from procurement.services import credit as credit_service
from procurement.formatting import translate


class BlacklistImportForm(BaseForm):
    """One list's CSV export."""

    file = FileField(
        _l("CSV 文件"),
        validators=[FileRequired(_l("请选择要导入的 CSV 文件。"))],
        description=_l("列：名称、统一社会信用代码、名单、来源、列入日期、移出日期（YYYY-MM-DD）；UTF-8 或 GBK 编码。"),
    )


def _render(status: int = 200, forms: dict | None = None, row_errors: dict | None = None):
    imports = db.session.scalars(
        sa.select(BlacklistImport).order_by(BlacklistImport.imported_at.desc(), BlacklistImport.id.desc())
    ).all()
    forms = dict(forms or {})
    for kind in LIST_KINDS:
        forms.setdefault(kind, BlacklistImportForm(prefix=kind, formdata=None))
    return (
        render_template(
            "buyer/blacklists.html",
            imports=imports,
            list_kinds=LIST_KINDS,
            latest=credit_service.latest_versions(),
            forms=forms,
            row_errors=row_errors or {},
        ),
        status,
    )


@bp.route("/blacklists")
@roles_required("buyer")
def blacklists():
    """Every imported list version, newest first, and an import form per list."""
    return _render()


@bp.route("/blacklists/<list_kind>/import", methods=["POST"])
@roles_required("buyer")
def blacklist_import(list_kind: str):
    """Import one list's CSV as a new version; every bad row is reported and nothing is applied."""
    if list_kind not in LIST_KINDS:
        abort(404)
    form = BlacklistImportForm(prefix=list_kind)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            version = credit_service.import_blacklist(
                list_kind, upload.read(MAX_BLACKLIST_CSV_BYTES + 1), upload.filename or "", current_user
            )
        except BlacklistImportError as error:
            form.file.errors = list(form.file.errors) + [translate(error.message, error.params)]
            return _render(400, {list_kind: form}, {list_kind: error.errors})
        except ServiceError as error:
            form.add_domain_error(error, "file")
        else:
            flash(
                ngettext(
                    "已导入“%(list)s”新版本（第 %(id)s 版），共 %(num)s 条。",
                    "已导入“%(list)s”新版本（第 %(id)s 版），共 %(num)s 条。",
                    version.row_count,
                    list=translate(LIST_KINDS[list_kind]),
                    id=version.id,
                ),
                "success",
            )
            return redirect(url_for("buyer.blacklists"))
    return _render(400, {list_kind: form})


@bp.route("/blacklists/versions/<int:import_id>")
@roles_required("buyer")
def blacklist_version(import_id: int):
    """One list version: when and from what file it was imported, and all its entries."""
    version = db.session.get(BlacklistImport, import_id)
    if version is None:
        abort(404)
    return render_template(
        "buyer/blacklist_version.html",
        version=version,
        entries=credit_service.entries_of(version),
        list_kinds=LIST_KINDS,
        is_latest=credit_service.latest_versions().get(version.list_kind) is version,
    )
