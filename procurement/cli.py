"""``flask`` commands: users, demo data, audit verification and sealing, the OCDS backfill."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from procurement.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")
audit_cli = AppGroup("audit", help="The audit trail.")
ocds_cli = AppGroup("ocds", help="Open data (OCDS releases).")


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


#: What each fault means, for the operator reading ``flask audit verify``.
BREAK_MEANINGS = {
    "hash_mismatch": "its columns no longer give its hash: the event was edited",
    "wrong_chain": "it sits in another chain than its project's: the event was moved",
    "seq_gap": "its number does not follow the previous event's: an event before it was deleted, or the numbers were changed",
    "prev_mismatch": "it does not link to the previous event: events were removed, replaced or reordered",
    "head_missing": "the chain has no head: the head row was deleted",
    "newest_missing": "the head records this event but the chain ends before it: the newest events were deleted",
    "head_mismatch": "the head names another last event than the chain ends with",
    "head_forged": "the head's seal does not verify under the audit key: the head was rewritten",
    "head_unsealed": "the head carries no seal yet (run `flask audit seal`); a deletion of the newest events could not be seen",
}


def describe_break(broken) -> str:
    """One line naming the faulty event: its chain, number, action and time (Beijing time), and why."""
    from procurement.formatting import to_beijing

    where = f"event #{broken.seq}" if broken.seq is not None else "its head"
    if broken.event_id is not None:
        where += f" (id {broken.event_id})"
    if broken.action is not None:
        where += f" {broken.action}"
    if broken.occurred_at is not None:
        where += f" at {to_beijing(broken.occurred_at):%Y-%m-%d %H:%M:%S} 北京时间"
    return f"Audit chain {broken.chain}: {where}: {broken.reason}: {BREAK_MEANINGS[broken.reason]}."


@audit_cli.command("verify")
def audit_verify() -> None:
    """Verify every audit chain; exit 1 naming each chain's first fault (2 when only seals are missing)."""
    from procurement import audit

    statuses = audit.verify()
    for status in statuses:
        if status.ok:
            click.echo(f"  {status.chain}: {status.count} events OK")
    faults = [status.broken for status in statuses if not status.ok]
    for broken in faults:
        click.echo(describe_break(broken), err=True)
    if not faults:
        events = sum(status.count for status in statuses)
        click.echo(f"Audit chains OK: {len(statuses)} chains, {events} events verified.")
        return
    broken = [fault for fault in faults if not fault.unsealed]
    click.echo(
        f"Audit chains BROKEN: {len(broken)} of {len(statuses)} chains." if broken
        else f"Audit chains UNSEALED: {len(faults)} of {len(statuses)} chains carry no seal; run `flask audit seal`.",
        err=True,
    )
    raise SystemExit(1 if broken else 2)


@audit_cli.command("seal")
def audit_seal() -> None:
    """Seal the heads that carry no seal (after `flask db upgrade`), if their chains verify; exit 1 if any does not."""
    from procurement import audit
    from procurement.services.unit_of_work import transaction

    with transaction():
        sealed, refused = audit.seal_unsealed()
    click.echo(f"Sealed {len(sealed)} chain heads{': ' + ', '.join(sealed) if sealed else ''}.")
    for status in refused:
        click.echo("Not sealed: " + describe_break(status.broken), err=True)
    if refused:
        raise SystemExit(1)


@ocds_cli.command("backfill")
def ocds_backfill() -> None:
    """Store a first release for every published project that has none (published before releases were stored)."""
    from procurement.services import open_data

    added = open_data.backfill()
    click.echo(f"Backfilled {added} OCDS release{'' if added == 1 else 's'}.")


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
    for role, email, password, passphrase in logins:
        line = f"  {role:<10} {email:<28} {password}"
        click.echo(f"{line:<52} opening passphrase (开标口令): {passphrase}" if passphrase else line)
    click.echo("The demo project opens by quorum: any two of the three officials above enter their opening")
    click.echo("passphrase on the project's 共同开标 page once the simulated clock reaches the opening time.")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(ocds_cli)
    app.cli.add_command(demo)
    app.cli.add_command(blacklist_cli)  # issue 4
    from procurement.store_cli import store_cli

    app.cli.add_command(store_cli)  # issue 12
    from procurement.backup_cli import init_app as add_backup_commands

    add_backup_commands(app)  # issue 14: flask backup, flask restore
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
