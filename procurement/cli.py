"""``flask`` commands: users, demo data, audit verification."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from procurement.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")
audit_cli = AppGroup("audit", help="The audit trail.")


@users_cli.command("create-buyer")
@click.option("--email", prompt=True)
@click.option("--name", prompt="Name (姓名)")
@click.password_option()
def create_buyer(email: str, name: str, password: str) -> None:
    """Create a buyer staff account (the first one bootstraps the service)."""
    from procurement.services import ServiceError, accounts
    from procurement.formatting import translate

    try:
        user = accounts.create_buyer(email, password, name)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(translate(error.message, error.params))
    click.echo(f"Created buyer {user.email} (id {user.id}).")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Verify the hash chain; exit 1 naming the first broken link."""
    from procurement import audit
    from procurement.models import AuditEvent

    broken = audit.verify()
    count = db.session.query(AuditEvent).count()
    if broken is None:
        click.echo(f"Audit chain OK: {count} events verified.")
        return
    click.echo(f"Audit chain BROKEN at event id {broken.id}: {broken.reason}.", err=True)
    raise SystemExit(1)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load into an empty database (used by `make run`).")
def demo(if_empty: bool) -> None:
    """Load the notice's project, a buyer, three panel members and five suppliers."""
    from procurement.demo import load_demo
    from procurement.models import User

    if if_empty and db.session.query(User).count() > 0:
        click.echo("Database already has data; demo not loaded.")
        return
    logins = load_demo()
    click.echo("Demo loaded. Sign in at http://127.0.0.1:5000/auth/login with:")
    for role, email, password in logins:
        click.echo(f"  {role:<10} {email:<28} {password}")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo)
    app.cli.add_command(blacklist_cli)  # issue 4
    from procurement.jobs import cli as jobs_cli

    jobs_cli.init_app(app)  # issue 12: flask worker, flask jobs


# --- flask blacklist (issue 4) ----------------------------------------------------------------

blacklist_cli = AppGroup("blacklist", help="Credit blacklists (失信名单).")


@blacklist_cli.command("import")
@click.argument("list_kind")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def blacklist_import(list_kind: str, file: str) -> None:
    """Import FILE (CSV) as a new version of LIST_KIND; any bad row: nothing imported, exit 1.

    LIST_KIND is dishonest_debtor, tax_violation or procurement_violation (or the list's Chinese name).
    """
    import os

    from procurement.domain.credit import LIST_KINDS, BlacklistImportError, list_kind_from_text
    from procurement.services import ServiceError
    from procurement.services import credit as credit_service
    from procurement.formatting import translate

    kind = list_kind_from_text(list_kind)
    if kind is None:
        raise click.BadParameter(f"unknown list {list_kind!r}; one of: {', '.join(LIST_KINDS)}", param_hint="LIST_KIND")
    with open(file, "rb") as handle:
        data = handle.read()
    try:
        version = credit_service.import_blacklist(kind, data, os.path.basename(file), None)
    except BlacklistImportError as error:
        db.session.rollback()
        click.echo(translate(error.message, error.params), err=True)
        for row in error.errors:
            click.echo(f"  第 {row.line} 行：{translate(row.message, row.params)}", err=True)
        raise SystemExit(1)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(translate(error.message, error.params))
    click.echo(f"Imported {version.row_count} entries into {kind} as version {version.id}.")
