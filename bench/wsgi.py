"""The benchmark's WSGI app: the real app plus one bench-only route that inserts a plain row.

The plain-insert route exists only here, never in the application: gunicorn serves
``bench.wsgi:app`` during ``bench/quotes.py`` so sealed submissions can be compared with the same
stack (gunicorn, session, sign-in, permission check, CSRF, a database transaction) writing one
unsealed row. The table is created by the bench runner, in the bench's scratch database only.
"""
from __future__ import annotations

import os

import sqlalchemy as sa
from flask import redirect, request
from flask_login import current_user

from procurement import clock, create_app
from procurement.auth.permissions import roles_required
from procurement.extensions import db

bench_metadata = sa.MetaData()
plain_row = sa.Table(
    "bench_plain_row",
    bench_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)


@roles_required("supplier")
def plain_insert():
    """Insert one plain row for the signed-in supplier and redirect, as the real confirmation does."""
    db.session.execute(
        plain_row.insert().values(
            user_id=current_user.id, body=request.form.get("body", ""), created_at=clock.now().replace(tzinfo=None)
        )
    )
    db.session.commit()
    return redirect("/supplier/")


app = create_app(os.environ.get("PROCUREMENT_CONFIG", "production"))
app.add_url_rule("/bench/plain-insert", "bench_plain_insert", plain_insert, methods=["POST"])
