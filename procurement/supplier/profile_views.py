"""The supplier's company profile."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procurement.auth.permissions import roles_required
from procurement.domain.identifiers import division_label, mask_id_number, uscc_division
from procurement.services import companies
from procurement.supplier.forms import ProfileForm
from procurement.supplier.loaders import current_company
from procurement.supplier.views import bp


@bp.route("/profile", methods=["GET", "POST"])
@roles_required("supplier")
def profile():
    """View and edit the company profile."""
    company = current_company()
    form = ProfileForm(obj=company if request.method == "GET" else None)
    if request.method == "GET" and company.premises_division == "000000":
        form.premises_division.data = "other"
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in companies.PROFILE_FIELDS}
        clean, errors = companies.validate_profile(data, company.id)
        if errors:
            for field, error in errors.items():
                form.add_domain_error(error, field)
        else:
            companies.update_profile(company, clean, current_user)
            flash(_("公司信息已保存。"), "success")
            next_url = request.args.get("next")
            if next_url and next_url.startswith("/supplier/"):
                return redirect(next_url)
            return redirect(url_for("supplier.profile"))
    registration_division = None
    if company.uscc:
        try:
            registration_division = division_label(uscc_division(company.uscc))
        except Exception:  # an old, invalid code stays viewable
            registration_division = None
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "supplier/profile.html",
            form=form,
            company=company,
            registration_division=registration_division,
            masked_id=mask_id_number(company.legal_rep_id_number or ""),
        ),
        status,
    )
